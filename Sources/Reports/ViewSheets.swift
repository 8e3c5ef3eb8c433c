import CXlsxWriter
import RulesEngine

/// A sheet for each view marked `show`.
extension Writer {
    /// A shown view as its own sheet; rows a rule flagged are filled by severity.
    mutating func writeView(_ view: ShownView, named name: String) {
        guard let first = workbook_add_worksheet(workbook, name) else { return }
        // A view's flagged cells, like an input sheet's: findings by (view row from 1, column).
        var findingsOfCell: [CellKey: [Int]] = [:]
        var rulesOfRow: [Int: [String]] = [:]
        for (index, finding) in contents.findings.enumerated() where finding.table.lowercased() == view.name.lowercased() {
            for row in finding.rows {
                if !(rulesOfRow[row]?.contains(finding.rule) ?? false) { rulesOfRow[row, default: []].append(finding.rule) }
                for name in finding.columns {
                    guard let column = view.columns.firstIndex(where: { $0.lowercased() == name.lowercased() }) else { continue }
                    findingsOfCell[CellKey(row: row, column: column), default: []].append(index)
                }
            }
        }
        let findingsColumn = view.columns.count
        // Wide enough for the header and the first few hundred values, within reason.
        let widths = view.columns.indices.map { column in
            Double(min(45, view.rows.prefix(300).reduce(max(12, view.headers[column].count + 3)) { max($0, $1[column].description.count + 2) }))
        }
        for (sheet, rows) in pages(of: first, named: name, count: view.rows.count) {
            markWorkedOut(sheet, from: "by the rules' view \(view.name) from the district's sheets")
            let cells = ownRows(of: sheet)
            let header = styleIndex(of: format("header"))
            cells.startRow(0)
            for (column, title) in view.headers.enumerated() {
                cells.text(column, title, style: header)
                setColumn(sheet, column, column, widths[column])
            }
            if !view.readsFindings {
                cells.text(findingsColumn, "Findings", style: header)
                setColumn(sheet, findingsColumn, findingsColumn, 16)
            }
            for index in rows {
                let sheetRow = headedPlace(index).row
                cells.startRow(sheetRow)
                for (column, value) in view.rows[index].enumerated() {
                    let findings = findingsOfCell[CellKey(row: index + 1, column: column)]
                    // A worked-out figure (1016.392) reads best to the cent, as the rest of the workbook.
                    write(value, column: column, in: cells, severity: findings.map(worst), fractionsToTheCent: true)
                    if let findings, commentsWritten < commentLimit { comment(findings, at: (sheetRow, column), in: sheet) }
                }
                if let rules = rulesOfRow[index + 1] {
                    cells.text(findingsColumn, rules.joined(separator: ", "), style: 0)
                }
            }
            worksheet_freeze_panes(sheet, 1, 0)
            worksheet_autofilter(sheet, 0, 0, lxw_row_t(rows.count), lxw_col_t(view.readsFindings ? findingsColumn - 1 : findingsColumn))
        }
    }
}
