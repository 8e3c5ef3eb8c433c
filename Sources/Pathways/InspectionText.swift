import SpreadsheetIO
import Tabular

extension Inspection {
    /// A plain-text report for the terminal, laid out for a finance officer rather than a parser.
    public var text: String {
        var lines: [String] = []
        switch format {
        case _ where !files.isEmpty:
            lines.append("\(file): \(count(files.count, "file")) (\(files.joined(separator: ", "))), \(count(sheets.count, "sheet")) in all")
        case .xlsx:
            lines.append("\(file): Excel workbook, \(count(sheets.count, "sheet"))")
        case .csv:
            lines.append("\(file): CSV text file, \(encoding ?? "UTF-8"), separated by \(delimiterName)")
        }
        lines += remarks.map { "  Note: \($0)" }
        for sheet in sheets {
            lines.append("")
            lines += sheetLines(sheet)
        }
        if !accountSplits.isEmpty {
            lines.append("")
            lines.append("How the rules read its accounts:")
            lines += paramProblems.map { "  Not as asked: \($0) The split below uses the rules' own layout." }
            for split in accountSplits { lines += split.lines }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private var delimiterName: String {
        switch delimiter {
        case ",": "commas"
        case ";": "semicolons"
        case "tab": "tabs"
        case "|": "vertical bars"
        default: delimiter ?? "commas"
        }
    }

    private func sheetLines(_ sheet: SheetReport) -> [String] {
        var title = "Sheet \"\(sheet.name)\"" + (sheet.file.map { " of \($0)" } ?? "")
        if sheet.visibility != "visible" { title += " (\(sheet.visibility == "hidden" ? "hidden" : "very hidden"))" }
        guard sheet.kind == "worksheet" else { return [title + ": a \(sheet.kind), no cells to read"] }
        guard let headerRow = sheet.headerRow else { return [title + ": empty"] }
        var lines = [title + ": header on row \(headerRow), \(count(sheet.dataRowCount, "data row"))"]
        let table = [["Column", "Header", "Type", "Blank", "Examples"]] + sheet.columns.map { column in
            [column.column, column.name, column.type.rawValue, formatCount(column.blankCount), column.examples.joined(separator: ", ")]
        }
        let widths = (0 ..< 4).map { index in table.map { $0[index].count }.max() ?? 0 }
        for row in table {
            let padded = (0 ..< 4).map { index in
                index == 3 ? String(repeating: " ", count: widths[index] - row[index].count) + row[index]
                           : row[index] + String(repeating: " ", count: widths[index] - row[index].count)
            }
            lines.append("  " + (padded + [truncate(row[4], to: 60)]).joined(separator: "  "))
        }
        // Totals and footers are listed with their labels, a reason each.
        for (reason, noun, why) in [(SheetLayout.SkippedRow.Reason.total, "total row", "which are sums of the data, not data"),
                                    (.footer, "footer line", "which the report adds to its data")] {
            let rows = sheet.skippedRows.filter { $0.reason == reason }
            guard !rows.isEmpty else { continue }
            lines.append("  Left out \(count(rows.count, noun)), \(why):")
            lines += rows.prefix(10).map { "    row \(formatCount($0.row)): \"\($0.label)\"" }
            if rows.count > 10 { lines.append("    … and \(rows.count - 10) more") }
        }
        let repeats = sheet.skippedRows.filter { $0.reason == .repeatedHeader }
        if !repeats.isEmpty {
            lines.append("  Left out \(count(repeats.count, "repeated header row")): rows " + repeats.prefix(10).map { formatCount($0.row) }.joined(separator: ", "))
        }
        let misaligned = sheet.skippedRows.filter { $0.reason == .tooManyFields }
        if !misaligned.isEmpty {
            lines.append("  Left out \(count(misaligned.count, "line")) with more fields than the header (see the data errors below): rows " + misaligned.prefix(10).map { formatCount($0.row) }.joined(separator: ", ") + (misaligned.count > 10 ? ", …" : ""))
        }
        if sheet.blankRowCount > 0 { lines.append("  Left out \(count(sheet.blankRowCount, "empty row")).") }
        if sheet.dataErrorCount == 0 {
            lines.append("  No data errors.")
        } else {
            lines.append("  \(count(sheet.dataErrorCount, "cell")) could not be read:")
            lines += sheet.dataErrors.prefix(20).map { "    \($0)" }
            let unshown = sheet.dataErrorCount - min(20, sheet.dataErrors.count)
            if unshown > 0 { lines.append("    … and \(formatCount(unshown)) more (use --json to see up to \(DataErrorLog.defaultCap)).") }
        }
        return lines
    }

    private func truncate(_ text: String, to length: Int) -> String {
        text.count <= length ? text : String(text.prefix(length - 1)) + "…"
    }
}

/// `1 sheet`, `12,345 data rows`, `3 statuses and notes`.
func count(_ number: Int, _ noun: String, plural: String? = nil) -> String {
    "\(formatCount(number)) " + (number == 1 ? noun : plural ?? noun + "s")
}
