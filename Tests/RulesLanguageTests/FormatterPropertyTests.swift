import Foundation
import Testing
@testable import RulesLanguage

/// `pathways fmt` never changes what a file means, never turns a file that checks into one that
/// does not, never drops a comment, and formatting twice changes nothing: over every rule file
/// the project has, those files changed in ways that must not matter, and formulas made at
/// random from a seed.
@Suite struct FormatterPropertyTests {
    static let repository: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0 ..< 3 { url.deleteLastPathComponent() }
        return url
    }()

    /// Every `.rules` file under the folders that hold them: the default rules, the tests'
    /// fixtures, the workbooks folder, the benchmark's and the fuzzer's seeds.
    static let fixtures: [SourceFile] = {
        var files: [SourceFile] = []
        for folder in ["rules", "Tests", "workbooks", "Benchmarks", "Fuzz"] {
            let root = repository.appendingPathComponent(folder)
            guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { continue }
            for case let url as URL in walker where url.pathExtension == "rules" {
                let path = String(url.path.dropFirst(repository.path.count + 1))
                if let text = try? String(contentsOf: url, encoding: .utf8) { files.append(SourceFile(path: path, text: text)) }
            }
        }
        return files.sorted { $0.path < $1.path }
    }()

    /// The fixtures that parse without a mistake, which are the ones `fmt` formats.
    static let parsingFixtures: [SourceFile] = fixtures.filter { !hasErrors(Parser.parse($0, fileIndex: 0).1) }

    @Test func thereAreFixturesFromEveryFolder() {
        #expect(Self.parsingFixtures.count >= 60)
        for folder in ["rules/", "Tests/", "Benchmarks/", "Fuzz/"] {
            #expect(Self.parsingFixtures.contains { $0.path.hasPrefix(folder) }, "no fixture from \(folder)")
        }
    }

    @Test func everyFixtureFormatsToTheSameTreeOnceAndForAll() throws {
        for file in Self.parsingFixtures {
            try expectFormattingKeepsMeaning(file, comparingComments: true)
        }
    }

    /// `check` says the same of a rule set after `fmt` as before: nothing of one that checks
    /// clean, the same warnings, and the same mistakes of one that has them (the default rules
    /// together, each golden mistake with its base, every other file on its own).
    @Test func formattingNeverChangesWhatCheckSays() throws {
        let mistakes = "Tests/RulesLanguageTests/Mistakes/"
        let base = try #require(Self.fixtures.first { $0.path == mistakes + "_base.rules" })
        var groups = [Self.fixtures.filter { $0.path.hasPrefix("rules/") }]
        for file in Self.parsingFixtures where !file.path.hasPrefix("rules/") && file.path != base.path {
            groups.append(file.path.hasPrefix(mistakes) ? [base, file] : [file])
        }
        var clean = 0
        for group in groups {
            let before = RuleChecker.check(group).report
            if before.errorCount == 0 { clean += 1 }
            let formatted = try group.map { SourceFile(path: $0.path, text: try RuleFormatter.format($0).get()) }
            let after = RuleChecker.check(formatted).report
            #expect(after.diagnostics.map(\.message) == before.diagnostics.map(\.message),
                    "formatting \(group.map(\.path)) changed what check says:\n\(after.text)")
        }
        #expect(clean >= 3)
    }

    /// Brackets around a whole formula never matter: a file with them formats as without.
    @Test func redundantBracketsAroundFormulasAreDropped() throws {
        var mutated = 0
        for file in Self.parsingFixtures {
            let wrapped = Self.bracketingEveryOneLineFormula(file.text)
            guard wrapped != file.text else { continue }
            mutated += 1
            let mutant = SourceFile(path: file.path, text: wrapped)
            let (tree, diagnostics) = Parser.parse(mutant, fileIndex: 0)
            #expect(!hasErrors(diagnostics), "\(file.path) with brackets: \(DiagnosticReport(files: [mutant], diagnostics: diagnostics).text)")
            #expect(tree == Parser.parse(file, fileIndex: 0).0, "brackets changed the meaning of \(file.path)")
            #expect(try RuleFormatter.format(mutant).get() == RuleFormatter.format(file).get(), "\(file.path)")
        }
        #expect(mutated >= 30)
    }

    /// A comment at the end of every line, inside formulas that go on over lines too: each is
    /// kept, the meaning is the same, and a second `fmt` changes nothing.
    @Test func aCommentOnEveryLineIsKept() throws {
        for file in Self.parsingFixtures {
            let mutant = SourceFile(path: file.path, text: Self.commentingEveryLine(file.text))
            let (tree, diagnostics) = Parser.parse(mutant, fileIndex: 0)
            #expect(!hasErrors(diagnostics), "\(file.path) with comments: \(DiagnosticReport(files: [mutant], diagnostics: diagnostics).text)")
            #expect(meaning(tree) == meaning(Parser.parse(file, fileIndex: 0).0), "comments changed the meaning of \(file.path)")
            try expectFormattingKeepsMeaning(mutant, comparingComments: false)
        }
    }

    /// Formulas made at random with every operator, each part in brackets so it parses as made;
    /// `fmt` keeps exactly the brackets the meaning needs.
    @Test(arguments: 0 ..< 8)
    func randomFormulasKeepTheirMeaning(seed: UInt64) throws {
        var random = SplitMix(seed: seed)
        for _ in 0 ..< 150 {
            var maker = FormulaMaker(random: &random)
            let formula = maker.formula(depth: 5)
            // In a message's braces a text is in doubled quotes, so one with a quote in it cannot be written there.
            let message = formula.contains("\"\"") ? "" : "  message \"{\(formula.replacing("\"", with: "\"\""))}\"\n"
            let file = SourceFile(path: "random.rules", text: "rule R-1 \"r\"\n  when \(formula)\n" + message)
            let (_, diagnostics) = Parser.parse(file, fileIndex: 0)
            #expect(!hasErrors(diagnostics), "\(formula): \(DiagnosticReport(files: [file], diagnostics: diagnostics).text)")
            try expectFormattingKeepsMeaning(file, comparingComments: true)
        }
    }

    /// The cases where dropping a bracket would change the meaning, and some where it would not.
    @Test(arguments: [
        ("a - (b - c)", "a - (b - c)"), ("(a - b) - c", "a - b - c"), ("a / (b * c)", "a / (b * c)"), ("(a / b) * c", "a / b * c"),
        ("(a or b) and c", "(a or b) and c"), ("a or (b and c)", "a or b and c"), ("a and (b and c)", "a and (b and c)"),
        ("-(x ^ 2)", "-(x ^ 2)"), ("(-x) ^ 2", "-x ^ 2"), ("-x ^ 2", "-x ^ 2"), ("- -x", "--x"), ("a - -b", "a - -b"),
        ("not (a and b)", "not (a and b)"), ("not not a", "not not a"), ("not (a = b)", "not a = b"), ("(not a) = b", "(not a) = b"),
        ("2 ^ (3 ^ 2)", "2 ^ 3 ^ 2"), ("(2 ^ 3) ^ 2", "(2 ^ 3) ^ 2"), ("(a & b) & c", "a & b & c"), ("a & (b & c)", "a & (b & c)"),
        ("(a = b) = c", "(a = b) = c"), ("a = (b < c)", "a = (b < c)"), ("(a is blank) = b", "(a is blank) = b"),
        ("(a in b) = (c between 1 and 2)", "(a in b) = (c between 1 and 2)"), ("a between (b and c) and d", "a between (b and c) and d"),
        ("a between -1 and (2 + 3)", "a between -1 and 2 + 3"), ("(a & b) like \"x*\"", "a & b like \"x*\""), ("a not in (1, 2)", "a not in (1, 2)"),
        ("SUM(a where (b or c) and d) > 0", "SUM(a where (b or c) and d) > 0"), ("COUNT(where (x)) > (1)", "COUNT(where x) > 1"),
        ("-(a + b) * c", "-(a + b) * c"), ("a & (b + c)", "a & b + c"), ("(a & b) + c", "(a & b) + c"), ("a * -(b)", "a * -b"),
    ])
    func bracketsAreKeptExactlyWhereTheMeaningNeedsThem(formula: String, expected: String) throws {
        let file = SourceFile(path: "x.rules", text: "rule R-1 \"r\"\n  when \(formula)\n")
        let formatted = try RuleFormatter.format(file).get()
        #expect(formatted == "rule R-1 \"r\"\n  when \(expected)\n")
        try expectFormattingKeepsMeaning(file, comparingComments: true)
    }

    // MARK: The property

    private func expectFormattingKeepsMeaning(_ file: SourceFile, comparingComments: Bool,
                                              sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (original, _) = Parser.parse(file, fileIndex: 0)
        let formatted = try RuleFormatter.format(file).get()
        let reparsedFile = SourceFile(path: file.path, text: formatted)
        let (reparsed, diagnostics) = Parser.parse(reparsedFile, fileIndex: 0)
        #expect(diagnostics.isEmpty, "\(file.path): \(DiagnosticReport(files: [reparsedFile], diagnostics: diagnostics).text)",
                sourceLocation: sourceLocation)
        if comparingComments {
            #expect(reparsed == original, "formatting changed \(file.path):\n\(formatted)", sourceLocation: sourceLocation)
        } else {
            #expect(meaning(reparsed) == meaning(original), "formatting changed the meaning of \(file.path):\n\(formatted)",
                    sourceLocation: sourceLocation)
        }
        #expect(Self.comments(of: reparsedFile) == Self.comments(of: file), "formatting lost a comment of \(file.path):\n\(formatted)",
                sourceLocation: sourceLocation)
        #expect(try RuleFormatter.format(reparsedFile).get() == formatted, "formatting \(file.path) twice changed it",
                sourceLocation: sourceLocation)
    }

    /// Every comment's text in a file, in order of text (`fmt` may move one above its clause).
    static func comments(of file: SourceFile) -> [String] {
        let (tokens, _, within) = Lexer.tokens(of: file, fileIndex: 0)
        let own = tokens.compactMap { token -> String? in if case .comment(let text) = token.kind { text } else { nil } }
        return (own + within.map(\.text)).sorted()
    }

    // MARK: Mutations

    /// Each formula on a line of its own (`when`, `measure`, `where`, `let`, a view's `column`)
    /// put in brackets, unless it goes on over the next line.
    static func bracketingEveryOneLineFormula(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let indent = { (line: String) in line.prefix { $0 == " " }.count }
        let heads = ["when ", "measure ", "where ", "let "]
        return lines.enumerated().map { index, line in
            let body = line.drop { $0 == " " }
            guard indent(line) > 0, !line.contains("#"), index + 1 >= lines.count || indent(lines[index + 1]) <= indent(line) else { return line }
            if let head = heads.first(where: { body.hasPrefix($0) }) {
                var formula = body.dropFirst(head.count)
                var name = ""
                if head == "let ", let equals = formula.firstIndex(of: "=") {
                    name = String(formula[...equals]) + " "
                    formula = formula[formula.index(after: equals)...].drop { $0 == " " }
                }
                return String(line.prefix(indent(line))) + head + name + "(" + formula + ")"
            }
            if body.hasPrefix("column "), let equals = body.firstIndex(of: "=") {
                return String(line.prefix(indent(line))) + body[...equals] + " (" + body[body.index(after: equals)...].drop { $0 == " " } + ")"
            }
            return line
        }.joined(separator: "\n")
    }

    /// A comment after every line that has something on it and no comment yet, except the rows
    /// of a test's example tables (where `#` is a cell's text).
    static func commentingEveryLine(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.enumerated().map { index, line in
            let body = line.drop { $0 == " " }
            if body.isEmpty || body.hasPrefix("|") || line.contains("#") { return String(line) }
            return line + "  # note \(index + 1)"
        }.joined(separator: "\n")
    }
}

private func hasErrors(_ diagnostics: [Diagnostic]) -> Bool { diagnostics.contains { $0.severity == .error } }

/// A file's declarations without their comments: what it means.
private func meaning(_ file: RuleFile) -> [Declaration] {
    func bare(_ lets: [LetBinding]) -> [LetBinding] { lets.map { LetBinding(name: $0.name, value: $0.value) } }
    return file.declarations.map { node in
        switch node.declaration {
        case .table(var table):
            for index in table.columns.indices { table.columns[index].comments = Comments() }
            return .table(table)
        case .rule(var rule):
            rule.lets = bare(rule.lets)
            return .rule(rule)
        case .view(var view):
            view.lets = bare(view.lets)
            for index in view.columns.indices { view.columns[index].comments = Comments() }
            return .view(view)
        case .preset(var preset):
            for index in preset.settings.indices { preset.settings[index].comments = Comments() }
            return .preset(preset)
        case .indicator(var indicator):
            indicator.lets = bare(indicator.lets)
            for index in indicator.bands.indices { indicator.bands[index].comments = Comments() }
            return .indicator(indicator)
        default:
            return node.declaration
        }
    }
}

/// A small, fast generator of reproducible numbers (SplitMix64).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1 }
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}

/// Writes a random formula with every part in brackets (and sometimes more), so it parses
/// exactly as made, whatever the precedence of its operators.
private struct FormulaMaker {
    var random: SplitMix

    init(random: inout SplitMix) { self.random = SplitMix(seed: UInt64(random.next(1 << 30))) }

    static let values = ["amount", "owner", "1", "2.5", "$5,000", "$1,234.50", "10%", "\"x\"", "\"a \"\"quoted\"\" word\"", "2024-07-01",
                         "yes", "no", "TRUE", "False", "[Budget Owner]", "sites.enrollment", "sites.[% FRL]", "TODAY()", "-1"]
    static let operators = ["or", "and", "OR", "And", "=", "<>", "<", ">", "<=", ">=", "&", "+", "-", "*", "/", "^"]

    mutating func formula(depth: Int) -> String {
        let made = part(depth: depth)
        return random.next(4) == 0 ? "(" + made + ")" : made
    }

    private mutating func pick(_ choices: [String]) -> String { choices[random.next(choices.count)] }

    private mutating func part(depth: Int) -> String {
        if depth == 0 || random.next(5) == 0 { return pick(Self.values) }
        let inner = depth - 1
        switch random.next(12) {
        case 0: return "(-" + formula(depth: inner) + ")"
        case 1: return "(" + pick(["not ", "NOT "]) + formula(depth: inner) + ")"
        case 2: return "(" + formula(depth: inner) + pick([" is blank", " is not blank", " IS EMPTY", " Is Not Blank"]) + ")"
        case 3: return "(" + formula(depth: inner) + pick([" in ", " not in "]) + "(" + formula(depth: inner) + ", " + formula(depth: inner) + "))"
        case 4: return "(" + formula(depth: inner) + pick([" between ", " not between "]) + formula(depth: inner) + " and " + formula(depth: inner) + ")"
        case 5: return "(" + formula(depth: inner) + pick([" like ", " not like "]) + formula(depth: inner) + ")"
        case 6: return pick(["ROUND(", "MAX(", "IF("]) + formula(depth: inner) + ", " + formula(depth: inner) + ")"
        case 7: return pick(["SUM(", "AVERAGE("]) + formula(depth: inner) + " where " + formula(depth: inner) + ")"
        case 8: return "COUNT(where " + formula(depth: inner) + ")"
        default: return "(" + formula(depth: inner) + " " + pick(Self.operators) + " " + formula(depth: inner) + ")"
        }
    }
}
