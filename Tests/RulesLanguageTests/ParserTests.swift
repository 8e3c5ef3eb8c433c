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
        #expect(diagnostics.first?.message == "A declaration must start with one of: table, param, preset, pathway, rule, view, indicator, goal, test.")
        #expect(tree.declarations.count == (text.contains("rule R-1") ? 1 : 0))
    }

    /// Other lines that end in a comment before a blank line, in and out of a declaration: each
    /// parse ends, with the one expected message, and what follows is still read.
    @Test(arguments: [
        ("rule R-1 \"x\"\n  when amount > #c\n\n\nrule R-2 \"y\"\n", "A value is missing at the end of this line."),
        ("rule R-1 \"x\"\n  when (amount #c\n\n\nrule R-2 \"y\"\n", "A `(` here has no matching `)`."),
        ("rule R-1 \"x\"\n  42 #c\n\n\nrule R-2 \"y\"\n", "A clause must start with a word such as `when` or `message`."),
        ("  | a | #c\n\n\nrule R-1 \"x\"\nrule R-2 \"y\"\n", "This indented line does not belong to any declaration."),
        ("param #c\n\n\nrule R-1 \"x\"\nrule R-2 \"y\"\n", "Expected a parameter name here."),
    ])
    func aLineEndingInACommentBeforeABlankLineEndsAndParsingGoesOn(text: String, message: String) {
        let (tree, diagnostics, _) = parse(text)
        #expect(diagnostics.map(\.message) == [message])
        #expect(tree.declarations.count == 2)
    }

    /// A formula of each kind that nests too deep, its message and where it points (the column in the formula).
    static func tooDeep(_ kind: String) -> (formula: String, message: String, column: Int) {
        let n = 7_000
        return switch kind {
        case "brackets": (String(repeating: "(", count: n) + "1" + String(repeating: ")", count: n),
                          "This formula nests brackets more than 100 deep; Pathways stops there.", 101)
        case "functions": (String(repeating: "ROUND(", count: n) + "1" + String(repeating: ", 2)", count: n),
                           "This formula nests brackets more than 100 deep; Pathways stops there.", 601)
        case "signs": (String(repeating: "- ", count: n) + "1", "This formula has more than 100 signs in a row; Pathways stops there.", 201)
        case "nots": (String(repeating: "not ", count: n) + "yes", "This formula has more than 100 `not`s in a row; Pathways stops there.", 401)
        case "powers": (Array(repeating: "2", count: n).joined(separator: " ^ "),
                        "This formula raises to a power more than 100 times in a row; Pathways stops there.", 403)
        default: (Array(repeating: "1", count: 100_000).joined(separator: "+"), "This formula has more than 1,000 operators; Pathways stops there.", 2_002)
        }
    }

    /// 7,000 nested brackets used to overflow the stack of `pathways check`; a long enough chain
    /// of operators overflowed it when the tree was freed. Each is one sentence at the place.
    @Test(arguments: ["brackets", "functions", "signs", "nots", "powers", "operators"])
    func aFormulaNestedTooDeepIsOneMistakeAtThePlaceNotACrash(kind: String) {
        let (formula, message, column) = Self.tooDeep(kind)
        for text in ["param p = \(formula) \"why\"\nparam q = 1\n", "rule R-1 \"x\"\n  message \"{\(formula)}\"\nparam q = 1\n"] {
            let (tree, diagnostics, file) = parse(text)
            #expect(diagnostics.map(\.message) == [message])
            let offset = text.hasPrefix("param") ? 10 : 12
            #expect(diagnostics.first.map { file.location(of: $0.span.start).column - offset } == column)
            #expect(tree.declarations.count == 2)
        }
    }

    /// Lines made at random from pieces of the language and of its mistakes: every parse ends
    /// (a loop that consumes nothing would hang here), and each message points inside the file.
    @Test func anyJumbleOfLinesIsReadToTheEnd() {
        let pieces = ["rule R-1 \"x\"", "table t", "param p =", "view v", "indicator I-1", "test \"t\"", "goal G-1", "pathway p",
                      "when", "let x =", "column a money", "given t", "expect R-1 level", "exemplery when", "otherwise", "message \"{",
                      "amount", "and", "or", "not", "is", "blank", "in", "between", "where", "(", ")", ",", ";", "-", "^", ">=",
                      "$5,000,", "1,000", "ROUND(", "\"", "“", "}", "{", "#c", "# c", "|a|b|", "| 1 |", "[Owner", "!", "'"]
        var state: UInt64 = 12_345
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        for _ in 0 ..< 2_000 {
            var lines: [String] = []
            for _ in 0 ..< next(12) {
                let indent = ["", "", "  ", "    ", "\t"][next(5)]
                lines.append(indent + (0 ..< next(6)).map { _ in pieces[next(pieces.count)] }.joined(separator: " "))
            }
            let text = lines.joined(separator: next(2) == 0 ? "\n" : "\r\n") + (next(2) == 0 ? "\n" : "")
            let (_, diagnostics, file) = parse(text)
            for diagnostic in diagnostics {
                #expect(diagnostic.span.start >= 0 && diagnostic.span.end <= file.text.utf8.count, "\(text.debugDescription)")
            }
        }
    }

    @Test func aFormulaNestedToTheLimitIsRead() {
        let text = "param p = " + String(repeating: "-(", count: 100) + "1" + String(repeating: ")", count: 100) + "\n"
        let (tree, diagnostics, _) = parse(text)
        #expect(diagnostics.isEmpty)
        guard case .param(let param)? = tree.declarations.first?.declaration else { Issue.record("no param"); return }
        var depth = 0
        var node = param.value
        while let inner = node.parts.first {
            depth += 1
            node = inner
        }
        #expect(depth == 100)
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
