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
}

/// A pathway's level: the median of its assessed indicators' levels.
public struct PathwayResult: Codable, Sendable, Equatable {
    public let pathway: String
    public let title: String
    public let level: Level?
    public let assessedIndicators: Int
    public let indicators: Int
}

/// Where a goal stands against its target on the as-of date.
public struct GoalResult: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case met, notYetMet = "not yet met", missed, notAssessed = "not assessed" }
    public let goal: String
    public let title: String
    public let indicator: String
    public let target: String
    public let deadline: String
    public let status: Status
}

extension RuleRunner {
    /// The rows of every view, in dependency order; a view whose table is missing is left out.
    static func evaluateViews(_ rules: CheckedRuleSet, sources: inout [String: RowSource], evaluator: inout Evaluator) -> [String: String] {
        // Views come after the views they use, so each one's sources are ready, or known to be missing.
        for view in rules.viewsInDependencyOrder {
            let name = view.name.text.lowercased()
            guard let from = view.table?.text.lowercased() else { continue }
            guard let source = sources[from] else {
                evaluator.absent[name] = evaluator.absence(of: from)
                continue
            }
            do {
                sources[name] = try evaluateView(view, on: source, with: evaluator, absent: &evaluator.absent)
                if view.groupKeys.count == 1, case .name(nil, let key) = view.groupKeys[0] { evaluator.viewKeys[name] = key.text }
                evaluator = Evaluator(sources: sources, params: evaluator.params, asOf: evaluator.asOf, listParams: evaluator.listParams,
                                      viewKeys: evaluator.viewKeys, absent: evaluator.absent)
            } catch let problem as NotAssessed {
                evaluator.absent[name] = problem.reason
            } catch {
                evaluator.absent[name] = "\(error)"
            }
        }
        // A rule or indicator on a view that could not be worked out says why, in a sentence.
        var notAssessed: [String: String] = [:]
        for view in rules.views where sources[view.name.text.lowercased()] == nil {
            let reason = evaluator.absence(of: view.name.text)
            notAssessed[view.name.text.lowercased()] = NotAssessed(reason: reason).sentence
        }
        return notAssessed
    }

    private static func evaluateView(_ view: ViewDeclaration, on source: RowSource, with evaluator: Evaluator,
                                     absent: inout [String: String]) throws -> RowSource {
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
            frame.groupKeys = view.groupKeys
            count = grouping.count
            for (position, key) in view.groupKeys.enumerated() {
                if case .name(nil, let name) = key { columns[name.text.lowercased()] = frame.keyVectors[position].gathering(grouping.firstRows) }
            }
        }
        for column in view.columns {
            // A column that needs data the workbook lacks (an optional column) is left out, so only
            // what uses it is not assessed, not the whole view.
            let vector: Vector
            do {
                vector = try evaluator.evaluate(column.value, in: frame)
            } catch let problem as NotAssessed {
                absent["\(view.name.text.lowercased()).\(column.name.text.lowercased())"] = problem.reason
                continue
            }
            frame.bindings[column.name.text.lowercased()] = vector
            columns[column.name.text.lowercased()] = vector
        }
        return RowSource(view: view.name.text, rowCount: count, columns: columns)
    }

    /// Every indicator's value and level, then each pathway's level, then each goal's status.
    static func evaluateIndicators(_ rules: CheckedRuleSet, evaluator: Evaluator)
        -> ([IndicatorResult], [PathwayResult], [GoalResult]) {
        var results: [IndicatorResult] = []
        var measured: [String: Value] = [:]
        for indicator in rules.indicators {
            let thresholds = indicator.bands.map { band in
                band.comparison.map { "\(band.level.rawValue) \($0) \(band.threshold.map(RuleFormatter.text) ?? "")" } ?? "otherwise \(band.level.rawValue)"
            }
            func notAssessed(_ reason: String) -> IndicatorResult {
                IndicatorResult(indicator: indicator.id.text, title: indicator.title ?? indicator.id.text, pathway: indicator.pathway?.text ?? "",
                                assessed: false, value: nil, level: nil, thresholds: thresholds, reason: reason)
            }
            guard let measure = indicator.measure else { continue }
            do {
                var frame = Frame(source: RowSource(view: "district", rowCount: 1, columns: [:]))
                frame.qualifiedOnly = true
                let value = try evaluator.evaluate(measure, in: frame).value(0)
                guard value != .blank else {
                    results.append(notAssessed("There was nothing to measure: the rows it needs are missing or blank."))
                    continue
                }
                measured[indicator.id.text.lowercased()] = value
                let limits = indicator.bands.map { band in band.threshold.flatMap { literalValue($0) ?? paramValue($0, evaluator) } }
                let level = zip(indicator.bands, limits).first { band, limit in
                    guard let comparison = band.comparison, band.threshold != nil else { return true }
                    guard let limit else { return false }
                    return Value.satisfies(value, comparison, limit)
                }?.0.level
                // A ratio whose levels are percentages reads best as one: 0.5714 against 85% shows as 57.1%.
                var shown = value
                if case .number(let ratio) = value, limits.contains(where: { if case .percent = $0 { true } else { false } }) { shown = .percent(ratio) }
                results.append(IndicatorResult(indicator: indicator.id.text, title: indicator.title ?? indicator.id.text,
                                               pathway: indicator.pathway?.text ?? "", assessed: true, value: shown.description,
                                               level: level, thresholds: thresholds, reason: nil))
            } catch let problem as NotAssessed {
                results.append(notAssessed(problem.sentence))
            } catch {
                results.append(notAssessed("\(error)"))
            }
        }
        let abouts = Dictionary(rules.indicators.map { ($0.id.text, $0.about) }, uniquingKeysWith: { first, _ in first })
        for index in results.indices { results[index].about = abouts[results[index].indicator] ?? nil }
        let pathways = rules.pathways.map { pathway -> PathwayResult in
            let own = results.filter { $0.pathway.lowercased() == pathway.name.text.lowercased() }
            let levels = own.compactMap(\.level).sorted()
            // The median level; with an even count, the weaker of the two middle ones.
            let median = levels.isEmpty ? nil : levels[levels.count / 2]
            return PathwayResult(pathway: pathway.name.text, title: pathway.title ?? pathway.name.text, level: median,
                                 assessedIndicators: levels.count, indicators: own.count)
        }
        let goals = rules.goals.map { goal -> GoalResult in
            let target = goal.target.map(RuleFormatter.text) ?? ""
            let deadline = goal.deadline.map(RuleFormatter.text) ?? ""
            let base = (goal.id.text, goal.title ?? goal.id.text, goal.indicator?.text ?? "", "\(goal.comparison ?? "") \(target)")
            guard let value = goal.indicator.flatMap({ measured[$0.text.lowercased()] }), let comparison = goal.comparison,
                  let limit = goal.target.flatMap({ literalValue($0) ?? paramValue($0, evaluator) }) else {
                return GoalResult(goal: base.0, title: base.1, indicator: base.2, target: base.3, deadline: deadline, status: .notAssessed)
            }
            let due = goal.deadline.flatMap(literalValue)
            let status: GoalResult.Status = Value.satisfies(value, comparison, limit) ? .met
                : (due.map { if case .date(let date) = $0 { evaluator.asOf.map { $0 > date } ?? false } else { false } } ?? false) ? .missed : .notYetMet
            return GoalResult(goal: base.0, title: base.1, indicator: base.2, target: base.3, deadline: deadline, status: status)
        }
        return (results, pathways, goals)
    }

    private static func paramValue(_ expression: Expression, _ evaluator: Evaluator) -> Value? {
        if case .name(nil, let name) = expression { return evaluator.params[name.text.lowercased()] }
        return nil
    }
}

extension RowSource {
    /// Some of another source's rows, in order.
    convenience init(filtering source: RowSource, rows: [Int]) {
        self.init(view: source.name, rowCount: rows.count, columns: [:], loader: { name in source.column(name)?.gathering(rows) })
    }
}

extension Value {
    /// `value comparison limit`, with amounts, numbers and percentages compared by size.
    static func satisfies(_ value: Value, _ comparison: String, _ limit: Value) -> Bool {
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
        case "<=": return a <= b
        case "<": return a < b
        case ">=": return a >= b
        case ">": return a > b
        default: return a == b
        }
    }
}
