import CXlsxWriter
import RulesEngine
import RulesLanguage
import SpreadsheetIO

/// The Trends sheet: each indicator's value at each of the district's reviews, then its level as a
/// score (1 emerging to 4 exemplary), with a line chart of the levels for each pathway.
extension Writer {
    mutating func writeTrends(_ sheet: UnsafeMutablePointer<lxw_worksheet>, name: String, trends: Trends) {
        let header = format("header|wrap")
        setColumn(sheet, 0, 0, 9)
        setColumn(sheet, 1, 1, 40)
        setColumn(sheet, 2, 2, 22)
        setColumn(sheet, 3, 2 + trends.reviews.count, 12)
        func headerRow(_ row: lxw_row_t, _ first: String) {
            let texts = [first, "Title", "Pathway"] + trends.reviews
            XLSXWriter.fitRow(sheet, row, texts.enumerated().map { ($1, $0 < 3 ? [9.0, 40, 22][$0] : 12) })
            for (column, text) in texts.enumerated() {
                worksheet_write_string(sheet, row, lxw_col_t(column), text, header)
            }
        }
        headerRow(0, "Value")
        for (index, trend) in trends.rows.enumerated() {
            let row = lxw_row_t(index + 1)
            XLSXWriter.fitRow(sheet, row, [(trend.title, 40), (trend.pathway, 22)])
            worksheet_write_string(sheet, row, 0, trend.indicator, format("wrap"))
            worksheet_write_string(sheet, row, 1, trend.title, format("wrap"))
            worksheet_write_string(sheet, row, 2, trend.pathway, format("wrap"))
            for (column, value) in trend.values.enumerated() {
                worksheet_write_string(sheet, row, lxw_col_t(column + 3), value ?? "not assessed", nil)
            }
        }
        let levelsHeader = lxw_row_t(trends.rows.count + 2)
        headerRow(levelsHeader, "Level")
        for (index, trend) in trends.rows.enumerated() {
            let row = levelsHeader + 1 + lxw_row_t(index)
            XLSXWriter.fitRow(sheet, row, [(trend.title, 40), (trend.pathway, 22)])
            worksheet_write_string(sheet, row, 0, trend.indicator, format("wrap"))
            worksheet_write_string(sheet, row, 1, trend.title, format("wrap"))
            worksheet_write_string(sheet, row, 2, trend.pathway, format("wrap"))
            for (column, level) in trend.levels.enumerated() {
                worksheet_write_string(sheet, row, lxw_col_t(column + 3), level?.rawValue.capitalized ?? "Not assessed", format("wrap", fill: level.map(Fill.level)))
            }
        }
        // The levels as numbers (1 emerging to 4 exemplary) for the charts, in rows kept hidden.
        let numbersHeader = levelsHeader + lxw_row_t(trends.rows.count) + 1
        var hidden = lxw_row_col_options(hidden: 1, level: 0, collapsed: 0)
        worksheet_set_row_opt(sheet, numbersHeader, 15, nil, &hidden)
        worksheet_write_string(sheet, numbersHeader, 1, "Levels as numbers, for the charts", nil)
        for (index, trend) in trends.rows.enumerated() {
            let row = numbersHeader + 1 + lxw_row_t(index)
            worksheet_set_row_opt(sheet, row, 15, nil, &hidden)
            worksheet_write_string(sheet, row, 1, trend.indicator, nil)
            for (column, level) in trend.levels.enumerated() {
                if let level { worksheet_write_number(sheet, row, lxw_col_t(column + 3), Writer.score(level), nil) }
            }
        }
        worksheet_freeze_panes(sheet, 1, 3)
        // One line chart a pathway, below the tables: each indicator's level, review by review.
        var chartRow = numbersHeader + lxw_row_t(trends.rows.count) + 2
        let lastColumn = lxw_col_t(2 + trends.reviews.count)
        var pathways: [String] = []
        for trend in trends.rows where !pathways.contains(trend.pathway) { pathways.append(trend.pathway) }
        for pathway in pathways {
            guard let chart = workbook_add_chart(workbook, UInt8(LXW_CHART_LINE.rawValue)) else { continue }
            for (index, trend) in trends.rows.enumerated() where trend.pathway == pathway {
                let row = numbersHeader + 1 + lxw_row_t(index)
                let series = chart_add_series(chart, nil, nil)
                chart_series_set_categories(series, name, levelsHeader, 3, levelsHeader, lastColumn)
                chart_series_set_values(series, name, row, 3, row, lastColumn)
                chart_series_set_name_range(series, name, row, 1)
                chart_series_set_marker_type(series, UInt8(LXW_CHART_MARKER_CIRCLE.rawValue))
            }
            chart_title_set_name(chart, "\(pathway): levels, 1 emerging to 4 exemplary")
            chart_axis_set_min(chart.pointee.y_axis, 1)
            chart_axis_set_max(chart.pointee.y_axis, 4)
            chart_axis_set_major_unit(chart.pointee.y_axis, 1)
            worksheet_insert_chart(sheet, chartRow, 1, chart)
            chartRow += 16
        }
    }
}
