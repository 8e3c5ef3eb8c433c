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
}
