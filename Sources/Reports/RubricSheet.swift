import CXlsxWriter
import SpreadsheetIO
import Tabular

/// The Rubric sheet: every indicator with its value, level and thresholds.
extension Writer {
    mutating func writeRubric(_ sheet: UnsafeMutablePointer<lxw_worksheet>) {
        let headers = ["Pathway", "Indicator", "Title", "Value", "Level", "Levels", "Assessed", "About"]
        let widths: [Double] = [18, 10, 40, 12, 14, 50, 30, 60]
        for (column, header) in headers.enumerated() {
            worksheet_write_string(sheet, 0, lxw_col_t(column), header, format("header"))
            setColumn(sheet, column, column, widths[column])
        }
        for (index, indicator) in contents.evaluation.indicators.enumerated() {
            let row = lxw_row_t(index + 1)
            let cells = [pathwayTitle(indicator.pathway), indicator.indicator, indicator.title, indicator.value ?? "", indicator.level?.rawValue.capitalized ?? "",
                         indicator.thresholds.joined(separator: "; "), indicator.assessed ? "Yes" : (indicator.reason ?? "No"), indicator.about ?? ""]
            XLSXWriter.fitRow(sheet, row, [2, 5, 6, 7].map { (cells[$0], widths[$0]) })
            for (column, value) in cells.enumerated() {
                if column == 3, let (shown, base) = Writer.measured(value) {
                    // The number as measured, in the format it is shown in: 12.87% is 0.128737…
                    worksheet_write_number(sheet, row, 3, indicator.number ?? shown, format(base + "|wrap"))
                } else {
                    worksheet_write_string(sheet, row, lxw_col_t(column), value, format("wrap", fill: column == 4 ? indicator.level.map(Fill.level) : nil))
                }
            }
        }
        worksheet_freeze_panes(sheet, 1, 0)
    }

    /// An indicator's value as shown (`24.92%`, `$1,200.00`, `0.08`) read back as a number and the
    /// format it is shown in, so a reviewer can sort and compare the Value column.
    static func measured(_ shown: String) -> (Double, String)? {
        ValueText.withUTF8(shown) { text in
            guard let numeric = ValueText.numeric(text) else { return nil }
            // Two decimals, as the value was worked out: 0.02% overspending is not 0.0%.
            if numeric.hasPercentSign { return ValueText.percent(text).map { (($0 * 1e10).rounded() / 1e10, "percent2") } }
            if numeric.hasCurrencySymbol { return ValueText.money(text).map { ($0.doubleValue, "money") } }
            return ValueText.number(text).map { ($0, $0 == $0.rounded() ? "" : "decimal") }
        }
    }

    func pathwayTitle(_ pathway: String) -> String {
        contents.evaluation.pathways.first { $0.pathway == pathway }?.title ?? pathway
    }
}
