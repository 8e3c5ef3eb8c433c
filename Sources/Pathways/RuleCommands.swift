import Foundation
import RulesEngine
import RulesLanguage
import SpreadsheetIO

/// What a command prints and how it ends, so the commands are tested without spawning them.
public struct CommandOutcome: Sendable, Equatable {
    public var standardOutput = ""
    public var standardError = ""
    /// 0 success, 1 mistakes found, 2 the command could not run.
    public var exitCode: Int32 = 0
}

/// `pathways check`, `pathways test`, `pathways fmt` and `pathways functions`.
public enum RuleCommands {
    public enum ReportFormat: String, Sendable { case text, json }

    public static func check(folder: String, format: ReportFormat) -> CommandOutcome {
        let files: [SourceFile]
        do {
            files = try RuleSetFolder.load(folder)
        } catch {
            return CommandOutcome(standardError: "pathways: \(error.description)\n", exitCode: 2)
        }
        let report = RuleChecker.check(files).report
        var outcome = CommandOutcome(exitCode: report.errorCount > 0 ? 1 : 0)
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            outcome.standardOutput = String(decoding: (try? encoder.encode(report.entries)) ?? Data("[]".utf8), as: UTF8.self) + "\n"
        case .text:
            outcome.standardOutput = report.text + RuleCheckSummary.sentence(files: files.count, report: report) + "\n"
        }
        return outcome
    }

    /// Runs the rule set's `test` blocks and says which failed and why; exit 1 when any failed.
    public static func test(folder: String) -> CommandOutcome {
        let files: [SourceFile]
        do {
            files = try RuleSetFolder.load(folder)
        } catch {
            return CommandOutcome(standardError: "pathways: \(error.description)\n", exitCode: 2)
        }
        let check = RuleChecker.check(files)
        guard let rules = check.ruleSet else {
            return CommandOutcome(standardOutput: check.report.text + "The tests were not run: fix the mistakes above first.\n", exitCode: 1)
        }
        var outcome = CommandOutcome()
        let results = RuleTestRunner.run(rules)
        for result in results where !result.passed {
            outcome.standardOutput += "\(result.place): test \"\(result.name)\" failed\n" + result.failures.map { "  \($0)\n" }.joined()
        }
        let failed = results.filter { !$0.passed }.count
        outcome.standardOutput += "\(results.count) test\(results.count == 1 ? "" : "s"): \(results.count - failed) passed, \(failed) failed.\n"
        let untested = RuleTestRunner.untested(rules)
        if !untested.isEmpty {
            outcome.standardOutput += "No test expects anything of \(untested.joined(separator: ", ")); add a `test` beside each to show it works.\n"
        }
        outcome.exitCode = failed > 0 ? 1 : 0
        return outcome
    }

    /// Formats rule files in place (or, with `checkOnly`, lists those that need it).
    public static func format(paths: [String], checkOnly: Bool) -> CommandOutcome {
        var files: [SourceFile] = []
        do {
            for path in paths {
                files += path.hasSuffix(".rules") ? [try RuleSetFolder.file(path)] : try RuleSetFolder.load(path)
            }
        } catch {
            return CommandOutcome(standardError: "pathways: \(error.description)\n", exitCode: 2)
        }
        var outcome = CommandOutcome()
        for file in files {
            switch RuleFormatter.format(file) {
            case .failure(let report):
                outcome.standardError += report.text + "\(file.path) was left as it is: fix the mistakes above first.\n"
                outcome.exitCode = 1
            case .success(let formatted) where formatted != file.text:
                if checkOnly {
                    outcome.standardOutput += "\(file.path) is not laid out the standard way; run `pathways fmt \(file.path)`.\n"
                    outcome.exitCode = 1
                } else {
                    do {
                        try AtomicFile.write(Data(formatted.utf8), to: URL(fileURLWithPath: file.path))
                        outcome.standardOutput += "Formatted \(file.path)\n"
                    } catch {
                        outcome.standardError += "pathways: \(file.path) could not be written: \(error.localizedDescription)\n"
                        outcome.exitCode = 2
                    }
                }
            default:
                break
            }
        }
        if outcome.exitCode == 0 && outcome.standardOutput.isEmpty {
            outcome.standardOutput = files.count == 1 ? "\(files[0].path) is already laid out the standard way.\n"
                : "All \(files.count) rule files are already laid out the standard way.\n"
        }
        return outcome
    }

    /// The presets of a rule folder, each with what it sets, for `pathways presets`.
    public static func presets(folder: String) -> CommandOutcome {
        let rules: CheckedRuleSet
        switch RunJob.loadRules(folder) {
        case .success(let checked): rules = checked
        case .failure(let problem):
            return CommandOutcome(standardError: problem.unreadable.map { "pathways: \($0)\n" } ?? problem.report, exitCode: 2)
        }
        guard !rules.presets.isEmpty else {
            return CommandOutcome(standardOutput: "The rules in \(folder) declare no presets; every run uses the parameters' own values.\n")
        }
        var text = "Presets in \(folder) (choose one with --preset NAME, or a row `preset | NAME` in the workbook's Params sheet):\n"
        for preset in rules.presets {
            text += "\n\(preset.name.text)" + (preset.title.map { ": \($0)" } ?? "") + "\n"
            if let about = preset.about { text += "  \(about)\n" }
            for setting in preset.settings { text += "  \(setting.name.text) = \(RuleFormatter.text(setting.value))\n" }
            if let source = preset.source { text += "  Source: \(source)\n" }
        }
        return CommandOutcome(standardOutput: text)
    }

    public static func functions() -> CommandOutcome {
        CommandOutcome(standardOutput: FunctionCatalogue.table + OperatorCatalogue.table)
    }
}
