import CXlsxWriter

/// How a sheet prints: on US Letter, never shrunk below three quarters of its size (11-point type
/// no smaller than 8.25), portrait when it nearly fits, landscape when it is wider, and a sheet
/// wider still across several pages, left to right, with its header and first columns on each.
public enum PrintSetup {
    /// Printable width and height of a Letter page in points, within Excel's default margins.
    static let portraitWidth = (8.5 - 2 * 0.7) * 72
    static let landscapeWidth = (11 - 2 * 0.7) * 72
    static let portraitHeight = (11 - 2 * 0.75) * 72
    static let landscapeHeight = (8.5 - 2 * 0.75) * 72
    /// The least a sheet is scaled, in percent.
    public static let smallestScale = 75.0

    /// A column's printed width in points: Excel's 7 pixels a character and 5 of padding, at 96 to the inch.
    public static func points(ofColumnWidth width: Double) -> Double { width == 0 ? 0 : (width * 7 + 5) * 0.75 }

    /// Sets up a sheet's printing from its columns' widths (in characters; 0 for a hidden one,
    /// Excel's 8.43 for one not set) up to `lastColumn`, and the rows and columns it keeps frozen,
    /// which head every page. `height`: its rows in points, when it should fit one page if it can
    /// do so legibly.
    public static func apply(to sheet: UnsafeMutablePointer<lxw_worksheet>, widths: [Int: Double], lastColumn: Int, onePageTall height: Double? = nil) {
        let width = (0 ... max(lastColumn, widths.keys.max() ?? 0)).reduce(0.0) { $0 + points(ofColumnWidth: widths[$1] ?? 8.43) }
        worksheet_set_paper(sheet, 1)
        worksheet_set_footer(sheet, "&L&A&RPage &P of &N")
        let panes = sheet.pointee.panes
        let frozen = panes.type == UInt8(FREEZE_PANES.rawValue) ? (rows: Int(panes.first_row), columns: Int(panes.first_col)) : (rows: 0, columns: 0)
        if frozen.rows > 0, sheet.pointee.repeat_rows.in_use == 0 { worksheet_repeat_rows(sheet, 0, lxw_row_t(frozen.rows - 1)) }
        // Portrait when it fits at nine tenths of its size or more.
        let portrait = width * 0.9 <= portraitWidth
        let pageWidth = portrait ? portraitWidth : landscapeWidth
        if portrait { worksheet_set_portrait(sheet) } else { worksheet_set_landscape(sheet) }
        if pageWidth / width * 100 >= smallestScale {
            let pageHeight = portrait ? portraitHeight : landscapeHeight
            let tall = height.map { $0 <= pageHeight * 100 / smallestScale } ?? false
            worksheet_fit_to_pages(sheet, 1, tall ? 1 : 0)
        } else {
            worksheet_set_print_scale(sheet, UInt16(smallestScale))
            worksheet_print_across(sheet)
            if frozen.columns > 0 { worksheet_repeat_columns(sheet, 0, lxw_col_t(frozen.columns - 1)) }
        }
    }
}
