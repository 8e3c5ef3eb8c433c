import Foundation
import SpreadsheetIO
import Tabular

/// The struggling district exported at four month-ends of its year, for following a district
/// through its reviews: what it posted by each date, with the budget spent so far, and two
/// problems put right on the way (the vague supply descriptions by January, the nameless vendor
/// by April) while others arrive. Its key says, for the rules of the planted ledger lines, what
/// each review must find, and which of those findings are new and which resolved since the last.
public struct MonthEndKey: Codable, Sendable, Equatable {
    public struct Month: Codable, Sendable, Equatable {
        public let file: String
        public let asOf: String
        /// The planted lines' findings this export must give.
        public let findings: [AnswerKey.ExpectedFinding]
        /// How many of them are new since the last export, and how many of the last one's are gone, by rule.
        public let new: [String: Int]
        public let resolved: [String: Int]
        /// Each measured goal's status: met, on track, at risk or missed.
        public let goals: [String: String]
        /// The values and levels of indicators that measure the year to date alike at any
        /// month-end, as the Trends sheet must show them.
        public let values: [String: Double]
        public let levels: [String: String]
    }

    /// Indicators whose measure means the same at any month-end (shares of the spending so far,
    /// spread between schools, reserves): the Trends sheet is checked on these.
    public static let trendIndicators = ["MG-3", "MG-7", "RE-1", "RE-5", "TR-4"]

    /// The rules the key speaks for: those of planted ledger lines. Others (a line's budget pace)
    /// come and go with the spending to date and are not in the key.
    public let rules: [String]
    public let months: [Month]

    /// Two goals measured by indicators: reserves to two months (no baseline written: the first
    /// review gives it) and even spending within levels.
    static let measuredGoals = [
        Goal(id: "G5", name: "Two months of reserves", metric: "MG-7 unrestricted fund balance as a share of spending", baseline: nil,
             target: "16.7%", due: CalendarDate(year: 2027, month: 6, day: 30), owner: "O001", budget: 0, project: "000", students: nil),
        Goal(id: "G6", name: "Even spending within each school level", metric: "RE-1 coefficient of variation", baseline: "0.08",
             target: "0.05", due: CalendarDate(year: 2026, month: 6, day: 30), owner: "O001", budget: 0, project: "000", students: nil),
    ]

    /// `16.7%` as 0.167, `0.05` as 0.05.
    static func fraction(_ text: String) -> Double? {
        text.hasSuffix("%") ? Double(text.dropLast()).map { $0 / 100 } : Double(text)
    }

    /// Met at or past the target; missed past the deadline; on track at or past where the straight
    /// path from baseline to target is by `asOf`; at risk behind it.
    static func status(current: Double, baseline: Double, target: Double, start: CalendarDate, deadline: CalendarDate, asOf: CalendarDate) -> String {
        let rising = target >= baseline
        if rising ? current >= target : current <= target { return "met" }
        if asOf > deadline { return "missed" }
        let share = min(1, max(0, Double(asOf.daysSince1970 - start.daysSince1970) / Double(deadline.daysSince1970 - start.daysSince1970)))
        let expected = baseline + (target - baseline) * share
        return (rising ? current >= expected : current <= expected) ? "on track" : "at risk"
    }

    /// The month-ends, and the fixes made before each.
    static let months: [(end: CalendarDate, name: String)] = [
        (CalendarDate(year: 2024, month: 10, day: 31)!, "springfield-2024-10.xlsx"), (CalendarDate(year: 2025, month: 1, day: 31)!, "springfield-2025-01.xlsx"),
        (CalendarDate(year: 2025, month: 4, day: 30)!, "springfield-2025-04.xlsx"), (CalendarDate(year: 2025, month: 6, day: 30)!, "springfield-2025-06.xlsx"),
    ]
}

extension SampleWriter {
    /// Writes the four month-end exports and `springfield-month-ends.answers.json` into `folder`.
    public static func writeMonthEnds(to folder: String, seed: UInt64 = defaultSeed) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let (district, plants) = DistrictGenerator.make(.struggling, seed: seed)
        let rules = ["BO-5", "BO-6", "BO-8", "BO-8A", "MG-10", "MG-12", "TR-7", "TR-8"]
        let linePlants = plants.filter { rules.contains($0.rule) }
        var written: [String] = []
        var months: [MonthEndKey.Month] = []
        var before: [AnswerKey.ExpectedFinding] = []
        var firstValues: [String: Double] = [:]
        for (end, name) in MonthEndKey.months {
            var cut = district.cut(at: end)
            cut.goals += MonthEndKey.measuredGoals
            // Each goal against the straight path from its baseline (the first review's value when
            // the Goals sheet gives none) to its target, from the first review to its deadline.
            let values = Oracle(district: cut).values
            var goals: [String: String] = [:]
            for goal in MonthEndKey.measuredGoals {
                let indicator = String(goal.metric!.prefix { $0 != " " })
                guard let current = values[indicator] else { continue }
                if firstValues[indicator] == nil { firstValues[indicator] = current }
                let baseline = goal.baseline.flatMap(MonthEndKey.fraction) ?? firstValues[indicator]!
                goals[goal.id] = MonthEndKey.status(current: current, baseline: baseline, target: MonthEndKey.fraction(goal.target!)!,
                                                    start: MonthEndKey.months[0].end, deadline: goal.due!, asOf: end)
            }
            let path = (folder as NSString).appendingPathComponent(name)
            let sheets = try writeWorkbook(cut, to: path)
            written.append(path)
            let row = Dictionary(uniqueKeysWithValues: zip(cut.lines.map(\.serial), sheets.lineRows))
            // A plant is found once all its lines are posted, and no longer once it is put right.
            let findings = linePlants.compactMap { plant -> AnswerKey.ExpectedFinding? in
                guard case .lines(let serials) = plant.target, serials.allSatisfy({ row[$0] != nil }),
                      !District.fixed(plant.rule, by: end) else { return nil }
                return AnswerKey.ExpectedFinding(rule: plant.rule, sheet: "Transactions", rows: serials.map { row[$0]! }, key: nil)
            }.sorted()
            // New and resolved, by rule: plants only arrive, or go when put right.
            func byRule(_ found: [AnswerKey.ExpectedFinding]) -> [String: Int] { Dictionary(grouping: found, by: \.rule).mapValues(\.count) }
            func more(_ first: [String: Int], than second: [String: Int]) -> [String: Int] {
                first.reduce(into: [:]) { result, entry in
                    let extra = entry.value - second[entry.key, default: 0]
                    if extra > 0 { result[entry.key] = extra }
                }
            }
            let isFirst = months.isEmpty
            months.append(MonthEndKey.Month(file: name, asOf: end.description, findings: findings,
                                            new: isFirst ? [:] : more(byRule(findings), than: byRule(before)),
                                            resolved: isFirst ? [:] : more(byRule(before), than: byRule(findings)), goals: goals,
                                            values: values.filter { MonthEndKey.trendIndicators.contains($0.key) },
                                            levels: MonthEndKey.trendIndicators.reduce(into: [:]) { levels, id in
                                                levels[id] = values[id].map { Oracle.level(of: id, $0) } ?? "not assessed"
                                            }))
            before = findings
        }
        let key = MonthEndKey(rules: rules, months: months)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let keyPath = (folder as NSString).appendingPathComponent("springfield-month-ends.answers.json")
        try AtomicFile.write(try encoder.encode(key) + Data("\n".utf8), to: URL(fileURLWithPath: keyPath))
        return written + [keyPath]
    }
}

extension District {
    /// The district as exported at `end`: the lines posted by then, each account's spending so
    /// far, purchase orders left open only at year end, and the fixes made by then.
    func cut(at end: CalendarDate) -> District {
        var cut = self
        cut.asOf = end
        cut.lines = lines.filter { $0.posted <= end }
        if let subtotal = subtotalAfterLine, subtotal >= cut.lines.count { cut.subtotalAfterLine = nil }
        for index in cut.accounts.indices {
            cut.accounts[index].actual = 0
            if end < asOf { cut.accounts[index].encumbrance = 0 }
        }
        for index in cut.lines.indices {
            cut.accounts[cut.lines[index].account].actual += cut.lines[index].amount
            // Put right, as the finance office did after an earlier review.
            if District.fixed("TR-8", by: end), cut.lines[index].description == "SUPPLIES" {
                cut.lines[index].description = "Classroom supplies for the reading corner"
            }
            if District.fixed("TR-7", by: end), cut.lines[index].vendor == "Not Provided" {
                cut.lines[index].vendor = "Texas Instruments Education"
            }
        }
        return cut
    }

    /// Whether a planted problem was put right by `end`: the vague descriptions in the exports
    /// from January, the nameless vendor from April.
    static func fixed(_ rule: String, by end: CalendarDate) -> Bool {
        switch rule {
        case "TR-8": end >= CalendarDate(year: 2025, month: 1, day: 1)!
        case "TR-7": end >= CalendarDate(year: 2025, month: 4, day: 1)!
        default: false
        }
    }
}
