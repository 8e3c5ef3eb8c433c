import Foundation
import Testing
@testable import RulesLanguage

let rulesFolder: URL = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0 ..< 3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("rules")
}()

func parse(_ text: String, path: String = "test.rules") -> (RuleFile, [Diagnostic], SourceFile) {
    let file = SourceFile(path: path, text: text)
    let (tree, diagnostics) = Parser.parse(file, fileIndex: 0)
    return (tree, diagnostics, file)
}

@Suite struct ParserTests {
    @Test func theSketchParsesWithoutMistakes() throws {
        for name in ["tables.rules", "management.rules", "resource-equity.rules"] {
            let text = try String(contentsOf: rulesFolder.appendingPathComponent(name), encoding: .utf8)
            let (tree, diagnostics, file) = parse(text, path: "rules/" + name)
            #expect(diagnostics.isEmpty, "\(DiagnosticReport(files: [file], diagnostics: diagnostics).text)")
            #expect(!tree.declarations.isEmpty)
        }
    }

    /// Found by fuzzing: a stray line ending in a comment, then a blank line, made the parser loop forever.
    @Test(arguments: ["e#\n\n", "e #note\n\n\nrule R-1 \"x\"\n", "stray\n\n# c\n\n"])
    func aStrayLineBeforeABlankLineIsReportedAndParsingGoesOn(text: String) {
        let (tree, diagnostics, _) = parse(text)
        #expect(diagnostics.first?.message == "A declaration must start with one of: table, param, pathway, rule, view, indicator, goal, test.")
        #expect(tree.declarations.count == (text.contains("rule R-1") ? 1 : 0))
    }
}

func check(_ texts: [String: String]) -> CheckResult {
    RuleChecker.check(texts.sorted { $0.key < $1.key }.map { SourceFile(path: $0.key, text: $0.value) })
}

func loadRulesFolder() throws -> [SourceFile] {
    try FileManager.default.contentsOfDirectory(atPath: rulesFolder.path).filter { $0.hasSuffix(".rules") }.sorted().map { name in
        SourceFile(path: "rules/" + name, text: try String(contentsOf: rulesFolder.appendingPathComponent(name), encoding: .utf8))
    }
}

@Suite struct CheckerTests {
    @Test func theDefaultRulesCheckClean() throws {
        let result = RuleChecker.check(try loadRulesFolder())
        #expect(result.report.diagnostics.isEmpty, "\(result.report.text)")
        #expect(result.ruleSet != nil)
    }
}
