import Reports
import RulesEngine
import RulesLanguage
import Tabular

/// Each budget owner's scorecard, from the budget lines they own, the owners table and their findings.
enum OwnerScorecards {
    /// `past`: the owners' cards at the district's last review in the run history, for what changed since.
    static func make(report: RunJob.Report, binding: WorkbookBinding,
                     past: (asOf: String?, cards: [String: OwnerScorecard])? = nil) -> (cards: [OwnerScorecard], yearGone: Double?) {
        let startMonth = report.params.first { $0.name == RuleChecker.fiscalYearStart }.flatMap { Int($0.value) } ?? 7
        let yearGone = report.asOf.flatMap { text in ValueText.withUTF8(text) { ValueText.date($0) } }.map { FiscalYear(startMonth: startMonth).elapsed(on: $0) }
        var cards: [String: OwnerScorecard] = [:]
        var order: [String] = []
        func card(_ owner: String) -> OwnerScorecard {
            if cards[owner] == nil {
                cards[owner] = OwnerScorecard(owner: owner)
                order.append(owner)
            }
            return cards[owner]!
        }
        if let owners = binding.tables["owners"], let ids = owners.column("owner") {
            for row in 0 ..< ids.count {
                let id = ids[row].description
                guard !id.isEmpty else { continue }
                var entry = card(id)
                func text(_ column: String) -> String? { owners.column(column).map { $0[row].description }.flatMap { $0.isEmpty ? nil : $0 } }
                entry.name = text("name")
                entry.role = text("role")
                if case .yesNo(let active)? = owners.column("active")?[row] { entry.active = active }
                entry.trained = text("trained")
                cards[id] = entry
            }
        }
        if let accounts = binding.tables["accounts"], let owners = accounts.column("owner") {
            func dollars(_ column: String, _ row: Int) -> Double {
                if case .money(let money)? = accounts.column(column)?[row] { money.doubleValue } else { 0 }
            }
            for row in 0 ..< owners.count {
                let id = owners[row].description
                guard !id.isEmpty else { continue }
                var entry = card(id)
                entry.lines += 1
                entry.revised += dollars("revised", row)
                entry.actual += dollars("actual", row)
                entry.encumbered += dollars("encumbrance", row)
                entry.available += dollars("available", row)
                entry.overspent += max(0, -dollars("available", row))
                cards[id] = entry
            }
        }
        for finding in report.findings {
            guard let owner = finding.owner else { continue }
            var entry = card(owner)
            entry.findings[finding.severity.rawValue, default: 0] += 1
            cards[owner] = entry
        }
        if let goals = binding.tables["goals"], let owners = goals.column("owner"), let ids = goals.column("goal") {
            for row in 0 ..< owners.count where !owners[row].description.isEmpty {
                var entry = card(owners[row].description)
                entry.goals.append(ids[row].description)
                cards[owners[row].description] = entry
            }
        }
        func cents(_ dollars: Double) -> Double { (dollars * 100).rounded() / 100 }
        for id in order {
            // Sums of amounts to the cent, as the budget report shows them.
            cards[id]!.revised = cents(cards[id]!.revised)
            cards[id]!.actual = cents(cards[id]!.actual)
            cards[id]!.encumbered = cents(cards[id]!.encumbered)
            cards[id]!.available = cents(cards[id]!.available)
            cards[id]!.overspent = cents(cards[id]!.overspent)
            // Spending so far, at the pace of the year gone by, carried to its end.
            if cards[id]!.lines > 0, let yearGone, yearGone > 0 { cards[id]!.projected = cents(cards[id]!.actual / min(1, yearGone)) }
            if let past, let then = past.cards[id] {
                cards[id]!.sinceLastReview = OwnerScorecard.Change(asOf: past.asOf, findings: cards[id]!.findingCount - then.findingCount,
                                                                   overspent: cents(cards[id]!.overspent - then.overspent))
            }
        }
        return (order.compactMap { cards[$0] }, yearGone)
    }
}
