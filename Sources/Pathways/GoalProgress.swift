import Foundation
import Reports
import RulesEngine
import Tabular

/// How far each time-bound goal has come: the district's own (from its Goals sheet, when the
/// metric names an indicator, `RE-1 within 0.10`) and the rules' `goal`s, each against the
/// straight path from its baseline to its target by its deadline.
enum GoalTracking {
    /// `past`: the district's earlier reviews in the run history, oldest first, for the baseline
    /// a Goals sheet leaves blank and for the values over time.
    static func progress(report: RunJob.Report, binding: WorkbookBinding, past: [ReviewHistory.IndicatorPoint]) -> [GoalProgress] {
        let indicators = report.indicators
        let asOf = report.asOf.flatMap { text in ValueText.withUTF8(text) { ValueText.date($0) } }
        var reviews: [Int64] = []
        for point in past where !reviews.contains(point.review) { reviews.append(point.review) }
        func history(of indicator: String) -> [String?] {
            reviews.map { review in past.first { $0.review == review && $0.indicator == indicator }?.value }
        }
        var rows: [GoalProgress] = []
        if let goals = binding.tables["goals"] {
            for row in 0 ..< goals.table.rowCount {
                func text(_ column: String) -> String? {
                    goals.column(column).map { $0[row].description }.flatMap { $0.isEmpty ? nil : $0 }
                }
                guard let id = text("goal") else { continue }
                let metric = text("metric") ?? ""
                let named = indicators.first { indicator in
                    metric.range(of: "\\b\(NSRegularExpression.escapedPattern(for: indicator.indicator))\\b", options: [.regularExpression, .caseInsensitive]) != nil
                }
                var progress = GoalProgress(goal: id, title: text("name") ?? id, indicator: named?.indicator, baseline: text("baseline"), target: text("target"),
                                            deadline: text("due"), current: named?.value, history: named.map { history(of: $0.indicator) } ?? [])
                guard let named else {
                    progress.status = .notMeasured
                    progress.reason = "Its metric (\(metric.isEmpty ? "blank" : metric)) names no indicator, so Pathways cannot measure it; write an indicator's id in it (RE-1, AL-5) to follow it here."
                    rows.append(progress)
                    continue
                }
                guard let current = named.number else {
                    progress.status = .notMeasured
                    progress.reason = "\(named.indicator) was not assessed in this review: \(named.reason ?? "it could not be measured.")"
                    rows.append(progress)
                    continue
                }
                // A blank baseline is the indicator's value at the district's first review: an
                // earlier one in the history, or this one.
                let firstPoint = past.first { $0.indicator == named.indicator && $0.number != nil }
                guard let target = progress.target.flatMap(number) else {
                    progress.status = .notMeasured
                    progress.reason = "It needs a target written as a number, such as 30% or 0.10."
                    rows.append(progress)
                    continue
                }
                let baseline = progress.baseline.flatMap(number) ?? firstPoint?.number ?? current
                if progress.baseline.flatMap(number) == nil {
                    progress.baseline = firstPoint.map { ($0.value ?? "") + " (the first review, \($0.asOf ?? "in the history"))" }
                        ?? (named.value ?? "") + " (this review, the first)"
                }
                let deadline = progress.deadline.flatMap { text in ValueText.withUTF8(text) { ValueText.date($0) } }
                // The path starts at the first review in the history, or at this one.
                let start = firstPoint?.asOf.flatMap { text in ValueText.withUTF8(text) { ValueText.date($0) } } ?? asOf
                let rising = target >= baseline
                let met = rising ? current >= target : current <= target
                var expected: Double?
                if let start, let deadline, let asOf, deadline > start {
                    let share = min(1, max(0, Double(asOf.daysSince1970 - start.daysSince1970) / Double(deadline.daysSince1970 - start.daysSince1970)))
                    expected = baseline + (target - baseline) * share
                }
                progress.expected = expected.map { formatLike(named.value ?? "", $0) }
                progress.numbers = GoalProgress.Numbers(baseline: baseline, target: target, expected: expected, current: current)
                if met {
                    progress.status = .met
                } else if let deadline, let asOf, asOf > deadline {
                    progress.status = .missed
                } else if let expected {
                    progress.status = (rising ? current >= expected : current <= expected) ? .onTrack : .atRisk
                } else {
                    progress.status = .notMeasured
                    progress.reason = "It needs a target date after the review its path starts at."
                }
                rows.append(progress)
            }
        }
        // The rules' own goals, as the rules judged them.
        for goal in report.goals {
            let indicator = indicators.first { $0.indicator == goal.indicator }
            var progress = GoalProgress(goal: goal.goal, title: goal.title, indicator: goal.indicator, baseline: nil, target: goal.target,
                                        deadline: goal.deadline, current: indicator?.value, history: history(of: goal.indicator))
            progress.status = switch goal.status {
            case .met: .met
            case .missed: .missed
            case .notYetMet: .notYetMet
            case .notAssessed: .notMeasured
            }
            rows.append(progress)
        }
        return rows
    }

    /// A written baseline or target as a number: `41%` is 0.41, `$1,200` is 1200.
    static func number(_ text: String) -> Double? {
        ValueText.withUTF8(text) { bytes in ValueText.percent(bytes) ?? ValueText.money(bytes)?.doubleValue }
    }

    /// A number shown as the indicator's value is: a percentage, an amount or a plain number.
    private static func formatLike(_ shown: String, _ value: Double) -> String {
        if shown.hasSuffix("%") { return formatPercent(value) }
        if shown.hasPrefix("$") || shown.hasPrefix("-$") { return Money(scaled: Int64((value * Double(Money.scale)).rounded())).formatted }
        return formatNumber((value * 10_000).rounded() / 10_000)
    }
}
