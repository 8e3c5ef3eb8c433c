import Foundation
import SpreadsheetIO
import Tabular

/// What a finance officer finds beside a workbook that could not be reviewed: the same words as a
/// one-sheet workbook (`<name>.error.xlsx`) and as text (`<name>.error.txt`).
struct ErrorReport {
    let file: String
    /// Why, a sentence a line.
    let reasons: [String]
    /// The rules had mistakes: nothing is wrong with the workbook itself.
    let rulesHaveMistakes: Bool
    /// A folder of a district's files was dropped, not a file.
    let isFolder: Bool

    init(file: String, failure: JobFailure, isFolder: Bool = false) {
        self.file = file
        self.isFolder = isFolder
        rulesHaveMistakes = failure.cause == .rules
        reasons = failure.reasons.map(\.sentence)
    }

    /// The first reason, for the log.
    var reason: String { reasons.first ?? "It could not be reviewed." }

    /// The note, for a workbook kept in failed/ as `keptAs`.
    func lines(on date: Date, keptAs: String) -> [String] {
        let day = ISO8601DateFormatter.string(from: date, timeZone: .current, formatOptions: [.withFullDate])
        let advice = rulesHaveMistakes
            ? ["What to do: nothing, as far as the workbook goes. Copy it into the inbox again once whoever looks after the rules has fixed them (failed/rules-error.txt says what is wrong with them)."]
            : ["What to do: fix what is described above in the \(isFolder ? "folder's files" : "workbook") (or export \(isFolder ? "them" : "it") again from the finance system), then copy \(isFolder ? "the folder" : "it") into the inbox folder again."]
        return ["\(file) could not be reviewed (\(day))."] + [""] + ["What went wrong:"] + reasons.map { "  " + $0 } + [""] + advice
            + ["The \(isFolder ? "folder" : "file") you dropped is kept, unchanged, as failed/\(keptAs)."]
    }

    /// Writes both files into `folder` as `<stem>.error.xlsx` and `.txt`, each through a temporary
    /// file in `staging` and a rename.
    func write(to folder: URL, stem: String, keptAs: String, staging: URL) throws {
        let now = Date()
        let text = lines(on: now, keptAs: keptAs)
        let textStage = staging.appendingPathComponent(stem + ".error.txt")
        try Data((text.joined(separator: "\n") + "\n").utf8).write(to: textStage)
        let workbookStage = staging.appendingPathComponent(stem + ".error.xlsx")
        let today = Calendar(identifier: .gregorian).dateComponents(in: .current, from: now)
        try XLSXWriter.write([XLSXWriter.Sheet(name: "What went wrong", rows: text.map { [.text($0)] }, boldRows: [0], columnWidths: [72], wrapsText: true)],
                             to: workbookStage.path,
                             created: CalendarDate(year: today.year ?? 2000, month: today.month ?? 1, day: today.day ?? 1) ?? CalendarDate(daysSince1970: 1))
        try AtomicFile.moveIntoPlace(workbookStage, as: folder.appendingPathComponent(stem + ".error.xlsx"))
        try AtomicFile.moveIntoPlace(textStage, as: folder.appendingPathComponent(stem + ".error.txt"))
    }
}
