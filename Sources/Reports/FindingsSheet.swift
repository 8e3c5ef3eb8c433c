import CXlsxWriter
import Foundation
import RulesEngine
import RulesLanguage
import SpreadsheetIO
import Tabular

/// The Findings sheet: every finding, worst first, with a link to its cell and a Status drop-down.
extension Writer {
    /// The Findings sheet's column widths: severity, rule, title, pathway, sheet, cell, row, message, fix, owner, school,
    /// amount, budget line, since last review, status, note, finding id.
    static let findingsWidths: [Double] = [10, 8, 30, 16, 16, 22, 7, 60, 45, 10, 22, 14, 26, 12, 14, 30, 24]

    /// A Findings column's position, by its header.
    static func findingsColumn(_ header: String) -> lxw_col_t { lxw_col_t(ReviewedWorkbook.findingsHeaders.firstIndex(of: header)!) }


    /// The most hyperlinks Excel allows on one sheet.
    static let linkLimit = 65_530

    /// Where a finding points the reviewer: its first flagged cell in the input sheets, or its row
    /// (and first flagged column) on a shown view's sheet; nil for a finding on no shown sheet.
    func target(of finding: Finding) -> (sheet: String, cell: String, row: Int)? {
        if let cell = finding.cells.first.map(workbookAddress) {
            let origin = CellOrigin(file: "", qualifiedAddress: cell)
            return (origin?.sheet ?? finding.sheet, cell, origin?.row ?? finding.rows.first ?? 0)
        }
        guard let name = viewSheets[finding.table.lowercased()], let row = finding.rows.first,
              let view = contents.evaluation.shownViews.first(where: { $0.name.lowercased() == finding.table.lowercased() }) else { return nil }
        let column = finding.columns.first.flatMap { flagged in view.columns.firstIndex { $0.lowercased() == flagged.lowercased() } } ?? 0
        let (page, pageRow) = headedPlace(row - 1)
        let sheet = Writer.pageName(name, page: page)
        return (sheet, CellOrigin(file: "", sheet: sheet, row: pageRow + 1, column: column).qualifiedAddress, pageRow + 1)
    }

    mutating func writeFindings(_ first: UnsafeMutablePointer<lxw_worksheet>, name: String) {
        let headers = ReviewedWorkbook.findingsHeaders
        let widths = Writer.findingsWidths
        for (sheet, findings) in pages(of: first, named: name, count: contents.findings.count) {
            for (column, width) in widths.enumerated() { setColumn(sheet, column, column, width) }
            setColumn(sheet, headers.count - 1, headers.count - 1, widths[headers.count - 1], hidden: true)
            let rowCount = max(1, findings.count)
            let cells = ownRows(of: sheet)
            // Headers such as "Since last review" take two lines of their narrow columns.
            cells.startRow(0, height: XLSXWriter.wrappedHeight(headers.enumerated().map { ($1, widths[$0]) }))
            // Plain: the Excel table styles its own header row.
            for (column, title) in headers.enumerated() { cells.text(column, title, style: 0) }
            addFindingsTable(sheet, headers: headers, rows: rowCount)
            writeFindingRows(sheet, cells: cells, findings: findings)
        }
    }

    /// An Excel table gives the reviewer filters and banded rows; its header names the columns.
    func addFindingsTable(_ sheet: UnsafeMutablePointer<lxw_worksheet>, headers: [String], rows: Int) {
        let columns: [UnsafeMutablePointer<lxw_table_column>] = headers.map { header in
            let column = UnsafeMutablePointer<lxw_table_column>.allocate(capacity: 1)
            column.initialize(to: lxw_table_column())
            column.pointee.header = strdup(header)
            return column
        }
        var columnList: [UnsafeMutablePointer<lxw_table_column>?] = columns + [nil]
        columnList.withUnsafeMutableBufferPointer { list in
            var options = lxw_table_options()
            options.columns = list.baseAddress
            options.style_type = UInt8(LXW_TABLE_STYLE_TYPE_LIGHT.rawValue)
            options.style_type_number = 9
            worksheet_add_table(sheet, 0, 0, lxw_row_t(rows), lxw_col_t(headers.count - 1), &options)
        }
        for column in columns {
            free(column.pointee.header)
            column.deallocate()
        }
    }

    mutating func writeFindingRows(_ sheet: UnsafeMutablePointer<lxw_worksheet>, cells: WorksheetCells, findings: Range<Int>) {
        let wrap = styleIndex(of: format("wrap"))
        let link = styleIndex(of: format("link"))
        let money = styleIndex(of: format("money|wrap"))
        let severityStyles = Dictionary(uniqueKeysWithValues: Severity.allCases.map { ($0, styleIndex(of: format("wrap", fill: .severity($0)))) })
        func column(_ header: String) -> Int { Int(Writer.findingsColumn(header)) }
        for index in findings {
            let finding = contents.findings[index]
            let row = index - findings.lowerBound + 1
            let target = target(of: finding)
            let pathway = pathwayTitle(finding.pathway)
            let groupRows = finding.rows.count > 1 && viewSheets[finding.table.lowercased()] == nil ? finding.rows.map(String.init).joined(separator: ", ") : nil
            cells.startRow(row, height: XLSXWriter.wrappedHeight(
                [(finding.title, 2), (pathway, 3), (target?.sheet ?? finding.sheet, 4), (groupRows ?? "", 6), (finding.message, 7),
                 (finding.fix ?? "", 8)].map { ($0.0, Writer.findingsWidths[$0.1]) }))
            // Every cell of a finding's row is aligned to the top, so a long message reads beside its rule.
            cells.text(0, finding.severity.rawValue.capitalized, style: severityStyles[finding.severity]!)
            cells.text(1, finding.rule, style: wrap)
            cells.text(2, finding.title, style: wrap)
            cells.text(3, pathway, style: wrap)
            cells.text(4, target?.sheet ?? finding.sheet, style: wrap)
            if let cell = target?.cell {
                // Excel allows 65,530 links on a sheet; past them the address is written as text.
                if row <= Writer.linkLimit {
                    cells.link(5, text: cell, to: cell, tip: "Go to the cell", style: link)
                } else {
                    cells.text(5, cell, style: wrap)
                }
            }
            // The row as the reviewed sheet numbers it, beside the link to it; a duplicate payment's
            // or a split purchase's finding names every row of its group.
            if let groupRows {
                cells.text(6, groupRows, style: wrap)
            } else if let shown = target?.row ?? finding.rows.first {
                cells.number(6, Double(shown), style: wrap)
            }
            cells.text(7, finding.message, style: wrap)
            cells.text(8, finding.fix ?? "", style: wrap)
            // Who answers for it, where, and how much: so a principal filters to their own.
            if let owner = finding.owner { cells.text(column("Owner"), owner, style: wrap) }
            if let school = finding.school { cells.text(column("School"), school, style: wrap) }
            if let amount = finding.amount { cells.number(column("Amount"), amount, style: money) }
            if let line = finding.accountDescription { cells.text(column("Budget line"), line, style: wrap) }
            if let id = finding.id {
                let carried = contents.sinceLast?.carried[id]
                if let since = contents.sinceLast {
                    cells.text(column("Since last review"), since.new.contains(id) ? "New" : "Found before", style: wrap)
                }
                // Every finding starts Open, so the Summary's counts by status add up to all of them.
                cells.text(column("Status"), carried.flatMap { $0.status.isEmpty ? nil : $0.status } ?? "Open", style: wrap)
                if let note = carried?.note, !note.isEmpty { cells.text(column("Note"), note, style: wrap) }
                cells.text(column("Finding ID"), id, style: wrap)
            }
        }
        // Status: a drop-down the reviewer fills in.
        XLSXWriter.addChoices(ReviewedWorkbook.statuses, to: sheet, column: Int(Writer.findingsColumn("Status")), rows: 1 ... max(1, findings.count))
        // Severity, rule and title stay in view, and on every printed page, beside the columns to the right.
        worksheet_freeze_panes(sheet, 1, 3)
    }
}
