import ArgumentParser
import Foundation
import Pathways
import RulesLanguage
import SpreadsheetIO

@main
struct PathwaysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pathways",
        abstract: "Reviews school-district ledger workbooks against the SMART Pathways rubric.",
        subcommands: [Inspect.self, Check.self, Format.self, Functions.self]
    )
}

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what Pathways sees in a workbook: sheets, header rows, column types, total rows and unreadable cells."
    )

    @Argument(help: "The workbook to look at: an .xlsx file or a .csv file.")
    var file: String

    @Flag(help: "Print the report as JSON instead of text.")
    var json = false

    func run() throws {
        let inspection: Inspection
        do {
            inspection = try Inspection.inspect(path: file)
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
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a folder of rule files and report every mistake, with the line and a way to fix it."
    )

    enum OutputFormat: String, ExpressibleByArgument { case text, json }

    @Argument(help: "The folder of .rules files.")
    var rules = "rules"

    @Option(help: "text for people, json for tools.")
    var format: OutputFormat = .text

    func run() throws {
        let files: [SourceFile]
        do {
            files = try RuleSetFolder.load(rules)
        } catch {
            FileHandle.standardError.write(Data("pathways: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
        let result = RuleChecker.check(files)
        let report = result.report
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report.entries), as: UTF8.self))
        case .text:
            print(report.text, terminator: "")
            print(RuleCheckSummary.sentence(files: files.count, report: report))
        }
        if report.errorCount > 0 { throw ExitCode(1) }
    }
}

struct Format: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fmt",
        abstract: "Lay rule files out the one standard way, without changing what they mean."
    )

    @Flag(help: "Change nothing; list the files that are not laid out the standard way, and fail if there are any.")
    var check = false

    @Argument(help: "Rule files or folders of them (default: rules).")
    var paths: [String] = ["rules"]

    func run() throws {
        var files: [SourceFile] = []
        do {
            for path in paths {
                files += path.hasSuffix(".rules") ? [try RuleSetFolder.file(path)] : try RuleSetFolder.load(path)
            }
        } catch {
            FileHandle.standardError.write(Data("pathways: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
        var unformatted: [String] = []
        var failed = false
        for file in files {
            switch RuleFormatter.format(file) {
            case .failure(let report):
                FileHandle.standardError.write(Data((report.text + "\(file.path) was left as it is: fix the mistakes above first.\n").utf8))
                failed = true
            case .success(let formatted) where formatted != file.text:
                unformatted.append(file.path)
                if !check { try writeAtomically(formatted, to: file.path) }
            default:
                break
            }
        }
        if check {
            for path in unformatted { print("\(path) is not laid out the standard way; run `pathways fmt \(path)`.") }
            if !unformatted.isEmpty || failed { throw ExitCode(1) }
        } else {
            for path in unformatted { print("Formatted \(path)") }
            if failed { throw ExitCode(1) }
        }
    }

    /// Temporary file beside the target, then a rename: a rule file is never left half-written.
    private func writeAtomically(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        try Data(text.utf8).write(to: temporary)
        if rename(temporary.path, url.path) != 0 {
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}

struct Functions: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the functions a formula can use.")

    func run() {
        print(FunctionCatalogue.table, terminator: "")
    }
}
