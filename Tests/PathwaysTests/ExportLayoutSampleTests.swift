import Foundation
import Pathways
import RulesEngine
import RulesLanguage
import Samples
import SpreadsheetIO
import Testing

/// Each finance system's export of the struggling district, as `pathways sample --layout` writes
/// it, is bound and reviewed by the default rules without an edit, and they find what the
/// generator's oracle worked out in the chart of accounts the export is written in.
@Suite struct ExportLayoutSampleTests {
    private static let rules: CheckedRuleSet = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0 ..< 3 { url.deleteLastPathComponent() }
        return RuleChecker.check(try! RuleSetFolder.load(url.appendingPathComponent("rules").path)).ruleSet!
    }()

    /// Indicators that read an object, a site and a fund: each must be assessed on every layout.
    /// (MG-3 reads the catch-all object, which New York's chart does not have.)
    private static let codeRules = ["MG-5": "object", "RE-1": "site", "RE-5": "site", "TR-2": "fund or project", "MG-7": "fund"]

    @Test(arguments: ExportLayout.allCases)
    func theDefaultRulesReviewEachExportAsItsOracleSays(_ layout: ExportLayout) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("layout-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try SampleWriter.writeLayout(layout, to: folder.path)
        let expected = try JSONDecoder().decode(AnswerKey.self, from: Data(contentsOf: folder.appendingPathComponent(layout.answerKeyName)))
        let workbook = try DistrictReader.read(paths: [folder.appendingPathComponent(layout.rawValue).path], name: layout.rawValue)
        let found = try reviewAsAnswerKey(workbook, named: layout.rawValue, rules: Self.rules)
        #expect(found.asOf == expected.asOf)
        let missing = expected.findings.filter { !found.findings.contains($0) }
        let extra = found.findings.filter { !expected.findings.contains($0) }
        #expect(missing.isEmpty, "planted but not found: \(missing)")
        #expect(extra.isEmpty, "found but not planted: \(extra)")
        for (indicator, level) in expected.indicators.sorted(by: { $0.key < $1.key }) {
            #expect(found.indicators[indicator] == level, "\(indicator)")
        }
        for (indicator, reads) in Self.codeRules.sorted(by: { $0.key < $1.key }) {
            #expect(found.indicators[indicator] != "not assessed", "\(indicator) reads the \(reads) and is not assessed")
        }
        #expect(found.leftOutRows == expected.leftOutRows)
        #expect(found.unreadableCells == expected.unreadableCells)
    }

    @Test func eachWorkbookOfADistrictKeepsItsOwnNumberFormatsInTheReview() throws {
        // District tables.xlsx and glytdbud.xlsx number their styles each from 0: the review must
        // not show glytdbud's amounts in the other file's percent format (1,800,000 as 180000000.0%).
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("layout-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try SampleWriter.writeLayout(.munis, to: folder.path)
        var options = RunJob.Options(inputs: [folder.appendingPathComponent("munis").path])
        options.output = folder.path
        guard case .reviewed(let review) = RunJob.review(options, rules: Self.rules) else { Issue.record("not reviewed"); return }
        // ORG.OBJECT has no function or site part, but the org codes give both: nothing to check.
        #expect(review.notes.filter { $0.hasPrefix("No account") }.isEmpty, "\(review.notes)")
        // Without the org codes, the review says what is missing and what would give it.
        try FileManager.default.removeItem(at: folder.appendingPathComponent("munis/Org Codes.csv"))
        guard case .reviewed(let alone) = RunJob.review(options, rules: Self.rules) else { Issue.record("not reviewed"); return }
        #expect(alone.notes.contains { $0.hasPrefix("No account in column J \"Account\" of sheet \"GL Detail\" of GL Detail.csv has a function, site or program part") && $0.contains("The workbook has no Org codes table, which would give them.") },
                "\(alone.notes)")
        try FileManager.default.removeItem(at: folder.appendingPathComponent("munis.reviewed.xlsx"))
        _ = try SampleWriter.writeLayout(.munis, to: folder.path)
        guard case .reviewed = RunJob.review(options, rules: Self.rules) else { Issue.record("not reviewed"); return }
        let formats = try python(#"""
            import sys, openpyxl
            sheet = openpyxl.load_workbook(sys.argv[1])["glytdbud"]
            header = [cell.value for cell in sheet[5]]
            print(sheet.cell(6, header.index("ORIGINAL APPROP") + 1).number_format, sheet.cell(6, header.index("% USED") + 1).number_format, sep="|")
            """#, [folder.appendingPathComponent("munis.reviewed.xlsx").path])
        #expect(formats.trimmingCharacters(in: .whitespacesAndNewlines) == "#,##0.00;(#,##0.00)|0.0%")
    }
}
