import Foundation
import Testing
@testable import RulesLanguage

/// Mistakes trainers really make, each in its own file under Mistakes/, checked together with
/// Mistakes/_base.rules, with the exact message expected beside it in a `.expected` file.
/// To review changed wording, run the tests with PATHWAYS_UPDATE_GOLDENS=1 and read the diff.
@Suite struct MistakeGoldenTests {
    static let folder: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Mistakes")
    static let cases: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
        .filter { $0.hasSuffix(".rules") && !$0.hasPrefix("_") }.sorted()

    static func report(for name: String) throws -> String {
        let base = SourceFile(path: "_base.rules", text: try String(contentsOf: folder.appendingPathComponent("_base.rules"), encoding: .utf8))
        let mistake = SourceFile(path: name, text: try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8))
        let result = RuleChecker.check([base, mistake])
        let own = result.report.diagnostics.filter { $0.span.file == 1 }
        return DiagnosticReport(files: [base, mistake], diagnostics: own).text
    }

    @Test func thereAreAtLeastThirtyMistakes() {
        #expect(Self.cases.count >= 30)
    }

    @Test func theBaseRuleSetIsClean() throws {
        let base = SourceFile(path: "_base.rules", text: try String(contentsOf: Self.folder.appendingPathComponent("_base.rules"), encoding: .utf8))
        #expect(RuleChecker.check([base]).report.errorCount == 0)
    }

    @Test(arguments: cases)
    func mistakeIsExplained(name: String) throws {
        let actual = try Self.report(for: name)
        let expectedURL = Self.folder.appendingPathComponent(name.replacingOccurrences(of: ".rules", with: ".expected"))
        if ProcessInfo.processInfo.environment["PATHWAYS_UPDATE_GOLDENS"] == "1" {
            try actual.write(to: expectedURL, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: expectedURL, encoding: .utf8)
        #expect(!actual.isEmpty, "every mistake file must produce a message")
        #expect(actual == expected)
    }
}
