import CXlsxWriter
import RulesEngine
import RulesLanguage
import SpreadsheetIO
import Tabular

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

    /// The sheet that holds input row `row` (from 1) of `sheet` and its row there: past Excel's
    /// 1,048,576 rows a sheet continues on `Name (2)`, `Name (3)`, ….
    func place(sheet: String, row: Int) -> (sheet: String, row: Int) {
        let page = (row - 1) / maxRows
        return (Writer.pageName(sheetNames[sheet] ?? sheet, page: page), (row - 1) % maxRows + 1)
    }

    /// A name Excel accepts for a sheet that wants to be called `wanted`: at most 31 characters,
    /// none of `[ ] : * ? / \`, no apostrophe at either end, not `History` (Excel keeps it for
    /// itself), and none of the names in `taken` (lower-cased), which Excel compares without case.
    static func validSheetName(_ wanted: String, avoiding taken: Set<String>) -> String {
        var name = String(wanted.map { "[]:*?/\\".contains($0) ? "_" : $0 })
        name = String(name.drop { $0 == "'" }.reversed().drop { $0 == "'" }.reversed())
        if name.trimmingCharacters(in: .whitespaces).isEmpty { name = "Sheet" }
        if name.lowercased() == "history" { name = "History (data)" }
        func cut(_ text: String, leaving room: Int) -> String {
            String(String.UnicodeScalarView(text.unicodeScalars.prefix(maxSheetNameLength - room)))
        }
        name = cut(name, leaving: 0)
        var candidate = name
        var attempt = 1
        while taken.contains(candidate.lowercased()) {
            attempt += 1
            let suffix = " (\(attempt))"
            candidate = cut(name, leaving: suffix.unicodeScalars.count) + suffix
        }
        return candidate
    }

    static let maxSheetNameLength = 31

    static func pageName(_ sheet: String, page: Int) -> String {
        guard page > 0 else { return sheet }
        let suffix = " (\(page + 1))"
        return String(sheet.prefix(31 - suffix.count)) + suffix
    }

    /// A finding's cell address as it is in the reviewed workbook.
    func workbookAddress(_ address: String) -> String {
        guard let cell = CellOrigin(file: "", qualifiedAddress: address), cell.row > maxRows || sheetNames[cell.sheet] != cell.sheet else { return address }
        let (name, row) = place(sheet: cell.sheet, row: cell.row)
        return CellOrigin(file: "", sheet: name, row: row, column: cell.column).qualifiedAddress
    }

    /// An input sheet, cell for cell: bound tables' data rows with their typed values and formats,
    /// everything else as read; flagged cells filled and commented, and a Findings column.
    mutating func copy(_ sheet: RawSheet, flags: [CellKey: [Int]]) {
        guard var worksheet = workbook_add_worksheet(workbook, sheetNames[sheet.name] ?? sheet.name) else { return }
        // A sheet the district hid stays hidden in the copy (Unhide in Excel shows it).
        if sheet.visibility != .visible { worksheet_hide(worksheet) }
        var pageStart = 0
        let bound = contents.binding.tables.values.first { $0.sheet == sheet.name && $0.table.file == contents.workbook.file }
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
            // A worked-out column (amount = debit - credit) has no cells of its own to write.
            for declared in bound.declaration.columns where declared.type != .yesNo && !bound.workedOut.contains(declared.name.text.lowercased()) {
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
        // Rows are written strictly in order, each whole before the next, so the big sheets can be
        // written in libxlsxwriter's constant-memory mode.
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
                worksheet_set_column(worksheet, lxw_col_t(column), lxw_col_t(column), columnWidths[column]!, nil)
            }
            if let findingsColumn {
                columnWidths[findingsColumn] = 16
                worksheet_set_column(worksheet, lxw_col_t(findingsColumn), lxw_col_t(findingsColumn), 16, nil)
            }
        }
        let first = worksheet
        for row in 0 ..< sheet.rowCount {
            if row - pageStart >= maxRows, let next = workbook_add_worksheet(workbook, Writer.pageName(sheetNames[sheet.name] ?? sheet.name, page: row / maxRows)) {
                // Past Excel's last row the sheet goes on in the next one, with the same widths.
                worksheet = next
                pageStart = row
                for column in 0 ... (findingsColumn ?? width - 1) { worksheet_set_column(worksheet, lxw_col_t(column), lxw_col_t(column), columnWidths[column] ?? 12, nil) }
            }
            let sheetRow = row + 1
            let at = row - pageStart
            let tableRow = typedRow[sheetRow]
            let rowFlags = flagsByRow[sheetRow]
            for column in 0 ..< min(sheet.width(ofRow: row), Writer.maxColumns) {
                let cellFindings = rowFlags?.first { $0.column == column }?.findings
                let severity = cellFindings.map { worst($0) }
                let look = sheet.look(row: row, column: column)
                if row == header {
                    worksheet_write_string(worksheet, lxw_row_t(at), lxw_col_t(column), sheet.displayText(row: row, column: column),
                                           format("header", fill: severity.map(Fill.severity)))
                } else if let tableRow, let typed = typedByColumn[column], typed[tableRow] != .blank {
                    // A number read from text (an amount typed as text) has no number format of the district's to keep.
                    let isNumeric: Bool
                    switch typed[tableRow] {
                    case .money, .number, .percent, .date: isNumeric = true
                    default: isNumeric = false
                    }
                    let keepsLook: Bool
                    if case .number = sheet.cell(row: row, column: column) { keepsLook = true } else { keepsLook = !isNumeric }
                    write(typed[tableRow], at: (at, column), in: worksheet, severity: severity, look: keepsLook ? look : nil)
                } else {
                    write(sheet.cell(row: row, column: column), of: sheet, at: (at, column), in: worksheet, severity: severity, look: look)
                }
                if let findings = cellFindings, commentsWritten < commentLimit {
                    comment(findings, at: (at, column), in: worksheet)
                }
            }
            // A flagged cell past the row's end (a blank cell that should not be) still gets its fill.
            for (column, findings) in rowFlags ?? [] where column >= sheet.width(ofRow: row) && column < Writer.maxColumns {
                worksheet_write_blank(worksheet, lxw_row_t(at), lxw_col_t(column), format("", fill: .severity(worst(findings))))
                if commentsWritten < commentLimit { comment(findings, at: (at, column), in: worksheet) }
            }
            // The last column lists each row's rules, so a reviewer can filter to the flagged rows.
            if let findingsColumn, row == header {
                worksheet_write_string(worksheet, lxw_row_t(at), lxw_col_t(findingsColumn), "Findings", format("header"))
            } else if let findingsColumn, bound != nil, let rules = rulesOfRow[sheetRow] {
                writeText(rules.joined(separator: ", "), at: (at, findingsColumn), in: worksheet, format: nil)
            }
        }
        guard let header else { return }
        worksheet_freeze_panes(first, lxw_row_t(header + 1), 0)
        // Printed, every page starts with the header, as it stays in view on screen.
        worksheet_repeat_rows(first, lxw_row_t(header), lxw_row_t(header))
        worksheet_autofilter(first, lxw_row_t(header), 0, lxw_row_t(max(header, min(sheet.rowCount, maxRows) - 1)), lxw_col_t(findingsColumn ?? width - 1))
    }

    /// The format of a cell: its number format (`date`, `money`, …) and its fill; nil for neither.
    /// Looked up in a small table rather than by building a key per cell.
    mutating func cellFormat(_ base: String?, _ severity: Severity?) -> UnsafeMutablePointer<lxw_format>? {
        guard base != nil || severity != nil else { return nil }
        let baseIndex = base.flatMap { Writer.bases.firstIndex(of: $0) } ?? 0
        let slot = baseIndex * Writer.fillSlots + Writer.slot(of: severity)
        if let known = cellFormats[slot] { return known }
        let made = format(base ?? "", fill: severity.map(Fill.severity))
        cellFormats[slot] = made
        return made
    }

    static let bases = ["", "date", "datetime", "time", "money", "percent", "decimal"]
    /// No fill, then one per severity.
    static let fillSlots = Severity.allCases.count + 1

    static func slot(of severity: Severity?) -> Int { severity.map { Severity.allCases.firstIndex(of: $0)! + 1 } ?? 0 }

    func worst(_ findings: [Int]) -> Severity {
        findings.map { contents.findings[$0].severity }.min() ?? .info
    }

    /// The district's own look for a cell (its number format, bold), with the fill of a severity;
    /// made once per style and severity.
    mutating func districtFormat(_ look: (style: Int, look: CellLook), severity: Severity?) -> UnsafeMutablePointer<lxw_format>? {
        let key = look.style * Writer.fillSlots + Writer.slot(of: severity)
        if let known = lookFormats[key] { return known }
        let made = workbook_add_format(workbook)!
        if let code = look.look.formatCode {
            format_set_num_format(made, code)
        } else if look.look.builtInFormat != 0 {
            format_set_num_format_index(made, UInt8(look.look.builtInFormat))
        }
        if look.look.bold { format_set_bold(made) }
        if let severity {
            format_set_pattern(made, UInt8(LXW_PATTERN_SOLID.rawValue))
            format_set_bg_color(made, SeverityColour.fill(severity))
        }
        lookFormats[key] = made
        return made
    }

    /// A typed value, with the number format its type reads best in, or the district's own for
    /// the cell (`look`) where it had one; a number that is not finite (a view's division by zero)
    /// is left empty, as Excel has no such number. With `fractionsToTheCent`, a number that is not
    /// whole shows two decimals.
    mutating func write(_ value: Value, at cell: (Int, Int), in worksheet: UnsafeMutablePointer<lxw_worksheet>, severity: Severity?,
                        fractionsToTheCent: Bool = false, look: (style: Int, look: CellLook)? = nil) {
        let (row, column) = (lxw_row_t(cell.0), lxw_col_t(cell.1))
        func style(_ base: String?) -> UnsafeMutablePointer<lxw_format>? {
            if let look { return districtFormat(look, severity: severity) }
            return cellFormat(base, severity)
        }
        switch value {
        case .blank: worksheet_write_blank(worksheet, row, column, style(nil))
        case .text(let text), .code(let text): writeText(text, at: cell, in: worksheet, format: style(nil))
        case .number(let number) where number.isFinite:
            worksheet_write_number(worksheet, row, column, number, style(fractionsToTheCent && number != number.rounded() ? "decimal" : nil))
        case .number: break
        case .money(let money): worksheet_write_number(worksheet, row, column, money.doubleValue, style("money"))
        case .percent(let fraction): worksheet_write_number(worksheet, row, column, fraction, style("percent"))
        case .date(let date):
            worksheet_write_number(worksheet, row, column, Double(ExcelDate.serial(of: date, uses1904Dates: false)), style("date"))
        // Written as words: a boolean cell prints as 1 or 0 in LibreOffice.
        case .yesNo(let flag): worksheet_write_string(worksheet, row, column, flag ? "Yes" : "No", style(nil))
        }
    }

    /// A cell as read: text stays text (never a formula), numbers keep a format that fits them.
    private mutating func write(_ cell: RawCell, of sheet: RawSheet, at position: (Int, Int), in worksheet: UnsafeMutablePointer<lxw_worksheet>,
                                severity: Severity?, look: (style: Int, look: CellLook)?) {
        let (row, column) = (lxw_row_t(position.0), lxw_col_t(position.1))
        // The district's number format and bold where the cell had them (a subtotal row, its money format).
        func style(_ base: String?) -> UnsafeMutablePointer<lxw_format>? {
            if let look { return districtFormat(look, severity: severity) }
            return cellFormat(base, severity)
        }
        switch cell {
        case .blank:
            if severity != nil { worksheet_write_blank(worksheet, row, column, style(nil)) }
        case .text(let ref), .isoDateText(let ref):
            writeText(sheet.text(ref), at: position, in: worksheet, format: style(nil))
        case .bool(let flag):
            worksheet_write_boolean(worksheet, row, column, flag ? 1 : 0, style(nil))
        case .error(let error):
            worksheet_write_string(worksheet, row, column, error.text, style(nil))
        case .number(let value, let numberFormat):
            let uses1904 = contents.workbook.notes.uses1904Dates
            switch numberFormat.category {
            case .date, .dateTime, .time, .duration:
                // Serials are rewritten in the 1900 system the reviewed workbook uses.
                let days = uses1904 ? value + 1462 : value
                let base = numberFormat.category == .date ? "date" : numberFormat.category == .dateTime ? "datetime" : "time"
                worksheet_write_number(worksheet, row, column, days, style(base))
            case .percent: worksheet_write_number(worksheet, row, column, value, style("percent"))
            case .currency: worksheet_write_number(worksheet, row, column, value, style("money"))
            case .zeroPadded, .text: worksheet_write_string(worksheet, row, column, numberFormat.display(value), style(nil))
            default: worksheet_write_number(worksheet, row, column, value, style(nil))
            }
        }
    }

    /// Text as a string cell, never a formula. Past the 32,767 characters an Excel cell holds it is
    /// cut, with an ellipsis: the reading already reported such a cell as a data error.
    func writeText(_ text: String, at cell: (Int, Int), in worksheet: UnsafeMutablePointer<lxw_worksheet>, format: UnsafeMutablePointer<lxw_format>?) {
        let fits = text.utf8.count <= Writer.maxCellCharacters || text.unicodeScalars.count <= Writer.maxCellCharacters
        let shown = fits ? text : String(String.UnicodeScalarView(text.unicodeScalars.prefix(Writer.maxCellCharacters - 1))) + "…"
        worksheet_write_string(worksheet, lxw_row_t(cell.0), lxw_col_t(cell.1), shown, format)
    }

    /// One comment per cell, however many findings it has: each rule, its message and the fix.
    mutating func comment(_ findings: [Int], at cell: (Int, Int), in worksheet: UnsafeMutablePointer<lxw_worksheet>) {
        var text = findings.map { index -> String in
            let finding = contents.findings[index]
            return "\(finding.rule) \(finding.title): \(finding.message)" + (finding.fix.map { "\nFix: \($0)" } ?? "")
        }.joined(separator: "\n\n")
        // A comment holds what a cell holds; the Findings sheet lists every finding in full.
        if text.unicodeScalars.count > Writer.maxCellCharacters {
            text = String(String.UnicodeScalarView(text.unicodeScalars.prefix(Writer.maxCellCharacters - 60))) + "\n\n… and more: see the Findings sheet."
        }
        var options = lxw_comment_options()
        options.author = nil
        options.width = 360
        options.height = UInt16(min(400, 60 + 40 * findings.count))
        worksheet_write_comment_opt(worksheet, lxw_row_t(cell.0), lxw_col_t(cell.1), text, &options)
        commentsWritten += 1
    }
}

/// A cell of an input sheet: its row as the sheet numbers it (from 1) and its column (from 0).
struct CellKey: Hashable {
    let row: Int
    let column: Int
}
