import CXlsxWriter
import Foundation

/// How each sheet prints: on US Letter, never shrunk below three quarters of its size (11-point type
/// no smaller than 8.25), portrait when it nearly fits, landscape when it is wider, and a sheet wider
/// still across several pages, left to right, with its header and first columns on every page.
extension Writer {
    /// Printable width and height of a Letter page in points, within Excel's default margins.
    static let portraitWidth = (8.5 - 2 * 0.7) * 72
    static let landscapeWidth = (11 - 2 * 0.7) * 72
    static let portraitHeight = (11 - 2 * 0.75) * 72
    static let landscapeHeight = (8.5 - 2 * 0.75) * 72
    /// The least a sheet is scaled, in percent.
    static let smallestScale = 75.0

    /// Sets a column's width (in characters of the default font), remembered for printing.
    mutating func setColumn(_ sheet: UnsafeMutablePointer<lxw_worksheet>, _ first: Int, _ last: Int, _ width: Double,
                            _ format: UnsafeMutablePointer<lxw_format>? = nil, hidden: Bool = false) {
        var options = lxw_row_col_options(hidden: hidden ? 1 : 0, level: 0, collapsed: 0)
        worksheet_set_column_opt(sheet, lxw_col_t(first), lxw_col_t(last), width, format, &options)
        for column in first ... last { columnWidths[Int(bitPattern: sheet), default: [:]][column] = hidden ? 0 : width }
    }

    /// A column's printed width in points: Excel's 7 pixels a character and 5 of padding, at 96 to the inch.
    static func points(ofColumnWidth width: Double) -> Double { width == 0 ? 0 : (width * 7 + 5) * 0.75 }

    /// Sets up printing of a sheet from the widths of its columns and the rows and columns it keeps
    /// frozen. `height`: the sheet's rows in points, when it should fit one page if it can do so legibly.
    func setUpPrinting(_ sheet: UnsafeMutablePointer<lxw_worksheet>, onePageTall height: Double? = nil) {
        let widths = columnWidths[Int(bitPattern: sheet)] ?? [:]
        let lastColumn = Int(sheet.pointee.dim_colmax == LXW_COL_MAX ? 0 : sheet.pointee.dim_colmax)
        let width = (0 ... max(lastColumn, widths.keys.max() ?? 0)).reduce(0.0) { total, column in
            total + Writer.points(ofColumnWidth: widths[column] ?? 8.43)
        }
        worksheet_set_paper(sheet, 1)
        worksheet_set_footer(sheet, "&L&A&RPage &P of &N")
        let panes = sheet.pointee.panes
        let frozen = panes.type == UInt8(FREEZE_PANES.rawValue) ? (rows: Int(panes.first_row), columns: Int(panes.first_col)) : (rows: 0, columns: 0)
        if frozen.rows > 0, sheet.pointee.repeat_rows.in_use == 0 { worksheet_repeat_rows(sheet, 0, lxw_row_t(frozen.rows - 1)) }
        // Portrait when it fits at nine tenths of its size or more.
        let pageWidth = width * 0.9 <= Writer.portraitWidth ? Writer.portraitWidth : Writer.landscapeWidth
        if pageWidth == Writer.landscapeWidth { worksheet_set_landscape(sheet) } else { worksheet_set_portrait(sheet) }
        if pageWidth / width * 100 >= Writer.smallestScale {
            let pageHeight = pageWidth == Writer.portraitWidth ? Writer.portraitHeight : Writer.landscapeHeight
            let tall = height.map { $0 <= pageHeight * 100 / Writer.smallestScale } ?? false
            worksheet_fit_to_pages(sheet, 1, tall ? 1 : 0)
        } else {
            worksheet_set_print_scale(sheet, UInt16(Writer.smallestScale))
            worksheet_print_across(sheet)
            if frozen.columns > 0 { worksheet_repeat_columns(sheet, 0, lxw_col_t(frozen.columns - 1)) }
        }
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

