import Foundation
import Tabular

/// Works out the default rubric's indicators for a generated district straight from the records
/// the generator made, in plain Swift: an oracle independent of the rules engine, so the answer
/// keys can catch the engine (or the rules) measuring something other than what they say.
/// The formulas and levels follow the rule files in `rules/`; change one, change the other.
struct Oracle {
    let district: District

    static let nonCurrentFunctions: Set<String> = ["3300", "4000", "4100", "4200", "4300", "4400", "4500", "4600", "4700", "4900", "5000", "5100"]
    static let catchAll: Set<String> = ["890", "899"]
    /// The first two digits of objects for fixed obligations (utilities, leases, contracted buses, debt…).
    static let fixedObligations: Set<String> = ["41", "44", "51", "52", "53", "56", "62", "83", "91"]
    static let title1Projects: Set<String> = ["411", "412"]
    static let paymentTypes: Set<String> = ["PAY", "INV", "CHK"]
    static let placeholderVendors: Set<String> = ["NOT PROVIDED", "N/A", "NA", "TBD", "UNKNOWN", "VENDOR", "MISC"]

    private var lines: [LedgerLine] { district.lines }
    private func isPersonnel(_ line: LedgerLine) -> Bool { district.account(of: line).isPersonnel }
    private func isCurrent(_ line: LedgerLine) -> Bool { !Oracle.nonCurrentFunctions.contains(district.account(of: line).function) }
    private func isFederal(_ account: Account) -> Bool { "456789".contains(account.project.first!) }
    private var schools: [Site] { district.sites.filter(\.isSchool) }
    private func isSchool(_ code: String) -> Bool { schools.contains { $0.code == code } }
    private func ratio(_ part: Cents, _ whole: Cents) -> Double? { whole == 0 ? nil : Double(part) / Double(whole) }

    // MARK: Schools' spending (the site_spending view)

    struct SchoolSpending {
        var site: Site
        var spent: Cents = 0
        var stateLocal: Cents = 0
        var perPupil: Double { Double(spent) / 100 / Double(site.enrollment) }
        var stateLocalPerPupil: Double { Double(stateLocal) / 100 / Double(site.enrollment) }
        var needWeighted: Double {
            Double(site.enrollment) * (1 + 0.30 * site.poverty + 0.15 * site.english + 0.90 * site.disability)
        }
        var perNeedWeighted: Double { Double(spent) / 100 / needWeighted }
    }

    /// Current spending of each school that has any, in dollars per pupil and in total.
    var schoolSpending: [SchoolSpending] {
        var bySite: [String: SchoolSpending] = [:]
        for line in lines where isCurrent(line) {
            let account = district.account(of: line)
            guard let site = schools.first(where: { $0.code == account.site }) else { continue }
            bySite[site.code, default: SchoolSpending(site: site)].spent += line.amount
            if !isFederal(account) { bySite[site.code]!.stateLocal += line.amount }
        }
        return bySite.values.sorted { $0.site.code < $1.site.code }
    }

    var stateLocalPerPupil: [String: Double] {
        Dictionary(uniqueKeysWithValues: schoolSpending.map { ($0.site.code, $0.stateLocalPerPupil) })
    }

    // MARK: Indicators

    /// Each indicator's measured value, by id; missing when there is nothing to measure.
    var values: [String: Double] {
        var values: [String: Double] = [:]
        let accounts = district.accounts
        let revised = accounts.reduce(0) { $0 + $1.revised }
        let owned = accounts.filter { district.owner($0.owner)?.active == true }.reduce(0) { $0 + $1.revised }
        values["MG-1"] = ratio(owned, revised)
        values["MG-2"] = ratio(accounts.filter { $0.available < 0 }.reduce(0) { $0 - $1.available }, revised)
        let nonPersonnel = lines.filter { !isPersonnel($0) }
        let nonPersonnelSpend = nonPersonnel.reduce(0) { $0 + $1.amount }
        values["MG-3"] = ratio(lines.filter { Oracle.catchAll.contains(district.account(of: $0).object) }.reduce(0) { $0 + $1.amount }, nonPersonnelSpend)
        let miscoded = lines.filter { line in
            let account = district.account(of: line)
            let invalidPair = (account.object.hasPrefix("51") && account.function != "2700") || (account.isPersonnel && ["5000", "5100"].contains(account.function))
            return invalidPair || account.status == "Inactive"
        }
        values["MG-4"] = lines.isEmpty ? nil : Double(miscoded.count) / Double(lines.count)
        let chosen = nonPersonnel.filter { !Oracle.fixedObligations.contains(String(district.account(of: $0).object.prefix(2))) }
        values["MG-5"] = ratio(chosen.filter { [5, 6].contains($0.posted.components.month) }.reduce(0) { $0 + $1.amount }, chosen.reduce(0) { $0 + $1.amount })
        values["MG-6"] = ratio(accounts.reduce(0) { $0 + abs($1.transfers) }, accounts.reduce(0) { $0 + $1.original })

        let schoolAccounts = accounts.filter { isSchool($0.site) }
        let discretionary = schoolAccounts.filter { !$0.locked && !$0.isPersonnel }
        values["SA-1"] = ratio(discretionary.reduce(0) { $0 + $1.revised }, schoolAccounts.reduce(0) { $0 + $1.revised })
        values["SA-2"] = Double(schools.filter { district.owner($0.principal)?.active == true }.count) / Double(schools.count)
        let principals = district.owners.filter { $0.role == "Principal" && $0.active }
        let current = principals.filter { owner in owner.trained.map { district.asOf.daysSince1970 - $0.daysSince1970 <= 365 } ?? false }
        values["SA-3"] = Double(current.count) / Double(principals.count)
        values["SA-4"] = ratio(discretionary.reduce(0) { $0 + $1.available }, discretionary.reduce(0) { $0 + $1.revised })

        let tagged = nonPersonnel.filter { $0.goals != nil }.reduce(0) { $0 + $1.amount }
        values["AL-1"] = ratio(tagged, nonPersonnelSpend)
        let smart = district.goals.filter { $0.metric != nil && $0.baseline != nil && $0.target != nil && $0.due != nil && $0.owner != nil && $0.budget > 0 }
        values["AL-2"] = Double(smart.count) / Double(district.goals.count)
        let title1 = accounts.filter { Oracle.title1Projects.contains($0.project) }
        if let used = ratio(title1.reduce(0) { $0 + $1.actual + $1.encumbrance }, title1.reduce(0) { $0 + $1.revised }) { values["AL-5"] = 1 - used }

        let compared = schoolSpending.filter { $0.site.enrollment > 100 }
        values["RE-1"] = Oracle.coefficientOfVariation(compared.map(\.perNeedWeighted))
        values["RE-2"] = Oracle.correlation(compared.map(\.perPupil), compared.map(\.site.poverty))
        let currentSpend = lines.filter(isCurrent)
        values["RE-5"] = ratio(currentSpend.filter { isSchool(district.account(of: $0).site) }.reduce(0) { $0 + $1.amount },
                               currentSpend.reduce(0) { $0 + $1.amount })
        let spending = schoolSpending
        let matching = spending.filter { school in
            guard let published = school.site.publishedPerPupil else { return false }
            return abs(Double(published) / 100 - school.stateLocalPerPupil) <= 0.05 * school.stateLocalPerPupil
        }
        values["TR-2"] = Double(matching.count) / Double(spending.count)
        let readable = lines.filter { line in
            let described = line.description.trimmingCharacters(in: .whitespaces).count >= 15
            let vendor = line.vendor?.trimmingCharacters(in: .whitespaces).uppercased()
            return described && (!Oracle.paymentTypes.contains(line.docType) || (vendor != nil && !Oracle.placeholderVendors.contains(vendor!)))
        }
        values["TR-4"] = Double(readable.count) / Double(lines.count)
        values["BO-9"] = Oracle.benfordDeviation(lines.filter { !($0.vendor ?? "").isEmpty && $0.amount >= 1_000 }.map(\.amount))
        return values
    }

    /// The levels of `rules/`, best first: the value at or past a threshold gets its level.
    static let bands: [String: (higherIsBetter: Bool, thresholds: [Double])] = [
        "MG-1": (true, [1.00, 0.98, 0.90]), "MG-2": (false, [0, 0.005, 0.02]), "MG-3": (false, [0.02, 0.05, 0.10]),
        "MG-4": (false, [0, 0.005, 0.02]), "MG-5": (false, [0.20, 0.25, 0.35]), "MG-6": (false, [0.03, 0.06, 0.10]),
        "SA-1": (true, [0.30, 0.15, 0.05]), "SA-2": (true, [1.00, 0.95, 0.80]), "SA-3": (true, [0.90, 0.75, 0.50]),
        "SA-4": (false, [0.05, 0.10, 0.20]), "AL-1": (true, [0.80, 0.60, 0.30]), "AL-2": (true, [1.00, 0.80, 0.50]),
        "AL-5": (false, [0.10, 0.15, 0.20]), "RE-1": (false, [0.10, 0.15, 0.20]), "RE-2": (true, [0.5, 0.2, 0]),
        "RE-5": (true, [0.85, 0.75, 0.60]), "TR-2": (true, [1.00, 0.75, 0.50]), "TR-4": (true, [0.98, 0.90, 0.75]),
        "BO-9": (false, [0.006, 0.012, 0.015]),
    ]
    static let levels = ["exemplary", "established", "developing", "emerging"]

    static func level(of indicator: String, _ value: Double) -> String {
        let (higherIsBetter, thresholds) = bands[indicator]!
        let position = thresholds.firstIndex { higherIsBetter ? value >= $0 - 1e-12 : value <= $0 + 1e-12 } ?? thresholds.count
        return levels[position]
    }

    /// Nigrini's mean absolute deviation of the first digits' shares from Benford's, over the nine
    /// digits (one no amount starts with counts by all of its share); nil under 1,000 amounts.
    static func benfordDeviation(_ amounts: [Cents]) -> Double? {
        guard amounts.count >= 1_000 else { return nil }
        var counts = [Int](repeating: 0, count: 10)
        for amount in amounts { counts[Int(String(amount).first!.wholeNumberValue!)] += 1 }
        let deviations = (1 ... 9).map { digit in abs(Double(counts[digit]) / Double(amounts.count) - log10(1 + 1 / Double(digit))) }
        return deviations.reduce(0, +) / 9
    }

    static func coefficientOfVariation(_ values: [Double]) -> Double? {
        guard values.count >= 2 else { return nil }
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
        return variance.squareRoot() / mean
    }

    static func correlation(_ first: [Double], _ second: [Double]) -> Double? {
        guard first.count >= 2 else { return nil }
        let meanX = first.reduce(0, +) / Double(first.count), meanY = second.reduce(0, +) / Double(second.count)
        var covariance = 0.0, varianceX = 0.0, varianceY = 0.0
        for (x, y) in zip(first, second) {
            covariance += (x - meanX) * (y - meanY)
            varianceX += (x - meanX) * (x - meanX)
            varianceY += (y - meanY) * (y - meanY)
        }
        return covariance / (varianceX * varianceY).squareRoot()
    }
}
