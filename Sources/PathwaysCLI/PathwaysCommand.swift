import ArgumentParser
import Foundation
import LanguageServer
import Pathways
import Reports
import RulesLanguage
import Samples
import SpreadsheetIO

@main
struct PathwaysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pathways",
        abstract: "Reviews school-district ledger workbooks against the SMART Pathways rubric.",
        subcommands: [Run.self, Inspect.self, Watch.self, Check.self, Test.self, Format.self, Functions.self, Presets.self, Sample.self, LSP.self, Explain.self]
    )
}

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what Pathways sees in a workbook: sheets, header rows, column types, total rows and unreadable cells."
    )

    @Argument(help: "The workbook to look at: an .xlsx or .csv file, or a district's several files, a folder or a .zip, as `run` reads them.")
    var files: [String] = []

    @Flag(help: "Print the report as JSON instead of text.")
    var json = false

    @OptionGroup var rules: RulesFolder

    @Option(help: "The preset whose account layout to show the accounts split by, e.g. --preset texas.")
    var preset: String?

    func validate() throws {
        if files.isEmpty { throw ValidationError("Name the workbook to look at, e.g. pathways inspect budget.xlsx (or several files, a folder or a .zip).") }
    }

    func run() throws {
        let inspection: Inspection
        // The rules, when they can be read, show how each account is split; without them the
        // report still shows how the file itself was read.
        let checked = try? RunJob.loadRules(rules.path).get()
        let bar = TerminalProgress.ifTerminal()
        let started = Date()
        bar?.show(RunJob.Progress(stage: .reading, done: 0, total: nil, seconds: 0))
        do {
            inspection = try Inspection.inspect(paths: files, rules: checked, preset: preset)
            let rows = inspection.sheets.reduce(0) { $0 + $1.dataRowCount }
            bar?.show(RunJob.Progress(stage: .reading, done: rows, total: rows, seconds: Date().timeIntervalSince(started)))
        } catch {
            FileHandle.standardError.write(Data("pathways: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(inspection), as: UTF8.self))
        } else {
            print(inspection.text, terminator: "")
        }
        // A misspelt preset shows the wrong split: the command says so and fails, as `run` does.
        if !inspection.paramProblems.isEmpty {
            FileHandle.standardError.write(Data(inspection.paramProblems.map { "pathways: \($0)\n" }.joined().utf8))
            throw ExitCode(2)
        }
    }
}

/// `--rules DIR`: every command that reads the rules is given their folder the same way.
struct RulesFolder: ParsableArguments {
    @Option(name: .customLong("rules"), help: ArgumentHelp("The folder of .rules files.", valueName: "dir"))
    var path = RuleSetFolder.defaultPath
}

/// Prints what a command produced and ends with its exit status.
func finish(_ outcome: CommandOutcome) throws {
    print(outcome.standardOutput, terminator: "")
    if !outcome.standardError.isEmpty { FileHandle.standardError.write(Data(outcome.standardError.utf8)) }
    if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a folder of rule files and report every mistake, with the line and a way to fix it."
    )

    @OptionGroup var rules: RulesFolder

    @Option(help: "text for people, json for tools.")
    var format: RuleCommands.ReportFormat = .text

    func run() throws {
        try finish(RuleCommands.check(folder: rules.path, format: format))
    }
}

extension RuleCommands.ReportFormat: ExpressibleByArgument {}

struct Test: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the examples (`test` blocks) in the rule files and say which do not give what they expect."
    )

    @OptionGroup var rules: RulesFolder

    func run() throws {
        try finish(RuleCommands.test(folder: rules.path))
    }
}

struct Format: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fmt",
        abstract: "Lay rule files out the one standard way, without changing what they mean."
    )

    @Flag(help: "Change nothing; list the files that are not laid out the standard way, and fail if there are any.")
    var check = false

    @OptionGroup var rules: RulesFolder

    @Argument(help: "Rule files to lay out, instead of every file in the rules folder.")
    var files: [String] = []

    func run() throws {
        try finish(RuleCommands.format(paths: files.isEmpty ? [rules.path] : files, checkOnly: check))
    }
}

struct Functions: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the functions a formula can use.")

    func run() throws {
        try finish(RuleCommands.functions())
    }
}

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show one rule worked out on one row of a workbook, value by value, as you would check it by hand.",
        discussion: "For example: pathways explain BO-1 164 workbooks/samples/struggling-district.xlsx (row 164 as the sheet numbers it; a grouped rule shows the group the row is in)."
    )

    @Argument(help: "The rule's id, e.g. BO-1.")
    var rule: String

    @Argument(help: "The row, as the sheet numbers it.")
    var row: Int

    @Argument(help: "The workbook (or several files, a folder or a .zip, as for run).")
    var inputs: [String]

    @OptionGroup var rules: RulesFolder

    @Option(help: "The date the review is as of, e.g. 2025-06-30 (default: the ledger's latest date).")
    var asOf: String?

    @Option(help: "The code meanings of a state's chart of accounts, e.g. texas.")
    var preset: String?

    @Option(name: .customLong("param"), help: "Set a parameter, e.g. --param approval_limit=10000 (repeatable).")
    var params: [String] = []

    func run() throws {
        var options = RunJob.Options(inputs: inputs)
        options.rules = rules.path
        options.asOf = asOf
        options.preset = preset
        options.params = parameterSettings(params)
        try finish(RunJob.explain(options, rule: rule, row: row))
    }
}

struct LSP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lsp",
        abstract: "Serve an editor (VS Code, or any editor that speaks the Language Server Protocol) over standard input and output: rule files are checked as you type, with completion, hover, go to definition, quick fixes and formatting."
    )

    @Option(help: "The folder of rule files (default: the editor's workspace, or its rules/ folder).")
    var rules: String?

    @Option(help: "A review's findings file (*.findings.json): hover shows where each column was found in it, each param's value and each indicator's value.")
    var review: String?

    func run() throws {
        // An editor that closes its end is gone: the server ends at its next read, not by a signal.
        signal(SIGPIPE, SIG_IGN)
        let status = LanguageServer(rules: rules, review: review).run()
        if status != 0 { throw ExitCode(status) }
    }
}

struct Presets: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the presets of the rules: the code meanings of each state's chart of accounts.")

    @OptionGroup var rules: RulesFolder

    func run() throws {
        try finish(RuleCommands.presets(folder: rules.path))
    }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Review a workbook: check the rules, evaluate them, print a summary, and write the reviewed workbook and the findings.",
        discussion: "Several files, a folder or a .zip are reviewed as one district: each table is found in whichever file holds it. A folder's review is written in it, named after it; several files' in the first one's folder, named after that folder."
    )

    enum Output: String, ExpressibleByArgument { case text, json }
    enum FailOn: String, ExpressibleByArgument {
        case error, warning
        var severity: Severity { self == .error ? .error : .warning }
    }

    @Argument(help: ArgumentHelp("The workbook to review (.xlsx or .csv), or a district's several files, a folder of them, or a .zip of them.",
                                 valueName: "workbook"))
    var inputs: [String] = []

    @OptionGroup var rules: RulesFolder

    @Option(help: "The folder for <input name>.reviewed.xlsx and <input name>.findings.json (default: beside the input; a folder's own).")
    var out: String?

    @Option(name: .customLong("param"), help: "Set a parameter for this run, e.g. --param approval_limit=10000 (repeatable).")
    var params: [String] = []

    @Option(name: .customLong("as-of"), help: "The date the review is as of, e.g. 2025-06-30 (default: the latest posting date).")
    var asOf: String?

    @Option(help: "The code meanings of a state's chart of accounts, e.g. --preset texas (see `pathways presets`).")
    var preset: String?

    @Option(help: "text prints a summary; json prints the findings file.")
    var format: Output = .text

    @Option(name: .customLong("fail-on"), help: "Exit 1 when there are findings of this severity or worse: error or warning.")
    var failOn: FailOn?

    @Option(name: .customLong("output-format"), help: "What to write: xlsx (the reviewed workbook), json (the findings), or xlsx,json.")
    var outputFormat = "xlsx,json"

    @Option(name: .customLong("comment-limit"), help: "Most cell comments in the reviewed workbook; past it, cells are still coloured and listed.")
    var commentLimit = ReviewedWorkbook.defaultCommentLimit

    @Option(help: "A run history (an SQLite file, made if missing): the review is recorded in it, and the reviewer's statuses and notes, and what changed, are carried from the district's last review in it.")
    var history: String?

    @Option(help: "The district's name in the run history (default: the input's name without a date at its end).")
    var district: String?

    @Flag(help: "Also write a small workbook for each budget owner (their scorecard, findings and budget lines) into owners/ beside the review.")
    var packets = false

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("Name the workbook to review, e.g. pathways run budget.xlsx (or several files, a folder or a .zip).") }
        let formats = outputFormat.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if formats.isEmpty || formats.contains(where: { $0 != "xlsx" && $0 != "json" }) {
            throw ValidationError("--output-format takes xlsx, json, or xlsx,json.")
        }
        for param in params where !param.contains("=") {
            throw ValidationError("--param \(param) needs a value: --param name=value.")
        }
    }

    func run() throws {
        var options = RunJob.Options(inputs: inputs)
        options.rules = rules.path
        options.output = out
        options.asOf = asOf
        options.preset = preset
        options.json = format == .json
        options.failOn = failOn?.severity
        options.commentLimit = commentLimit
        options.history = history
        options.district = district
        options.packets = packets
        if let bar = TerminalProgress.ifTerminal() { options.progress = { bar.show($0) } }
        options.outputFormats = Set(outputFormat.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        options.params = parameterSettings(params)
        try finish(RunJob.run(options))
    }
}

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the sample district workbooks, each with an answer key of what the default rules must find in it."
    )

    @Option(help: "The folder to write them to: workbooks/samples, or workbooks/layouts for --layout.")
    var out: String?

    @Option(help: "The seed: the same seed always gives the same workbooks.")
    var seed: UInt64 = SampleWriter.defaultSeed

    @Option(help: ArgumentHelp("Write the struggling district as a finance system exports it instead, in a folder of its own: \(ExportLayout.allCases.map(\.rawValue).joined(separator: ", ")), or all.",
                               valueName: "layout"))
    var layout: String?

    @Flag(name: .customLong("month-ends"), help: "Write the struggling district at four month-ends of its year instead, with a key of what each review must find and what is new and resolved since the last.")
    var monthEnds = false

    func validate() throws {
        guard let layout, layout != "all", ExportLayout(rawValue: layout) == nil else { return }
        let names = ExportLayout.allCases.map(\.rawValue)
        throw ValidationError("There is no layout named \(layout)."
                              + (Suggest.closest(layout, among: names).map { " Did you mean \($0)?" } ?? "")
                              + " The layouts are:\n" + ExportLayout.allCases.map { "  \($0.rawValue): \($0.title)" }.joined(separator: "\n"))
    }

    func run() throws {
        do {
            if monthEnds {
                for path in try SampleWriter.writeMonthEnds(to: out ?? "workbooks/month-ends", seed: seed) { print("Written: \(path)") }
                return
            }
            guard let layout else {
                for path in try SampleWriter.writeAll(to: out ?? "workbooks/samples", seed: seed) { print("Written: \(path)") }
                return
            }
            let layouts = layout == "all" ? ExportLayout.allCases : ExportLayout(rawValue: layout).map { [$0] } ?? []
            for layout in layouts {
                print("\(layout.rawValue): \(layout.title)")
                for path in try SampleWriter.writeLayout(layout, to: out ?? "workbooks/layouts", seed: seed) {
                    print("  Written: \(path)")
                }
            }
        } catch {
            FileHandle.standardError.write(Data("pathways: the samples could not be written: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}

struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Watch a drop folder: review each workbook copied into its inbox, put the reviewed workbook in its outbox, and keep the original in archive (or in failed, with a note saying why).",
        discussion: "The folder holds inbox, outbox, archive, failed and processing, made if missing. A folder or a .zip dropped into the inbox is one district's files, reviewed together. The rules are read again when they change. SIGINT or SIGTERM stops taking new files, finishes the reviews in progress, and exits 0."
    )

    @Argument(help: "The drop folder.")
    var folder: String

    @OptionGroup var rules: RulesFolder

    @Option(help: "How many workbooks to review at once; by default one per core of this machine.")
    var workers = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Seconds between looks at the inbox.")
    var poll = 2.0

    @Option(help: "The code meanings of a state's chart of accounts for every review, e.g. --preset texas (a workbook's Params sheet can still choose its own).")
    var preset: String?

    @Option(name: .customLong("param"), help: "Set a parameter for every review, e.g. --param approval_limit=10000 (repeatable).")
    var params: [String] = []

    @Option(help: "The run history every review is recorded in and carries the reviewer's marks from (default: history.sqlite in the drop folder).")
    var history: String?

    @Option(help: "Seconds a folder dropped into the inbox must stay unchanged before it is taken.")
    var settle = 10.0

    @Flag(help: "Also write each budget owner's packet (scorecard, findings, budget lines) into outbox/owners/, a folder a review.")
    var packets = false

    @Flag(help: "Review what is in the inbox now, then stop (for cron).")
    var once = false

    @Option(help: "text: one sentence per event; json: one JSON object per event, for log collectors.")
    var logFormat: WatchLog.Format = .text

    func validate() throws {
        guard workers >= 1 else { throw ValidationError("--workers must be 1 or more.") }
        guard poll > 0 else { throw ValidationError("--poll must be more than 0 seconds.") }
        guard settle >= 0 else { throw ValidationError("--settle must be 0 seconds or more.") }
    }

    func run() throws {
        StopRequest.stopOnTerminationSignals()
        var options = DropFolder.Options(folder: folder)
        options.rules = rules.path
        options.workers = workers
        options.poll = poll
        options.settle = settle
        options.once = once
        options.packets = packets
        options.preset = preset
        if let history { options.history = history }
        options.params = parameterSettings(params)
        // A misspelt preset or param would send every workbook to failed/: say so now instead.
        if case .success(let checked) = RunJob.loadRules(rules.path) {
            let problems = options.paramProblems(with: checked)
            if !problems.isEmpty {
                FileHandle.standardError.write(Data(problems.map { "pathways: \($0)\n" }.joined().utf8))
                throw ExitCode(2)
            }
        }
        let watcher: DropFolder
        do {
            watcher = try DropFolder(options: options, log: WatchLog(format: logFormat))
        } catch {
            FileHandle.standardError.write(Data("pathways: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
        let status = watcher.run(until: StopRequest())
        if status != 0 { throw ExitCode(status) }
    }
}

extension WatchLog.Format: ExpressibleByArgument {}

/// `--param name=value` options as settings by name (a name without `=` is set to nothing).
func parameterSettings(_ params: [String]) -> [String: String] {
    var settings: [String: String] = [:]
    for param in params {
        let parts = param.split(separator: "=", maxSplits: 1)
        settings[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
    }
    return settings
}
