import Foundation
import Tabular
import Testing
@testable import SpreadsheetIO

/// A district's files read as one workbook: from a zip (never extracted), with its limits.
@Suite struct DistrictReaderTests {
    let fixtures = Fixtures()
    let ledger = Array("Posting Date,Amount\n2025-07-01,12.50\n".utf8)

    private func refusal(_ path: String, limits: ReadingLimits = ReadingLimits()) -> SpreadsheetError? {
        do {
            _ = try DistrictReader.read(paths: [path], name: fileName(of: path), limits: limits)
            return nil
        } catch {
            return error
        }
    }

    @Test func aZipsSpreadsheetsAreReadFromMemoryEachNamedWithTheZip() throws {
        let path = fixtures.zip("district.zip", [("exports/ledger.csv", ledger), ("exports/", []), ("exports/.hidden.csv", ledger)])
        let workbook = try DistrictReader.read(paths: [path], name: "district.zip")
        #expect(workbook.file == "district.zip" && workbook.isDistrict)
        #expect(workbook.inputs.map(\.file) == ["district.zip/exports/ledger.csv"])
        #expect(workbook.sheets.map(\.name) == ["ledger"])
        #expect(workbook.describe(workbook.sheets[0]) == "\"ledger\" of district.zip/exports/ledger.csv")
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixtures.folder.path) == ["district.zip"], "nothing is extracted")
    }

    @Test func aWorkbookNamedZipIsReadAsTheWorkbookItIs() throws {
        let workbook = fixtures.xlsx("budget.xlsx", sheet: "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Amount</t></is></c></row>")
        let renamed = fixtures.path("budget.zip")
        try FileManager.default.moveItem(atPath: workbook, toPath: renamed)
        let read = try DistrictReader.read(paths: [renamed], name: "budget.zip")
        #expect(!read.isDistrict && read.sheets.map(\.name) == ["Ledger"])
    }

    @Test(arguments: ["../ledger.csv", "/etc/ledger.csv", "exports/../../ledger.csv", "C:\\ledger.csv", "exports\\..\\..\\ledger.csv"])
    func aNameThatPointsOutsideTheZipRefusesTheWholeZip(name: String) {
        let error = refusal(fixtures.zip("district.zip", [("ledger.csv", ledger), (name, ledger)]))
        #expect(error?.kind == .unsafeContent)
        #expect(error?.file == "district.zip")
        #expect(error?.message.hasPrefix("It holds a file named \"\(name)\", a name that points outside the zip's own folders") == true)
    }

    @Test func aFileThatWouldExpandPastTheLimitIsRefusedBeforeItIsInflated() {
        var limits = ReadingLimits()
        limits.maxBytesOfFileInZip = 4_096
        let big = Array(String(repeating: "2025-07-01,12.50\n", count: 1_000).utf8)
        let error = refusal(fixtures.zip("district.zip", [("ledger.csv", ledger), ("budget.csv", big)]), limits: limits)
        #expect(error?.kind == .tooLarge)
        #expect(error?.message == "Its file budget.csv would expand to 16 KB (1 KB as stored), more than the 4 KB Pathways reads from one file in a zip, so nothing was read. If it is genuine, drop the files themselves, or as a folder.")
        limits = ReadingLimits()
        limits.maxTotalUncompressedBytes = 20_000
        #expect(refusal(fixtures.zip("twice.zip", [("a.csv", big), ("b.csv", big)]), limits: limits)?.message
                == "Its files would expand to more than 19 KB, more than Pathways reads as one district, so nothing was read. Zip only the exports to review.")
    }

    @Test func aFileThatExpandsLikeAZipBombIsRefused() {
        var limits = ReadingLimits()
        limits.ratioCheckFloor = 1_000
        let spaces = [UInt8](repeating: 0x20, count: 1 << 20)
        let error = refusal(fixtures.zip("district.zip", [("ledger.csv", ledger + spaces)]), limits: limits)
        #expect(error?.kind == .unsafeContent)
        #expect(error?.message.hasPrefix("Its file ledger.csv would expand") == true && error?.message.contains("zip bomb") == true, "\(String(describing: error))")
    }

    @Test func tooManyFilesAreRefusedAndAnEmptyZipSaysWhatItHolds() {
        var limits = ReadingLimits()
        limits.maxFilesInDistrict = 2
        let error = refusal(fixtures.zip("district.zip", (1 ... 3).map { ("ledger \($0).csv", ledger) }), limits: limits)
        #expect(error?.kind == .tooLarge)
        #expect(error?.message.hasPrefix("It holds more than 2 spreadsheets, more than Pathways reviews as one district.") == true)
        #expect(refusal(fixtures.zip("notes.zip", [("notes.pdf", Array("%PDF".utf8))]))?.message
                == "The zip holds no spreadsheets (.csv, .xlsx or .xlsm files), only notes.pdf. Zip the exports themselves, or drop them as they are.")
    }

    @Test func aFileNamedZipThatIsNotOneSaysSo() {
        let error = refusal(fixtures.write("district.zip", text: "Posting Date,Amount\n"))
        #expect(error?.message == "This file is named .zip but is not a zip file; it may be damaged or misnamed. Make the zip again from the folder of exports.")
    }

    @Test func eachFileKeepsHowItWasRead() throws {
        // A European CSV with decimal commas beside one with decimal points: each is read its own way.
        let european = fixtures.write("budget.csv", bytes: Array("Account;Revised Budget\n100;1.234,50\n".utf8))
        let plain = fixtures.write("ledger.csv", bytes: ledger)
        let workbook = try DistrictReader.read(paths: [plain, european], name: "district")
        #expect(workbook.inputs.map(\.file) == ["ledger.csv", "budget.csv"])
        #expect(workbook.input(of: workbook.sheets[1]).notes.decimalComma)
        #expect(!workbook.input(of: workbook.sheets[0]).notes.decimalComma)
        #expect(workbook.notes.remarks == ["budget.csv: Numbers are written with a decimal comma (1.234,56), as European exports write them, and were read so."])
        let table = TableReader.read(workbook.sheets[1], of: workbook)
        #expect(table.table.file == "budget.csv")
        #expect(table.table.columns[1][0] == .money(Money(dollars: 1_234, cents: 50)))
    }
}
