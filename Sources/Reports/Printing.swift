import CXlsxWriter
import Foundation
import SpreadsheetIO

/// Each sheet's print setup (`PrintSetup`) from the widths its columns were given.
extension Writer {
    /// Sets a column's width (in characters of the default font), remembered for printing.
    mutating func setColumn(_ sheet: UnsafeMutablePointer<lxw_worksheet>, _ first: Int, _ last: Int, _ width: Double,
                            _ format: UnsafeMutablePointer<lxw_format>? = nil, hidden: Bool = false) {
        var options = lxw_row_col_options(hidden: hidden ? 1 : 0, level: 0, collapsed: 0)
        worksheet_set_column_opt(sheet, lxw_col_t(first), lxw_col_t(last), width, format, &options)
        for column in first ... last { columnWidths[Int(bitPattern: sheet), default: [:]][column] = hidden ? 0 : width }
    }

    /// Sets up printing of a sheet from the widths of its columns and the rows and columns it keeps
    /// frozen. `height`: the sheet's rows in points, when it should fit one page if it can do so legibly.
    func setUpPrinting(_ sheet: UnsafeMutablePointer<lxw_worksheet>, onePageTall height: Double? = nil) {
        let lastColumn = Int(sheet.pointee.dim_colmax == LXW_COL_MAX ? 0 : sheet.pointee.dim_colmax)
        PrintSetup.apply(to: sheet, widths: columnWidths[Int(bitPattern: sheet)] ?? [:], lastColumn: lastColumn, onePageTall: height)
    }

    /// Marks a sheet Pathways worked out, so nobody takes it for the district's own data: a tab of
    /// Pathways' colour, a printed header that says so, and, for a table of figures, a note on its
    /// first header cell saying where they come from.
    mutating func markWorkedOut(_ sheet: UnsafeMutablePointer<lxw_worksheet>, from source: String? = nil) {
        worksheet_set_tab_color(sheet, Writer.pathwaysTab)
        worksheet_set_header(sheet, "&LWorked out by Pathways&R\(contents.workbook.file.replacingOccurrences(of: "&", with: "&&"))")
        guard let source else { return }
        var options = lxw_comment_options()
        options.width = 300
        options.height = 90
        worksheet_write_comment_opt(sheet, 0, 0, "Worked out by Pathways \(source); not the district's data. Change the rules, not this sheet: the next review writes it again.", &options)
    }

    /// The tab colour of Pathways' own sheets: the darkest level blue.
    static let pathwaysTab: UInt32 = 0x2C7FB8
}

