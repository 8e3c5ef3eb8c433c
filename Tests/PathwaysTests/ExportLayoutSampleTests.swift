import Foundation
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
}
