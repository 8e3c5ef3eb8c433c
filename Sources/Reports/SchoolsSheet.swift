import CXlsxWriter
import RulesEngine
import RulesLanguage
import SpreadsheetIO

/// The Schools sheet: each indicator measured `per site`, for the district and for each school
/// on its own rows, with the value and the level in words and rubric colour.
extension Writer {
    mutating func writeSchools(_ sheet: UnsafeMutablePointer<lxw_worksheet>, measured: PerValueIndicators) {
        let indicators = measured.values.first?.indicators ?? []
        let sites = KeyedRows(contents.binding.tables["sites"], key: "site")
        let owners = KeyedRows(contents.binding.tables["owners"], key: "owner")
        setColumn(sheet, 0, 0, 8)
        setColumn(sheet, 1, 1, 26)
        setColumn(sheet, 2, 2, 18)
        worksheet_write_string(sheet, 0, 0, measured.column == "site" ? "Site" : measured.column.capitalized, format("header|wrap"))
        worksheet_write_string(sheet, 0, 1, "School", format("header|wrap"))
        worksheet_write_string(sheet, 0, 2, "Principal", format("header|wrap"))
        for (index, indicator) in indicators.enumerated() {
            let column = 3 + 2 * index
            setColumn(sheet, column, column, 14)
            setColumn(sheet, column + 1, column + 1, 13)
            let header = "\(indicator.indicator) \(indicator.title)"
            worksheet_write_string(sheet, 0, lxw_col_t(column), header, format("header|wrap"))
            worksheet_write_string(sheet, 0, lxw_col_t(column + 1), "\(indicator.indicator) level", format("header|wrap"))
        }
        XLSXWriter.fitRow(sheet, 0, indicators.map { ("\($0.indicator) \($0.title)", 14) })
        // The district as a whole first, for comparison, then each school.
        let district = indicators.map { indicator in contents.evaluation.indicators.first { $0.indicator == indicator.indicator } }
        // A principal by name, with their id, as the owners table has them.
        func principal(of site: String) -> String? {
            sites.text("principal", of: site).map { id in owners.text("name", of: id).map { "\($0) (\(id))" } ?? id }
        }
        let rows: [(label: String, name: String?, principal: String?, results: [IndicatorResult?])] =
            [("District", "All schools and offices", nil, district)]
            + measured.values.map { ($0.value, sites.text("name", of: $0.value), principal(of: $0.value), $0.indicators) }
        for (index, entry) in rows.enumerated() {
            let row = lxw_row_t(index + 1)
            worksheet_write_string(sheet, row, 0, entry.label, index == 0 ? format("bold") : nil)
            if let name = entry.name { worksheet_write_string(sheet, row, 1, name, index == 0 ? format("bold") : nil) }
            if let principal = entry.principal { worksheet_write_string(sheet, row, 2, principal, nil) }
            for (position, result) in entry.results.enumerated() {
                let column = lxw_col_t(3 + 2 * position)
                guard let result, result.assessed, let value = result.value else {
                    worksheet_write_string(sheet, row, column + 1, "Not assessed", nil)
                    if let reason = result?.reason, commentsWritten < commentLimit {
                        var options = lxw_comment_options()
                        options.width = 300
                        options.height = 100
                        worksheet_write_comment_opt(sheet, row, column + 1, reason, &options)
                        commentsWritten += 1
                    }
                    continue
                }
                // The number as measured, not as shown (0.04% is 0.000437…), in the format it is shown in.
                if let (shown, base) = Writer.measured(value) {
                    worksheet_write_number(sheet, row, column, result.number ?? shown, format(base))
                } else {
                    worksheet_write_string(sheet, row, column, value, nil)
                }
                worksheet_write_string(sheet, row, column + 1, result.level?.rawValue.capitalized ?? "", format("", fill: result.level.map(Fill.level)))
            }
        }
        // Why a school's indicator was not assessed, said on the sheet too (comments do not print):
        // one line a reason, with the schools it applies to.
        var reasons: [(key: String, sites: [String])] = []
        for entry in rows.dropFirst() {
            for result in entry.results {
                guard let result, !result.assessed, let reason = result.reason else { continue }
                let key = "\(result.indicator): \(reason)"
                if let index = reasons.firstIndex(where: { $0.key == key }) { reasons[index].sites.append(entry.label) } else { reasons.append((key, [entry.label])) }
            }
        }
        var row = lxw_row_t(rows.count + 2)
        if !reasons.isEmpty {
            worksheet_write_string(sheet, row, 0, "Not assessed", format("bold"))
            row += 1
        }
        for reason in reasons {
            let text = "\(reason.key) (\(reason.sites.count == 1 ? "site" : "sites") \(reason.sites.joined(separator: ", ")))"
            worksheet_write_string(sheet, row, 0, text, nil)
            row += 1
        }
        worksheet_freeze_panes(sheet, 1, 2)
        worksheet_autofilter(sheet, 0, 0, lxw_row_t(rows.count), lxw_col_t(2 + 2 * indicators.count))
    }
}
