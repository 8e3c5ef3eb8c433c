import Foundation
import Testing
@testable import Pathways
import RulesLanguage
import SpreadsheetIO
import Tabular

private let samples: URL = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0 ..< 3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("workbooks/samples")
}()

@Suite struct InspectionTests {
    private static let rules: RulesLanguage.CheckedRuleSet = {
        var url = samples
        for _ in 0 ..< 2 { url.deleteLastPathComponent() }
        return try! RunJob.loadRules(url.appendingPathComponent("rules").path).get()
    }()

    /// A trainer sees where each segment comes from and what it holds, before trusting a review.
    @Test func showsHowTheRulesSplitTheAccount() throws {
        let munis = try Inspection.inspect(path: samples.appendingPathComponent("munis-budget-export.xlsx").path, rules: Self.rules)
        let split = try #require(munis.accountSplits.first)
        #expect(split.table == "accounts" && split.account == "F \"ACCOUNT\"")
        #expect(split.segments.first { $0.name == "site" }?.part == 4)
        #expect(split.segments.first { $0.name == "object" }?.ownColumn == "D \"OBJ\"", "Munis' own OBJ column is read, not cut")
        #expect(munis.text.contains("How the rules read its accounts:\nTable accounts on sheet \"Sheet1\": account F \"ACCOUNT\", split by \"-\"\n"))
        #expect(munis.text.contains("  site      part 4: 101, 102, 103\n"))

        // A GL detail with segments in columns of its own and no account string, and one segment missing.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("split-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("gl-detail.csv")
        try "Post Date,Fund,Function,Object,Location,Amount\n07/15/2024,100,1000,890,101,1250.00\n".write(to: file, atomically: true, encoding: .utf8)
        let detail = try Inspection.inspect(path: file.path, rules: Self.rules)
        let ledger = try #require(detail.accountSplits.first { $0.table == "transactions" })
        #expect(ledger.account == nil)
        #expect(ledger.segments.map(\.name) == ["fund", "function", "object", "site"])
        #expect(ledger.segments.last?.ownColumn == "E \"Location\"")
        #expect(ledger.missing == ["program", "project"])
        #expect(detail.text.contains("no account column; its segments come from columns of their own"))
        #expect(detail.text.contains("  Not found: program, project; rules that read them are not assessed."))
        // The same folder, with the district's schools beside the ledger, inspected as `run` reads it.
        try "Site Code,Level,October Enrollment\n101,ES,400\n".write(to: folder.appendingPathComponent("schools.csv"), atomically: true, encoding: .utf8)
        let district = try Inspection.inspect(paths: [folder.path], rules: Self.rules)
        #expect(district.sheets.map(\.name) == ["gl-detail", "schools"])
        #expect(district.accountSplits.map(\.table) == ["transactions"])
    }

    @Test func showsWhatPathwaysSeesInTheSampleMunisReport() throws {
        let inspection = try Inspection.inspect(path: samples.appendingPathComponent("munis-budget-export.xlsx").path)
        #expect(inspection.format == .xlsx)
        #expect(inspection.sheets.map(\.name) == ["Sheet1"])
        let report = inspection.sheets[0]
        #expect(report.headerRow == 5, "under the report's title rows")
        #expect(report.dataRowCount == 165)
        #expect(report.columns.prefix(6).map(\.name) == ["FUND", "DEPARTMENT", "ORG", "OBJ", "PROJECT", "ACCOUNT"])
        #expect(report.columns.first { $0.name == "YTD ACTUAL" }?.type == .money, "the header's leading spaces are tidied away")
        #expect(report.columns.first { $0.name == "PROJECT" }?.examples.first == "000", "project codes keep their zeros")
        #expect(report.skippedRows.first?.label == "Total 101")
        #expect(report.skippedRows.last?.label == "Grand Total")
        #expect(report.skippedRows.count == 16)
        #expect(report.dataErrorCount == 0)
    }

    @Test func theTextReportReadsForAFinanceOfficer() throws {
        let text = try Inspection.inspect(path: samples.appendingPathComponent("munis-budget-export.xlsx").path).text
        #expect(text.hasPrefix("munis-budget-export.xlsx: Excel workbook, 1 sheet\n"))
        #expect(text.contains("Sheet \"Sheet1\": header on row 5, 165 data rows"))
        #expect(text.contains("Left out 16 total rows, which are sums of the data, not data:"))
        #expect(text.contains("    row 19: \"Total 101\""))
        #expect(text.contains("  No data errors."))
    }

    @Test func aDirtyCSVSaysHowItWasRead() throws {
        let inspection = try Inspection.inspect(path: samples.appendingPathComponent("dirty-ledger.csv").path)
        #expect(inspection.format == .csv)
        #expect(inspection.encoding == "Windows-1252")
        #expect(inspection.delimiter == ",")
        #expect(inspection.remarks.contains { $0.contains("Windows-1252") })
        let sheet = try #require(inspection.sheets.first)
        #expect(sheet.columns.first { $0.name == "Net Amount" }?.type == .money, "amounts with dollar signs and bracketed negatives")
        #expect(sheet.columns.first { $0.name == "Post Date" }?.type == .date, "US dates")
        #expect(sheet.skippedRows.map(\.label) == ["Subtotal"])
        #expect(sheet.dataErrors.map(\.rawText) == ["$72,32O.57"])
        #expect(inspection.text.contains("CSV text file, Windows-1252, separated by commas"))
        #expect(inspection.text.contains("dirty-ledger, row 1,577, column Net Amount (I1577): \"$72,32O.57\" is not an amount."))
    }

    @Test func theAccentedNamesOfAWindowsExportAreReadRight() throws {
        let workbook = try SpreadsheetReader.read(path: samples.appendingPathComponent("dirty-ledger.csv").path)
        let sheet = try #require(workbook.sheets.first)
        let vendors = Set((0 ..< sheet.rowCount).map { sheet.displayText(row: $0, column: 5) })
        #expect(vendors.contains("Café Olé Catering"))
        #expect(vendors.contains("O’Brien Office Supply"))
    }

    @Test func theJSONReportCarriesTheSameFacts() throws {
        let inspection = try Inspection.inspect(path: samples.appendingPathComponent("dirty-ledger.csv").path)
        let data = try JSONEncoder().encode(inspection)
        let decoded = try JSONDecoder().decode(Inspection.self, from: data)
        #expect(decoded.sheets.first?.dataErrors.first?.rawText == "$72,32O.57")
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let sheets = try #require(object["sheets"] as? [[String: Any]])
        #expect(sheets.first?["headerRow"] as? Int == 1)
        #expect((sheets.first?["columns"] as? [[String: Any]])?.first { $0["name"] as? String == "Net Amount" }?["type"] as? String == "money")
    }

    @Test func anUnreadableFileIsASentenceNotACrash() {
        #expect(throws: SpreadsheetError.self) { try Inspection.inspect(path: samples.appendingPathComponent("no-such-workbook.xlsx").path) }
    }
}
