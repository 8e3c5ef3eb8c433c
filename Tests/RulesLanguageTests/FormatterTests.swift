import Foundation
import Testing
@testable import RulesLanguage

/// The standard layout, case by case; what holds for every file is in FormatterPropertyTests.
@Suite struct FormatterTests {
    @Test func theDefaultRulesAreAlreadyFormatted() throws {
        for file in try loadRulesFolder() {
            #expect(try RuleFormatter.format(file).get() == file.text, "run `pathways fmt \(file.path)`")
        }
    }

    @Test func aLongConditionIsBrokenAfterEachAndOrOrAndMeansTheSame() throws {
        let long = """
            rule BO-02 "Far ahead"
              when (revised > 0 and actual + encumbrance > revised * 1.5) or (revised = 0 and actual + encumbrance > 0) or LEFT(object, 1) = "9"  # why
            """
        let formatted = try RuleFormatter.format(SourceFile(path: "x.rules", text: long)).get()
        #expect(formatted == """
            rule BO-02 "Far ahead"
              when revised > 0 and actual + encumbrance > revised * 1.5 or
                  revised = 0 and actual + encumbrance > 0 or
                  LEFT(object, 1) = "9"  # why

            """)
        let (original, _) = Parser.parse(SourceFile(path: "x.rules", text: long), fileIndex: 0)
        let (reparsed, diagnostics) = Parser.parse(SourceFile(path: "x.rules", text: formatted), fileIndex: 0)
        #expect(diagnostics.isEmpty)
        #expect(reparsed == original)
        // An `and` part of an `or` that is still too long is broken too, four further in.
        let nested = "rule R-2 \"r\"\n  when owner is blank and amount > approval_limit and vendor is not blank and description is not blank and posted > DATE(2024, 7, 1) or amount < 0\n"
        let nestedFormatted = try RuleFormatter.format(SourceFile(path: "z.rules", text: nested)).get()
        #expect(nestedFormatted == """
            rule R-2 "r"
              when owner is blank and
                      amount > approval_limit and
                      vendor is not blank and
                      description is not blank and
                      posted > DATE(2024, 7, 1) or
                  amount < 0

            """)
        #expect(Parser.parse(SourceFile(path: "z.rules", text: nestedFormatted), fileIndex: 0).0 == Parser.parse(SourceFile(path: "z.rules", text: nested), fileIndex: 0).0)
        // An `and` chain keeps the brackets an `or` inside it needs.
        let mixed = "rule R-1 \"r\"\n  when owner is blank and amount > 100000 and vendor is not blank and description is not blank and (status = \"Open\" or status = \"Held\")\n"
        #expect(try RuleFormatter.format(SourceFile(path: "y.rules", text: mixed)).get().hasSuffix("and\n      (status = \"Open\" or status = \"Held\")\n"))
    }

    @Test func aRulesWhereFollowsItsForLineAndAWindowStaysOnIt() throws {
        let messy = """
            rule BO-05 "Split"
              when COUNT() >= 2
              where amount>0
              for transactions by vendor   within 14 days of  posted
            """
        #expect(try RuleFormatter.format(SourceFile(path: "x.rules", text: messy)).get() == """
            rule BO-05 "Split"
              for transactions by vendor within 14 days of posted
              where amount > 0
              when COUNT() >= 2

            """)
    }

    @Test func layoutIsCanonical() throws {
        let messy = """
            # Owner rules
            rule   BO-01   "Spending without an owner"   # the first rule
              message "Nobody owns {account}"
                 when owner is blank and (amount>5000 or amount<-5000)
              flag owner
              severity error
              pathway management
              for transactions
            param limit=$1234567.5
            param other = 12.5%
            """
        let formatted = try RuleFormatter.format(SourceFile(path: "x.rules", text: messy)).get()
        #expect(formatted == """
            # Owner rules
            rule BO-01 "Spending without an owner"  # the first rule
              pathway management
              severity error
              for transactions
              when owner is blank and (amount > 5000 or amount < -5000)
              flag owner
              message "Nobody owns {account}"

            param limit = $1,234,567.5
            param other = 12.5%

            """)
    }

    @Test func parenthesesAreKeptWhereTheyMatterAndDroppedWhereTheyDoNot() throws {
        let text = "param p = 1\nrule R-1 \"r\"\n  when ((amount - 1) - (2 - 3)) * 4 ^ (2 ^ 3) > (1) and not (owner is blank or vendor is blank)\n"
        let formatted = try RuleFormatter.format(SourceFile(path: "x.rules", text: text)).get()
        #expect(formatted.contains("when (amount - 1 - (2 - 3)) * 4 ^ 2 ^ 3 > 1 and not (owner is blank or vendor is blank)"))
    }

    /// A formula that goes on over several lines may end each with a comment: the formula is
    /// still the whole thing, and `fmt` keeps every comment at the end of its part's line.
    @Test func commentsInsideAFormulaOverSeveralLinesAreKeptWhereTheyWere() throws {
        let text = """
            rule R-1 "r"
              when amount > 0 and   # only spending
                  owner is blank and      # nobody owns it
                  vendor is not blank  # a real payee
              flag amount

            """
        let (tree, diagnostics, _) = parse(text)
        #expect(diagnostics.isEmpty)
        guard case .rule(let rule)? = tree.declarations.first?.declaration,
              case .binary("and", .binary("and", _, .isBlank, _), .isBlank(_, negated: true, _), _)? = rule.condition else {
            Issue.record("the condition is not the whole formula"); return
        }
        #expect(tree.declarations[0].clauseComments["when"]?.within.map(\.text) == ["only spending", "nobody owns it"])
        #expect(tree.declarations[0].clauseComments["when"]?.trailing == "a real payee")
        let formatted = try RuleFormatter.format(SourceFile(path: "x.rules", text: text)).get()
        #expect(formatted == """
            rule R-1 "r"
              when amount > 0 and  # only spending
                  owner is blank and  # nobody owns it
                  vendor is not blank  # a real payee
              flag amount

            """)
        #expect(try RuleFormatter.format(SourceFile(path: "x.rules", text: formatted)).get() == formatted)
    }

    @Test(arguments: [
        // In brackets, and on a line of its own inside them.
        ("rule R-1 \"r\"\n  when (amount > 0 or   # only spending\n      # or none at all\n      owner is blank)  # nobody\n  flag amount\n",
         "rule R-1 \"r\"\n  # or none at all\n  when amount > 0 or  # only spending\n      owner is blank  # nobody\n  flag amount\n"),
        // Inside a function's brackets: the formula is one line, the comment after it.
        ("rule R-1 \"r\"\n  when ROUND(amount,   # to the dollar\n          0) > 5\n  flag amount\n",
         "rule R-1 \"r\"\n  when ROUND(amount, 0) > 5  # to the dollar\n  flag amount\n"),
        // In a parameter, and in a test's `given` line.
        ("param p = 1 +  # one\n    2\n\ntest \"t\"\n  given transactions  # the rows\n    | Amount |\n    | 1      |\n",
         "param p = 1 + 2  # one\n\ntest \"t\"\n  given transactions  # the rows\n    | Amount |\n    | 1      |\n"),
    ])
    func aCommentInsideAFormulaIsNeverLost(text: String, formatted: String) throws {
        let (_, diagnostics, _) = parse(text)
        #expect(diagnostics.isEmpty)
        let once = try RuleFormatter.format(SourceFile(path: "x.rules", text: text)).get()
        #expect(once == formatted)
        #expect(try RuleFormatter.format(SourceFile(path: "x.rules", text: once)).get() == once)
    }

    @Test func curlyQuotesStopFormattingUntilFixed() {
        let file = SourceFile(path: "x.rules", text: "pathway p “Management”\n")
        guard case .failure(let report) = RuleFormatter.format(file) else {
            Issue.record("a file with mistakes was formatted")
            return
        }
        #expect(report.text.contains("curly quotes"))
    }
}
