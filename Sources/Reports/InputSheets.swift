import CXlsxWriter
import RulesEngine
import RulesLanguage
import SpreadsheetIO
import Tabular

/// Every sheet of the input, cell for cell, with its flagged cells filled and commented.
extension Writer {
    /// The flagged cells of each input sheet, by sheet name, then (row, column) as the sheet numbers
    /// them (rows from 1, columns from 0), read back from the findings' cell addresses.
    func flaggedCells() -> [String: [CellKey: [Int]]] {
        var flags: [String: [CellKey: [Int]]] = [:]
        for (index, finding) in contents.findings.enumerated() {
            for address in finding.cells {
                guard let cell = CellOrigin(file: "", qualifiedAddress: address) else { continue }
                flags[cell.sheet, default: [:]][CellKey(row: cell.row, column: cell.column), default: []].append(index)
            }
        }
        return flags
    }


    /// An input sheet, cell for cell: bound tables' data rows with their typed values and formats,
    /// everything else as read; flagged cells filled and commented, and a Findings column.
    mutating func copy(_ sheet: RawSheet, flags: [CellKey: [Int]]) {
        guard var worksheet = workbook_add_worksheet(workbook, sheetNames[sheet.name] ?? sheet.name) else { return }
        var cells = ownRows(of: worksheet)
        // A sheet the district hid stays hidden in the copy (Unhide in Excel shows it).
        if sheet.visibility != .visible { worksheet_hide(worksheet) }
        var pageStart = 0
        let input = contents.workbook.input(of: sheet)
        let bound = contents.binding.tables.values.first { $0.sheet == sheet.name && $0.table.file == input.file }
        var width = 0
        for row in 0 ..< sheet.rowCount { width = max(width, min(sheet.width(ofRow: row), Writer.maxColumns)) }
        // The Findings column goes after the data, unless the data fills every column Excel has.
        let findingsColumn = width < Writer.maxColumns ? width : nil
        var typedRow: [Int: Int] = [:]  // sheet row (1-based) → table row
        // Typed columns by sheet column, so a cell finds its column without a hash.
        var typedByColumn = [Column?](repeating: nil, count: width + 1)
        if let bound {
            for (index, row) in bound.table.sourceRows.enumerated() { typedRow[Int(row)] = index }
            // A yes/no stays as the district wrote it (Y, Yes, TRUE): only its meaning was read.
            // A worked-out column (amount = debit - credit) has no cells of its own to write, nor
            // has a segment cut from the account.
            for declared in bound.declaration.columns where declared.type != .yesNo && !bound.workedOut.contains(declared.name.text.lowercased())
                && !bound.isCutSegment(declared.name.text) {
                if let column = bound.column(declared.name.text), column.sourceColumn <= width { typedByColumn[column.sourceColumn] = column }
            }
        }
        // Flags by row, in column order, so cells are written in order and the output is the same every time.
        var flagsByRow: [Int: [(column: Int, findings: [Int])]] = [:]
        for (key, findings) in flags { flagsByRow[key.row, default: []].append((key.column, findings)) }
        var rulesOfRow: [Int: [String]] = [:]
        for (row, cells) in flagsByRow {
            let ordered = cells.sorted { $0.column < $1.column }
            flagsByRow[row] = ordered
            for index in ordered.flatMap(\.findings).sorted() where !(rulesOfRow[row]?.contains(contents.findings[index].rule) ?? false) {
                rulesOfRow[row, default: []].append(contents.findings[index].rule)
            }
        }
        // Rows are written strictly in order, each whole before the next, as WorksheetCells takes them.
        let header = bound.map { $0.headerRow - 1 }
        var columnWidths: [Int: Double] = [:]
        if let header {
            // Wide enough for the header and the first few hundred values, within reason.
            let sample = header ..< min(sheet.rowCount, header + 300)
            for column in 0 ..< sheet.width(ofRow: header) {
                let widest = sample.reduce(0) { widest, row in
                    row == header ? widest : max(widest, sheet.displayText(row: row, column: column).count)
                }
                let headerWidth = sheet.displayText(row: header, column: column).split(separator: "\n").map(\.count).max() ?? 0
                columnWidths[column] = Double(min(45, max(10, headerWidth + 3, widest + 2)))
                setColumn(worksheet, column, column, columnWidths[column]!)
            }
            if let findingsColumn {
                columnWidths[findingsColumn] = 16
                setColumn(worksheet, findingsColumn, findingsColumn, 16)
            }
        }
        let first = worksheet
        for row in 0 ..< sheet.rowCount {
            if row - pageStart >= maxRows, let next = workbook_add_worksheet(workbook, Writer.pageName(sheetNames[sheet.name] ?? sheet.name, page: row / maxRows)) {
                // Past Excel's last row the sheet goes on in the next one, with the same widths.
                worksheet = next
                cells = ownRows(of: next)
                pageStart = row
                for column in 0 ... (findingsColumn ?? width - 1) { setColumn(worksheet, column, column, columnWidths[column] ?? 12) }
            }
            rowsCopied += 1
            if rowsCopied % 10_000 == 0, let progress { progress(rowsCopied, rowsToCopy) }
            let sheetRow = row + 1
            let at = row - pageStart
            let tableRow = typedRow[sheetRow]
            let rowFlags = flagsByRow[sheetRow]
            cells.startRow(at)
            for column in 0 ..< min(sheet.width(ofRow: row), Writer.maxColumns) {
                let cellFindings = rowFlags?.first { $0.column == column }?.findings
                let severity = cellFindings.map { worst($0) }
                // Style numbers are each file's own: style 3 of a district's second workbook is not
                // its first workbook's style 3.
                let look = sheet.look(row: row, column: column).map { (style: $0.style | sheet.input << 24, look: $0.look) }
                if row == header {
                    cells.text(column, sheet.displayText(row: row, column: column), style: styleIndex(of: format("header", fill: severity.map(Fill.severity))))
                } else if let tableRow, let typed = typedByColumn[column], typed[tableRow] != .blank {
                    // A number read from text (an amount typed as text) has no number format of the district's to keep.
                    let isNumeric: Bool
                    switch typed[tableRow] {
                    case .money, .number, .percent, .date: isNumeric = true
                    default: isNumeric = false
                    }
                    let keepsLook: Bool
                    if case .number = sheet.cell(row: row, column: column) { keepsLook = true } else { keepsLook = !isNumeric }
                    write(typed[tableRow], column: column, in: cells, severity: severity, look: keepsLook ? look : nil)
                } else {
                    write(sheet.cell(row: row, column: column), of: sheet, column: column, in: cells, severity: severity, look: look)
                }
                if let findings = cellFindings, commentsWritten < commentLimit {
                    comment(findings, at: (at, column), in: worksheet)
                }
            }
            // A flagged cell past the row's end (a blank cell that should not be) still gets its fill.
            // (A table's columns are all within the sheet's width, so none is past the Findings column.)
            for (column, findings) in rowFlags ?? [] where column >= sheet.width(ofRow: row) && column < (findingsColumn ?? Writer.maxColumns) {
                cells.blank(column, style: styleIndex(of: format("", fill: .severity(worst(findings)))))
                if commentsWritten < commentLimit { comment(findings, at: (at, column), in: worksheet) }
            }
            // The last column lists each row's rules, so a reviewer can filter to the flagged rows.
            if let findingsColumn, row == header {
                cells.text(findingsColumn, "Findings", style: styleIndex(of: format("header")))
            } else if let findingsColumn, bound != nil, let rules = rulesOfRow[sheetRow] {
                cells.text(findingsColumn, rules.joined(separator: ", "), style: 0)
            }
        }
        guard let header else { return }
        worksheet_freeze_panes(first, lxw_row_t(header + 1), 0)
        // Printed, every page starts with the header, as it stays in view on screen.
        worksheet_repeat_rows(first, lxw_row_t(header), lxw_row_t(header))
        worksheet_autofilter(first, lxw_row_t(header), 0, lxw_row_t(max(header, min(sheet.rowCount, maxRows) - 1)), lxw_col_t(findingsColumn ?? width - 1))
    }

    /// A cell as read: text stays text (never a formula), numbers keep a format that fits them.
    private mutating func write(_ cell: RawCell, of sheet: RawSheet, column: Int, in cells: WorksheetCells, severity: Severity?,
                                look: (style: Int, look: CellLook)?) {
        // The district's number format and bold where the cell had them (a subtotal row, its money format).
        func style(_ base: String?) -> Int32 {
            if let look { return styleIndex(of: districtFormat(look, severity: severity)) }
            return styleIndex(of: cellFormat(base, severity))
        }
        switch cell {
        case .blank:
            if severity != nil { cells.blank(column, style: style(nil)) }
        case .text(let ref), .isoDateText(let ref):
            cells.text(column, sheet.text(ref), style: style(nil))
        case .bool(let flag):
            cells.boolean(column, flag, style: style(nil))
        case .error(let error):
            cells.text(column, error.text, style: style(nil))
        case .number(let value, let numberFormat):
            let uses1904 = contents.workbook.input(of: sheet).notes.uses1904Dates
            switch numberFormat.category {
            case .date, .dateTime, .time, .duration:
                // Serials are rewritten in the 1900 system the reviewed workbook uses.
                let days = uses1904 ? value + 1462 : value
                let base = numberFormat.category == .date ? "date" : numberFormat.category == .dateTime ? "datetime" : "time"
                cells.number(column, days, style: style(base))
            case .percent: cells.number(column, value, style: style("percent"))
            case .currency: cells.number(column, value, style: style("money"))
            case .zeroPadded, .text: cells.text(column, numberFormat.display(value), style: style(nil))
            default: cells.number(column, value, style: style(nil))
            }
        }
    }
}

/// A cell of an input sheet: its row as the sheet numbers it (from 1) and its column (from 0).
struct CellKey: Hashable {
    let row: Int
    let column: Int
}
