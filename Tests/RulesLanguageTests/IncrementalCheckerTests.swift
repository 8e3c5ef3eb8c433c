import Foundation
import Testing
@testable import RulesLanguage

/// The editor's checker says exactly what a fresh check says — the same diagnostics at the same
/// places, the same declarations, the same columns — however the text got there: over every rule
/// file the project has, and over edits made at random from a seed to the default rules, each
/// checked by one checker that reuses what the edits before it left alone.
@Suite struct IncrementalCheckerTests {
    /// Diagnostics as a set: a fresh parse gives a file's lexer mistakes before its parser's,
    /// the editor's checker gives them declaration by declaration.
    static func expectSame(_ incremental: RuleChecker.Analysis, _ fresh: RuleChecker.Analysis, _ context: @autoclosure () -> String,
                           sourceLocation: SourceLocation = #_sourceLocation) {
        func sorted(_ diagnostics: [Diagnostic]) -> [String] {
            diagnostics.map { "\($0.span.file):\($0.span.start)-\($0.span.end) \($0.severity) \($0.message) \($0.hint ?? "")" }.sorted()
        }
        let (mine, theirs) = (sorted(incremental.report.diagnostics), sorted(fresh.report.diagnostics))
        #expect(mine == theirs, "\(context()): only here \(mine.filter { !theirs.contains($0) }), only in a fresh check \(theirs.filter { !mine.contains($0) })",
                sourceLocation: sourceLocation)
        // The dump shows every place in the tree (a span prints as its offsets); the first that differs is shown.
        #expect(incremental.declarations.count == fresh.declarations.count, "\(context())", sourceLocation: sourceLocation)
        if let (mine, theirs) = zip(incremental.declarations, fresh.declarations).map({ (String(reflecting: $0), String(reflecting: $1)) }).first(where: { $0 != $1 }) {
            let common = zip(mine, theirs).prefix { $0 == $1 }.count
            Issue.record("\(context()): declarations differ after \(mine.prefix(common).suffix(120)): here \(mine.dropFirst(common).prefix(200)), in a fresh check \(theirs.dropFirst(common).prefix(200))",
                         sourceLocation: sourceLocation)
        }
        #expect(incremental.declarations.map(\.span.file) == fresh.declarations.map(\.span.file), "\(context())", sourceLocation: sourceLocation)
        #expect(incremental.symbols == fresh.symbols, "\(context())", sourceLocation: sourceLocation)
        #expect(incremental.ruleSet == nil)
    }

    static var defaultRules: [SourceFile] { FormatterPropertyTests.fixtures.filter { $0.path.hasPrefix("rules/") } }

    /// Every fixture (each golden mistake with its base), one after another through one checker.
    @Test func everyRuleFileChecksAsAFreshCheckDoes() throws {
        let mistakes = "Tests/RulesLanguageTests/Mistakes/"
        let base = try #require(FormatterPropertyTests.fixtures.first { $0.path == mistakes + "_base.rules" })
        var groups = [Self.defaultRules]
        for file in FormatterPropertyTests.fixtures where !file.path.hasPrefix("rules/") && file.path != base.path {
            groups.append(file.path.hasPrefix(mistakes) ? [base, file] : [file])
        }
        let checker = IncrementalChecker()
        for group in groups + [Self.defaultRules] {
            Self.expectSame(checker.analyze(group), RuleChecker.analyze(group), group.map(\.path).joined(separator: ", "))
        }
    }

    /// A trainer's edits, some sensible and many not: text typed or deleted anywhere (inside a
    /// word, across declarations), declarations moved, comments put above them.
    @Test(arguments: [1, 2]) func randomEditsCheckAsAFreshCheckDoes(seed: UInt64) {
        var random = SplitMix(seed: seed)
        var files = Self.defaultRules.map { Array($0.text.utf8) }
        let snippets = ["\n", "rule X-1 \"A rule\"\n", "  when amount > 0\n", "(", ")", "#", "  # a note\n", "# a note\n", "param p = 3\n",
                        "\n\n", "x", " and ", "  ", "view v from transactions by vendor\n  total = SUM(amount)\n", "\"", "{", "table t\n",
                        "param approval_limit = $2,500\n", "test \"t\"\n", "rule", "  flag amount\n"]
        let checker = IncrementalChecker()
        for step in 0 ..< 60 {
            let index = random.next(files.count)
            var bytes = files[index]
            // Only at the start of a character: the rule files hold a few that take several bytes.
            func place() -> Int {
                var offset = random.next(bytes.count + 1)
                while offset < bytes.count && bytes[offset] & 0xC0 == 0x80 { offset += 1 }
                return offset
            }
            let edit: String
            switch random.next(4) {
            case 0:
                let at = place(), end = min(bytes.count, at + 1 + random.next(120))
                var stop = end
                while stop < bytes.count && bytes[stop] & 0xC0 == 0x80 { stop += 1 }
                edit = "deleted \(at)..<\(stop)"
                bytes.removeSubrange(at ..< stop)
            case 1:
                // A line moved: cut at line starts and put at another.
                let lineStarts = [0] + bytes.indices.filter { bytes[$0] == 10 }.map { $0 + 1 }.filter { $0 < bytes.count }
                let from = lineStarts[random.next(lineStarts.count)], next = lineStarts.first { $0 > from } ?? bytes.count
                let line = Array(bytes[from ..< next])
                bytes.removeSubrange(from ..< next)
                let places = [0] + bytes.indices.filter { bytes[$0] == 10 }.map { $0 + 1 }
                let to = places[random.next(places.count)]
                bytes.insert(contentsOf: line, at: min(to, bytes.count))
                edit = "moved the line at \(from) to \(to)"
            default:
                let snippet = snippets[random.next(snippets.count)], at = place()
                bytes.insert(contentsOf: Array(snippet.utf8), at: at)
                edit = "typed \(snippet.debugDescription) at \(at)"
            }
            files[index] = bytes
            let sources = zip(Self.defaultRules, files).map { SourceFile(path: $0.path, text: String(decoding: $1, as: UTF8.self)) }
            Self.expectSame(checker.analyze(sources), RuleChecker.analyze(sources), "seed \(seed), step \(step): \(edit) in \(sources[index].path)")
        }
    }

    /// A rule that checked clean is not checked again, but a change to what it uses is seen: a
    /// param it uses made text, a column it reads removed from its table.
    @Test func aReusedRuleSeesChangesToWhatItUses() {
        let tables = """
            table transactions "Transactions"
              column amount money "Amount"
              column vendor text "Vendor"
            pathway management "Management"

            """
        let rule = """
            param limit = $5,000 "The most one payment may be."
            rule R-1 "Large payment"
              pathway management
              severity warning
              for transactions
              when amount > limit
              flag amount
              message "Over the limit."
            """
        let checker = IncrementalChecker()
        func errors(_ text: String) -> [String] {
            checker.analyze([SourceFile(path: "rules/x.rules", text: text)]).report.diagnostics.filter { $0.severity == .error }.map(\.message)
        }
        #expect(errors(tables + rule) == [])
        #expect(errors(tables + rule.replacingOccurrences(of: "$5,000", with: "\"five thousand\"")).contains { $0.contains("compare") || $0.contains("limit") })
        #expect(errors(tables + rule) == [])
        #expect(errors(tables.replacingOccurrences(of: "  column amount money \"Amount\"\n", with: "") + rule).contains { $0.contains("amount") })
        #expect(errors(tables + rule) == [])
    }
}
