import Foundation
import SpreadsheetIO
import Tabular

/// What a finance officer finds beside a workbook that could not be reviewed: the same words as a
/// one-sheet workbook (`<name>.error.xlsx`) and as text (`<name>.error.txt`).
enum ErrorReport {
    /// The report's lines: what happened, why, and what to do.
    static func lines(file: String, problem: String, on date: Date) -> [String] {
        let day = ISO8601DateFormatter.string(from: date, timeZone: .current, formatOptions: [.withFullDate])
        // The reviewer's words without the command-line prefix Pathways puts before each line.
        let reasons = problem.split(separator: "\n").map { $0.hasPrefix("pathways: ") ? String($0.dropFirst(10)) : String($0) }
            .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        return ["\(file) could not be reviewed (\(day))."] + [""] + ["What went wrong:"] + reasons.map { "  " + $0 } + [""]
            + ["What to do: fix what is described above in the workbook (or export it again from the finance system),",
               "then copy it into the inbox folder again. The file you dropped is kept, unchanged, in this failed folder."]
    }

    /// Writes both files into `folder`, each through a temporary file in `staging` and a rename.
    static func write(file: String, problem: String, to folder: URL, staging: URL) throws {
        let stem = (file as NSString).deletingPathExtension
        let text = lines(file: file, problem: problem, on: Date())
        let textStage = staging.appendingPathComponent(stem + ".error.txt")
        try Data((text.joined(separator: "\n") + "\n").utf8).write(to: textStage)
        let workbookStage = staging.appendingPathComponent(stem + ".error.xlsx")
        let today = Calendar(identifier: .gregorian).dateComponents(in: .current, from: Date())
        try XLSXWriter.write([XLSXWriter.Sheet(name: "What went wrong", rows: text.map { [.text($0)] }, boldRows: [0], columnWidths: [120])],
                             to: workbookStage.path,
                             created: CalendarDate(year: today.year ?? 2000, month: today.month ?? 1, day: today.day ?? 1) ?? CalendarDate(daysSince1970: 1))
        try AtomicFile.moveIntoPlace(workbookStage, as: folder.appendingPathComponent(stem + ".error.xlsx"))
        try AtomicFile.moveIntoPlace(textStage, as: folder.appendingPathComponent(stem + ".error.txt"))
    }
}
