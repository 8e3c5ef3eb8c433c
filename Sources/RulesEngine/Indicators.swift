import Foundation
import RulesLanguage
import Tabular

/// An indicator's measured value and rubric level.
public struct IndicatorResult: Codable, Sendable, Equatable {
    public let indicator: String
    public let title: String
    public let pathway: String
    public let assessed: Bool
    /// The measured value as a reviewer reads it (`12.5%`, `0.08`, `$1,200.00`).
    public let value: String?
    public let level: Level?
    /// The levels' thresholds as written: `exemplary <= 0.10`, …, `otherwise emerging`.
    public let thresholds: [String]
    public let reason: String?
    /// What the indicator measures, for a board member (its `about`).
    public var about: String? = nil
    /// The measured value as a number (a share as a fraction, an amount in dollars), for trends.
    public var number: Double? = nil
}

/// The indicators measured per value of a column (`per site`): each school's values and levels.
public struct PerValueIndicators: Codable, Sendable, Equatable {
    public let column: String
    public let values: [Measured]

    public struct Measured: Codable, Sendable, Equatable {
        public let value: String
        public let indicators: [IndicatorResult]
    }
}

/// A pathway's level: the median of its assessed indicators' levels.
public struct PathwayResult: Codable, Sendable, Equatable {
    public let pathway: String
    public let title: String
    public private(set) var level: Level?
    public let assessedIndicators: Int
    public let indicators: Int
    /// The compliance rules whose findings held the level down to developing; nil when none did.
    public private(set) var cappedBy: [String]? = nil

    init(pathway: String, title: String, level: Level?, assessedIndicators: Int, indicators: Int) {
        self.pathway = pathway
        self.title = title
        self.level = level
        self.assessedIndicators = assessedIndicators
        self.indicators = indicators
    }

    /// A requirement of law not met caps the pathway: Resource Equity cannot read Exemplary
    /// beside a comparability error, however its indicators measure.
    mutating func cap(by rules: [String]) {
        guard !rules.isEmpty, let level, level < .developing else { return }
        self.level = .developing
        cappedBy = rules
    }
}

/// Where a goal stands against its target on the as-of date.
public struct GoalResult: Codable, Sendable, Equatable {
    public typealias Status = GoalStatus
    public let goal: String
    public let title: String
    public let indicator: String
    public let target: String
    public let deadline: String
    public let status: Status
}

extension RuleRunner {
    /// The rows of every view, in dependency order; a view whose table is missing is left out.
    static func evaluateViews(_ views: [CheckedView], evaluator: inout Evaluator) -> [String: String] {
        // Views come after the views they use, so each one's sources are ready, or known to be missing.
        for view in views {
            let name = view.name.lowercased()
            guard let source = evaluator.sources[view.table] else {
                evaluator.absent[name] = evaluator.absence(of: view.table)
                continue
            }
            do {
                evaluator.sources[name] = try evaluateView(view, on: source, with: &evaluator)
            } catch let problem as NotAssessed {
                evaluator.absent[name] = problem.reason
            } catch {
                evaluator.absent[name] = "\(error)"
            }
        }
        // A rule or indicator on a view that could not be worked out says why, in a sentence.
        var notAssessed: [String: String] = [:]
        for view in views where evaluator.sources[view.name.lowercased()] == nil {
            notAssessed[view.name.lowercased()] = NotAssessed(reason: evaluator.absence(of: view.name)).sentence
        }
        return notAssessed
    }

    private static func evaluateView(_ view: CheckedView, on source: RowSource, with evaluator: inout Evaluator) throws -> RowSource {
        var input = source
        if let filter = view.filter, case .flags(let flags) = try evaluator.evaluate(filter, in: Frame(source: source)) {
            input = RowSource(filtering: source, rows: flags.indices.filter { flags[$0] == 1 })
        }
        var frame = Frame(source: input)
        var columns: [String: Vector] = [:]
        let count: Int
        if view.groupKeys.isEmpty {
            count = input.rowCount
        } else {
            frame.keyVectors = try view.groupKeys.map { try evaluator.evaluate($0, in: frame) }
            let grouping = Grouping(keys: frame.keyVectors, rowCount: input.rowCount)
            frame.grouping = grouping
            count = grouping.count
            for (position, name) in view.keyColumns {
                columns[name.lowercased()] = frame.keyVectors[position].gathering(grouping.firstRows)
            }
        }
        // A column that needs data the workbook lacks (an optional column) is left out with its
        // reason, so only what uses it is not assessed, and says what is really missing.
        var reasons: [String: String] = [:]
        try frame.bind(view.slots.map(\.value), with: evaluator) { slot, result in
            guard view.slots[slot].isColumn else { return }
            let column = view.slots[slot].name.lowercased()
            switch result {
            case .success(let vector): columns[column] = vector
            case .failure(let problem): reasons["\(view.name.lowercased()).\(column)"] = problem.reason
            }
        }
        evaluator.absent.merge(reasons) { first, _ in first }
        let ordering = view.order.compactMap { columns[$0] }
        guard !ordering.isEmpty else { return RowSource(view: view.name, rowCount: count, columns: columns) }
        // Listed in order of the `order by` columns, smallest first, blanks last; ties keep their order.
        let rows = (0 ..< count).sorted { first, second in
            for vector in ordering {
                let a = vector.value(first), b = vector.value(second)
                if a == b { continue }
                if a == .blank || b == .blank { return b == .blank }
                if Value.isOrderedBefore(a, b) { return true }
                if Value.isOrderedBefore(b, a) { return false }
            }
            return first < second
        }
        return RowSource(view: view.name, rowCount: count, columns: columns.mapValues { $0.gathering(rows) })
    }

    /// Every indicator's value and level, then each pathway's level, then each goal's status.
    static func evaluateIndicators(_ rules: CheckedRuleSet, evaluator: Evaluator)
        -> ([IndicatorResult], [PathwayResult], [GoalResult]) {
        var results: [IndicatorResult] = []
        var measured: [String: Value] = [:]
        let district = RowSource(view: "district", rowCount: 1, columns: [:])
        for indicator in rules.indicators {
            let (result, value) = measure(indicator, with: evaluator, rules: rules)
            results.append(result)
            if let value { measured[indicator.id.lowercased()] = value }
        }
        let pathways = rules.pathways.map { pathway -> PathwayResult in
            let own = results.filter { $0.pathway.lowercased() == pathway.name.text.lowercased() }
            let levels = own.compactMap(\.level).sorted()
            // The median level; with an even count, the weaker of the two middle ones.
            let median = levels.isEmpty ? nil : levels[levels.count / 2]
            return PathwayResult(pathway: pathway.name.text, title: pathway.title ?? pathway.name.text, level: median,
                                 assessedIndicators: levels.count, indicators: own.count)
        }
        let district1 = Frame(source: district)
        let goals = rules.goals.map { goal -> GoalResult in
            func result(_ status: GoalResult.Status) -> GoalResult {
                GoalResult(goal: goal.id, title: goal.title, indicator: goal.indicator, target: goal.targetText, deadline: goal.deadlineText, status: status)
            }
            guard let value = measured[goal.indicator.lowercased()], let limit = try? evaluator.evaluate(goal.target, in: district1).value(0) else {
                return result(.notAssessed)
            }
            if Value.satisfies(value, goal.comparison, limit) { return result(.met) }
            return result(evaluator.asOf.map { $0 > goal.deadline } ?? false ? .missed : .notYetMet)
        }
        return (results, pathways, goals)
    }

    /// One indicator's value and level, with the value measured (nil when not assessed).
    static func measure(_ indicator: CheckedIndicator, with evaluator: Evaluator, rules: CheckedRuleSet) -> (IndicatorResult, Value?) {
        func notAssessed(_ reason: String) -> (IndicatorResult, Value?) {
            (IndicatorResult(indicator: indicator.id, title: indicator.title, pathway: indicator.pathway,
                             assessed: false, value: nil, level: nil, thresholds: indicator.thresholds, reason: reason, about: indicator.about), nil)
        }
        do {
            var frame = Frame(source: RowSource(view: "district", rowCount: 1, columns: [:]))
            try frame.bind(indicator.lets, with: evaluator)
            let value = try evaluator.evaluate(indicator.measure, in: frame).value(0)
            guard value != .blank else {
                return notAssessed(whyBlank(indicator.measure, lets: indicator.lets, in: frame, evaluator: evaluator, rules: rules))
            }
            let limits = try indicator.bands.map { band in try band.threshold.map { try evaluator.evaluate($0, in: frame).value(0) } }
            let level = zip(indicator.bands, limits).first { band, limit in
                guard let comparison = band.comparison else { return true }
                guard let limit else { return false }
                return Value.satisfies(value, comparison, limit)
            }?.0.level
            // A ratio whose levels are percentages reads best as one: 0.5714 against 85% shows as 57.1%.
            var shown = value
            if case .number(let ratio) = value, limits.contains(where: { if case .percent? = $0 { true } else { false } }) { shown = .percent(ratio) }
            let number: Double? = switch value {
            case .number(let number), .percent(let number): number
            case .money(let money): money.doubleValue
            default: nil
            }
            return (IndicatorResult(indicator: indicator.id, title: indicator.title, pathway: indicator.pathway, assessed: true,
                                    value: shown.description, level: level, thresholds: indicator.thresholds, reason: nil,
                                    about: indicator.about, number: number), value)
        } catch let problem as NotAssessed {
            return notAssessed(problem.sentence)
        } catch {
            return notAssessed("\(error)")
        }
    }

    /// The indicators measured `per site` (or per another column), for each of its values: on
    /// each value's rows of the tables and views they total, and on all the rows of the rest
    /// (lookups into owners or goals find an owner of another site). The values are those of the
    /// table keyed by the column (the Schools table's sites), or else every value the data has.
    static func evaluatePerValue(_ rules: CheckedRuleSet, evaluator: Evaluator) -> [PerValueIndicators] {
        var columns: [String] = []
        for indicator in rules.indicators { if let per = indicator.per, !columns.contains(per) { columns.append(per) } }
        return columns.map { column in
            let indicators = rules.indicators.filter { $0.per == column }
            // Each source's rows by their value of the column, grouped as a rule's `by` groups them.
            var rowsOf: [String: [String: [Int]]] = [:]
            var values: [String] = []
            let keyed = rules.tables.first { $0.keys.map { $0.text.lowercased() } == [column] && evaluator.sources[$0.name.text.lowercased()] != nil }
                .map { $0.name.text.lowercased() }
            let totalled = Set(indicators.flatMap(\.perTables))
            // The keyed table first, so its order is the values' order.
            for (name, source) in evaluator.sources.sorted(by: { ($0.key == keyed ? 0 : 1, $0.key) < ($1.key == keyed ? 0 : 1, $1.key) }) {
                guard name == keyed || totalled.contains(name), let vector = source.column(column) else { continue }
                let grouping = Grouping(keys: [vector], rowCount: source.rowCount)
                var rows: [String: [Int]] = [:]
                for group in 0 ..< grouping.count where !vector.isBlank(grouping.firstRows[group]) {
                    let value = vector.value(grouping.firstRows[group]).description
                    if keyed == nil || name == keyed { values.append(value) }
                    rows[value] = grouping.groups.rows(group).map(Int.init)
                }
                rowsOf[name] = rows
            }
            var seen = Set<String>()
            values = values.filter { seen.insert($0).inserted }
            // Without a table of them, in order: 101, 102, … 900, as the sites' codes sort.
            if keyed == nil { values.sort { $0.compare($1, options: .numeric) == .orderedAscending } }
            let measured = values.map { value -> (String, [IndicatorResult]) in
                // The value's rows of each table, shared by the indicators (a column is gathered once).
                let cut = rowsOf.mapValues { rows in rows[value] ?? [] }
                    .reduce(into: [String: RowSource]()) { $0[$1.key] = RowSource(filtering: evaluator.sources[$1.key]!, rows: $1.value) }
                // Each indicator on its own: a table one totals, another may only look up in.
                return (value, indicators.map { indicator in
                    var own = evaluator
                    for name in indicator.perTables { if let source = cut[name] { own.sources[name] = source } }
                    return measure(indicator, with: own, rules: rules).0
                })
            }
            return PerValueIndicators(column: column, values: measured.map { PerValueIndicators.Measured(value: $0.0, indicators: $0.1) })
        }
    }

    /// Why a measure came out blank, as a sentence for the reviewer: the total it divides by is
    /// zero, the condition of its IF does not hold yet, or there were no rows to measure.
    private static func whyBlank(_ measure: CheckedExpression, lets indicatorLets: [CheckedExpression], in frame: Frame, evaluator: Evaluator,
                                  rules: CheckedRuleSet) -> String {
        func written(_ expression: CheckedExpression) -> String { rules.files[expression.span.file].slice(expression.span) }
        func cause(_ expression: CheckedExpression) throws -> String? {
            guard try evaluator.evaluate(expression, in: frame).value(0) == .blank else { return nil }
            switch expression.node {
            case .total(let total):
                // Its values belong to the rows it totals, not to the district: said as a whole.
                return "\(written(expression)) has no values to work on on this workbook" + (total.filter == nil ? "." : ": no row meets its condition.")
            case .binding(let slot):
                return try cause(indicatorLets[slot])
            case .binary(.divide, let left, let right, _):
                let divisor = try evaluator.evaluate(right, in: frame).value(0)
                if divisor == .blank || Value.satisfies(divisor, .equal, .number(0)) {
                    return try cause(right) ?? "It divides by \(written(right)), which is \(divisor == .blank ? "blank" : "zero") on this workbook: there is nothing to measure."
                }
                return try cause(left)
            case .call(.if, let arguments):
                if case .flags(let flags) = try evaluator.evaluate(arguments[0], in: frame), flags.first != 1 {
                    // The named values it compares, as they came out: `counted is 640, benford_fewest is 1000`.
                    var named: [String] = []
                    func collect(_ part: CheckedExpression) {
                        switch part.node {
                        case .param where { if case .list = part.type { true } else { false } }():
                            let text = "\(written(part)) lists nothing"
                            if !named.contains(text) { named.append(text) }
                        case .binding, .param:
                            let text = "\(written(part)) is \((try? evaluator.evaluate(part, in: frame).value(0))?.description ?? "blank")"
                            if !named.contains(text) { named.append(text) }
                        default: part.parts.forEach(collect)
                        }
                    }
                    collect(arguments[0])
                    return "It is not measured: its condition \(written(arguments[0])) does not hold on this workbook"
                        + (named.isEmpty ? "." : " (\(named.joined(separator: ", "))).")
                }
                return try arguments.dropFirst().lazy.compactMap(cause).first
            default:
                return try expression.parts.lazy.compactMap(cause).first
            }
        }
        let found = try? cause(measure)
        return (found ?? nil) ?? "There was nothing to measure: the rows it needs are missing or blank."
    }
}

extension RowSource {
    /// Some of another source's rows, in order.
    convenience init(filtering source: RowSource, rows: [Int]) {
        self.init(view: source.name, rowCount: rows.count, columns: [:], loader: { name in source.column(name)?.gathering(rows) }, filtered: source)
    }
}

extension Value {
    /// `value comparison limit`, with amounts, numbers and percentages compared by size.
    static func satisfies(_ value: Value, _ comparison: BinaryOperator, _ limit: Value) -> Bool {
        func number(_ value: Value) -> Double? {
            switch value {
            case .number(let number), .percent(let number): number
            case .money(let money): money.doubleValue
            case .date(let date): Double(date.daysSince1970)
            default: nil
            }
        }
        guard let a = number(value), let b = number(limit) else { return false }
        switch comparison {
        case .lessOrEqual: return a <= b
        case .less: return a < b
        case .greaterOrEqual: return a >= b
        case .greater: return a > b
        default: return a == b
        }
    }
}
