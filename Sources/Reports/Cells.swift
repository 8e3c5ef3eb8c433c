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
