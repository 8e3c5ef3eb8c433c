import CXlsxWriter
import Testing
@testable import SpreadsheetIO
import Tabular

@Suite struct XLSXReaderTests {
    let fixtures = Fixtures()

    @Test func readsWhatLibxlsxwriterWrites() throws {
        let path = fixtures.libxlsxwriter("written.xlsx") { workbook, sheet in
            let date = workbook_add_format(workbook)
            format_set_num_format(date, "mm/dd/yyyy")
            let percent = workbook_add_format(workbook)
            format_set_num_format(percent, "0.0%")
            let padded = workbook_add_format(workbook)
            format_set_num_format(padded, "000")
            worksheet_write_string(sheet, 0, 0, "Posted", nil)
            worksheet_write_number(sheet, 1, 0, 45_775, date)          // 2025-04-28
            worksheet_write_number(sheet, 1, 1, 0.125, percent)
            worksheet_write_number(sheet, 1, 2, 1, padded)
            worksheet_write_boolean(sheet, 1, 3, 1, nil)
            worksheet_write_formula_num(sheet, 1, 4, "=2+3", nil, 5)
            worksheet_write_string(sheet, 1, 5, "=HYPERLINK(\"x\")", nil)
        }
        let workbook = try SpreadsheetReader.read(path: path)
        let sheet = workbook.sheets[0]
        #expect(sheet.name == "Transactions")
        #expect(sheet.displayText(row: 1, column: 0) == "2025-04-28")
        #expect(sheet.displayText(row: 1, column: 1) == "12.5%")
        #expect(sheet.displayText(row: 1, column: 2) == "001")
        #expect(sheet.cell(row: 1, column: 3) == .bool(true))
        #expect(sheet.displayText(row: 1, column: 4) == "5", "a formula reads as its cached value")
        #expect(sheet.displayText(row: 1, column: 5) == "=HYPERLINK(\"x\")")
    }

    /// Found by fuzzing: a date or duration format on a number too large for any date trapped.
    @Test func aDateFormattedNumberBeyondAnyDateShowsAsTheNumberItIs() throws {
        let path = fixtures.libxlsxwriter("hugedate.xlsx") { workbook, sheet in
            let duration = workbook_add_format(workbook)
            format_set_num_format(duration, "[h]:mm:ss")
            let date = workbook_add_format(workbook)
            format_set_num_format(date, "mm/dd/yyyy")
            worksheet_write_string(sheet, 0, 0, "Posted", nil)
            worksheet_write_number(sheet, 1, 0, 1e300, duration)
            worksheet_write_number(sheet, 1, 1, 4e15, date)
        }
        let sheet = try SpreadsheetReader.read(path: path).sheets[0]
        #expect(sheet.displayText(row: 1, column: 0) == "1e+300")
        #expect(sheet.displayText(row: 1, column: 1) == "4000000000000000")
    }

    @Test func rowsAndCellsWithoutReferencesFollowOnFromTheLastOne() throws {
        let path = fixtures.xlsx("norefs.xlsx", sheet: """
            <row><c t="inlineStr"><is><t>a</t></is></c><c><v>1</v></c></row>
            <row r="4"><c r="C4"><v>2</v></c><c><v>3</v></c></row>
            """)
        let sheet = try SpreadsheetReader.read(path: path).sheets[0]
        #expect(sheet.rowCount == 4)
        #expect(sheet.displayText(row: 0, column: 0) == "a")
        #expect(sheet.displayText(row: 0, column: 1) == "1")
        #expect(sheet.width(ofRow: 1) == 0, "rows 2 and 3 are empty")
        #expect(sheet.displayText(row: 3, column: 2) == "2")
        #expect(sheet.displayText(row: 3, column: 3) == "3")
    }

    @Test func sharedStringsWithRichTextAndPhoneticRunsAndEscapes() throws {
        let path = fixtures.xlsx("strings.xlsx", sheet: """
            <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>
            """, sharedStrings: """
            <si><r><t>Acme </t></r><r><rPr><b/></rPr><t xml:space="preserve">&amp; Sons</t></r></si>\
            <si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></si>\
            <si><t>line_x000D_break &#x41;</t></si>
            """)
        let sheet = try SpreadsheetReader.read(path: path).sheets[0]
        #expect(sheet.displayText(row: 0, column: 0) == "Acme& Sons", "runs without xml:space lose edge spaces, as calamine reads them")
        #expect(sheet.displayText(row: 0, column: 1) == "東京")
        #expect(sheet.displayText(row: 0, column: 2) == "line\rbreak A")
    }

    /// Inline strings in every shape read as Excel shows them, the common shape by the fast path and
    /// the rest by the tokens; a big sheet's cells cut by the reading buffer's end read whole too.
    @Test func inlineStringsInEveryShapeAndAcrossTheReadingBuffer() throws {
        let shapes: [(xml: String, text: String)] = [
            ("<is><t>Acme School Supply</t></is>", "Acme School Supply"),
            ("<is><t>Smith &amp; Sons</t></is>", "Smith & Sons"),
            ("<is><t>line_x000D_break</t></is>", "line\rbreak"),
            ("<is><t>  padded  </t></is>", "padded"),
            ("<is><t xml:space=\"preserve\">  padded  </t></is>", "  padded  "),
            ("<is><r><t>Rich </t></r><r><rPr><b/></rPr><t xml:space=\"preserve\">text</t></r></is>", "Richtext"),
            ("<is><t></t></is>", ""),
            ("<is><t/></is>", ""),
            ("<is><t>under_score</t></is>", "under_score"),
        ]
        var rows = ""
        for (index, shape) in shapes.enumerated() { rows += "<row r=\"\(index + 1)\"><c r=\"A\(index + 1)\" t=\"inlineStr\">\(shape.xml)</c></row>" }
        let sheet = try SpreadsheetReader.read(path: fixtures.xlsx("inline-shapes.xlsx", sheet: rows)).sheets[0]
        for (index, shape) in shapes.enumerated() {
            #expect(sheet.displayText(row: index, column: 0) == shape.text, "\(shape.xml)")
        }
        // About 5 MB of XML: cells cut at each 1 MB end of the buffer.
        func text(_ row: Int, _ column: Int) -> String { "Vendor \(row * 7 + column) " + String(repeating: "x", count: 1 + (row + column) % 23) }
        var big = ""
        for row in 0 ..< 20_000 {
            big += "<row r=\"\(row + 1)\">"
            for column in 0 ..< 4 {
                let space = (row + column) % 3 == 0 ? " xml:space=\"preserve\"" : ""
                big += "<c r=\"\(["A", "B", "C", "D"][column])\(row + 1)\" t=\"inlineStr\"><is><t\(space)>\(text(row, column))</t></is></c>"
            }
            big += "</row>"
        }
        let bigSheet = try SpreadsheetReader.read(path: fixtures.xlsx("inline-big.xlsx", sheet: big)).sheets[0]
        #expect(bigSheet.rowCount == 20_000)
        var wrong: [String] = []
        for row in 0 ..< 20_000 {
            for column in 0 ..< 4 where bigSheet.displayText(row: row, column: column) != text(row, column) {
                wrong.append("row \(row + 1) column \(column): \(bigSheet.displayText(row: row, column: column))")
            }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(5))")
    }

    /// A sheet is inflated on a thread of its own while it is read; reading stops at the end of
    /// its data, megabytes before the end of the part, and the thread is stopped with it.
    @Test func aSheetReadToTheEndOfItsDataLeavesNothingInflatingBehind() throws {
        let filler = String(repeating: "<ext uri=\"{00000000-0000-0000-0000-000000000000}\"><x:y xmlns:x=\"urn:x\">filler</x:y></ext>", count: 60_000)
        let rows = (1 ... 50).map { "<row r=\"\($0)\"><c r=\"A\($0)\"><v>\($0)</v></c></row>" }.joined()
        let path = fixtures.xlsx("trailing.xlsx", sheet: rows + "</sheetData><extLst>\(filler)</extLst><sheetData>")
        for _ in 0 ..< 20 {
            let sheet = try SpreadsheetReader.read(path: path).sheets[0]
            #expect(sheet.rowCount == 50)
            #expect(sheet.displayText(row: 49, column: 0) == "50")
        }
    }

    @Test func errorCellsAreTheirOwnKindOfValue() throws {
        let path = fixtures.xlsx("errors.xlsx", sheet: """
            <row r="1"><c r="A1" t="e"><v>#N/A</v></c><c r="B1" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="C1" t="str"><f>A1&amp;""</f><v>x</v></c></row>
            """)
        let sheet = try SpreadsheetReader.read(path: path).sheets[0]
        #expect(sheet.cell(row: 0, column: 0) == .error(.notAvailable))
        #expect(sheet.cell(row: 0, column: 1) == .error(.divisionByZero))
        #expect(sheet.displayText(row: 0, column: 2) == "x")
    }

    @Test func theExcel1900LeapYearBugAndThe1904DateSystem() throws {
        let styles = "<cellXfs count=\"2\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/></cellXfs>"
        let path = fixtures.xlsx("dates1900.xlsx", sheet: """
            <row r="1"><c r="A1" s="1"><v>59</v></c><c r="B1" s="1"><v>61</v></c><c r="C1" s="1"><v>1</v></c><c r="D1" s="1"><v>45775</v></c></row>
            """, styles: styles)
        let sheet = try SpreadsheetReader.read(path: path).sheets[0]
        #expect(sheet.displayText(row: 0, column: 0) == "1900-02-28")
        #expect(sheet.displayText(row: 0, column: 1) == "1900-03-01", "serial 60 is Excel's phantom 29 February 1900")
        #expect(sheet.displayText(row: 0, column: 2) == "1900-01-01")
        #expect(sheet.displayText(row: 0, column: 3) == "2025-04-28")
        #expect(ExcelDate.date(serial: 60, uses1904Dates: false) == nil)

        let path1904 = fixtures.xlsx("dates1904.xlsx", sheet: "<row r=\"1\"><c r=\"A1\" s=\"1\"><v>44313</v></c></row>",
                                     styles: styles, workbookPr: "<workbookPr date1904=\"1\"/>")
        let workbook = try SpreadsheetReader.read(path: path1904)
        #expect(workbook.notes.uses1904Dates)
        guard case .number(let serial, let format) = workbook.sheets[0].cell(row: 0, column: 0) else { Issue.record("not a number"); return }
        #expect(format.isTemporal)
        #expect(ExcelDate.date(serial: serial, uses1904Dates: true)?.description == "2025-04-28")
    }

    @Test func rowZeroIsRefused() throws {
        let path = fixtures.xlsx("rowzero.xlsx", sheet: "<row r=\"1\"><c r=\"A0\"><v>1</v></c></row>")
        #expect(throws: SpreadsheetError.self) { try SpreadsheetReader.read(path: path) }
    }

    @Test func aSharedStringIndexPastTheTableIsDamage() throws {
        let path = fixtures.xlsx("badindex.xlsx", sheet: "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>7</v></c></row>", sharedStrings: "<si><t>a</t></si>")
        do {
            _ = try SpreadsheetReader.read(path: path)
            Issue.record("read a cell pointing at a missing shared string")
        } catch {
            #expect(error.kind == .damaged)
            #expect(error.message.contains("xl/worksheets/sheet1.xml"))
        }
    }
}

@Suite struct NumberFormatTests {
    @Test(arguments: [
        ("m/d/yyyy", NumberFormat.Category.date), ("yyyy-mm-dd", .date), ("d-mmm-yy", .date), ("[$-409]mmmm d, yyyy;@", .date),
        ("m/d/yyyy h:mm", .dateTime), ("h:mm AM/PM", .time), ("[h]:mm:ss", .duration), ("hh[m]", .time), ("mm:ss", .time),
        ("0.0%", .percent), ("\"$\"#,##0.00", .number), ("[$$-409]#,##0.00", .currency), ("$#,##0.00_);($#,##0.00)", .currency),
        ("_(* #,##0.00_);_(* (#,##0.00);_(* \"-\"??_);_(@_)", .number), ("000", .zeroPadded), ("00000", .zeroPadded),
        ("@", .text), ("General", .general), ("#,##0", .number), ("[Red]0.00", .number), ("\"Day\" 0", .number),
        ("0.00E+00", .number), ("[Blue]General", .general),
    ])
    func customFormatsAreClassified(code: String, category: NumberFormat.Category) {
        #expect(NumberFormat.classify(code: code).category == category, "\(code)")
    }

    @Test func builtInFormats() {
        #expect(NumberFormat.builtIn(14).category == .date)
        #expect(NumberFormat.builtIn(22).category == .dateTime)
        #expect(NumberFormat.builtIn(9).category == .percent)
        #expect(NumberFormat.builtIn(44).category == .currency)
        #expect(NumberFormat.builtIn(49).category == .text)
        #expect(NumberFormat.builtIn(0).category == .general)
    }

    @Test func zeroPaddedCodesShowTheirZeros() {
        #expect(NumberFormat(.zeroPadded, width: 3).display(1) == "001")
        #expect(NumberFormat(.zeroPadded, width: 3).display(1234) == "1234")
    }
}
