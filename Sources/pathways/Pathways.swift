import ArgumentParser
import Foundation
import Pathways
import SpreadsheetIO

@main
struct PathwaysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pathways",
        abstract: "Reviews school-district ledger workbooks against the SMART Pathways rubric.",
        subcommands: [Inspect.self]
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
