import Foundation
import Testing
@testable import Pathways

/// A scratch folder with a small rule set and a ledger, removed afterwards.
private final class Scratch {
    let folder: URL
    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("rules"), withIntermediateDirectories: true)
        try write("rules/rules.rules", """
            table transactions "Transactions"
              required
              column posted date  "Posting Date"
              column owner  text  "Budget Owner" optional
              column amount money "Amount"
            table sites "Schools"
              column code code "Site"
            param approval_limit = $5,000 "Purchases at or above this need approval."
            pathway management "Management"
            rule BO-01 "Spending without a budget owner"
              pathway management
              severity error
              for transactions
              when owner is blank
              flag owner
              message "Nobody owns this {amount}."
            rule BO-02 "Large purchase"
              pathway management
              severity warning
              for transactions
              when amount >= approval_limit
              flag amount
              message "{amount} needs approval (limit {approval_limit})."
            rule SI-01 "School without a code"
              pathway management
              severity info
              for sites
              when code is blank
              flag code
              message "A school has no code."
            """)
        try write("ledger.csv", "Posting Date,Budget Owner,Amount\n07/01/2024,M. Alvarez,6000.00\n07/02/2024,,120.00\n07/03/2024,J. Chen,oops\n")
    }
    deinit { try? FileManager.default.removeItem(at: folder) }

    func write(_ name: String, _ text: String) throws {
        try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    func options(_ input: String = "ledger.csv") -> RunJob.Options {
        var options = RunJob.Options(input: path(input))
        options.rules = path("rules")
        return options
    }

    func report(_ name: String = "ledger.findings.json") throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(name))) as? [String: Any])
    }
}

@Suite struct RunJobTests {
    @Test func aRunWritesTheFindingsBesideTheInputAndSummarises() throws {
        let scratch = try Scratch()
        let outcome = RunJob.run(scratch.options())
        #expect(outcome.exitCode == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("ledger.csv, reviewed with 1 rule file as of 2024-07-03"))
        #expect(outcome.standardOutput.contains("Findings: 1 error, 2 warnings, 0 for information"))
        #expect(outcome.standardOutput.contains("table sites: The workbook has no Schools table"))
        let report = try scratch.report()
        #expect(report["schema"] as? String == "pathways-findings/1")
        let findings = try #require(report["findings"] as? [[String: Any]])
        #expect(findings.map { $0["rule"] as? String } == ["BO-01", "BO-02", "DATA"])
        #expect(findings[0]["cells"] as? [String] == ["ledger!B3"])
        #expect(findings[1]["message"] as? String == "$6,000.00 needs approval (limit $5,000.00).")
        #expect(findings[2]["message"] as? String == "\"oops\" is not an amount.")
        #expect((report["notAssessed"] as? [[String: Any]])?.map { $0["item"] as? String } == ["rule SI-01", "table sites"])
    }

    @Test func aReviewAndAFailureComeBackAsValuesNotAsText() throws {
        let scratch = try Scratch()
        guard case .success(let rules) = RunJob.loadRules(scratch.path("rules")) else {
            Issue.record("the scratch rules check")
            return
        }
        guard case .reviewed(let review) = RunJob.review(scratch.options(), rules: rules) else {
            Issue.record("the ledger is reviewed")
            return
        }
        #expect(review.report.counts == [.error: 1, .warning: 2, .info: 0])
        #expect(review.report.dataErrorCount == 1)
        #expect(review.written.map { URL(fileURLWithPath: $0).lastPathComponent } == ["ledger.reviewed.xlsx", "ledger.findings.json"])
        try scratch.write("other.csv", "Name,Phone\nA,1\n")
        guard case .failed(let failure) = RunJob.review(scratch.options("other.csv"), rules: rules) else {
            Issue.record("a workbook without the tables is not reviewed")
            return
        }
        #expect(failure.cause == .workbook)
        #expect(failure.reasons.first?.file == "other.csv")
        #expect(failure.reasons.first?.text.hasPrefix("The workbook has no Transactions table") == true)
        #expect(failure.reasons.last == JobFailure.Reason("nothing was reviewed; fix the workbook or the table declarations and run again."))
        #expect(failure.reasons.last?.sentence == "Nothing was reviewed; fix the workbook or the table declarations and run again.")
        guard case .failure(let problem) = RunJob.loadRules(scratch.path("no-rules")) else {
            Issue.record("a missing folder has no rules")
            return
        }
        #expect(JobFailure(problem).cause == .rules)
        #expect(problem.unreadable?.hasPrefix("There is no folder of rules at") == true)
    }

    @Test func parametersComeFromTheParamsSheetAndTheCommandLine() throws {
        let scratch = try Scratch()
        var options = scratch.options()
        options.params = ["approval_limit": "$10,000"]
        let outcome = RunJob.run(options)
        #expect(outcome.standardOutput.contains("approval_limit = $10,000 (command line)"))
        let findings = try #require(try scratch.report()["findings"] as? [[String: Any]])
        #expect(!findings.contains { $0["rule"] as? String == "BO-02" }, "6,000 is under a 10,000 limit")
        options.params = ["approval_limt": "1"]
        let misspelt = RunJob.run(options)
        #expect(misspelt.exitCode == 2)
        #expect(misspelt.standardError.contains("there is no parameter named approval_limt. Did you mean approval_limit?"))
    }

    @Test func asOfAndFailOn() throws {
        let scratch = try Scratch()
        var options = scratch.options()
        options.asOf = "2025-06-30"
        options.failOn = .error
        let outcome = RunJob.run(options)
        #expect(outcome.exitCode == 1, "there is an error finding")
        #expect(try scratch.report()["asOf"] as? String == "2025-06-30")
        options.asOf = "June"
        #expect(RunJob.run(options).exitCode == 2)
    }

    @Test func rulesWithMistakesStopTheRunWithTheirMessages() throws {
        let scratch = try Scratch()
        try scratch.write("rules/broken.rules", "rule BO-09 \"x\"\n  pathway management\n  severity error\n  for transactions\n  when ownr is blank\n  flag owner\n  message \"x\"\n")
        let outcome = RunJob.run(scratch.options())
        #expect(outcome.exitCode == 2)
        #expect(outcome.standardError.contains("broken.rules:5:8: error: There is no column or value named `ownr` in rule BO-09."))
        #expect(outcome.standardError.contains("nothing was reviewed"))
        #expect(!FileManager.default.fileExists(atPath: scratch.path("ledger.findings.json")))
    }

    @Test func aWorkbookWithoutARequiredTableStopsTheRun() throws {
        let scratch = try Scratch()
        try scratch.write("other.csv", "Name,Phone\nA,1\n")
        let outcome = RunJob.run(scratch.options("other.csv"))
        #expect(outcome.exitCode == 2)
        #expect(outcome.standardError.contains("The workbook has no Transactions table"))
    }

    @Test func theBundledSampleWorkbookRunsWithTheDefaultRules() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("run-sample-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let outcome = RunJob.run(sampleOptions("struggling-district.xlsx", output: output))
        #expect(outcome.exitCode == 0, "\(outcome.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("struggling-district.findings.json"))) as? [String: Any])
        let findings = try #require(report["findings"] as? [[String: Any]])
        // The planted problems, as the sample's answer key lists them (which SampleAnswerKeyTests checks one by one).
        #expect(findings.count == 37)
        #expect(findings.filter { $0["rule"] as? String == "BO-1" }.count == 4)
        let tables = try #require(report["tables"] as? [[String: Any]])
        #expect(tables.map { $0["sheet"] as? String } == ["Transactions", "Accounts", "Sites", "Owners", "Goals", "Fund Summary"])
        #expect(report["asOf"] as? String == "2025-06-30")
        #expect(outcome.standardOutput.contains("    error AL-3Z Spending by goal: Goal G3"), "a view's finding names the view's sheet, not its name in the rules")
    }

    @Test func aLedgerWithAHeaderButNoRowsFailsInsteadOfLookingClean() throws {
        let scratch = try Scratch()
        try scratch.write("ledger.csv", "Posting Date,Account,Budget Owner,Amount\n")
        let outcome = RunJob.run(scratch.options("ledger.csv"))
        #expect(outcome.exitCode == 2)
        #expect(outcome.standardError.hasPrefix("pathways: ledger.csv: there is nothing in it to review: its tables have no rows.\n"))
        #expect(outcome.standardError.contains("Sheet \"ledger\" has the Transactions table's header but no rows under it, so there was nothing of it to review."))
        #expect(!outcome.standardError.contains("Schools"), "only the empty table is named, not every table the export never had")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("ledger.reviewed.xlsx")), "no review that looks clean is written")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("ledger.findings.json")))
    }

    @Test func aWorkbookWithNoneOfTheTablesFailsAndSaysWhatWasLookedFor() throws {
        let scratch = try Scratch()
        try scratch.write("staff.csv", "Name,Phone,Room\nAda Lovelace,555-0100,12\n")
        var options = scratch.options("staff.csv")
        options.rules = project.appendingPathComponent("rules").path
        let outcome = RunJob.run(options)
        #expect(outcome.exitCode == 2)
        #expect(outcome.standardError.hasPrefix("pathways: staff.csv: there is nothing in it to review: none of its sheets is one of the tables the rules read.\n"))
        #expect(outcome.standardError.contains("The workbook has no Transactions table (looked for a sheet named"))
        #expect(outcome.standardError.hasSuffix("check that this is the export you meant to review (a general ledger, a budget report or a list of schools).\n"))
    }

    @Test func aFindingOnAWorkedOutColumnPointsAtTheCellItWasWorkedOutFrom() throws {
        let scratch = try Scratch()
        try scratch.write("rules/rules.rules", """
            table transactions "Transactions"
              column posted date  "JournalDate"
              column amount money "Amount"
                or debit - credit
              column debit  money "DebitAmount" optional
              column credit money "CreditAmount" optional
            pathway management "Management"
            rule R-1 "Large line"
              pathway management
              severity warning
              for transactions
              when amount > 1000
              flag amount
              message "{amount} is a large line."
            """)
        try scratch.write("gl.csv", "JournalDate,Reference,DebitAmount,CreditAmount\n07/15/2024,R1,1250.00,\n07/16/2024,R2,,200.00\n")
        let outcome = RunJob.run(scratch.options("gl.csv"))
        #expect(outcome.exitCode == 0, "\(outcome.standardError)")
        let findings = try #require(try scratch.report("gl.findings.json")["findings"] as? [[String: Any]])
        #expect(findings.count == 1)
        #expect(findings.first?["message"] as? String == "$1,250.00 is a large line.")
        #expect(findings.first?["cells"] as? [String] == ["gl!C2"], "the DebitAmount cell, which the amount was worked out from")
        #expect(FileManager.default.fileExists(atPath: scratch.path("gl.reviewed.xlsx")))
    }

    @Test func aLedgerOnItsOwnIsNotToldToGrowABudgetColumn() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("run-ledger-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        var options = sampleOptions("dirty-ledger.csv", output: output)
        options.outputFormats = ["json"]
        let outcome = RunJob.run(options)
        #expect(outcome.exitCode == 0, "\(outcome.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("dirty-ledger.findings.json"))) as? [String: Any])
        let notAssessed = try #require(report["notAssessed"] as? [[String: String]])
        let accounts = try #require(notAssessed.first { $0["item"] == "table accounts" }?["reason"])
        #expect(accounts.hasPrefix("The workbook has no Budget by account table (looked for a sheet named"), "\(accounts)")
        // The summary names the cell it could not read, which the first findings would not show,
        // and says on how little of a pathway its level rests.
        #expect(outcome.standardOutput.contains("  Cells that could not be read: 1, 'dirty-ledger'!I1577: \"$72,32O.57\" is not an amount."))
        #expect(outcome.standardOutput.contains("Management established (3 of 9 indicators assessed)"))
    }

    @Test func aBudgetReportWithoutDatesSaysWhatNeedsADate() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("run-munis-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        var options = sampleOptions("munis-budget-export.xlsx", output: output)
        options.outputFormats = ["json"]
        let outcome = RunJob.run(options)
        #expect(outcome.exitCode == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("as of an unknown date (the workbook has no dates; use --as-of)"))
        #expect(outcome.standardOutput.contains("    8 rules and indicators (BO-2, BO-2A, BO-2P, BO-3, BO-4, AL-5, SA-4, TR-2): It could not be assessed: it depends on the date"),
                "one line per reason, not one per rule")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("munis-budget-export.findings.json"))) as? [String: Any])
        #expect(report["asOf"] == nil)
        let notAssessed = try #require(report["notAssessed"] as? [[String: String]])
        #expect(notAssessed.contains { $0["item"] == "rule BO-4" && $0["reason"]?.contains("run it again with --as-of") == true })
        options.asOf = "2025-06-30"
        _ = RunJob.run(options)
        let dated = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("munis-budget-export.findings.json"))) as? [String: Any])
        let findings = try #require(dated["findings"] as? [[String: Any]])
        #expect(findings.contains { $0["rule"] as? String == "BO-4" }, "with a date, open encumbrances at year end are found")
    }
}
