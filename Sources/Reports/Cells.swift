import CXlsxWriter
import RulesEngine
import RulesLanguage
import SpreadsheetIO
import Tabular

/// Writing one cell: a typed value, text that is never a formula, a comment.
extension Writer {
    /// A typed value, with the number format its type reads best in, or the district's own for
    /// the cell (`look`) where it had one; a number that is not finite (a view's division by zero)
    /// is left empty, as Excel has no such number. With `fractionsToTheCent`, a number that is not
    /// whole shows two decimals.
    mutating func write(_ value: Value, column: Int, in cells: WorksheetCells, severity: Severity?,
                        fractionsToTheCent: Bool = false, look: (style: Int, look: CellLook)? = nil) {
        func style(_ base: String?) -> Int32 {
            if let look { return styleIndex(of: districtFormat(look, severity: severity)) }
            return styleIndex(of: cellFormat(base, severity))
        }
        switch value {
        case .blank: cells.blank(column, style: style(nil))
        case .text(let text), .code(let text): cells.text(column, text, style: style(nil))
        case .number(let number) where number.isFinite:
            cells.number(column, number, style: style(fractionsToTheCent && number != number.rounded() ? "decimal" : nil))
        case .number: break
        case .money(let money): cells.number(column, money.doubleValue, style: style("money"))
        case .percent(let fraction): cells.number(column, fraction, style: style("percent"))
        case .date(let date): cells.number(column, Double(ExcelDate.serial(of: date, uses1904Dates: false)), style: style("date"))
        // Written as words: a boolean cell prints as 1 or 0 in LibreOffice.
        case .yesNo(let flag): cells.text(column, flag ? "Yes" : "No", style: style(nil))
        }
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
