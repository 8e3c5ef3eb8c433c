import Foundation
import Testing
@testable import RulesLanguage

/// docs/rules-language.md lists the functions from the catalogue itself, so the reference can
/// never describe a function the checker does not know, or miss one it does.
/// PATHWAYS_UPDATE_GOLDENS=1 rewrites the section after the catalogue changes.
@Suite struct ReferenceTests {
    static let reference: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0 ..< 3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("docs/rules-language.md")
    }()

    @Test func theFunctionListIsGeneratedFromTheCatalogue() throws {
        try expectGenerated("FUNCTION CATALOGUE", FunctionCatalogue.markdown + "\n")
    }

    @Test func theOperatorTableIsGeneratedFromTheCatalogue() throws {
        try expectGenerated("OPERATOR CATALOGUE", OperatorCatalogue.markdown + "\n")
    }

    /// The reference's text between `<!-- BEGIN section` and `<!-- END section -->` is `generated`.
    private func expectGenerated(_ section: String, _ generated: String) throws {
        var text = try String(contentsOf: Self.reference, encoding: .utf8)
        let begin = try #require(text.range(of: "<!-- BEGIN \(section)"))
        let beginLineEnd = try #require(text[begin.upperBound...].firstIndex(of: "\n"))
        let end = try #require(text.range(of: "<!-- END \(section) -->"))
        let current = String(text[text.index(after: beginLineEnd) ..< end.lowerBound])
        if ProcessInfo.processInfo.environment["PATHWAYS_UPDATE_GOLDENS"] == "1" && current != generated {
            text.replaceSubrange(text.index(after: beginLineEnd) ..< end.lowerBound, with: generated)
            try text.write(to: Self.reference, atomically: true, encoding: .utf8)
            return
        }
        #expect(current == generated, "docs/rules-language.md is out of date: run the tests with PATHWAYS_UPDATE_GOLDENS=1")
    }

    @Test func everyExampleInTheReferenceParses() throws {
        let text = try String(contentsOf: Self.reference, encoding: .utf8)
        // Code blocks that start with a declaration are rule-file examples.
        let blocks = text.components(separatedBy: "```").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        var examples = 0
        for block in blocks {
            let body = block.hasPrefix("\n") ? String(block.dropFirst()) : block
            guard let first = body.split(separator: " ").first, DeclarationKeyword(rawValue: String(first)) != nil else { continue }
            examples += 1
            let (_, diagnostics, file) = parse(body)
            #expect(diagnostics.isEmpty, "\(DiagnosticReport(files: [file], diagnostics: diagnostics).text)\n\(body)")
        }
        #expect(examples >= 9)
    }
}
