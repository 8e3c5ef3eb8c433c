import Foundation
import Testing
@testable import SpreadsheetIO
import Tabular

/// The reader corpus kept in the repository (Tests/Fixtures/corpus, a copy of the shared corpus with
/// its README naming each file's source and licence): public CSV and XLSX files with expected values.
enum Corpus {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0 ..< 2 { url.deleteLastPathComponent() }  // Tests/SpreadsheetIOTests/<file>
        return url.appendingPathComponent("Fixtures/corpus")
    }()

    static func files(in folder: String, ending suffix: String) -> [String] {
        let directory = root.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted()
    }

    static func path(_ folder: String, _ name: String) -> String { root.appendingPathComponent(folder).appendingPathComponent(name).path }
}

/// The corpus files every reader must refuse, with the kind of refusal a finance officer should see.
private let refusals: [String: SpreadsheetError.Kind] = [
    "calamine__pass_protected.xlsx": .passwordProtected,
    "openpyxl__reader__tests__data__null_file.xlsx": .notASpreadsheet,
    // It starts as a zip and stops after 372 bytes: a truncated workbook, so "incomplete or damaged".
    "poi__clusterfuzz-testcase-minimized-XLSX2CSVFuzzer-5636439151607808.xlsx": .damaged,
    "openpyxl__tests__data__reader__null_archive.xlsx": .notASpreadsheet,
    "calamine__issue252.xlsx": .damaged,
    "poi__poc-xmlbomb.xlsx": .unsafeContent,
    "poi__54764.xlsx": .unsafeContent,
    "poi__poc-shared-strings.xlsx": .damaged,
    // Two parts named xl/worksheets/sheet1.xml with different cells (a shared string, and "v2"):
    // calamine reads the last (and finds no rows), so no reading of it can be trusted.
    "poi__duplicate-filename.xlsx": .damaged,
]

@Suite("Shared corpus")
struct CorpusTests {
    static let csvFiles = Corpus.files(in: "csv", ending: ".csv")
    static let xlsxFiles = Corpus.files(in: "xlsx", ending: ".xlsx")

    @Test func corpusIsPresent() {
        #expect(Self.csvFiles.count == 12)
        #expect(Self.xlsxFiles.count == 76)
    }

    @Test("csv-spectrum", arguments: csvFiles)
    func csvSpectrum(file: String) throws {
        let workbook = try CSVReader.read(path: Corpus.path("csv", file))
        let expectedData = try Data(contentsOf: URL(fileURLWithPath: Corpus.path("csv", file.replacingOccurrences(of: ".csv", with: ".json"))))
        let json = try JSONSerialization.jsonObject(with: expectedData)
        // csv-spectrum writes a file of one record as that record alone.
        let expected = try #require((json as? [[String: String]]) ?? (json as? [String: String]).map { [$0] })
        let sheet = try #require(workbook.sheets.first)
        let header = (0 ..< sheet.width(ofRow: 0)).map { sheet.displayText(row: 0, column: $0) }
        var records: [[String: String]] = []
        for row in 1 ..< max(1, sheet.rowCount) where sheet.width(ofRow: row) > 0 {
            var record: [String: String] = [:]
            for (column, name) in header.enumerated() { record[name] = sheet.displayText(row: row, column: column) }
            records.append(record)
        }
        if file == "spectrum__location_coordinates.csv" {
            // The upstream JSON has a phone number the CSV does not (see the corpus README).
            #expect(records.first?["Contact Phone Number"] == "2095257564")
            #expect(records.map { $0.filter { $0.key != "Contact Phone Number" } } == expected.map { $0.filter { $0.key != "Contact Phone Number" } })
        } else {
            #expect(records == expected)
        }
    }

    @Test("XLSX corpus", arguments: xlsxFiles)
    func xlsxCorpus(file: String) throws {
        let expected = try JSONValue.load(Corpus.path("xlsx", file + ".expected.json"))
        if let kind = refusals[file] {
            #expect(throws: SpreadsheetError.self) { try SpreadsheetReader.read(path: Corpus.path("xlsx", file)) }
            do {
                _ = try SpreadsheetReader.read(path: Corpus.path("xlsx", file))
            } catch {
                #expect(error.kind == kind, "\(error.message)")
                #expect(error.message.hasSuffix("."), "a refusal is a whole sentence")
            }
            return
        }
        let workbook = try SpreadsheetReader.read(path: Corpus.path("xlsx", file))
        // Where openpyxl could not say what calamine's "" cells hold, the oracle wrote null.
        let unresolvedBlanks = (expected["calamine_blanks"]?["unresolved"]?.int ?? 0) > 0
        guard let expectedSheets = expected["sheets"]?.array else {
            // Readable only by openpyxl: reading it at all is the test; its values have no oracle.
            #expect(!workbook.sheets.isEmpty)
            return
        }
        #expect(workbook.sheets.map(\.name) == expectedSheets.map { $0["name"]?.string ?? "" })
        for (sheet, expectedSheet) in zip(workbook.sheets, expectedSheets) {
            #expect(sheet.visibility.rawValue == expectedSheet["visible"]?.string, "\(sheet.name)")
            #expect(sheet.kind.rawValue == expectedSheet["kind"]?.string, "\(sheet.name)")
            let rows = (expectedSheet["rows"]?.array ?? []).map { $0.array ?? [] }
            var mismatches: [String] = []
            for (rowIndex, expectedRow) in rows.enumerated() {
                let width = max(expectedRow.count, rowIndex < sheet.rowCount ? sheet.width(ofRow: rowIndex) : 0)
                for column in 0 ..< width {
                    let want = column < expectedRow.count ? expectedRow[column] : JSONValue.null
                    let got = sheet.cell(row: rowIndex, column: column)
                    if let deviation = knownDeviation(got, file: file, sheet: sheet, cell: "\(columnLetters(column))\(rowIndex + 1)") {
                        #expect(deviation, "\(sheet.name)!\(columnLetters(column))\(rowIndex + 1)")
                    } else if unresolvedBlanks, case .null = want, case .text(let ref) = got, sheet.text(ref).isEmpty {
                        continue
                    } else if !matches(got, want, in: sheet, uses1904Dates: workbook.notes.uses1904Dates) {
                        mismatches.append("\(columnLetters(column))\(rowIndex + 1): expected \(want), read \(describe(got, in: sheet))")
                    }
                }
            }
            if expectedSheet["rows_truncated_at"] == nil {
                #expect(sheet.rowCount <= rows.count || (rows.count ..< sheet.rowCount).allSatisfy { row in
                    (0 ..< sheet.width(ofRow: row)).allSatisfy { sheet.cell(row: row, column: $0) == .blank }
                }, "\(sheet.name) has rows past the expected ones")
            }
            #expect(mismatches.isEmpty, "\(sheet.name): \(mismatches.prefix(5).joined(separator: "; ")) (\(mismatches.count) in all)")
        }
    }

    /// Where the oracle is known to be wrong, what our reader must read instead (corpus README).
    private func knownDeviation(_ cell: RawCell, file: String, sheet: RawSheet, cell address: String) -> Bool? {
        // A negative serial under a date format is no date (Excel shows ####): keep the number.
        if case .number(let value, let format) = cell, format.isTemporal, value < 0 { return true }
        // Shared text of white space alone, without xml:space="preserve", is trimmed to empty
        // text; the oracle wrote null because openpyxl keeps the white space.
        if file == "calamine__whitespace_trim.xlsx" && sheet.name == "SharedStrings" && address == "C1" {
            guard case .text(let ref) = cell else { return false }
            return sheet.text(ref).isEmpty
        }
        return nil
    }

    private func describe(_ cell: RawCell, in sheet: RawSheet) -> String {
        switch cell {
        case .text(let ref): "\"\(sheet.text(ref))\""
        default: "\(cell)"
        }
    }

    private func matches(_ cell: RawCell, _ expected: JSONValue, in sheet: RawSheet, uses1904Dates: Bool) -> Bool {
        switch (cell, expected) {
        case (.blank, .null):
            return true
        case (.number(let value, let format), _):
            if format.isTemporal, let text = ExcelDate.isoText(serial: value, format: format, uses1904Dates: uses1904Dates) {
                return expected.string == text
            }
            guard case .number(let number) = expected else { return false }
            return number == value || abs(number - value) <= 1e-12 * abs(value)
        case (.text(let ref), _), (.isoDateText(let ref), _):
            let text = sheet.text(ref)
            if let long = expected["long_text"] {
                return text.count == long["chars"]?.int && text.utf8.count == long["utf8_bytes"]?.int
                    && text.hasPrefix(long["starts_with"]?.string ?? "")
            }
            return expected.string == text
        case (.bool(let flag), .bool(let wanted)):
            return flag == wanted
        case (.error(let error), _):
            return expected["error"]?.string == error.text
        default:
            return false
        }
    }
}
