import Testing
@testable import SpreadsheetIO

/// Every cell of the only sheet, as the sheet shows it.
func grid(_ workbook: RawWorkbook) -> [[String]] {
    let sheet = workbook.sheets[0]
    return (0 ..< sheet.rowCount).map { row in (0 ..< sheet.width(ofRow: row)).map { sheet.displayText(row: row, column: $0) } }
}

private func read(_ text: String) throws -> RawWorkbook {
    try CSVReader.read(bytes: Array(text.utf8), fileName: "test.csv")
}

@Suite struct CSVReaderTests {
    @Test func quotedFieldsHoldDelimitersQuotesAndLineBreaks() throws {
        let workbook = try read("Vendor,Note\n\"Smith, Jones & Co\",\"He said \"\"paid\"\"\"\n\"Multi\nline\",x\n")
        #expect(grid(workbook) == [["Vendor", "Note"], ["Smith, Jones & Co", "He said \"paid\""], ["Multi\nline", "x"]])
    }

    @Test(arguments: ["a,b\r\n1,2\r\n", "a,b\n1,2\n", "a,b\r1,2\r", "a,b\n1,2"])
    func everyLineEndingAndAMissingLastOne(text: String) throws {
        #expect(grid(try read(text)) == [["a", "b"], ["1", "2"]])
    }

    @Test func aLineBreakInsideQuotesKeepsItsCarriageReturn() throws {
        #expect(grid(try read("a\r\n\"x\r\ny\"\r\n")) == [["a"], ["x\r\ny"]])
    }

    @Test func emptyLinesStayAsEmptyRowsSoRowNumbersMatchTheSheet() throws {
        let workbook = try read("Title\n\na,b\n1,\n")
        let sheet = workbook.sheets[0]
        #expect(sheet.rowCount == 4)
        #expect(sheet.width(ofRow: 1) == 0)
        #expect(grid(workbook)[3] == ["1", ""])
    }

    @Test func aByteOrderMarkIsNotPartOfTheFirstHeader() throws {
        let workbook = try CSVReader.read(bytes: [0xEF, 0xBB, 0xBF] + Array("Amount\n5\n".utf8), fileName: "bom.csv")
        #expect(grid(workbook) == [["Amount"], ["5"]])
        #expect(workbook.notes.encoding == "UTF-8 with byte-order mark")
    }

    @Test func windows1252IsRecognisedAndSaidSo() throws {
        // "Café – O’Brien" as Windows-1252: é is E9, the en dash 96, the curly apostrophe 92.
        let bytes: [UInt8] = Array("Vendor\nCaf".utf8) + [0xE9, 0x20, 0x96, 0x20] + Array("O".utf8) + [0x92] + Array("Brien\n".utf8)
        let workbook = try CSVReader.read(bytes: bytes, fileName: "old.csv")
        #expect(grid(workbook) == [["Vendor"], ["Café – O’Brien"]])
        #expect(workbook.notes.encoding == "Windows-1252")
        #expect(workbook.notes.remarks.contains { $0.contains("Windows-1252") })
    }

    @Test func excelUnicodeTextIsUTF16WithTabs() throws {
        let text = "Site\tAmount\r\n001\t12.50\r\n"
        let littleEndian: [UInt8] = [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let workbook = try CSVReader.read(bytes: littleEndian, fileName: "unicode.txt")
        #expect(grid(workbook) == [["Site", "Amount"], ["001", "12.50"]])
        #expect(workbook.notes.delimiter == "tab")
        #expect(workbook.notes.encoding == "UTF-16 (little-endian)")
        let bigEndian: [UInt8] = [0xFE, 0xFF] + text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        #expect(grid(try CSVReader.read(bytes: bigEndian, fileName: "unicode.txt")) == [["Site", "Amount"], ["001", "12.50"]])
    }

    @Test(arguments: [(";", ";"), ("\t", "tab"), ("|", "|"), (",", ",")])
    func delimiterIsSniffed(delimiter: String, name: String) throws {
        let text = ["Account", "Vendor", "Amount"].joined(separator: delimiter) + "\n"
            + ["101", "\"Acme, Inc\"", "1,5"].joined(separator: delimiter) + "\n"
            + ["102", "Staples", "2,5"].joined(separator: delimiter) + "\n"
        let workbook = try read(text)
        #expect(workbook.notes.delimiter == name)
        if delimiter != "," { #expect(grid(workbook)[1] == ["101", "Acme, Inc", "1,5"]) }
    }

    @Test func titleRowsWithoutDelimitersDoNotFoolTheSniffer() throws {
        let text = "GL Detail Report\nPrinted 07/15/2025\n\nDate;Account;Amount\n1;2;3\n4;5;6\n7;8;9\n"
        #expect(try read(text).notes.delimiter == ";")
    }

    @Test func anUnclosedQuoteIsReported() throws {
        let workbook = try read("a,b\n1,\"oops\n2,3\n")
        #expect(workbook.notes.remarks.contains { $0.contains("Row 2") && $0.contains("never closed") })
    }

    @Test func binaryDataIsNotACSVFile() {
        #expect(throws: SpreadsheetError.self) { try CSVReader.read(bytes: [0x41, 0x00, 0x42, 0x0A], fileName: "x.csv") }
    }

    @Test func theSheetIsNamedAfterTheFile() throws {
        let workbook = try CSVReader.read(bytes: Array("a\n".utf8), fileName: "GL Detail.csv")
        #expect(workbook.sheets[0].name == "GL Detail")
    }
}
