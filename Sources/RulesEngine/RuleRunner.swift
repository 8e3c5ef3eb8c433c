import Dispatch
import RulesLanguage
import Tabular

/// Runs a checked rule set's rules against a bound workbook.
public enum RuleRunner {
    /// Evaluates every rule. `asOf` defaults to the latest date before 2100 in the largest dated table, so a run on
    /// the same workbook is the same run whatever day it is.
    /// `showingEveryView`: every view's rows in `shownViews`, not only those marked `show` (for tests).
    public static func run(_ rules: CheckedRuleSet, on binding: WorkbookBinding, params: ParamValues? = nil,
                           asOf: CalendarDate? = nil, showingEveryView: Bool = false) -> Evaluation {
        let prepared = evaluatorBeforeRules(rules, on: binding, params: params, asOf: asOf)
        var evaluator = prepared.0
        let notAssessedViews = prepared.notAssessedViews
        for source in evaluator.sources.values { source.preload() }
        // Rules are independent of each other: they are evaluated on all cores.
        let results = ParallelSlots<([Finding], RuleOutcome)>(count: rules.rules.count)
        defer { results.deallocate() }
        let allRules = rules.rules
        let tableTitles = Dictionary(rules.tables.map { ($0.name.text.lowercased(), $0.title ?? $0.name.text) }, uniquingKeysWith: { first, _ in first })
        let runner = evaluator
        DispatchQueue.concurrentPerform(iterations: allRules.count) { position in
            let rule = allRules[position]
            guard let source = runner.sources[rule.table] else {
                let title = tableTitles[rule.table] ?? rule.table
                results[position] = ([], RuleOutcome(rule: rule.id, assessed: false, findings: 0,
                                                     reason: notAssessedViews[rule.table] ?? "The workbook has no \(title) table."))
                return
            }
            do {
                let found = try evaluate(rule, on: source, with: runner)
                results[position] = (found, RuleOutcome(rule: rule.id, assessed: true, findings: found.count, reason: nil))
            } catch let problem as NotAssessed {
                results[position] = ([], RuleOutcome(rule: rule.id, assessed: false, findings: 0, reason: problem.sentence))
            } catch {
                results[position] = ([], RuleOutcome(rule: rule.id, assessed: false, findings: 0, reason: "\(error)"))
            }
        }
        var findings: [Finding] = []
        var outcomes: [RuleOutcome] = []
        for position in allRules.indices {
            let (found, outcome) = results[position]!
            findings += found
            outcomes.append(outcome)
        }
        // Who answers for each finding and what is at stake, from the rows and the views' rows;
        // then the findings are a table of their own, for the views and indicators that total them.
        func shown(_ views: [CheckedView]) -> [ShownView] {
            views.filter { $0.isShown || showingEveryView }.compactMap { shownView($0, rows: evaluator.sources[$0.name.lowercased()]) }
        }
        var evaluation = Evaluation(asOf: evaluator.asOf, findings: findings, outcomes: outcomes, indicators: [], pathways: [], goals: [])
        evaluation.shownViews = shown(rules.views)
        evaluation.unavailableViews = notAssessedViews
        FindingContext.enrich(&evaluation.findings, binding: binding, evaluation: evaluation)
        // (Unless the rules declare a table of that name, read from the workbook like any other.)
        if evaluator.sources[RuleChecker.findingsTable] == nil {
            evaluator.sources[RuleChecker.findingsTable] = findingsTable(evaluation.findings)
            evaluation.unavailableViews = notAssessedViews.merging(evaluateViews(rules.views.filter(\.afterRules), evaluator: &evaluator)) { first, _ in first }
            evaluation.shownViews = shown(rules.views)
        }
        let (indicators, levels, goals) = evaluateIndicators(rules, evaluator: evaluator)
        var pathways = levels
        let failed = Set(findings.map(\.rule))
        for index in pathways.indices {
            pathways[index].cap(by: allRules.filter { $0.isCompliance && failed.contains($0.id) && $0.pathway.lowercased() == pathways[index].pathway.lowercased() }.map(\.id))
        }
        evaluation.indicators = indicators
        evaluation.perValue = evaluatePerValue(rules, evaluator: evaluator)
        evaluation.pathways = pathways
        evaluation.goals = goals
        return evaluation
    }

    /// The evaluator over the bound tables (each missing one known with its reason), with the
    /// views the rules read worked out; why each view that could not be.
    static func evaluatorBeforeRules(_ rules: CheckedRuleSet, on binding: WorkbookBinding, params: ParamValues?,
                                     asOf: CalendarDate?) -> (Evaluator, notAssessedViews: [String: String]) {
        var sources: [String: RowSource] = [:]
        for (name, table) in binding.tables { sources[name] = RowSource(bound: table) }
        let values = params ?? ParamValues(rules: rules, workbook: nil, commandLine: [:])
        var evaluator = Evaluator(sources: sources, rules: rules, values: values, asOf: asOf ?? latestDate(in: binding))
        for table in rules.tables where binding.tables[table.name.text.lowercased()] == nil {
            evaluator.absent[table.name.text.lowercased()] = "the workbook has no \(table.title ?? table.name.text) table"
        }
        // Views of the findings wait for every rule; the rest are worked out first, for the rules.
        let notAssessedViews = evaluateViews(rules.views.filter { !$0.afterRules }, evaluator: &evaluator)
        return (evaluator, notAssessedViews)
    }

    /// A view's rows as its sheet shows them; nil when it could not be worked out.
    private static func shownView(_ view: CheckedView, rows: RowSource?) -> ShownView? {
        guard let rows else { return nil }
        let columns = view.keyColumns.map(\.name) + view.slots.filter(\.isColumn).map(\.name).filter { rows.column($0) != nil }
        let vectors = columns.map { rows.column($0) }
        // `state_local_per_pupil` reads as "State local per pupil" unless the column has a title.
        let headers = columns.map { name in
            view.headers[name.lowercased()] ?? name.replacingOccurrences(of: "_", with: " ").prefix(1).uppercased() + name.replacingOccurrences(of: "_", with: " ").dropFirst()
        }
        var shown = ShownView(name: view.name, title: view.title, columns: columns, headers: headers,
                              rows: (0 ..< rows.rowCount).map { row in vectors.map { $0?.value(row) ?? .blank } })
        shown.readsFindings = view.afterRules
        return shown
    }

    /// The findings as a table: a row each, in the columns `RuleChecker.findingsColumns` declares.
    static func findingsTable(_ findings: [Finding]) -> RowSource {
        func texts(_ text: (Finding) -> String?, code: Bool) -> Vector { .texts(findings.map(text), code: code) }
        let columns: [String: Vector] = [
            "rule": texts(\.rule, code: true), "title": texts(\.title, code: false), "severity": texts(\.severity.rawValue, code: true),
            "pathway": texts(\.pathway, code: true), "sheet": texts(\.sheet, code: false), "owner": texts(\.owner, code: true),
            "site": texts(\.site, code: true),
            "school": texts(\.school, code: false), "message": texts(\.message, code: false),
            "row": .numbers(findings.map { $0.rows.first.map(Double.init) ?? .nan }, percent: false),
            "amount": .amounts(findings.map { $0.amount.flatMap { Money(rounding: $0) } }),
        ]
        return RowSource(view: RuleChecker.findingsTable, rowCount: findings.count, columns: columns)
    }

    private static func evaluate(_ rule: CheckedRule, on table: RowSource, with evaluator: Evaluator) throws -> [Finding] {
        // The rows it looks at: every row of its table, or those its `where` keeps (`kept`, their places in the table).
        var source = table
        var kept: [Int]?
        if let filter = rule.filter, case .flags(let flags) = try evaluator.evaluate(filter, in: Frame(source: table)) {
            let rows = flags.indices.filter { flags[$0] == 1 }
            source = RowSource(filtering: table, rows: rows)
            kept = rows
        }
        var frame = Frame(source: source)
        if !rule.groupKeys.isEmpty {
            frame.keyVectors = try rule.groupKeys.map { try evaluator.evaluate($0, in: frame) }
            frame.grouping = Grouping(keys: frame.keyVectors, rowCount: source.rowCount)
        }
        var windows: Windows?
        if let window = rule.window, let grouping = frame.grouping {
            let found = try Windows(of: grouping, window, in: frame, evaluator: evaluator)
            frame.grouping = found.grouping
            windows = found
        }
        try frame.bind(rule.lets, with: evaluator)
        guard case .flags(let flags) = try evaluator.evaluate(rule.condition, in: frame) else { return [] }
        var hits = flags.indices.filter { flags[$0] == 1 }
        guard !hits.isEmpty else { return [] }
        if let windows {
            // Windows that hold and share a row are one finding, about all their rows: its
            // message and values are worked out again over them.
            var merged = Frame(source: source)
            merged.keyVectors = frame.keyVectors
            merged.grouping = windows.merging(hits)
            try merged.bind(rule.lets, with: evaluator)
            frame = merged
            hits = Array(0 ..< merged.count)
        }
        let message = try TemplateValues(rule.message, in: frame, evaluator: evaluator)
        // A grouped finding shows the totals its condition looked at.
        let totals = try rule.totals.map { total -> (String, Vector) in
            guard case .total(let written) = total.node else { return ("", try evaluator.evaluate(total, in: frame)) }
            return (written.text, try evaluator.evaluate(total, in: frame))
        }
        let fix = try rule.fix.map { try TemplateValues($0, in: frame, evaluator: evaluator) }
        let bound = table.bound
        // The sheet name (quoted as needed) and each flagged column's letters, worked out once per rule.
        let sheetPrefix = bound.map { String(CellOrigin(file: $0.table.file, sheet: $0.sheet, row: 1, column: 0).qualifiedAddress.dropLast(2)) } ?? ""
        let flaggedLetters = bound.map { bound in rule.flags.compactMap { bound.column($0).map { columnLetters($0.sourceColumn) } } } ?? []
        return hits.map { index in
            let rows = (frame.grouping.map { $0.groups.rows(index).map(Int.init) } ?? [index]).map { kept?[$0] ?? $0 }
            // A view's rows are not cells of the workbook: they are pointed at by their position.
            let cells = bound.map { bound in
                rows.flatMap { row in
                    let sheetRow = String(bound.table.sourceRows[row])
                    return flaggedLetters.map { sheetPrefix + $0 + sheetRow }
                }
            } ?? []
            let group: [String: String]? = frame.grouping.map { grouping in
                var values: [String: String] = [:]
                for (position, key) in rule.groupKeyTexts.enumerated() {
                    values[key] = frame.keyVectors[position].value(grouping.firstRows[index]).description
                }
                return values
            }
            var finding = Finding(rule: rule.id, title: rule.title, severity: rule.severity,
                                  pathway: rule.pathway, table: table.name, sheet: bound?.sheet ?? table.name,
                                  rows: rows.map { row in bound.map { Int($0.table.sourceRows[row]) } ?? row + 1 }, columns: rule.flags, cells: cells,
                                  message: message.text(at: index), fix: fix?.text(at: index), group: group)
            if !totals.isEmpty {
                finding.values = Dictionary(totals.map { ($0.0, $0.1.value(index).description) }, uniquingKeysWith: { first, _ in first })
            }
            return finding
        }
    }

    /// The latest date in any date column of the largest bound table (the ledger).
    /// Dates from this year on are open-ended markers, not days anything happened.
    static let openEndedYear = 2100

    static func latestDate(in binding: WorkbookBinding) -> CalendarDate? {
        // The ledger is the largest table of records with dates (ties go to the first by name, so a
        // run never depends on the order tables happen to be kept in). A table with a key lists
        // things, not events: owners' training dates or goals' deadlines are no review date, and a
        // ledger without its posting dates leaves the date unknown rather than taken from them.
        let dated = binding.tables.sorted { $0.key < $1.key }.map(\.value).filter { table in
            table.declaration.keys.isEmpty && table.table.columns.contains { if case .dates = $0.storage { true } else { false } }
        }
        guard let ledger = dated.max(by: { $0.table.rowCount < $1.table.rowCount }) else { return nil }
        // ERPs write "open-ended" as a far-future date (9999-12-31, 2999-12-31): such a date is no
        // posting, and taking it as the review date would move every share of the year.
        let openEnded = Int32(CalendarDate.daysSince1970(year: openEndedYear, month: 1, day: 1))
        var latest: Int32?
        for column in ledger.table.columns {
            guard case .dates(let days, let blanks) = column.storage else { continue }
            for row in days.indices where !blanks.isBlank(row) && days[row] < openEnded { latest = max(latest ?? days[row], days[row]) }
        }
        return latest.map(CalendarDate.init(daysSince1970:))
    }
}

/// A message template's values, computed once for every row or group.
struct TemplateValues {
    private let parts: [(String?, Vector?)]

    init(_ template: CheckedTemplate, in frame: Frame, evaluator: Evaluator) throws {
        var frame = frame
        frame.missingColumnsAreBlank = true
        parts = try template.parts.map { part in
            switch part {
            case .text(let text): return (text, nil)
            case .value(let expression): return (nil, try evaluator.evaluate(expression, in: frame))
            }
        }
    }

    /// A blank value shows as "(blank)": left out, it would leave a sentence that starts with a
    /// space or reads as if a word were missing ("  was posted on a Sunday").
    func text(at index: Int) -> String {
        parts.map { text, vector in
            text ?? vector.map { vector in
                let value = vector.value(index)
                return value == .blank ? "(blank)" : value.description
            } ?? ""
        }.joined()
    }
}
