import CXlsxWriter
import Testing
@testable import SpreadsheetIO
import Tabular

private func readCSV(_ text: String, file: String = "ledger.csv") throws -> SheetReading {
    let workbook = try CSVReader.read(bytes: Array(text.utf8), fileName: file)
    return TableReader.read(workbook.sheets[0], of: workbook)
}

private let erpExport = """
    Springfield USD — GL Detail Report
    Fiscal Year 2025,,From 07/01/2024 to 06/30/2025

    "Posting
    Date",  Account ,Site,Vendor,Description,Amount
    07/01/2024,199-11-6399-00-001,001,Acme Supply,"Paper, copier","$1,234.56"
    07/02/2024,199-11-6399-00-002,002,Total Wine & More,Snacks,(12.50)
    2024-07-03,199-11-6399-00-002,010,Office Depot,Toner,"1,234.56-"
    28-JUL-24,199-11-6399-00-003,003,Staples,Pens,"1,234.56 CR"
    07/29/2024,199-11-6399-00-003,003,Staples,Pens,12.00
    07/30/2024,199-11-6399-00-003,003,Staples,Pens,12.00
    07/31/2024,199-11-6399-00-003,003,Staples,Pens,12.00
    08/01/2024,199-11-6399-00-003,003,Staples,Pens,12.00
    08/02/2024,199-11-6399-00-003,003,Staples,Pens,12.00
    08/05/2024,199-11-6399-00-003,003,Staples,Pens,12.00
    08/06/2024,199-11-6399-00-003,003,Staples,Pens,12.00
    08/07/2024,199-11-6399-00-003,003,Staples,Pens,12.00
    08/08/2024,199-11-6399-00-003,003,Staples,Pens,12.00
    08/09/2024,199-11-6399-00-003,003,Staples,Pens,"12,5O0.00"
    Total 101,,,,,"2,456.62"
    ,,,,,
    Posting Date,Account,Site,Vendor,Description,Amount
    08/12/2024,199-11-6399-00-004,004,Grainger,Filters,40.00
    Grand Total,,,,,"2,496.62"

    """

@Suite struct TableReaderTests {
    let fixtures = Fixtures()

    @Test func findsTheHeaderBelowTitleRowsAndTidiesIt() throws {
        let reading = try readCSV(erpExport)
        #expect(reading.layout.headerRow == 4)
        #expect(reading.table.columns.map(\.name) == ["Posting Date", "Account", "Site", "Vendor", "Description", "Amount"])
    }

    @Test func leavesOutTotalRowsAndRepeatedHeadersAndReportsThem() throws {
        let reading = try readCSV(erpExport)
        let skipped = reading.layout.skippedRows
        #expect(skipped.map(\.row) == [19, 21, 23])
        #expect(skipped.map(\.reason) == [.total, .repeatedHeader, .total])
        #expect(skipped.map(\.label) == ["Total 101", "Posting Date", "Grand Total"])
        #expect(reading.table.rowCount == 15)
        #expect(reading.layout.blankRowCount == 1)
    }

    @Test func aVendorNamedTotalIsStillData() throws {
        let reading = try readCSV(erpExport)
        let vendors = try #require(reading.table.column(named: "Vendor"))
        #expect((0 ..< vendors.count).contains { vendors[$0] == .text("Total Wine & More") })
    }

    @Test func infersTypesAndKeepsLeadingZeros() throws {
        let reading = try readCSV(erpExport)
        #expect(reading.table.columns.map(\.type) == [.date, .code, .code, .text, .text, .money])
        let site = try #require(reading.table.column(named: "Site"))
        #expect(site[0] == .code("001"))
        #expect(site[2] == .code("010"))
    }

    @Test func readsAmountsAndDatesInEveryExportStyle() throws {
        let table = try readCSV(erpExport).table
        let amount = try #require(table.column(named: "Amount"))
        #expect(amount[0] == .money(Money(dollars: 1234, cents: 56)))
        #expect(amount[1] == .money(Money(dollars: -12, cents: -50)))
        #expect(amount[2] == .money(Money(dollars: -1234, cents: -56)))
        #expect(amount[3] == .money(Money(dollars: -1234, cents: -56)))
        let posted = try #require(table.column(named: "Posting Date"))
        #expect(posted[0] == .date(CalendarDate(year: 2024, month: 7, day: 1)!))
        #expect(posted[2] == .date(CalendarDate(year: 2024, month: 7, day: 3)!))
        #expect(posted[3] == .date(CalendarDate(year: 2024, month: 7, day: 28)!))
    }

    @Test func aCellThatDoesNotFitIsADataErrorWithItsAddress() throws {
        let reading = try readCSV(erpExport)
        #expect(reading.dataErrors.totalCount == 1)
        let error = try #require(reading.dataErrors.errors.first)
        #expect(error.origin == CellOrigin(file: "ledger.csv", sheet: "ledger", row: 18, column: 5))
        #expect(error.origin.cellAddress == "F18")
        #expect(error.rawText == "12,5O0.00")
        #expect(error.description == "ledger, row 18, column Amount (F18): \"12,5O0.00\" is not an amount.")
        let amount = try #require(reading.table.column(named: "Amount"))
        #expect(amount[13] == .blank, "the unreadable cell is blank in the table and reported, never guessed")
    }

    @Test func everyValueKnowsItsCell() throws {
        let table = try readCSV(erpExport).table
        // The total, blank and repeated header rows leave gaps: the last data row is sheet row 22.
        #expect(table.origin(row: table.rowCount - 1, column: 5).qualifiedAddress == "ledger!F22")
        #expect(table.origin(row: 0, column: 0).cellAddress == "A5")
    }

    @Test func theDataErrorListIsCappedButCounted() throws {
        let rows = (1 ... 300).map { "\($0),\($0 % 10 == 0 ? "oops" : "\($0).00")" }.joined(separator: "\n")
        let workbook = try CSVReader.read(bytes: Array("Check,Amount\n\(rows)\n".utf8), fileName: "x.csv")
        let reading = TableReader.read(workbook.sheets[0], of: workbook, errorCap: 5)
        #expect(reading.table.column(named: "Amount")?.type == .money)
        #expect(reading.dataErrors.totalCount == 30)
        #expect(reading.dataErrors.errors.count == 5)
        #expect(reading.dataErrors.errors.first?.origin.row == 11)
    }

    @Test func errorCellsAreDataErrorsInAnyColumn() throws {
        let rows = (2 ... 12).map { "<row r=\"\($0)\"><c r=\"A\($0)\"><v>\($0)</v></c></row>" }.joined()
        let path = fixtures.xlsx("errors.xlsx", sheet: """
            <row r="1"><c r="A1" t="inlineStr"><is><t>Enrollment</t></is></c></row>\(rows)<row r="13"><c r="A13" t="e"><v>#DIV/0!</v></c></row>
            """)
        let workbook = try SpreadsheetReader.read(path: path)
        let reading = TableReader.read(workbook.sheets[0], of: workbook)
        #expect(reading.table.columns.first?.type == .number)
        #expect(reading.dataErrors.errors.map(\.description) == [
            "Ledger, row 13, column Enrollment (A13): \"#DIV/0!\" is a spreadsheet error, not a value; fix the formula that gives #DIV/0!.",
        ])
    }

    @Test func declaredTypesReplaceInference() throws {
        let workbook = try CSVReader.read(bytes: Array("Site,Enrollment\n1,450\n2,n/a\n".utf8), fileName: "sites.csv")
        let layout = SheetLayout.detect(workbook.sheets[0])
        let reading = TableReader.read(workbook.sheets[0], of: workbook, layout: layout, types: [.code, .number])
        #expect(reading.table.column(named: "Site")?[0] == .code("1"))
        #expect(reading.dataErrors.errors.map(\.origin.cellAddress) == ["B3"])
        #expect(reading.dataErrors.errors.first?.reason == "is not a number.")
    }

    @Test func excelNumbersInACodeColumnKeepTheTextTheSheetShows() throws {
        let path = fixtures.libxlsxwriter("codes.xlsx") { workbook, sheet in
            let padded = workbook_add_format(workbook)
            format_set_num_format(padded, "000")
            let money = workbook_add_format(workbook)
            format_set_num_format(money, "$#,##0.00")
            let date = workbook_add_format(workbook)
            format_set_num_format(date, "m/d/yyyy")
            for (column, name) in ["Site", "Fund Code", "Amount", "Posted", "Error"].enumerated() {
                worksheet_write_string(sheet, 0, lxw_col_t(column), name, nil)
            }
            for row in 1 ... 20 {
                worksheet_write_number(sheet, lxw_row_t(row), 0, Double(row), padded)
                worksheet_write_number(sheet, lxw_row_t(row), 1, 199, nil)
                worksheet_write_number(sheet, lxw_row_t(row), 2, 1234.5 * Double(row), money)
                worksheet_write_number(sheet, lxw_row_t(row), 3, 45_474 + Double(row), date)
                worksheet_write_number(sheet, lxw_row_t(row), 4, Double(row), nil)
            }
            worksheet_write_formula_str(sheet, 20, 4, "=NA()", nil, "#N/A")
        }
        let workbook = try SpreadsheetReader.read(path: path)
        let reading = TableReader.read(workbook.sheets[0], of: workbook)
        let table = reading.table
        #expect(table.columns.map(\.type) == [.code, .code, .money, .date, .number])
        #expect(table.column(named: "Site")?[0] == .code("001"))
        #expect(table.column(named: "Fund Code")?[0] == .code("199"))
        #expect(table.column(named: "Amount")?[1] == .money(Money(dollars: 2469)))
        #expect(table.column(named: "Posted")?[0] == .date(CalendarDate(year: 2024, month: 7, day: 2)!))
        #expect(reading.dataErrors.errors.map(\.description) == [
            "Transactions, row 21, column Error (E21): \"#N/A\" is a spreadsheet error, not a value; fix the formula that gives #N/A.",
        ])
    }

    @Test func datesCodesAndIdsAreReadAsExcelShowsThem() throws {
        let path = fixtures.libxlsxwriter("shown.xlsx") { workbook, sheet in
            let date = workbook_add_format(workbook)
            format_set_num_format(date, "m/d/yyyy")
            for (column, name) in ["Posted", "Check ID", "Closed"].enumerated() { worksheet_write_string(sheet, 0, lxw_col_t(column), name, nil) }
            worksheet_write_number(sheet, 1, 0, 20_250_428, nil)                 // an ERP's yyyymmdd
            worksheet_write_number(sheet, 1, 1, 1.234_567_890_123_456_8e18, nil)  // a 19-digit id stored as a number
            worksheet_write_number(sheet, 1, 2, 0, date)                          // no date yet: serial 0
            worksheet_write_number(sheet, 2, 0, 45_775, date)
            worksheet_write_number(sheet, 2, 1, 1e16, nil)
            worksheet_write_string(sheet, 2, 2, "00/00/0000", nil)
        }
        let workbook = try SpreadsheetReader.read(path: path)
        let layout = SheetLayout.detect(workbook.sheets[0])
        let reading = TableReader.read(workbook.sheets[0], of: workbook, layout: layout, types: [.date, .code, .date])
        let table = reading.table
        #expect(table.column(named: "Posted")?[0] == .date(CalendarDate(year: 2025, month: 4, day: 28)!))
        #expect(table.column(named: "Posted")?[1] == .date(CalendarDate(year: 2025, month: 4, day: 28)!))
        #expect(table.column(named: "Check ID")?[0] == .code("1234567890123460000"), "Excel keeps 15 significant digits")
        #expect(table.column(named: "Check ID")?[1] == .code("10000000000000000"))
        #expect(table.column(named: "Closed")?[0] == .blank && table.column(named: "Closed")?[1] == .blank, "placeholder dates are blank")
        #expect(reading.dataErrors.errors.isEmpty, "\(reading.dataErrors.errors)")
    }

    @Test func excelsKeepTheZerosEscapeReadsAsTheCodeItKeeps() throws {
        let reading = try readCSV("Site,Fund,Amount\n=\"001\",=\"0199\",5.00\n\"=\"\"002\"\"\",199,6.00\n")
        #expect(reading.table.column(named: "Site")?[0] == .code("001"))
        #expect(reading.table.column(named: "Site")?[1] == .code("002"))
        #expect(reading.table.column(named: "Fund")?[0] == .code("0199"))
    }

    @Test func aSemicolonFileWithDecimalCommasIsReadSo() throws {
        let workbook = try CSVReader.read(bytes: Array("Datum;Konto;Betrag\n01.07.2024;100;1.234,56\n02.07.2024;100;-12,50\n".utf8), fileName: "buchung.csv")
        #expect(workbook.notes.decimalComma)
        #expect(workbook.notes.remarks.contains { $0.contains("decimal comma (1.234,56)") })
        let layout = SheetLayout.detect(workbook.sheets[0])
        let reading = TableReader.read(workbook.sheets[0], of: workbook, layout: layout, types: [.text, .code, .money])
        #expect(reading.table.column(named: "Betrag")?[0] == .money(Money(scaled: 12_345_600)))
        #expect(reading.table.column(named: "Betrag")?[1] == .money(Money(scaled: -125_000)))
        #expect(TableReader.read(workbook.sheets[0], of: workbook).table.column(named: "Betrag")?[0] == .number(1_234.56), "inferred as numbers too")
    }

    @Test func aSemicolonFileWhoseNumbersReadTwoWaysSaysSo() throws {
        let workbook = try CSVReader.read(bytes: Array("Account;Amount\n100;1,234\n101;2,500\n".utf8), fileName: "ambiguous.csv")
        #expect(!workbook.notes.decimalComma)
        #expect(workbook.notes.remarks.contains { $0.hasPrefix("Numbers such as \"1,234\" could be read two ways") })
    }

    @Test func footerLinesAreLeftOutAndListedNeverReadAsData() throws {
        let reading = try readCSV("""
            Posted,Account,Vendor,Description,Amount
            07/01/2024,100-610,Acme,Paper,10.00
            07/02/2024,100-610,Bolt,Pens,20.00
            District Total,,,,30.00
            Count,,,,2
            Net change,,,,30.00
            *** End of Report ***
            Report generated 07/03/2024 08:15 by FINRPT
            Prepared by J. Chen
            Page 1 of 1

            """)
        #expect(reading.table.rowCount == 2)
        #expect(reading.layout.skippedRows.map(\.reason) == [.total, .footer, .footer, .footer, .footer, .footer, .footer])
        #expect(reading.layout.skippedRows.map(\.label) == ["District Total", "Count", "Net change", "*** End of Report ***",
                                                          "Report generated 07/03/2024 08:15 by FINRPT", "Prepared by J. Chen", "Page 1 of 1"])
        #expect(reading.dataErrors.errors.isEmpty, "\(reading.dataErrors.errors)")
    }

    @Test func aBandOfLabelsAboveTheHeaderIsNotTakenForIt() throws {
        let reading = try readCSV("""
            Account,,Budget,,Actual,
            Account,Description,Original,Revised,YTD,Encumbered
            100-610,Paper,"1,000.00","1,200.00",300.00,50.00

            """)
        #expect(reading.layout.headerRow == 2)
        #expect(reading.table.columns.map(\.name) == ["Account", "Description", "Original", "Revised", "YTD", "Encumbered"])
        #expect(reading.table.rowCount == 1)
    }

    @Test func aShortVendorLineWithAnAmountIsStillData() throws {
        let reading = try readCSV("Posted,Account,Vendor,Description,Amount\n07/01/2024,100-610,Acme,Paper,10.00\n07/02/2024,100-610,Page Printing,Flyers,20.00\n")
        #expect(reading.table.rowCount == 2)
        #expect(reading.layout.skippedRows.isEmpty)
    }

    @Test func excelsAccountingZeroReadsAsZero() throws {
        let workbook = try CSVReader.read(bytes: Array("Account,Amount,Count\n100,\"$ -   \",-\n101,-,3\n102,--,4\n".utf8), fileName: "gl.csv")
        let reading = TableReader.read(workbook.sheets[0], of: workbook, layout: SheetLayout.detect(workbook.sheets[0]), types: [.code, .money, .number])
        #expect(reading.table.column(named: "Amount")?[0] == .money(.zero))
        #expect(reading.table.column(named: "Amount")?[1] == .money(.zero))
        #expect(reading.table.column(named: "Count")?[0] == .number(0))
        #expect(reading.dataErrors.errors.map(\.origin.cellAddress) == ["B4"], "two dashes are not a zero")
    }

    @Test func idsOfSixteenDigitsOrMoreAreInferredAsCodesNotNumbers() throws {
        let reading = try readCSV("Check ID,Amount\n1234567890123456789,5.00\n9876543210987654,6.00\n")
        #expect(reading.table.column(named: "Check ID")?.type == .code)
        #expect(reading.table.column(named: "Check ID")?[0] == .code("1234567890123456789"), "every digit of the text is kept")
    }
}
