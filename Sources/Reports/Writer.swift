import CXlsxWriter
import Foundation
import RulesEngine
import SpreadsheetIO
import Tabular

/// Writes one reviewed workbook: its state (the formats made, the comments written, the sheet names
/// chosen) and the order of its sheets. Each sheet is written by the extension in its own file:
/// `SummarySheet`, `RubricSheet`, `FindingsSheet`, `InputSheets`, `ViewSheets`; `Formats`,
/// `Cells` and `SheetPages` are shared by them.
struct Writer {
    let path: String
    let contents: ReviewContents
    let commentLimit: Int
    var workbook: UnsafeMutablePointer<lxw_workbook>?
    var formats: [FormatKey: UnsafeMutablePointer<lxw_format>] = [:]
    var commentsWritten = 0
    /// Formats of the district's own cell styles, by style and severity, see `districtFormat`.
    var lookFormats: [Int: UnsafeMutablePointer<lxw_format>] = [:]
    /// Cell formats by (number format, severity), see `cellFormat`.
    var cellFormats = [UnsafeMutablePointer<lxw_format>?](repeating: nil, count: Writer.bases.count * Writer.fillSlots)
    var summaryName = "Summary"
    var findingsName = "Findings"
    /// The sheet each shown view is written to, by the view's name in lower case.
    var viewSheets: [String: String] = [:]
    /// Each input sheet's name in the reviewed workbook, by its name as read: the same, unless Excel
    /// would refuse it (a CSV file's long name, a `/`, `History`) or another sheet has it.
    var sheetNames: [String: String] = [:]
    /// Each sheet's column widths as set, by the sheet's address, for printing.
    var columnWidths: [Int: [Int: Double]] = [:]
    /// The Summary's rows in points, to print it on one page when that keeps it legible.
    var summaryHeight = 0.0
    /// Told the input rows copied so far and how many there are.
    var progress: ((_ done: Int, _ total: Int) -> Void)?
    /// The sheets whose rows Pathways writes itself (see `WorksheetCells`), by the worksheet that
    /// holds their settings; `ownParts` names their parts in the package, once every sheet is added.
    var ownSheets: [UnsafeMutablePointer<lxw_worksheet>: WorksheetCells] = [:]
    var ownParts: [(name: String, cells: WorksheetCells)] = []
    var rowsCopied = 0
    lazy var rowsToCopy = contents.workbook.sheets.filter { $0.kind == .worksheet }.reduce(0) { $0 + $1.rowCount }

    /// Excel's columns (A to XFD), and the characters a cell holds.
    static let maxColumns = 16_384
    static let maxCellCharacters = WorksheetCells.maxCellCharacters

    /// Rows a sheet may hold (Excel's 1,048,576), past which it continues on another.
    let maxRows: Int

    init(path: String, contents: ReviewContents, commentLimit: Int, maxRows: Int) {
        self.path = path
        self.contents = contents
        self.commentLimit = commentLimit
        self.maxRows = maxRows
    }

    // MARK: Workbook

    mutating func writeAll() -> lxw_error {
        // libxlsxwriter keeps its cells in memory: only the small sheets' (Summary, Rubric, …), as
        // the big sheets' rows are written apart (`ownRows`), so every Findings sheet is an Excel table.
        var options = lxw_workbook_options(constant_memory: 0, tmpdir: nil, use_zip64: 1)
        guard let book = workbook_new_opt(path, &options) else { return LXW_ERROR_CREATING_XLSX_FILE }
        workbook = book
        setProperties()
        var taken: Set<String> = []
        for sheet in contents.workbook.sheets where sheet.kind == .worksheet {
            let name = Writer.validSheetName(sheet.name, avoiding: taken)
            sheetNames[sheet.name] = name
            taken.insert(name.lowercased())
        }
        // The district's sheets keep their names; Pathways' own give way (`Pathways Summary`).
        func ownName(_ name: String) -> String {
            let chosen = Writer.validSheetName(taken.contains(name.lowercased()) ? "Pathways \(name)" : name, avoiding: taken)
            taken.insert(chosen.lowercased())
            return chosen
        }
        summaryName = ownName("Summary")
        let summary = workbook_add_worksheet(book, summaryName)!
        let rubric = workbook_add_worksheet(book, ownName("Rubric"))!
        findingsName = ownName("Findings")
        let findingsSheet = workbook_add_worksheet(book, findingsName)!
        let flags = flaggedCells()
        for view in contents.evaluation.shownViews {
            let title = view.title.filter { !"[]:*?/\\".contains($0) }
            viewSheets[view.name.lowercased()] = ownName(title.isEmpty ? view.name : title)
        }
        writeSummary(summary)
        writeRubric(rubric)
        writeFindings(findingsSheet, name: findingsName)
        let chartsName = ownName("Charts")
        let charts = workbook_add_worksheet(book, chartsName)!
        writeCharts(charts, name: chartsName)
        for sheet in [summary, rubric, findingsSheet, charts] { markWorkedOut(sheet) }
        for sheet in contents.workbook.sheets where sheet.kind == .worksheet {
            copy(sheet, flags: flags[sheet.name] ?? [:])
        }
        for view in contents.evaluation.shownViews {
            writeView(view, named: viewSheets[view.name.lowercased()]!)
        }
        for measured in contents.evaluation.perValue where !measured.values.isEmpty {
            let sheet = workbook_add_worksheet(book, ownName(measured.column == "site" ? "Schools" : "By \(measured.column)"))!
            markWorkedOut(sheet, from: "from the rules' indicators marked `per \(measured.column)`, each measured on that \(measured.column)'s own rows")
            writeSchools(sheet, measured: measured)
        }
        if !contents.ownerScorecards.isEmpty {
            let sheet = workbook_add_worksheet(book, ownName("Owner scorecards"))!
            markWorkedOut(sheet, from: "from the budget lines' owners (the Accounts table), the owners table and the findings")
            writeOwnerScorecards(sheet, scorecards: contents.ownerScorecards, yearGone: contents.yearGone)
        }
        if !contents.goalProgress.isEmpty {
            let sheet = workbook_add_worksheet(book, ownName("Goal progress"))!
            markWorkedOut(sheet, from: "from the goals, the indicators of this review and those of earlier reviews in the run history")
            writeGoalProgress(sheet, goals: contents.goalProgress, earlierReviews: contents.trends.map { Array($0.reviews.dropLast()) } ?? [])
        }
        if let trends = contents.trends {
            let name = ownName("Trends")
            let sheet = workbook_add_worksheet(book, name)!
            markWorkedOut(sheet, from: "from the indicators of this review and of earlier reviews in the run history")
            writeTrends(sheet, name: name, trends: trends)
        }
        // Hidden: what a review dropped back, or replaced by the next, is known by.
        let marker = workbook_add_worksheet(book, ownName(ReviewedWorkbook.markerSheet))!
        for (row, pair) in [("Schema", ReviewedWorkbook.markerSchema), ("Reviewed", contents.workbook.file), ("District", contents.district ?? ""),
                            ("As of", contents.evaluation.asOf?.description ?? ""), ("Rule fingerprint", contents.ruleFingerprint)].enumerated() {
            worksheet_write_string(marker, lxw_row_t(row), 0, pair.0, nil)
            worksheet_write_string(marker, lxw_row_t(row), 1, pair.1, nil)
        }
        worksheet_hide(marker)
        worksheet_activate(summary)
        var sheet = book.pointee.worksheets.pointee.stqh_first
        // libxlsxwriter names worksheet parts by their place among the worksheets, from 1.
        var part = 0
        while let current = sheet {
            setUpPrinting(current, onePageTall: current == summary ? summaryHeight : nil)
            part += 1
            if let cells = ownSheets[current] { ownParts.append(("xl/worksheets/sheet\(part).xml", cells)) }
            sheet = current.pointee.list_pointers.stqe_next
        }
        return workbook_close(book)
    }

    /// The rows Pathways writes itself for `worksheet`, made on first asking.
    mutating func ownRows(of worksheet: UnsafeMutablePointer<lxw_worksheet>) -> WorksheetCells {
        if let cells = ownSheets[worksheet] { return cells }
        let cells = WorksheetCells()
        ownSheets[worksheet] = cells
        return cells
    }

    /// A format's number among the workbook's cell styles (0, no format, for nil).
    func styleIndex(of format: UnsafeMutablePointer<lxw_format>?) -> Int32 {
        format.map { Int32(lxw_format_get_xf_index($0)) } ?? 0
    }

    /// Document properties fixed to the review's as-of date, so the same input gives the same workbook.
    private func setProperties() {
        let (year, month, day) = contents.evaluation.asOf?.components ?? (1970, 1, 1)
        var components = DateComponents()
        components.year = year
        components.month = month
        components.day = day
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let created = calendar.date(from: components).map { time_t($0.timeIntervalSince1970) } ?? 0
        "Reviewed \(contents.workbook.file)".withCString { title in
            "Pathways".withCString { author in
                var properties = lxw_doc_properties()
                properties.title = UnsafeMutablePointer(mutating: title)
                properties.author = UnsafeMutablePointer(mutating: author)
                properties.created = created
                workbook_set_properties(workbook, &properties)
            }
        }
    }
}
