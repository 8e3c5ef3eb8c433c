import CXlsxWriter
import Foundation
import RulesEngine
import RulesLanguage
import SpreadsheetIO
import Tabular

/// The colours of severities, chosen from the Okabe–Ito palette so they stay apart for
/// colour-blind readers: light vermillion, light orange, light sky blue.
enum SeverityColour {
    static func fill(_ severity: Severity) -> UInt32 {
        switch severity {
        case .error: 0xF6C6AD
        case .warning: 0xFBE2A8
        case .info: 0xC6E3F5
        }
    }
}

/// The colours of rubric levels: a green-to-lavender scale of light tints, apart from the
/// severities' orange, yellow and blue.
enum LevelColour {
    static func fill(_ level: Level) -> UInt32 {
        switch level {
        case .exemplary: 0x9BD3AE
        case .established: 0xD4EDDA
        case .developing: 0xEDEDED
        case .emerging: 0xD8C8E8
        }
    }
}

struct Writer {
    let path: String
    let contents: ReviewContents
    let commentLimit: Int
    var workbook: UnsafeMutablePointer<lxw_workbook>?
    var formats: [String: UnsafeMutablePointer<lxw_format>] = [:]
    var commentsWritten = 0
    /// Formats of the district's own cell styles, by style and severity, see `districtFormat`.
    var lookFormats: [Int: UnsafeMutablePointer<lxw_format>] = [:]
    /// Cell formats by (number format, severity), see `cellFormat`.
    var cellFormats = [UnsafeMutablePointer<lxw_format>?](repeating: nil, count: Writer.bases.count * Writer.fillSlots)
    var summaryName = "Summary"
    /// The sheet each shown view is written to, by the view's name in lower case.
    var viewSheets: [String: String] = [:]
    /// Each input sheet's name in the reviewed workbook, by its name as read: the same, unless Excel
    /// would refuse it (a CSV file's long name, a `/`, `History`) or another sheet has it.
    var sheetNames: [String: String] = [:]

    /// The Findings sheet's column widths: severity, rule, title, pathway, sheet, cell, row, message, fix, status, note.
    static let findingsWidths: [Double] = [10, 8, 30, 16, 16, 22, 7, 60, 45, 14, 30]

    /// The most hyperlinks Excel allows on one sheet.
    static let linkLimit = 65_530
    /// Excel's columns (A to XFD), and the characters a cell holds.
    static let maxColumns = 16_384
    static let maxCellCharacters = 32_767

    /// Whether the input is big enough (in cells) for constant-memory mode.
    let constantMemory: Bool
    /// Rows a sheet may hold (Excel's 1,048,576), past which it continues on another.
    let maxRows: Int

    init(path: String, contents: ReviewContents, commentLimit: Int, constantMemoryCells: Int, maxRows: Int) {
        self.path = path
        self.contents = contents
        self.commentLimit = commentLimit
        self.maxRows = maxRows
        let cells = contents.workbook.sheets.reduce(0) { total, sheet in total + (0 ..< sheet.rowCount).reduce(0) { $0 + sheet.width(ofRow: $1) } }
        constantMemory = cells > constantMemoryCells
    }

    // MARK: Workbook

    mutating func writeAll() -> lxw_error {
        // Constant-memory mode keeps one row of a sheet in memory at a time (every sheet is written
        // row by row, in order), so a million-row ledger does not need gigabytes. libxlsxwriter has
        // no Excel tables in that mode, so it is used only for big workbooks, whose Findings sheet
        // then gets filters without a table.
        var options = lxw_workbook_options(constant_memory: constantMemory ? 1 : 0, tmpdir: nil, use_zip64: 1)
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
        let findingsName = ownName("Findings")
        let findingsSheet = workbook_add_worksheet(book, findingsName)!
        let flags = flaggedCells()
        for view in contents.evaluation.shownViews {
            let title = view.title.filter { !"[]:*?/\\".contains($0) }
            viewSheets[view.name.lowercased()] = ownName(title.isEmpty ? view.name : title)
        }
        writeSummary(summary)
        writeRubric(rubric)
        writeFindings(findingsSheet, name: findingsName)
        for sheet in contents.workbook.sheets where sheet.kind == .worksheet {
            copy(sheet, flags: flags[sheet.name] ?? [:])
        }
        for view in contents.evaluation.shownViews {
            writeView(view, named: viewSheets[view.name.lowercased()]!)
        }
        worksheet_activate(summary)
        // Printed or saved as PDF, each sheet is landscape and one page wide.
        var sheet = book.pointee.worksheets.pointee.stqh_first
        while let current = sheet {
            worksheet_set_landscape(current)
            worksheet_fit_to_pages(current, 1, 0)
            sheet = current.pointee.list_pointers.stqe_next
        }
        return workbook_close(book)
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

    // MARK: Formats

    /// A cell's fill: a finding's severity or a rubric level, each with its own colour.
    enum Fill: Hashable {
        case severity(Severity)
        case level(Level)

        var colour: UInt32 {
            switch self {
            case .severity(let severity): SeverityColour.fill(severity)
            case .level(let level): LevelColour.fill(level)
            }
        }
    }

    /// A format by a key of what it needs (`bold`, `date`, `money|wrap`, …) and its fill, made once.
    mutating func format(_ key: String, fill: Fill? = nil) -> UnsafeMutablePointer<lxw_format> {
        let cacheKey = fill.map { "\(key)|\($0)" } ?? key
        if let known = formats[cacheKey] { return known }
        let made = workbook_add_format(workbook)!
        if let fill {
            format_set_pattern(made, UInt8(LXW_PATTERN_SOLID.rawValue))
            format_set_bg_color(made, fill.colour)
        }
        for part in key.split(separator: "|") {
            switch part {
            case "bold": format_set_bold(made)
            case "header":
                format_set_bold(made)
                format_set_bottom(made, UInt8(LXW_BORDER_THIN.rawValue))
                format_set_text_wrap(made)
                format_set_align(made, UInt8(LXW_ALIGN_VERTICAL_TOP.rawValue))
            case "title":
                format_set_bold(made)
                format_set_font_size(made, 14)
            case "wrap":
                format_set_text_wrap(made)
                format_set_align(made, UInt8(LXW_ALIGN_VERTICAL_TOP.rawValue))
            case "link":
                format_set_font_color(made, 0x0563C1)
                format_set_underline(made, UInt8(LXW_UNDERLINE_SINGLE.rawValue))
                format_set_align(made, UInt8(LXW_ALIGN_VERTICAL_TOP.rawValue))
            // The format US finance systems export and Excel shows by default.
            case "date": format_set_num_format(made, "m/d/yyyy")
            case "datetime": format_set_num_format(made, "m/d/yyyy h:mm")
            case "time": format_set_num_format(made, "hh:mm:ss")
            case "money": format_set_num_format(made, "_(* #,##0.00_);_(* (#,##0.00);_(* \"-\"??_);_(@_)")
            case "percent": format_set_num_format(made, "0.0%")
            case "percent2": format_set_num_format(made, "0.00%")
            case "decimal": format_set_num_format(made, "#,##0.00")
            default: break
            }
        }
        formats[cacheKey] = made
        return made
    }

    // MARK: Summary, Rubric, Findings

    private mutating func writeSummary(_ sheet: UnsafeMutablePointer<lxw_worksheet>) {
        var row: lxw_row_t = 0
        // Sentences wrap, so a long one grows its row instead of running off the page, and every
        // cell sits at the top of its row, beside the label it belongs to.
        func link(_ label: String, to cell: String, fill: Fill? = nil) {
            worksheet_write_url_opt(sheet, row, 0, "internal:" + cell, format("link|wrap", fill: fill), label, "Go to the cell")
        }
        func text(_ value: String, _ column: lxw_col_t = 0, _ style: String? = nil, fill: Fill? = nil) {
            if column == 1 { XLSXWriter.fitRow(sheet, row, [(value, 70)]) }
            worksheet_write_string(sheet, row, column, value, format(style == "title" ? "title" : (style.map { $0 + "|" } ?? "") + "wrap", fill: fill))
        }
        worksheet_set_column(sheet, 0, 0, 28, nil)
        worksheet_set_column(sheet, 1, 1, 70, format("wrap"))
        text("Pathways review of \(contents.workbook.file)", 0, "title"); row += 2
        text("As of", 0, "bold")
        text(contents.evaluation.asOf?.description ?? "Not known: the workbook has no dates. Rules that depend on the date were not assessed.", 1)
        row += 1
        text("Rule files", 0, "bold"); text(contents.ruleFiles.joined(separator: ", "), 1); row += 1
        text("Rule set fingerprint", 0, "bold"); text(contents.ruleFingerprint, 1); row += 2
        // Before anything else: a choice Pathways made that the reviewer should confirm.
        for note in contents.notes {
            text("Check first", 0, fill: .severity(.warning)); text(note, 1); row += 1
        }
        if !contents.notes.isEmpty { row += 1 }
        text("Findings", 0, "header"); text("How many", 1, "header"); row += 1
        for severity in Severity.allCases {
            let count = contents.findings.filter { $0.severity == severity }.count
            text(severity == .info ? "For information" : severity.rawValue.capitalized + "s", 0, fill: .severity(severity))
            worksheet_write_number(sheet, row, 1, Double(count), nil)
            row += 1
        }
        row += 1
        text("Pathway", 0, "header"); text("Level", 1, "header"); row += 1
        for pathway in contents.evaluation.pathways {
            text(pathway.title)
            let findings = contents.findings.filter { $0.pathway == pathway.pathway }.count
            text(pathway.indicators == 0 ? "Rules only, no rubric level: \(findings) finding\(findings == 1 ? "" : "s") (see the Findings sheet)."
                 : pathway.level.map { "\($0.rawValue.capitalized) (\(pathway.assessedIndicators) of \(pathway.indicators) indicators assessed)" }
                 ?? "Not assessed: no indicator of this pathway could be measured.", 1, fill: pathway.indicators == 0 ? nil : pathway.level.map(Fill.level))
            row += 1
        }
        row += 1
        text("Most serious findings", 0, "header"); text("", 1, "header"); row += 1
        for finding in contents.findings.prefix(5) {
            if let cell = target(of: finding)?.cell {
                link("\(finding.rule) \(cell)", to: cell, fill: .severity(finding.severity))
            } else {
                text("\(finding.rule) \(finding.sheet)", 0, fill: .severity(finding.severity))
            }
            text(finding.message, 1)
            row += 1
        }
        if contents.dataErrorCount > 0 {
            row += 1
            text("Cells that could not be read", 0, "header"); text("\(contents.dataErrorCount) in all", 1, "header"); row += 1
            for error in contents.dataErrors.prefix(10) {
                text(error.origin.qualifiedAddress, 0, fill: .severity(.warning))
                text("\"\(error.rawText)\" in column \(error.columnName) \(error.reason)", 1)
                row += 1
            }
            if contents.dataErrorCount > 10 {
                text("…"); text("and \(contents.dataErrorCount - 10) more: the Findings sheet lists every one (rule DATA).", 1)
                row += 1
            }
        }
        if !contents.leftOutRows.isEmpty {
            row += 1
            text("Rows left out of the review", 0, "header"); text("\(contents.leftOutRows.count) in all", 1, "header"); row += 1
            for leftOut in contents.leftOutRows.prefix(10) {
                let cell = workbookAddress(CellOrigin(file: "", sheet: leftOut.sheet, row: leftOut.row, column: 0).qualifiedAddress)
                link(cell, to: cell)
                text("\"\(leftOut.label)\": " + leftOut.reason.explanation, 1)
                row += 1
            }
            if contents.leftOutRows.count > 10 {
                text("…"); text("and \(contents.leftOutRows.count - 10) more, each still in its sheet as it was.", 1)
                row += 1
            }
        }
        let renamed = contents.workbook.sheets.compactMap { sheet in sheetNames[sheet.name].flatMap { $0 == sheet.name ? nil : (sheet.name, $0) } }
        if !renamed.isEmpty {
            row += 1
            text("Sheets under another name here", 0, "header"); text("Excel does not allow these names (at most 31 characters, none of [ ] : * ? / \\, not History, each once)", 1, "header"); row += 1
            for (original, shown) in renamed {
                let cell = CellOrigin(file: "", sheet: shown, row: 1, column: 0).qualifiedAddress
                link(shown, to: cell)
                text("is \"\(original)\" in \(contents.workbook.file) (the findings file names it so).", 1)
                row += 1
            }
        }
        if !contents.notAssessed.isEmpty {
            row += 1
            text("Not assessed", 0, "header"); text("Why", 1, "header"); row += 1
            for item in contents.notAssessed {
                text(item.item)
                text(item.reason, 1)
                row += 1
            }
        }
        row += 1
        text("Colours", 0, "header"); text("Meaning", 1, "header"); row += 1
        for (severity, meaning) in [(Severity.error, "Error: must be corrected."), (.warning, "Warning: needs a look and, often, an explanation."),
                                    (.info, "For information: worth knowing, not necessarily wrong.")] {
            text(severity.rawValue.capitalized, 0, fill: .severity(severity))
            text(meaning, 1)
            row += 1
        }
        row += 1
        text("Rubric levels", 0, "header"); text("Meaning", 1, "header"); row += 1
        for (level, meaning) in [(Level.exemplary, "Exemplary: a model for other districts."), (.established, "Established: sound practice in place."),
                                 (.developing, "Developing: partly in place."), (.emerging, "Emerging: just beginning.")] {
            text(level.rawValue.capitalized, 0, fill: .level(level))
            text(meaning, 1)
            row += 1
        }
        writeSummaryCharts(sheet, name: summaryName, from: row + 1)
    }

    /// Two charts beside the summary — each pathway's level (1 emerging to 4 exemplary) and the
    /// findings of each rule — over their data, written below the rest so that every row is
    /// written in order (as constant-memory mode needs).
    private mutating func writeSummaryCharts(_ sheet: UnsafeMutablePointer<lxw_worksheet>, name: String, from firstRow: lxw_row_t) {
        var row = firstRow
        worksheet_write_string(sheet, row, 0, "Chart data: pathway", format("header"))
        worksheet_write_string(sheet, row, 1, "Level (1 emerging to 4 exemplary)", format("header"))
        row += 1
        let pathways = contents.evaluation.pathways.filter { $0.indicators > 0 }
        let pathwayRows = row
        for pathway in pathways {
            worksheet_write_string(sheet, row, 0, pathway.title, nil)
            worksheet_write_number(sheet, row, 1, pathway.level.map(Writer.score) ?? 0, nil)
            row += 1
        }
        row += 1
        worksheet_write_string(sheet, row, 0, "Chart data: rule", format("header"))
        worksheet_write_string(sheet, row, 1, "Findings", format("header"))
        row += 1
        // Each rule by its id and title, most findings first (stable, so ties keep the severity order).
        var counts: [(String, Int)] = []
        for finding in contents.findings {
            let label = finding.title == finding.rule ? finding.rule : "\(finding.rule) \(finding.title)"
            if let index = counts.firstIndex(where: { $0.0 == label }) { counts[index].1 += 1 } else { counts.append((label, 1)) }
        }
        counts = counts.enumerated().sorted { ($1.element.1, $0.offset) < ($0.element.1, $1.offset) }.map(\.element)
        let ruleRows = row
        for (rule, count) in counts {
            worksheet_write_string(sheet, row, 0, rule, nil)
            worksheet_write_number(sheet, row, 1, Double(count), nil)
            row += 1
        }
        if !pathways.isEmpty, let chart = workbook_add_chart(workbook, UInt8(LXW_CHART_BAR.rawValue)) {
            let series = chart_add_series(chart, nil, nil)
            chart_series_set_categories(series, name, pathwayRows, 0, pathwayRows + lxw_row_t(pathways.count - 1), 0)
            chart_series_set_values(series, name, pathwayRows, 1, pathwayRows + lxw_row_t(pathways.count - 1), 1)
            chart_title_set_name(chart, "Pathway levels (1 emerging to 4 exemplary)")
            chart_axis_set_min(chart.pointee.x_axis, 0)
            chart_axis_set_max(chart.pointee.x_axis, 4)
            chart_legend_set_position(chart, UInt8(LXW_CHART_LEGEND_NONE.rawValue))
            worksheet_insert_chart(sheet, 1, 3, chart)
        }
        if !counts.isEmpty, let chart = workbook_add_chart(workbook, UInt8(LXW_CHART_BAR.rawValue)) {
            let series = chart_add_series(chart, nil, nil)
            chart_series_set_categories(series, name, ruleRows, 0, ruleRows + lxw_row_t(counts.count - 1), 0)
            chart_series_set_values(series, name, ruleRows, 1, ruleRows + lxw_row_t(counts.count - 1), 1)
            chart_title_set_name(chart, "Findings by rule")
            chart_legend_set_position(chart, UInt8(LXW_CHART_LEGEND_NONE.rawValue))
            // The rule with most findings at the top, where a reader starts, and every rule named.
            chart_axis_set_reverse(chart.pointee.y_axis)
            chart_axis_set_interval_unit(chart.pointee.y_axis, 1)
            // Every rule gets a readable bar: the chart grows with the number of rules.
            var options = lxw_chart_options()
            options.x_scale = 1.5
            options.y_scale = max(1, Double(counts.count) / 6)
            worksheet_insert_chart_opt(sheet, 17, 3, chart, &options)
        }
    }

    private mutating func writeRubric(_ sheet: UnsafeMutablePointer<lxw_worksheet>) {
        let headers = ["Pathway", "Indicator", "Title", "Value", "Level", "Levels", "Assessed", "About"]
        let widths: [Double] = [18, 10, 40, 12, 14, 50, 30, 60]
        for (column, header) in headers.enumerated() {
            worksheet_write_string(sheet, 0, lxw_col_t(column), header, format("header"))
            worksheet_set_column(sheet, lxw_col_t(column), lxw_col_t(column), widths[column], nil)
        }
        for (index, indicator) in contents.evaluation.indicators.enumerated() {
            let row = lxw_row_t(index + 1)
            let cells = [pathwayTitle(indicator.pathway), indicator.indicator, indicator.title, indicator.value ?? "", indicator.level?.rawValue.capitalized ?? "",
                         indicator.thresholds.joined(separator: "; "), indicator.assessed ? "Yes" : (indicator.reason ?? "No"), indicator.about ?? ""]
            XLSXWriter.fitRow(sheet, row, [2, 5, 6, 7].map { (cells[$0], widths[$0]) })
            for (column, value) in cells.enumerated() {
                if column == 3, let (number, base) = Writer.measured(value) {
                    worksheet_write_number(sheet, row, 3, number, format(base + "|wrap"))
                } else {
                    worksheet_write_string(sheet, row, lxw_col_t(column), value, format("wrap", fill: column == 4 ? indicator.level.map(Fill.level) : nil))
                }
            }
        }
        worksheet_freeze_panes(sheet, 1, 0)
        worksheet_repeat_rows(sheet, 0, 0)
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

    private func pathwayTitle(_ pathway: String) -> String {
        contents.evaluation.pathways.first { $0.pathway == pathway }?.title ?? pathway
    }

    /// A level as the chart shows it: 1 emerging to 4 exemplary.
    static func score(_ level: Level) -> Double { Double(Level.allCases.count - Level.allCases.firstIndex(of: level)!) }

    /// Where data row `index` (from 0) of a sheet with one header row lands: past Excel's last row
    /// the sheet goes on in `Name (2)`, … under the same header, so each page holds one row fewer.
    func headedPlace(_ index: Int) -> (page: Int, row: Int) {
        (index / (maxRows - 1), index % (maxRows - 1) + 1)
    }

    /// The pages of a sheet with one header row holding `count` data rows: each page's sheet (the
    /// first given, the rest added as `Name (2)`, …) and the data rows on it.
    private mutating func pages(of first: UnsafeMutablePointer<lxw_worksheet>, named name: String, count: Int)
        -> [(sheet: UnsafeMutablePointer<lxw_worksheet>, rows: Range<Int>)] {
        let pageCount = max(1, (count + maxRows - 2) / (maxRows - 1))
        return (0 ..< pageCount).compactMap { page in
            guard let sheet = page == 0 ? first : workbook_add_worksheet(workbook, Writer.pageName(name, page: page)) else { return nil }
            return (sheet, page * (maxRows - 1) ..< min(count, (page + 1) * (maxRows - 1)))
        }
    }

    /// A shown view as its own sheet; rows a rule flagged are filled by severity.
    private mutating func writeView(_ view: ShownView, named name: String) {
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
            Double(min(45, view.rows.prefix(300).reduce(max(12, view.columns[column].count + 3)) { max($0, $1[column].description.count + 2) }))
        }
        for (sheet, rows) in pages(of: first, named: name, count: view.rows.count) {
            for (column, name) in view.columns.enumerated() {
                // `state_local_per_pupil` reads as "State local per pupil".
                let header = name.replacingOccurrences(of: "_", with: " ").prefix(1).uppercased() + name.replacingOccurrences(of: "_", with: " ").dropFirst()
                worksheet_write_string(sheet, 0, lxw_col_t(column), header, format("header"))
                worksheet_set_column(sheet, lxw_col_t(column), lxw_col_t(column), widths[column], nil)
            }
            worksheet_write_string(sheet, 0, lxw_col_t(findingsColumn), "Findings", format("header"))
            worksheet_set_column(sheet, lxw_col_t(findingsColumn), lxw_col_t(findingsColumn), 16, nil)
            for index in rows {
                let sheetRow = headedPlace(index).row
                for (column, value) in view.rows[index].enumerated() {
                    let findings = findingsOfCell[CellKey(row: index + 1, column: column)]
                    // A worked-out figure (1016.392) reads best to the cent, as the rest of the workbook.
                    write(value, at: (sheetRow, column), in: sheet, severity: findings.map(worst), fractionsToTheCent: true)
                    if let findings, commentsWritten < commentLimit { comment(findings, at: (sheetRow, column), in: sheet) }
                }
                if let rules = rulesOfRow[index + 1] {
                    worksheet_write_string(sheet, lxw_row_t(sheetRow), lxw_col_t(findingsColumn), rules.joined(separator: ", "), nil)
                }
            }
            worksheet_freeze_panes(sheet, 1, 0)
            worksheet_repeat_rows(sheet, 0, 0)
            worksheet_autofilter(sheet, 0, 0, lxw_row_t(rows.count), lxw_col_t(findingsColumn))
        }
    }

    /// Where a finding points the reviewer: its first flagged cell in the input sheets, or its row
    /// (and first flagged column) on a shown view's sheet; nil for a finding on no shown sheet.
    private func target(of finding: Finding) -> (sheet: String, cell: String, row: Int)? {
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

    private mutating func writeFindings(_ first: UnsafeMutablePointer<lxw_worksheet>, name: String) {
        let headers = ["Severity", "Rule", "Title", "Pathway", "Sheet", "Cell", "Row", "Message", "Fix", "Status", "Note"]
        let widths = Writer.findingsWidths
        for (sheet, findings) in pages(of: first, named: name, count: contents.findings.count) {
            for (column, width) in widths.enumerated() { worksheet_set_column(sheet, lxw_col_t(column), lxw_col_t(column), width, nil) }
            let rows = max(1, findings.count)
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
    private func addFindingsTable(_ sheet: UnsafeMutablePointer<lxw_worksheet>, headers: [String], rows: Int) {
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

    private mutating func writeFindingRows(_ sheet: UnsafeMutablePointer<lxw_worksheet>, findings: Range<Int>) {
        let wrap = format("wrap")
        let link = format("link")
        for index in findings {
            let finding = contents.findings[index]
            let row = lxw_row_t(index - findings.lowerBound + 1)
            let target = target(of: finding)
            let pathway = pathwayTitle(finding.pathway)
            XLSXWriter.fitRow(sheet, row, [(finding.title, 2), (pathway, 3), (target?.sheet ?? finding.sheet, 4), (finding.message, 7), (finding.fix ?? "", 8)]
                .map { ($0.0, Writer.findingsWidths[$0.1]) })
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
            // The row as the reviewed sheet numbers it, beside the link to it.
            if let shown = target?.row ?? finding.rows.first { worksheet_write_number(sheet, row, 6, Double(shown), wrap) }
            worksheet_write_string(sheet, row, 7, finding.message, wrap)
            worksheet_write_string(sheet, row, 8, finding.fix ?? "", wrap)
        }
        // Status: a drop-down the reviewer fills in.
        let statuses: [String] = ["Open", "Explained", "Fixed", "Not an issue"]
        let choices = statuses.map { strdup($0) }
        var list: [UnsafeMutablePointer<CChar>?] = choices + [nil]
        list.withUnsafeMutableBufferPointer { values in
            var validation = lxw_data_validation()
            validation.validate = UInt8(LXW_VALIDATION_TYPE_LIST.rawValue)
            validation.value_list = values.baseAddress
            worksheet_data_validation_range(sheet, 1, 9, lxw_row_t(max(1, findings.count)), 9, &validation)
        }
        for choice in choices { free(choice) }
        worksheet_freeze_panes(sheet, 1, 0)
        worksheet_repeat_rows(sheet, 0, 0)
    }
}
