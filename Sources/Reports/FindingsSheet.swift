import CXlsxWriter
import Foundation
import RulesEngine
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
            let rows = max(1, findings.count)
            // Headers such as "Since last review" take two lines of their narrow columns.
            XLSXWriter.fitRow(sheet, 0, headers.enumerated().map { ($1, widths[$0]) })
            if constantMemory {
                for (column, header) in headers.enumerated() { worksheet_write_string(sheet, 0, lxw_col_t(column), header, format("header")) }
                worksheet_autofilter(sheet, 0, 0, lxw_row_t(rows), lxw_col_t(headers.count - 1))
            } else {
                addFindingsTable(sheet, headers: headers, rows: rows)
            }
            writeFindingRows(sheet, findings: findings)
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

    mutating func writeFindingRows(_ sheet: UnsafeMutablePointer<lxw_worksheet>, findings: Range<Int>) {
        let wrap = format("wrap")
        let link = format("link")
        for index in findings {
            let finding = contents.findings[index]
            let row = lxw_row_t(index - findings.lowerBound + 1)
            let target = target(of: finding)
            let pathway = pathwayTitle(finding.pathway)
            let groupRows = finding.rows.count > 1 && viewSheets[finding.table.lowercased()] == nil ? finding.rows.map(String.init).joined(separator: ", ") : nil
            XLSXWriter.fitRow(sheet, row, [(finding.title, 2), (pathway, 3), (target?.sheet ?? finding.sheet, 4), (groupRows ?? "", 6), (finding.message, 7),
                                           (finding.fix ?? "", 8)].map { ($0.0, Writer.findingsWidths[$0.1]) })
            // Every cell of a finding's row is aligned to the top, so a long message reads beside its rule.
            worksheet_write_string(sheet, row, 0, finding.severity.rawValue.capitalized, format("wrap", fill: .severity(finding.severity)))
            worksheet_write_string(sheet, row, 1, finding.rule, wrap)
            worksheet_write_string(sheet, row, 2, finding.title, wrap)
            worksheet_write_string(sheet, row, 3, pathway, wrap)
            worksheet_write_string(sheet, row, 4, target?.sheet ?? finding.sheet, wrap)
            if let cell = target?.cell {
                // Excel allows 65,530 links on a sheet; past them the address is written as text.
                if Int(row) <= Writer.linkLimit {
                    worksheet_write_url_opt(sheet, row, 5, "internal:" + cell, link, cell, "Go to the cell")
                } else {
                    worksheet_write_string(sheet, row, 5, cell, wrap)
                }
            }
            // The row as the reviewed sheet numbers it, beside the link to it; a duplicate payment's
            // or a split purchase's finding names every row of its group.
            if let groupRows {
                worksheet_write_string(sheet, row, 6, groupRows, wrap)
            } else if let shown = target?.row ?? finding.rows.first {
                worksheet_write_number(sheet, row, 6, Double(shown), wrap)
            }
            worksheet_write_string(sheet, row, 7, finding.message, wrap)
            worksheet_write_string(sheet, row, 8, finding.fix ?? "", wrap)
            // Who answers for it, where, and how much: so a principal filters to their own.
            if let owner = finding.owner { worksheet_write_string(sheet, row, Writer.findingsColumn("Owner"), owner, wrap) }
            if let school = finding.school { worksheet_write_string(sheet, row, Writer.findingsColumn("School"), school, wrap) }
            if let amount = finding.amount { worksheet_write_number(sheet, row, Writer.findingsColumn("Amount"), amount, format("money|wrap")) }
            if let line = finding.accountDescription { worksheet_write_string(sheet, row, Writer.findingsColumn("Budget line"), line, wrap) }
            if let id = finding.id {
                let carried = contents.sinceLast?.carried[id]
                if let since = contents.sinceLast {
                    worksheet_write_string(sheet, row, Writer.findingsColumn("Since last review"), since.new.contains(id) ? "New" : "Found before", wrap)
                }
                // Every finding starts Open, so the Summary's counts by status add up to all of them.
                worksheet_write_string(sheet, row, Writer.findingsColumn("Status"), carried.flatMap { $0.status.isEmpty ? nil : $0.status } ?? "Open", wrap)
                if let note = carried?.note, !note.isEmpty { worksheet_write_string(sheet, row, Writer.findingsColumn("Note"), note, wrap) }
                worksheet_write_string(sheet, row, Writer.findingsColumn("Finding ID"), id, wrap)
            }
        }
        // Status: a drop-down the reviewer fills in.
        XLSXWriter.addChoices(ReviewedWorkbook.statuses, to: sheet, column: Int(Writer.findingsColumn("Status")), rows: 1 ... max(1, findings.count))
        // Severity, rule and title stay in view, and on every printed page, beside the columns to the right.
        worksheet_freeze_panes(sheet, 1, 3)
    }
}
