import CXlsxWriter
import Foundation
import RulesEngine
import RulesLanguage
import SpreadsheetIO
import Tabular

/// The Summary sheet: counts, pathway levels, the most serious findings, what could not be read or
/// assessed, and the colour legend; and the Charts sheet.
extension Writer {
    mutating func writeSummary(_ sheet: UnsafeMutablePointer<lxw_worksheet>) {
        var row: lxw_row_t = 0
        // Sentences wrap, so a long one grows its row instead of running off the page, and every
        // cell sits at the top of its row, beside the label it belongs to.
        func link(_ label: String, to cell: String, fill: Fill? = nil) {
            worksheet_write_url_opt(sheet, row, 0, "internal:" + cell, format("link|wrap", fill: fill), label, "Go to the cell")
        }
        // Rows taller than one line, by row: the Summary prints on one page when that keeps it legible.
        var tallRows: [lxw_row_t: Double] = [:]
        func text(_ value: String, _ column: lxw_col_t = 0, _ style: String? = nil, fill: Fill? = nil) {
            if column == 1 { tallRows[row] = XLSXWriter.fitRow(sheet, row, [(value, 70)]) }
            worksheet_write_string(sheet, row, column, value, format(style == "title" ? "title" : (style.map { $0 + "|" } ?? "") + "wrap", fill: fill))
        }
        setColumn(sheet, 0, 0, 28)
        setColumn(sheet, 1, 1, 70, format("wrap"))
        text("Pathways review of \(contents.workbook.file)", 0, "title"); row += 2
        text("As of", 0, "bold")
        text(contents.evaluation.asOf?.description ?? "Not known: the workbook has no dates. Rules that depend on the date were not assessed.", 1)
        row += 1
        text("Rule files", 0, "bold"); text(contents.ruleFiles.joined(separator: ", "), 1); row += 1
        text("Rule set fingerprint", 0, "bold"); text(contents.ruleFingerprint, 1); row += 1
        text("Code meanings", 0, "bold")
        text(contents.preset.map { "The \($0) preset (its state's chart of accounts)" } ?? "The rules' own (NCES unless the rule files say otherwise)", 1); row += 2
        if contents.workbook.isDistrict { writeInputFiles(sheet, row: &row) }
        // Before anything else: a choice Pathways made that the reviewer should confirm.
        for note in contents.notes {
            text("Check first", 0, fill: .severity(.warning)); text(note, 1); row += 1
        }
        if !contents.notes.isEmpty { row += 1 }
        if let since = contents.sinceLast {
            let new = contents.findings.lazy.filter { $0.id.map(since.new.contains) ?? false }.count
            text("Since the last review", 0, "header"); text("\(since.source)\(since.asOf.map { ", as of \($0)" } ?? "")", 1, "header"); row += 1
            text("New findings"); worksheet_write_number(sheet, row, 1, Double(new), nil); row += 1
            text("Resolved"); worksheet_write_number(sheet, row, 1, Double(since.resolved.count), nil); row += 1
            text("Statuses and notes carried"); worksheet_write_number(sheet, row, 1, Double(since.carried.count), nil); row += 1
            // Those the reviewer had marked first: what became of her own questions.
            let marked = since.resolved.filter { !$0.status.isEmpty || !$0.note.isEmpty }
            for resolved in (marked + since.resolved.filter { $0.status.isEmpty && $0.note.isEmpty }).prefix(20) {
                text("Resolved: \(resolved.rule)", 0, fill: .severity(.info))
                text(resolved.message + (resolved.status.isEmpty && resolved.note.isEmpty ? "" : " (last marked \([resolved.status, resolved.note].filter { !$0.isEmpty }.joined(separator: ": ")))"), 1)
                row += 1
            }
            if since.resolved.count > 20 { text("… and \(since.resolved.count - 20) more resolved", 1); row += 1 }
            if let trends = contents.trends {
                let changes = trends.changes
                if changes.isEmpty { text("Levels"); text("No indicator changed level (the Trends sheet has every review).", 1); row += 1 }
                for change in changes {
                    text("\(change.row.indicator) \(Writer.score(change.now) > Writer.score(change.before) ? "up" : "down")", 0, fill: .level(change.now))
                    text("\(change.row.title): \(change.before.rawValue) then \(change.now.rawValue)", 1)
                    row += 1
                }
            }
            row += 1
        }
        text("Findings", 0, "header"); text("How many", 1, "header"); row += 1
        for severity in Severity.allCases {
            let count = contents.findings.lazy.filter { $0.severity == severity }.count
            text(severity == .info ? "For information" : severity.rawValue.capitalized + "s", 0, fill: .severity(severity))
            worksheet_write_number(sheet, row, 1, Double(count), nil)
            row += 1
        }
        row += 1
        // The money each severity's findings are about, where the workbook tells it.
        text("Dollars at stake", 0, "header"); text("In findings of each severity that name an amount", 1, "header"); row += 1
        for severity in Severity.allCases {
            let amounts = contents.findings.lazy.filter { $0.severity == severity }.compactMap(\.amount)
            text(severity == .info ? "For information" : severity.rawValue.capitalized + "s", 0, fill: .severity(severity))
            worksheet_write_number(sheet, row, 1, amounts.reduce(0, +), cellFormat("money", nil))
            row += 1
        }
        row += 1
        // Counts by the reviewer's status: formulas, so they change as the reviewer works.
        text("Reviewer's status", 0, "header"); text("How many (updates as the Findings sheet's Status changes)", 1, "header"); row += 1
        let statusColumn = columnLetters(Int(Writer.findingsColumn("Status")))
        let pageCount = max(1, (contents.findings.count + maxRows - 2) / (maxRows - 1))
        // Each finding's status as it starts (carried from the last review, or Open), counted once.
        var startingStatuses: [String: Int] = [:]
        for finding in contents.findings {
            startingStatuses[finding.id.flatMap { contents.sinceLast?.carried[$0]?.status }.flatMap { $0.isEmpty ? nil : $0 } ?? "Open", default: 0] += 1
        }
        for status in ReviewedWorkbook.statuses {
            text(status)
            let counts = (0 ..< pageCount).map { page in
                "COUNTIF('\(Writer.pageName(findingsName, page: page).replacingOccurrences(of: "'", with: "''"))'!\(statusColumn):\(statusColumn),\"\(status)\")"
            }
            worksheet_write_formula_num(sheet, row, 1, "=" + counts.joined(separator: "+"), nil, Double(startingStatuses[status] ?? 0))
            row += 1
        }
        row += 1
        text("Pathway", 0, "header"); text("Level", 1, "header"); row += 1
        for pathway in contents.evaluation.pathways {
            text(pathway.title)
            let findings = contents.findings.lazy.filter { $0.pathway == pathway.pathway }.count
            text(pathway.indicators == 0 ? "Rules only, no rubric level: \(findings) finding\(findings == 1 ? "" : "s") (see the Findings sheet)."
                 : pathway.level.map { "\($0.rawValue.capitalized) (\(pathway.assessedIndicators) of \(pathway.indicators) indicators assessed)"
                     + (pathway.cappedBy.map { ", held to developing because \($0.joined(separator: " and ")) found a requirement of law not met" } ?? "")
                     + (Self.restsOnFew(pathway) ? "; striped: it rests on few indicators, so read it with care" : "") }
                 ?? "Not assessed: no indicator of this pathway could be measured.", 1,
                 fill: pathway.indicators == 0 ? nil : pathway.level.map { Self.restsOnFew(pathway) ? .tentativeLevel($0) : .level($0) })
            row += 1
        }
        row += 1
        text("Most serious findings", 0, "header"); text("Worst first, then the most money", 1, "header"); row += 1
        // By severity, then dollars at stake, so a $260,000 line nobody owns is not left out by its
        // rule id: the five worst picked in one pass, not every finding sorted.
        func ranksBefore(_ first: Int, _ second: Int) -> Bool {
            let (a, b) = (contents.findings[first], contents.findings[second])
            return (a.severity, -(a.amount ?? -1), first) < (b.severity, -(b.amount ?? -1), second)
        }
        var worst: [Int] = []
        for index in contents.findings.indices where worst.count < 5 || ranksBefore(index, worst[worst.count - 1]) {
            worst.insert(index, at: worst.firstIndex { ranksBefore(index, $0) } ?? worst.endIndex)
            if worst.count > 5 { worst.removeLast() }
        }
        for finding in worst.map({ contents.findings[$0] }) {
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
        let renamed = contents.workbook.sheets.compactMap { sheet in sheetNames[sheet.name].flatMap { $0 == sheet.name ? nil : (sheet, $0) } }
        if !renamed.isEmpty {
            row += 1
            text("Sheets under another name here", 0, "header"); text("Excel does not allow these names (at most 31 characters, none of [ ] : * ? / \\, not History, each once)", 1, "header"); row += 1
            for (original, shown) in renamed {
                let cell = CellOrigin(file: "", sheet: shown, row: 1, column: 0).qualifiedAddress
                link(shown, to: cell)
                text("is \"\(original.name)\" in \(contents.workbook.input(of: original).file) (the findings file names it so).", 1)
                row += 1
            }
        }
        if !contents.notAssessed.isEmpty {
            row += 1
            text("Not assessed", 0, "header"); text("Why", 1, "header"); row += 1
            // One line a reason, naming what it kept from being assessed: a workbook without a
            // Transactions table leaves two dozen rules for the same reason.
            var reasons: [String] = []
            var itemsOfReason: [String: [(kind: String, name: String)]] = [:]
            for item in contents.notAssessed {
                if itemsOfReason[item.reason] == nil { reasons.append(item.reason) }
                let parts = item.item.split(separator: " ", maxSplits: 1).map(String.init)
                itemsOfReason[item.reason, default: []].append(parts.count == 2 ? (parts[0], parts[1]) : ("", item.item))
            }
            // A missing table first: it explains the rules and indicators after it.
            let tablesFirst = reasons.filter { itemsOfReason[$0]!.contains { $0.kind == "table" } } + reasons.filter { !itemsOfReason[$0]!.contains { $0.kind == "table" } }
            for reason in tablesFirst {
                let items = itemsOfReason[reason]!
                var kinds: [String] = []
                for item in items where !kinds.contains(item.kind) { kinds.append(item.kind) }
                let counted = kinds.map { kind in
                    let count = items.filter { $0.kind == kind }.count
                    return kind.isEmpty ? "\(count)" : "\(count) \(kind)\(count == 1 ? "" : "s")"
                }
                let named = kinds.map { kind in
                    let names = items.filter { $0.kind == kind }.map(\.name).joined(separator: ", ")
                    return kind.isEmpty ? names : "\(kind)\(items.filter { $0.kind == kind }.count == 1 ? "" : "s") \(names)"
                }
                text(counted.joined(separator: ", "))
                text(reason + " (" + named.joined(separator: "; ") + ")", 1)
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
        text("Striped", 0, fill: .tentativeLevel(.established))
        text("A pathway's level that rests on one indicator, or on fewer than half of its own: read it with care.", 1)
        row += 1
        summaryHeight = Double(row) * 15 + tallRows.values.reduce(0) { $0 + $1 - 15 } + 4
    }

    /// The Charts sheet: each pathway's level in the Summary's order, named on its bar (a pathway
    /// not assessed says so), and the findings of each rule, most first; their data below them.
    mutating func writeCharts(_ sheet: UnsafeMutablePointer<lxw_worksheet>, name: String) {
        setColumn(sheet, 0, 0, 50)
        setColumn(sheet, 1, 1, 14)
        setColumn(sheet, 2, 2, 22)
        worksheet_write_string(sheet, 0, 0, "Charts of this review", format("title"))
        worksheet_write_string(sheet, 1, 0, "Worked out by Pathways from the Rubric and Findings sheets; their figures are below the charts.", format("wrap"))
        // Pathways with a rubric level to show (not those of rules only), in the Summary's order.
        let pathways = contents.evaluation.pathways.filter { $0.indicators > 0 }
        // Each rule by its id and title, most findings first (stable, so ties keep the severity order).
        var counts: [(String, Int)] = []
        for finding in contents.findings {
            var label = finding.title == finding.rule ? finding.rule : "\(finding.rule) \(finding.title)"
            // A chart's axis cuts a long name: shortened, whole on the Findings sheet.
            if label.count > 48 { label = String(label.prefix(46)) + "…" }
            if let index = counts.firstIndex(where: { $0.0 == label }) { counts[index].1 += 1 } else { counts.append((label, 1)) }
        }
        counts = counts.enumerated().sorted { ($1.element.1, $0.offset) < ($0.element.1, $1.offset) }.map(\.element)
        // Charts are 20-pixel rows tall: the pathways' 15 rows, the rules' growing with their number
        // up to a printed page, where it starts.
        let ruleScale = min(2.9, max(1, Double(counts.count) / 6))
        let ruleChartRow = lxw_row_t(3 + (pathways.isEmpty ? 0 : 16))
        var row = ruleChartRow + lxw_row_t(counts.isEmpty ? 0 : Int((288 * ruleScale / 20).rounded(.up)) + 1)
        worksheet_write_string(sheet, row, 0, "Pathway", format("header"))
        worksheet_write_string(sheet, row, 1, "Score (1 to 4)", format("header"))
        worksheet_write_string(sheet, row, 2, "Level", format("header"))
        row += 1
        let pathwayRows = row
        var labels: [String] = []
        for pathway in pathways {
            let said = pathway.level.map { $0.rawValue.capitalized } ?? "Not assessed"
            worksheet_write_string(sheet, row, 0, pathway.title, nil)
            worksheet_write_number(sheet, row, 1, pathway.level.map(Writer.score) ?? 0, nil)
            worksheet_write_string(sheet, row, 2, said, format("", fill: pathway.level.map(Fill.level)))
            labels.append(said)
            row += 1
        }
        row += 1
        worksheet_write_string(sheet, row, 0, "Rule", format("header"))
        worksheet_write_string(sheet, row, 1, "Findings", format("header"))
        row += 1
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
            // Each bar in its level's colour with a border (emerging is nearly white), named at its
            // base, so a pathway with no bar still reads "Not assessed".
            let count = pathways.count
            let fills = UnsafeMutablePointer<lxw_chart_fill>.allocate(capacity: count)
            let border = UnsafeMutablePointer<lxw_chart_line>.allocate(capacity: 1)
            let points = UnsafeMutablePointer<lxw_chart_point>.allocate(capacity: count)
            let customs = UnsafeMutablePointer<lxw_chart_data_label>.allocate(capacity: count)
            let texts = labels.map { strdup($0) }
            // libxlsxwriter copies what it is given, so all of it is freed once set.
            defer {
                for text in texts { free(text) }
                fills.deallocate(); border.deallocate(); points.deallocate(); customs.deallocate()
            }
            border.initialize(to: lxw_chart_line(color: 0x404040, none: 0, width: 0.75, dash_type: 0, transparency: 0))
            for (index, pathway) in pathways.enumerated() {
                (fills + index).initialize(to: lxw_chart_fill(color: pathway.level.map(LevelColour.fill) ?? 0xFFFFFF, none: 0, transparency: 0))
                (points + index).initialize(to: lxw_chart_point(line: border, fill: fills + index, pattern: nil))
                (customs + index).initialize(to: lxw_chart_data_label(value: texts[index], hide: 0, font: nil, line: nil, fill: nil, pattern: nil))
            }
            var pointList: [UnsafeMutablePointer<lxw_chart_point>?] = (0 ..< count).map { points + $0 } + [nil]
            var customList: [UnsafeMutablePointer<lxw_chart_data_label>?] = (0 ..< count).map { customs + $0 } + [nil]
            chart_series_set_points(series, &pointList)
            chart_series_set_labels(series)
            chart_series_set_labels_custom(series, &customList)
            chart_series_set_labels_position(series, UInt8(LXW_CHART_LABEL_POSITION_INSIDE_BASE.rawValue))
            chart_set_series_gap(chart, 40)
            chart_title_set_name(chart, "Pathway levels")
            chart_axis_set_min(chart.pointee.x_axis, 0)
            chart_axis_set_max(chart.pointee.x_axis, 4)
            chart_axis_set_major_unit(chart.pointee.x_axis, 1)
            chart_axis_set_name(chart.pointee.x_axis, "1 emerging, 2 developing, 3 established, 4 exemplary")
            // The first pathway at the top, as the Summary lists them.
            chart_axis_set_reverse(chart.pointee.y_axis)
            chart_legend_set_position(chart, UInt8(LXW_CHART_LEGEND_NONE.rawValue))
            var options = lxw_chart_options()
            options.x_scale = 1.4
            worksheet_insert_chart_opt(sheet, 3, 0, chart, &options)
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
            options.x_scale = 1.4
            options.y_scale = ruleScale
            worksheet_insert_chart_opt(sheet, ruleChartRow, 0, chart, &options)
            if !pathways.isEmpty {
                var breaks: [lxw_row_t] = [ruleChartRow, 0]
                worksheet_set_h_pagebreaks(sheet, &breaks)
            }
        }
    }

    /// A level as the chart shows it: 1 emerging to 4 exemplary.
    static func score(_ level: Level) -> Double { Double(Level.allCases.count - Level.allCases.firstIndex(of: level)!) }
}

extension Writer {
    /// A district's files, each with its sheets, the table each was read as, and a link to it, so a
    /// reviewer sees which file every sheet of this workbook came from.
    mutating func writeInputFiles(_ sheet: UnsafeMutablePointer<lxw_worksheet>, row: inout lxw_row_t) {
        worksheet_write_string(sheet, row, 0, "Files reviewed", format("header|wrap"))
        worksheet_write_string(sheet, row, 1, "Their sheets, under the names they have here", format("header|wrap"))
        row += 1
        for input in contents.workbook.inputs {
            let described = input.sheets.map { named -> String in
                let shown = sheetNames[named.reviewedAs] ?? named.reviewedAs
                let table = contents.binding.tables.values.first { $0.sheet == named.reviewedAs && $0.table.file == input.file }
                return "\"\(shown)\"" + (shown == named.name ? "" : " (\"\(named.name)\" in the file)")
                    + (table.map { ", the \($0.declaration.title ?? $0.declaration.name.text) table" } ?? "")
            }
            let first = input.sheets.first.map { sheetNames[$0.reviewedAs] ?? $0.reviewedAs }
            if let first, contents.workbook.sheets.contains(where: { $0.name == input.sheets[0].reviewedAs && $0.kind == .worksheet }) {
                let cell = CellOrigin(file: "", sheet: first, row: 1, column: 0).qualifiedAddress
                worksheet_write_url_opt(sheet, row, 0, "internal:" + cell, format("link|wrap"), input.file, "Go to its first sheet")
            } else {
                worksheet_write_string(sheet, row, 0, input.file, format("wrap"))
            }
            let line = described.isEmpty ? "no sheets" : (described.count == 1 ? "Sheet " : "Sheets ") + described.joined(separator: "; ")
            XLSXWriter.fitRow(sheet, row, [(line, 70)])
            worksheet_write_string(sheet, row, 1, line, format("wrap"))
            row += 1
        }
        row += 1
    }

    /// A pathway level measured on only one indicator, or on fewer than half of its own, is shown
    /// striped: a reviewer should not read it as firmly as a level most indicators agree on.
    static func restsOnFew(_ pathway: PathwayResult) -> Bool {
        pathway.level != nil && (pathway.assessedIndicators < 2 || pathway.assessedIndicators * 2 < pathway.indicators)
    }
}
