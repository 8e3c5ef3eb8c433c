import Testing
@testable import SpreadsheetIO

/// Files a reader must refuse, each with a sentence that says what the file is and what to do.
@Suite struct HostileFileTests {
    let fixtures = Fixtures()

    private func refusal(_ path: String, limits: ReadingLimits = ReadingLimits()) -> SpreadsheetError? {
        do {
            _ = try SpreadsheetReader.read(path: path, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    @Test func aWordDocumentNamedXlsxIsCalledWhatItIs() {
        let path = fixtures.zip("budget.xlsx", [("[Content_Types].xml", Array("<Types/>".utf8)), ("word/document.xml", Array("<w:document/>".utf8))])
        let error = refusal(path)
        #expect(error?.kind == .notASpreadsheet)
        #expect(error?.message == "This is a Word document, not an Excel workbook, though its name ends in .xlsx. Export the report from the finance system as Excel (.xlsx) or CSV instead.")
    }

    @Test func anOpenDocumentSpreadsheetNamedXlsxIsCalledWhatItIs() {
        let path = fixtures.zip("budget.xlsx", [("mimetype", Array("application/vnd.oasis.opendocument.spreadsheet".utf8)), ("content.xml", Array("<office:document-content/>".utf8))])
        let error = refusal(path)
        #expect(error?.kind == .notASpreadsheet)
        #expect(error?.message.hasPrefix("This is an OpenDocument spreadsheet (LibreOffice Calc, .ods), not an Excel workbook") == true)
        #expect(error?.message.hasSuffix("save it as Excel 2007-365 (.xlsx).") == true)
    }

    @Test func textWithAStrayNulCharacterNamesItsLine() {
        let path = fixtures.write("ledger.csv", bytes: Array("Vendor,Amount\nAcme,12.50\nBolt,3".utf8) + [0] + Array(".00\n".utf8))
        #expect(refusal(path)?.message.hasPrefix("Line 3 holds a NUL character (a zero byte), which text never has") == true)
        // Binary data is still called binary, wherever its first zero byte is.
        let binary = fixtures.write("data.csv", bytes: (0 ..< 4_096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) })
        #expect(refusal(binary)?.message.hasPrefix("This file holds binary data") == true)
    }

    @Test(arguments: [false, true]) func utf16TextWithoutAByteOrderMarkIsRecognisedAndRead(bigEndian: Bool) throws {
        let units = Array("Vendor,Amount\nCafé Olé,12.50\n".utf16)
        let bytes = units.flatMap { bigEndian ? [UInt8($0 >> 8), UInt8($0 & 0xFF)] : [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let workbook = try SpreadsheetReader.read(path: fixtures.write("utf16.csv", bytes: bytes))
        #expect(grid(workbook) == [["Vendor", "Amount"], ["Café Olé", "12.50"]])
        #expect(workbook.notes.encoding == (bigEndian ? "UTF-16 (big-endian, without byte-order mark)" : "UTF-16 (little-endian, without byte-order mark)"))
        #expect(workbook.notes.remarks.contains { $0.contains("UTF-16 text without the mark") })
    }

    @Test func aZipBombIsRefusedBeforeItIsInflated() {
        // 64 MB of spaces deflates about a thousandfold.
        let spaces = [UInt8](repeating: 0x20, count: 64 << 20)
        let path = fixtures.xlsx("bomb.xlsx", sheet: "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>" + String(decoding: spaces, as: UTF8.self))
        let error = refusal(path)
        #expect(error?.kind == .unsafeContent)
        #expect(error?.message.contains("zip bomb") == true)
    }

    @Test func theTotalExpandedSizeIsCapped() {
        var limits = ReadingLimits()
        limits.maxTotalUncompressedBytes = 1 << 20
        let rows = (1 ... 40_000).map { "<row r=\"\($0)\"><c r=\"A\($0)\"><v>\($0)</v></c></row>" }.joined()
        let error = refusal(fixtures.xlsx("big.xlsx", sheet: rows), limits: limits)
        #expect(error?.kind == .tooLarge)
    }

    @Test func theCellsOfOneSheetAreCapped() {
        var limits = ReadingLimits()
        limits.maxCellsPerSheet = 1_000
        let row = (0 ..< 100).map { "<c><v>\($0)</v></c>" }.joined()
        let error = refusal(fixtures.xlsx("wide.xlsx", sheet: String(repeating: "<row>\(row)</row>", count: 20)), limits: limits)
        #expect(error?.kind == .tooLarge)
        #expect(error?.message == "The sheet \"Ledger\" has more than 1,000 cells, more than Pathways reads from one sheet. Remove columns or rows it does not need.")
    }

    @Test func entitiesAreNeverExpandedAndDTDsNeverRead() {
        let laughs = fixtures.zip("laughs.xlsx", [
            ("_rels/.rels", Array("""
                <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
                <Relationships><Relationship Id="r" Type="x/officeDocument" Target="xl/workbook.xml"/></Relationships>
                """.utf8)),
            ("xl/workbook.xml", Array("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><workbook>&e;</workbook>".utf8)),
        ])
        let error = refusal(laughs)
        #expect(error?.kind == .unsafeContent)
        #expect(error?.message.contains("DOCTYPE") == true)
        let stream = XMLStream(document: Array("<t>&xxe;</t>".utf8))
        #expect(throws: SpreadsheetError.self) {
            while let token = try stream.next() {
                if token.kind == .text {
                    var output: [UInt8] = []
                    try XMLText.appendDecoded(stream.buffer(token.content), to: &output, in: stream)
                }
            }
        }
    }

    /// An OLE2 compound file (as .xls and encrypted .xlsx files are) naming one stream.
    private func oleFile(withStream stream: String) -> [UInt8] {
        [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 504)
            + Array(stream.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
    }

    @Test func aLegacyXlsFileIsNamedAndTheFixGiven() {
        let error = refusal(fixtures.write("old.xls", bytes: oleFile(withStream: "Workbook")))
        #expect(error?.kind == .legacyExcel)
        #expect(error?.message.contains("save it as Excel Workbook (.xlsx)") == true)
    }

    @Test func anEncryptedWorkbookIsNamedAndTheFixGiven() {
        let error = refusal(fixtures.write("secret.xlsx", bytes: oleFile(withStream: "EncryptionInfo")))
        #expect(error?.kind == .passwordProtected)
        #expect(error?.message.contains("password") == true)
    }

    @Test func aTruncatedWorkbookIsCalledIncomplete() throws {
        let whole = fixtures.xlsx("whole.xlsx", sheet: (1 ... 2_000).map { "<row r=\"\($0)\"><c r=\"A\($0)\"><v>\($0)</v></c></row>" }.joined())
        let bytes = try readWholeFile(whole)
        let error = refusal(fixtures.write("half.xlsx", bytes: Array(bytes.prefix(bytes.count / 2))))
        #expect(error?.kind == .damaged)
        #expect(error?.message.contains("incomplete") == true)
    }

    @Test func aPDFOrAPictureDroppedByMistakeIsCalledWhatItIs() {
        let pdf = refusal(fixtures.write("Budget report.pdf", text: "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"))
        #expect(pdf?.kind == .notASpreadsheet)
        #expect(pdf?.message == "This is a PDF document, not a spreadsheet. Export the report from the finance system as Excel (.xlsx) or CSV instead.")
        let picture = refusal(fixtures.write("scan.xlsx", bytes: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]))
        #expect(picture?.message.hasPrefix("This is a picture, not a spreadsheet.") == true)
        let binary = refusal(fixtures.write("data.bin", bytes: [0x01, 0x02, 0x00, 0x03, 0x04]))
        #expect(binary?.message.contains("neither an Excel workbook nor a CSV file") == true)
    }

    @Test func aFileThatIsNotAWorkbookAtAllIsSaidToBeSo() {
        let renamed = refusal(fixtures.write("notes.xlsx", text: "just some text, not a workbook"))
        #expect(renamed?.kind == .notASpreadsheet)
        #expect(renamed?.message.contains("not an Excel workbook") == true)
        let empty = refusal(fixtures.write("empty.csv", bytes: []))
        #expect(empty?.message.contains("empty") == true)
        let missing = refusal(fixtures.path("missing.xlsx"))
        #expect(missing?.kind == .unreadableFile)
        let folder = refusal(fixtures.folder.path)
        #expect(folder?.message.contains("folder, not a file") == true)
    }
}
