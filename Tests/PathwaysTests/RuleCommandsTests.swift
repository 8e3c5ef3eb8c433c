import Foundation
import RulesLanguage
import Testing
@testable import Pathways

private let rulesFolder: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0 ..< 3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("rules").path
}()

/// A folder with these rule files, removed afterwards.
private final class RuleFolder {
    let path: String
    init(_ files: [String: String]) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("rules-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: path + "/" + name, atomically: true, encoding: .utf8) }
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func read(_ name: String) throws -> String { try String(contentsOfFile: path + "/" + name, encoding: .utf8) }
}

@Suite struct RuleCommandsTests {
    @Test func checkPassesTheDefaultRules() {
        let outcome = RuleCommands.check(folder: rulesFolder, format: .text)
        #expect(outcome.exitCode == 0)
        #expect(outcome.standardOutput.hasSuffix("rule files: no mistakes.\n"))
    }

    @Test func checkReportsMistakesAndExitsOne() throws {
        let folder = try RuleFolder(["bad.rules": "table t \"T\"\n  column a nmber \"A\"\n"])
        let outcome = RuleCommands.check(folder: folder.path, format: .text)
        #expect(outcome.exitCode == 1)
        #expect(outcome.standardOutput.contains("bad.rules:2:12: error: `nmber` is not a column type."))
        #expect(outcome.standardOutput.contains("= Did you mean `number`?"))
        #expect(outcome.standardOutput.hasSuffix("Checked 1 rule file: 1 mistake to fix.\n"))
    }

    @Test func checkSpeaksJSONToTools() throws {
        let folder = try RuleFolder(["bad.rules": "table t \"T\"\n  column a nmber \"A\"\n"])
        let outcome = RuleCommands.check(folder: folder.path, format: .json)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [[String: Any]])
        #expect(entries.count == 1)
        #expect(entries.first?["line"] as? Int == 2)
        #expect(entries.first?["column"] as? Int == 12)
        #expect(entries.first?["severity"] as? String == "error")
        #expect((entries.first?["file"] as? String)?.hasSuffix("bad.rules") == true)
    }

    @Test func checkSaysWhenThereIsNoRuleFolder() {
        let outcome = RuleCommands.check(folder: "/no/such/folder", format: .text)
        #expect(outcome.exitCode == 2)
        #expect(outcome.standardError.contains("There is no folder of rules at /no/such/folder."))
    }

    /// A ledger table and a pathway, for the rule sets below.
    private static let linesTable = """
    table lines "Lines"
      from sheet "Lines"
      column posted date "Posted"
      column owner text "Owner" optional
      column vendor text "Vendor"
      column amount money "Amount"

    pathway management "Management"


    """

    /// A small ledger rule set with passing and failing examples of a row rule, a grouped rule and
    /// an indicator, and one on a date.
    private static let testedRules = linesTable + """
    rule R-1 "No owner"
      pathway management
      for lines
      severity error
      when owner is blank
      flag owner
      message "No owner."

    rule R-2 "Two payments to one vendor"
      pathway management
      for lines by vendor
      severity warning
      when COUNT() >= 2
      flag amount
      message "Two payments."

    rule R-3 "Late in the year"
      pathway management
      for lines
      severity info
      when ELAPSED() > 90%
      flag posted
      message "Late."

    indicator I-1 "Owned lines"
      pathway management
      measure SHARE(lines.owner is not blank)
      exemplary   when >= 100%
      otherwise emerging

    test "passes"
      given lines
        | Posted     | Owner | Vendor | Amount |
        | 2025-01-05 |       | Acme   | 10.00  |
        | 2025-01-06 | Chen  | Acme   | 20.00  |
        | 2025-01-07 | Chen  | Bolt   | 30.00  |
      expect R-1 flags row 1 column owner
      expect R-2 flags row 1
      expect R-2 flags row 2
      expect I-1 level emerging

    test "wrong rows"
      given lines
        | Posted     | Owner | Vendor | Amount |
        | 2025-01-05 | Chen  | Acme   | 10.00  |
        | 2025-01-06 |       | Bolt   | 20.00  |
      expect R-1 flags row 1
      expect R-2 flags nothing
      expect I-1 level exemplary

    test "on a date"
      given lines
        | Posted     | Owner | Vendor | Amount |
        | 2025-01-05 | Chen  | Acme   | 1O.00  |
      as of 2025-06-20
      expect R-3 flags row 1

    """

    @Test func aTestOfARuleOnAViewSaysItsRowsAreTheViews() throws {
        let viewRules = Self.linesTable + """
            view by_vendor "Spending by vendor"
              from lines by vendor
              column spent = SUM(amount)

            rule V-1 "Vendor paid over 25"
              pathway management
              for by_vendor
              severity info
              when spent > 25
              flag spent
              message "Over 25."

            test "vendors"
              given lines
                | Posted     | Owner | Vendor | Amount |
                | 2025-01-05 | Chen  | Acme   | 10.00  |
                | 2025-01-06 | Chen  | Acme   | 20.00  |
                | 2025-01-07 | Chen  | Bolt   | 5.00   |
              expect V-1 flags row 3

            """
        let folder = try RuleFolder(["vendors.rules": viewRules])
        let outcome = RuleCommands.test(folder: folder.path)
        #expect(outcome.standardOutput.contains("Expected V-1 to flag row 3 of the view by_vendor, but it flagged row 1."), "\(outcome.standardOutput)\(outcome.standardError)")
    }

    @Test func aTestExpectsAViewsValuesAGoalsStatusAndWhatIsNotAssessed() throws {
        let rules = Self.linesTable + """
            view by_vendor "Spending by vendor"
              from lines by vendor
              let payments = COUNT()
              column spent   = SUM(amount)
              column average = spent / payments

            rule V-2 "Paid without an owner"
              pathway management
              for lines
              severity info
              when owner is blank and LOOKUP(by_vendor.spent, vendor) > 0
              flag owner
              message "No owner."

            indicator I-2 "Owned spending"
              pathway management
              let owned = SUM(lines.amount where lines.owner is not blank)
              measure owned / SUM(lines.amount)
              exemplary   when >= 90%
              otherwise emerging

            goal G-1 "Everything owned"
              indicator I-2
              target >= 100%
              by 2025-06-30

            test "as expected"
              given lines
                | Posted     | Owner | Vendor | Amount |
                | 2025-01-05 | Chen  | Acme   | 10.00  |
                | 2025-01-06 | Chen  | Acme   | 20.00  |
                | 2025-01-07 |       | Bolt   | 5.00   |
              expect by_vendor row 1 spent = $30.00
              expect by_vendor row 1 column average = $15
              expect by_vendor row 2 vendor = "bolt"
              expect I-2 level emerging
              expect G-1 status not yet met
              expect V-2 flags row 3

            test "nothing to measure"
              given lines
                | Posted     | Owner | Vendor | Amount |
              expect I-2 not assessed
              expect G-1 not assessed
              expect V-2 flags nothing

            test "wrong"
              given lines
                | Posted     | Owner | Vendor | Amount |
                | 2025-01-05 | Chen  | Acme   | 10.00  |
              expect by_vendor row 1 spent = $20.00
              expect by_vendor row 2 spent = $20.00
              expect G-1 status missed
              expect I-2 not assessed

            """
        let folder = try RuleFolder(["views.rules": rules])
        let outcome = RuleCommands.test(folder: folder.path)
        #expect(outcome.standardOutput == """
            \(folder.path)/views.rules:56: test "wrong" failed
              Expected spent of row 1 of the view by_vendor to be $20.00, but it is $10.00.
              Expected row 2 of the view by_vendor, but it has 1 row.
              Expected G-1 to be missed, but it is met (I-2 measured 100% against the target >= 100%).
              Expected I-2 not to be assessed on the example rows, but it measured 100%.
            3 tests: 2 passed, 1 failed.

            """, "\(outcome.standardOutput)\(outcome.standardError)")
    }

    @Test func aTestExpectingWhatIsNotThereIsAMistake() throws {
        let rules = Self.linesTable + """
            view by_vendor "Spending by vendor"
              from lines by vendor
              column spent = SUM(amount)

            test "mistaken"
              given lines
                | Posted     | Owner | Vendor | Amount |
                | 2025-01-05 | Chen  | Acme   | 10.00  |
              expect by_vendor row 1 spnt = $10.00
              expect by_vendor row 1 spent = "ten"
              expect G-9 status met
              expect by_vendor status done

            """
        let folder = try RuleFolder(["views.rules": rules])
        let outcome = RuleCommands.check(folder: folder.path, format: .text)
        for expected in ["View by_vendor has no column `spnt`.", "The view's spent is an amount of money, so it can never equal text.",
                         "expects a status from G-9, which is not a goal.", "A goal's status is met, not yet met, missed or not assessed."] {
            #expect(outcome.standardOutput.contains(expected) || outcome.standardError.contains(expected), "\(expected)\n\(outcome.standardOutput)\(outcome.standardError)")
        }
    }

    @Test func testRunsTheExamplesAndSaysWhatWentWrong() throws {
        let folder = try RuleFolder(["lines.rules": Self.testedRules])
        let outcome = RuleCommands.test(folder: folder.path)
        #expect(outcome.exitCode == 1)
        #expect(outcome.standardOutput == """
            \(folder.path)/lines.rules:51: test "wrong rows" failed
              Expected R-1 to flag row 1, but it flagged row 2.
              Expected I-1 to be exemplary, but it measured 50%, which is emerging.
            \(folder.path)/lines.rules:60: test "on a date" failed
              Example row 1, column Amount: "1O.00" is not an amount.
            3 tests: 1 passed, 2 failed.

            """)
    }

    @Test func testPassesWithAsOfAndNamesWhatIsUntested() throws {
        let fixed = Self.testedRules
            .replacingOccurrences(of: "| 1O.00  |", with: "| 10.00  |")
            .replacingOccurrences(of: "expect R-1 flags row 1\n", with: "expect R-1 flags row 2\n")
            .replacingOccurrences(of: "expect I-1 level exemplary", with: "expect I-1 level emerging")
        let folder = try RuleFolder(["lines.rules": fixed + "rule R-4 \"Untested\"\n  pathway management\n  severity info\n  for lines\n  when amount < 0\n  flag amount\n  message \"Negative.\"\n"])
        let outcome = RuleCommands.test(folder: folder.path)
        #expect(outcome.exitCode == 0)
        #expect(outcome.standardOutput == "3 tests: 3 passed, 0 failed.\nNo test expects anything of R-4; add a `test` beside each to show it works.\n")
    }

    @Test func theDefaultRulesPassTheirTestsAndEveryRuleHasOne() {
        let outcome = RuleCommands.test(folder: rulesFolder)
        #expect(outcome.exitCode == 0, "\(outcome.standardOutput)")
        #expect(!outcome.standardOutput.contains("No test expects anything"), "\(outcome.standardOutput)")
    }

    @Test func fmtRewritesInPlaceAndCheckModeOnlyReports() throws {
        let messy = "pathway   management \"Management\"\n"
        let folder = try RuleFolder(["a.rules": messy])
        let report = RuleCommands.format(paths: [folder.path], checkOnly: true)
        #expect(report.exitCode == 1)
        #expect(report.standardOutput.contains("a.rules is not laid out the standard way"))
        #expect(try folder.read("a.rules") == messy, "--check changes nothing")
        let formatted = RuleCommands.format(paths: [folder.path + "/a.rules"], checkOnly: false)
        #expect(formatted.exitCode == 0)
        #expect(try folder.read("a.rules") == "pathway management \"Management\"\n")
        let again = RuleCommands.format(paths: [folder.path], checkOnly: true)
        #expect(again.exitCode == 0)
        #expect(again.standardOutput == "\(folder.path)/a.rules is already laid out the standard way.\n", "a run that changes nothing says so")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["a.rules"], "no temporary file is left behind")
    }

    @Test func fmtLeavesAFileWithMistakesAlone() throws {
        let broken = "rule R-1 \"r\"\n  when (amount\n"
        let folder = try RuleFolder(["a.rules": broken])
        let outcome = RuleCommands.format(paths: [folder.path], checkOnly: false)
        #expect(outcome.exitCode == 1)
        #expect(outcome.standardError.contains("was left as it is"))
        #expect(try folder.read("a.rules") == broken)
    }

    @Test func functionsListsTheCatalogue() {
        let output = RuleCommands.functions().standardOutput
        for name in ["SUM(values [where condition])", "WEEKNUM(date)", "LOOKUP(column, key)", "SHARE(condition [where condition])",
                     "STDEVP(values [where condition])", "FISCALYEAREND(date)"] {
            #expect(output.contains(name), "\(name)")
        }
        // The operators' signatures come from the same catalogue the checker types them by.
        #expect(output.contains("amount / amount") && output.contains("gives a percentage"))
        #expect(OperatorCatalogue.result(of: .divide, .money, .money) == .percent)
        #expect(OperatorCatalogue.result(of: .multiply, .money, .money) == nil, "an amount times an amount means nothing")
    }
}

/// The README walks a trainer through changing a threshold and a rule: each step is taken here
/// from the README's own text, so the walk-through cannot drift from what the tool says.
@Suite struct TrainerWalkThroughTests {
    static let readme: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0 ..< 3 { url.deleteLastPathComponent() }
        return (try? String(contentsOf: url.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""
    }()

    /// The lines of the README's code blocks, in order.
    static var codeBlocks: [[String]] {
        var blocks: [[String]] = [], current: [String]?
        for line in readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("```") {
                if let block = current { blocks.append(block); current = nil } else { current = [] }
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    @Test func theThresholdAndTheRuleChangeWorkAsTheREADMESays() throws {
        _ = try #require(Self.readme.range(of: "## For trainers: changing a threshold and a rule"))
        let blocks = Self.codeBlocks
        let paramLine = try #require(blocks.first { $0.first?.hasPrefix("param approval_limit = $2,500") == true }?.first)
        let failure = try #require(blocks.first { $0.first?.hasPrefix("rules/accountability.rules:") == true })
        let newCondition = try #require(blocks.first { $0.first?.hasPrefix("  when object starts with any of catch_all and amount >= $25") == true }?.first)
        let newRow = try #require(blocks.first { $0.first?.contains("Misc office items") == true }?.first)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("walkthrough-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(atPath: rulesFolder, toPath: folder.path)
        let accountability = folder.appendingPathComponent("accountability.rules")
        var text = try String(contentsOf: accountability, encoding: .utf8)
        let oldParam = try #require(text.split(separator: "\n").first { $0.hasPrefix("param approval_limit = ") })
        text = text.replacingOccurrences(of: oldParam, with: paramLine)
        try text.write(to: accountability, atomically: true, encoding: .utf8)
        // The threshold: the split-purchase example now fails, in the README's words and line.
        var outcome = RuleCommands.test(folder: folder.path)
        #expect(outcome.exitCode == 1)
        #expect(outcome.standardOutput.hasPrefix(folder.path + "/" + failure.joined(separator: "\n").dropFirst("rules/".count) + "\n"), "\(outcome.standardOutput)")
        // With the example's amounts lowered as the README says, it passes.
        text = text.replacingOccurrences(of: "2,600.00", with: "1,300.00").replacingOccurrences(of: "2,550.00", with: "1,250.00")
        try text.write(to: accountability, atomically: true, encoding: .utf8)
        outcome = RuleCommands.test(folder: folder.path)
        #expect(outcome.exitCode == 0, "\(outcome.standardOutput)")

        // The rule: MG-12 skips catch-all lines under $25, and its test gains a $10 row it must not flag.
        let management = folder.appendingPathComponent("management.rules")
        var rules = try String(contentsOf: management, encoding: .utf8)
        #expect(rules.contains("  when object starts with any of catch_all and amount > 0\n"))
        rules = rules.replacingOccurrences(of: "  when object starts with any of catch_all and amount > 0\n", with: newCondition + "\n")
        let testStart = try #require(rules.range(of: "test \"catch-all spending and its share\""))
        let firstExpect = try #require(rules.range(of: "\n  expect", range: testStart.upperBound ..< rules.endIndex))
        rules.insert(contentsOf: "\n" + newRow, at: firstExpect.lowerBound)
        try rules.write(to: management, atomically: true, encoding: .utf8)
        outcome = RuleCommands.test(folder: folder.path)
        #expect(outcome.exitCode == 0, "\(outcome.standardOutput)")
        #expect(RuleCommands.check(folder: folder.path, format: .text).exitCode == 0)
    }
}

/// The command line itself, run as a reviewer or a trainer runs it.
@Suite struct CommandLineTests {
    @Test func everyCommandThatReadsRulesIsGivenTheirFolderTheSameWay() throws {
        var project = URL(fileURLWithPath: #filePath)
        for _ in 0 ..< 3 { project.deleteLastPathComponent() }
        for command in ["run", "watch", "check", "test", "fmt"] {
            let process = Process()
            process.executableURL = project.appendingPathComponent(".build/debug/pathways")
            process.arguments = [command, "--help"]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let help = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let line = help.split(separator: "\n").first { $0.contains("--rules <dir>") && !$0.hasPrefix("USAGE") }
            #expect(line?.trimmingCharacters(in: .whitespaces).split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
                    == "--rules <dir> The folder of .rules files. (default: rules)", "pathways \(command)")
        }
    }
}
