import Foundation
import Tabular

/// Works out the default rubric's indicators for a generated district straight from the records
/// the generator made, in plain Swift: an oracle independent of the rules engine, so the answer
/// keys can catch the engine (or the rules) measuring something other than what they say.
/// The formulas and levels follow the rule files in `rules/`; change one, change the other.
struct Oracle {
    let district: District
    /// What the district's codes mean: NCES, or the state's whose chart its export was written in.
    var meaning = ChartMeaning.nces
    /// Whether the export carries the ledger's goal tags; without them only goal projects count.
    var readsTags = true

    static let paymentTypes: Set<String> = ["PAY", "INV", "CHK"]
    static let placeholderVendors: Set<String> = ["NOT PROVIDED", "N/A", "NA", "TBD", "UNKNOWN", "VENDOR", "MISC"]

    private var lines: [LedgerLine] { district.lines }
    private func isPersonnel(_ line: LedgerLine) -> Bool { meaning.isPersonnel(district.account(of: line)) }
    private func isCurrent(_ line: LedgerLine) -> Bool { meaning.isCurrent(district.account(of: line)) }
    private func isFederal(_ account: Account) -> Bool { meaning.isFederal(account) }
    private var schools: [Site] { district.sites.filter(\.isSchool) }
    private func isSchool(_ code: String) -> Bool { schools.contains { $0.code == code } }
    private func ratio(_ part: Cents, _ whole: Cents) -> Double? { whole == 0 ? nil : Double(part) / Double(whole) }

    // MARK: Schools' spending (the site_spending view)

    struct SchoolSpending {
        var site: Site
        var spent: Cents = 0
        var stateLocal: Cents = 0
        /// The school's share, by enrollment, of current spending not coded to any school.
        var centralStateLocal = 0.0
        var centralFederal = 0.0
        var federal: Cents { spent - stateLocal }
        var pupils: Double { Double(site.enrollment) }
        var stateLocalPerPupil: Double { Double(stateLocal) / 100 / pupils }
        var needWeighted: Double { pupils * (1 + 0.30 * site.poverty + 0.15 * site.english + 0.90 * site.disability) }
        var stateLocalPerNeed: Double { Double(stateLocal) / 100 / needWeighted }
        var essaStateLocalPerPupil: Double { (Double(stateLocal) / 100 + centralStateLocal) / pupils }
        var essaFederalPerPupil: Double { (Double(federal) / 100 + centralFederal) / pupils }
    }

    /// Current spending of each school that has any, with its share of central spending.
    var schoolSpending: [SchoolSpending] {
        var bySite: [String: SchoolSpending] = [:]
        var centralStateLocal: Cents = 0, centralFederal: Cents = 0
        for line in lines where isCurrent(line) {
            let account = district.account(of: line)
            guard let site = schools.first(where: { $0.code == account.site }) else {
                if isFederal(account) { centralFederal += line.amount } else { centralStateLocal += line.amount }
                continue
            }
            bySite[site.code, default: SchoolSpending(site: site)].spent += line.amount
            if !isFederal(account) { bySite[site.code]!.stateLocal += line.amount }
        }
        let pupils = Double(schools.reduce(0) { $0 + $1.enrollment })
        return bySite.values.sorted { $0.site.code < $1.site.code }.map { school in
            var school = school
            school.centralStateLocal = Double(centralStateLocal) / 100 * school.pupils / pupils
            school.centralFederal = Double(centralFederal) / 100 * school.pupils / pupils
            return school
        }
    }

    /// The schools compared within each level (the level_equity view): more than 100 pupils.
    private var levels: [(pupils: Double, schools: [SchoolSpending])] {
        Dictionary(grouping: schoolSpending.filter { $0.site.enrollment > 100 }, by: \.site.level).values.map { schools in
            (schools.reduce(0) { $0 + $1.pupils }, schools)
        }
    }

    /// Averages a measure over the levels it can be taken in, weighted by their pupils.
    private func pupilWeighted(_ measure: ([SchoolSpending]) -> Double?) -> Double? {
        let measured = levels.compactMap { level in measure(level.schools).map { ($0, level.pupils) } }
        let pupils = measured.reduce(0) { $0 + $1.1 }
        return pupils == 0 ? nil : measured.reduce(0) { $0 + $1.0 * $1.1 } / pupils
    }

    /// State and local spending per pupil of the schools poorer than their level's pupil-weighted
    /// average (from the Schools table), and of the others.
    private func perPupilByPoverty(_ schools: [SchoolSpending]) -> (higher: Double, lower: Double)? {
        let level = schools[0].site.level
        let peers = district.sites.filter { $0.level == level && $0.enrollment > 100 }
        let average = peers.reduce(0) { $0 + Double($1.enrollment) * $1.poverty } / Double(peers.reduce(0) { $0 + $1.enrollment })
        let higher = schools.filter { $0.site.poverty > average }, lower = schools.filter { $0.site.poverty <= average }
        func perPupil(_ group: [SchoolSpending]) -> Double { Double(group.reduce(0) { $0 + $1.stateLocal }) / 100 / group.reduce(0) { $0 + $1.pupils } }
        return higher.isEmpty || lower.isEmpty ? nil : (perPupil(higher), perPupil(lower))
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
        values["MG-3"] = meaning.catchAll.isEmpty ? nil : ratio(lines.filter { meaning.isCatchAll(district.account(of: $0)) }.reduce(0) { $0 + $1.amount }, nonPersonnelSpend)
        let miscoded = lines.filter { line in
            let account = district.account(of: line)
            return meaning.isInvalidPair(account) || account.status == "Inactive"
        }
        values["MG-4"] = lines.isEmpty ? nil : Double(miscoded.count) / Double(lines.count)
        let chosen = nonPersonnel.filter { !meaning.isFixedObligation(district.account(of: $0)) }
        values["MG-5"] = ratio(chosen.filter { [5, 6].contains($0.posted.components.month) }.reduce(0) { $0 + $1.amount }, chosen.reduce(0) { $0 + $1.amount })
        values["MG-6"] = ratio(accounts.reduce(0) { $0 + abs($1.transfers) }, accounts.reduce(0) { $0 + $1.original })

        let schoolAccounts = accounts.filter { isSchool($0.site) }
        let discretionary = schoolAccounts.filter { !$0.locked && !meaning.isPersonnel($0) }
        let currentSchoolAccounts = schoolAccounts.filter(meaning.isCurrent)
        let controlled = currentSchoolAccounts.filter { account in
            !account.locked && account.owner != nil && account.owner == district.sites.first { $0.code == account.site }?.principal
        }
        values["SA-1"] = ratio(controlled.reduce(0) { $0 + $1.revised }, currentSchoolAccounts.reduce(0) { $0 + $1.revised })
        values["SA-2"] = Double(schools.filter { district.owner($0.principal)?.active == true }.count) / Double(schools.count)
        let principals = district.owners.filter { $0.role == "Principal" && $0.active }
        let current = principals.filter { owner in owner.trained.map { district.asOf.daysSince1970 - $0.daysSince1970 <= 365 } ?? false }
        values["SA-3"] = Double(current.count) / Double(principals.count)
        values["SA-4"] = ratio(discretionary.reduce(0) { $0 + $1.available }, discretionary.reduce(0) { $0 + $1.revised })

        let goalProjects = Set(district.goals.map(\.project))
        let tagged = chosen.filter { (readsTags && $0.goals != nil) || goalProjects.contains(district.account(of: $0).project) }.reduce(0) { $0 + $1.amount }
        values["AL-1"] = ratio(tagged, chosen.reduce(0) { $0 + $1.amount })
        let smart = district.goals.filter { $0.metric != nil && $0.baseline != nil && $0.target != nil && $0.due != nil && $0.owner != nil && $0.budget > 0 }
        values["AL-2"] = Double(smart.count) / Double(district.goals.count)
        let title1 = accounts.filter(meaning.isTitle1)
        if let used = ratio(title1.reduce(0) { $0 + $1.actual + $1.encumbrance }, title1.reduce(0) { $0 + $1.revised }) { values["AL-5"] = 1 - used }

        values["RE-1"] = pupilWeighted { schools in
            schools.count >= 2 ? Oracle.weightedCoefficientOfVariation(schools.map { ($0.stateLocalPerNeed, $0.pupils) }) : nil
        }
        values["RE-2"] = pupilWeighted { schools in
            schools.count >= 3 ? Oracle.correlation(schools.map(\.stateLocalPerPupil), schools.map(\.site.poverty), weights: schools.map(\.pupils)) : nil
        }
        // Each level's spending per pupil in its poorer and its other schools, weighted by its pupils.
        let split = levels.compactMap { level in perPupilByPoverty(level.schools).map { ($0.higher * level.pupils, $0.lower * level.pupils) } }
        values["RE-6"] = split.isEmpty ? nil : split.reduce(0) { $0 + $1.0 } / split.reduce(0) { $0 + $1.1 }
        let currentSpend = lines.filter(isCurrent)
        values["RE-5"] = ratio(currentSpend.filter { isSchool(district.account(of: $0).site) }.reduce(0) { $0 + $1.amount },
                               currentSpend.reduce(0) { $0 + $1.amount })
        let spending = schoolSpending
        let matching = spending.filter { school in
            guard let published = school.site.publishedPerPupil else { return false }
            return abs(Double(published) / 100 - school.essaStateLocalPerPupil) <= 0.05 * school.essaStateLocalPerPupil
        }
        values["TR-2"] = Double(matching.count) / Double(spending.count)
        let readable = lines.filter { line in
            let described = line.description.trimmingCharacters(in: .whitespaces).count >= 15
            let vendor = line.vendor?.trimmingCharacters(in: .whitespaces).uppercased()
            return described && (!Oracle.paymentTypes.contains(line.docType) || (vendor != nil && !Oracle.placeholderVendors.contains(vendor!)))
        }
        values["TR-4"] = Double(readable.count) / Double(lines.count)
        if let general = district.funds.first(where: { $0.fund == meaning.generalFund }) {
            values["MG-7"] = ratio(general.unrestricted, general.expenditures)
            values["MG-8"] = ratio(general.cash, general.expenditures).map { $0 * 365 }
        }
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
        "RE-5": (true, [0.85, 0.75, 0.60]), "RE-6": (true, [1.10, 1.05, 1.00]), "MG-7": (true, [0.167, 0.125, 0.083]),
        "MG-8": (true, [90, 60, 30]), "TR-2": (true, [1.00, 0.75, 0.50]), "TR-4": (true, [0.98, 0.90, 0.75]),
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

    /// The population coefficient of variation, each value counted `weight` times.
    static func weightedCoefficientOfVariation(_ values: [(value: Double, weight: Double)]) -> Double? {
        let total = values.reduce(0) { $0 + $1.weight }
        guard total > 0 else { return nil }
        let mean = values.reduce(0) { $0 + $1.value * $1.weight } / total
        let variance = values.reduce(0) { $0 + $1.weight * ($1.value - mean) * ($1.value - mean) } / total
        return variance.squareRoot() / mean
    }

    static func correlation(_ first: [Double], _ second: [Double], weights: [Double]) -> Double? {
        guard first.count >= 2 else { return nil }
        let total = weights.reduce(0, +)
        let meanX = zip(first, weights).reduce(0) { $0 + $1.0 * $1.1 } / total, meanY = zip(second, weights).reduce(0) { $0 + $1.0 * $1.1 } / total
        var covariance = 0.0, varianceX = 0.0, varianceY = 0.0
        for index in first.indices {
            let (x, y, weight) = (first[index] - meanX, second[index] - meanY, weights[index])
            covariance += weight * x * y
            varianceX += weight * x * x
            varianceY += weight * y * y
        }
        return covariance / (varianceX * varianceY).squareRoot()
    }
}
