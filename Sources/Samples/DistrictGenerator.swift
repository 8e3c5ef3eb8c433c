import Foundation
import Tabular

/// Which district to make: one that keeps its books well, or one with a known set of problems.
public enum SampleProfile: String, CaseIterable, Sendable {
    case clean
    case struggling
}

/// A finding the generator planted on purpose, named by the record it is about. Lines are named by
/// their serial, since the ledger is sorted by date only after everything is made.
struct Plant: Equatable {
    enum Target: Equatable {
        case lines([Int])
        case account(Int)
        case site(Int)
        case owner(Int)
        case goal(Int)
        /// A row of the site_spending view, by site code.
        case siteSpending(String)
        /// A row of the goal_spending view, by goal id.
        case goalSpending(String)
    }

    var rule: String
    var target: Target
}

/// Makes a district for fiscal year 2025 (July 2024 to June 2025), reviewed as of 30 June 2025:
/// twelve schools and three central departments, a chart of accounts in the NCES layout, monthly
/// payroll, vendor payments through the year, budget owners and goals. The clean district breaks
/// no rule; the struggling one has each problem in `plants`, and nothing else.
struct DistrictGenerator {
    private var random: SeededRandom
    private(set) var district: District
    private(set) var plants: [Plant] = []
    private let profile: SampleProfile
    /// How each account is spent, by account index.
    private var spending: [Spending] = []
    /// The goal each school materials account's lines are tagged with, by account index.
    private var goalTag: [Int: String] = [:]
    /// Planted lines already on each account, so its ordinary spending makes up only the rest.
    private var plantedSpend: [Int: Cents] = [:]
    /// How much of their budget planted accounts spend (over 1 is overspent); others spend 86–97%.
    private var usedFraction: [Int: Double] = [:]
    /// Each vendor's payments under the approval limit, by day: no ordinary payment may bring the
    /// payments of any 14 days up to the limit, which would look like a split purchase (BO-5).
    private var paymentsUnderLimit: [String: [(day: Int32, amount: Cents)]] = [:]
    private var nextSerial = 0
    private var nextInvoice = 48_200

    static let fiscalYearStart = CalendarDate(year: 2024, month: 7, day: 1)!
    static let asOf = CalendarDate(year: 2025, month: 6, day: 30)!
    static let approver = "O001"
    /// The district's approval limit and a principal's: payments at or above it need the business office.
    static let approvalLimit: Cents = 500_000
    /// How many days apart (the first counted) payments are looked at together for a split.
    static let splitDays: Int32 = 14
    /// An ordinary payment is the lowest amount, $20 (more for an account too large to be spent in
    /// about `mostPayments` payments), times 10 to a power spread evenly from 0 to 2.
    static let lowestPayment: Cents = 2_000
    static let mostPayments = 150.0

    enum Spending {
        case payroll
        case smallPayments(vendors: [String], items: [String])
        case monthly(vendor: String, item: String)
        case twiceAYear(vendor: String, item: String)
        case none
    }

    static func make(_ profile: SampleProfile, seed: UInt64) -> (District, [Plant]) {
        var generator = DistrictGenerator(profile: profile, seed: seed)
        generator.build()
        return (generator.district, generator.plants)
    }

    private init(profile: SampleProfile, seed: UInt64) {
        self.profile = profile
        random = SeededRandom(seed: seed ^ (profile == .clean ? 0x5EED_C1EA : 0x5EED_57A6))
        district = District(name: profile == .clean ? "Maple Valley Unified School District" : "Springfield Public Schools",
                            fiscalYear: 2025, asOf: DistrictGenerator.asOf)
    }

    // MARK: The district

    private mutating func build() {
        makeSites()
        makeOwners()
        makeAccounts()
        makeGoals()
        if profile == .struggling { plantProblems() }
        spendEveryAccount()
        district.lines.sort { ($0.posted, $0.serial) < ($1.posted, $1.serial) }
        for index in district.lines.indices { district.lines[index].id = String(format: "GL-2025-%06d", index + 1) }
        // A stray subtotal row, as a careless export leaves inside the ledger.
        if profile == .struggling { district.subtotalAfterLine = district.lines.count * 2 / 5 }
        publishPerPupilFigures()
        summarizeFunds()
    }

    private static let schools: [(code: String, name: String, level: String)] = [
        ("101", "Riverside Elementary", "ES"), ("102", "Hillcrest Elementary", "ES"), ("103", "Maple Grove Elementary", "ES"),
        ("104", "Lincoln Elementary", "ES"), ("105", "Washington Elementary", "ES"), ("106", "Oak Park Elementary", "ES"),
        ("107", "Cedar Ridge Elementary", "ES"), ("108", "Lakeview Elementary", "ES"), ("201", "Jefferson Middle", "MS"),
        ("202", "Roosevelt Middle", "MS"), ("301", "Central High", "HS"), ("302", "Westfield High", "HS"),
    ]
    private static let principalNames = ["Maria Chen", "James Okafor", "Priya Patel", "Robert Alvarez", "Linda Nguyen",
                                         "Samuel Brooks", "Grace Kim", "Daniel Reyes", "Angela Foster", "Marcus Webb",
                                         "Helen Park", "Victor Osei"]

    private mutating func makeSites() {
        // Poverty shares spread across schools, so some are Title I and spending can follow need.
        let poverty = [0.82, 0.34, 0.61, 0.27, 0.74, 0.45, 0.19, 0.58, 0.66, 0.31, 0.52, 0.24]
        for (index, school) in DistrictGenerator.schools.enumerated() {
            let enrollment = switch school.level {
            case "ES": random.int(330 ... 560)
            case "MS": random.int(640 ... 820)
            default: random.int(1_080 ... 1_380)
            }
            district.sites.append(Site(
                code: school.code, name: school.name, level: school.level, enrollment: enrollment, poverty: poverty[index],
                english: (poverty[index] * 0.3 + random.double(0.0 ... 0.05) * 100).rounded() / 100,
                disability: (random.double(0.10 ... 0.16) * 100).rounded() / 100, title1: poverty[index] >= 0.55,
                principal: "P" + school.code, discretionary: 0,
                method: "Base $5,200 a student; weights: low-income 0.30, English learner 0.15, disability 0.90",
                enrollmentYear: district.fiscalYear, publishedPerPupil: nil, publishedFederalPerPupil: nil))
        }
        for (code, name) in [("900", "District Office"), ("910", "Operations and Maintenance"), ("920", "Transportation")] {
            district.sites.append(Site(code: code, name: name, level: "CENTRAL", enrollment: 0, poverty: 0, english: 0, disability: 0,
                                       title1: false, principal: nil, discretionary: 0, method: nil, enrollmentYear: district.fiscalYear,
                                       publishedPerPupil: nil, publishedFederalPerPupil: nil))
        }
    }

    private mutating func trainingDate() -> CalendarDate {
        CalendarDate(year: 2024, month: 8, day: 1)!.adding(days: random.int(0 ... 200))
    }

    private mutating func makeOwners() {
        district.owners.append(Owner(id: DistrictGenerator.approver, name: "Dana Whitfield", role: "Business Manager", site: "900",
                                     approvalLimit: 500_000_000, trained: trainingDate(), active: true))
        for (index, school) in DistrictGenerator.schools.enumerated() {
            district.owners.append(Owner(id: "P" + school.code, name: DistrictGenerator.principalNames[index], role: "Principal",
                                         site: school.code, approvalLimit: DistrictGenerator.approvalLimit, trained: trainingDate(), active: true))
        }
        for (id, name, role, site) in [("D900", "Teresa Lindqvist", "Chief Academic Officer", "900"),
                                       ("D910", "Frank Moreno", "Dept Director", "910"),
                                       ("D920", "Alicia Grant", "Dept Director", "920"),
                                       ("M900", "Kevin Doyle", "Program Manager", "900"),
                                       ("F900", "Naomi Sato", "Grants Manager", "900")] {
            district.owners.append(Owner(id: id, name: name, role: role, site: site, approvalLimit: 2_500_000, trained: trainingDate(), active: true))
        }
    }

    private static let supplyVendors = ["School Specialty", "Really Good Stuff", "Staples Business Advantage", "Nasco Education",
                                        "Kaplan Early Learning", "Carolina Biological Supply", "Teacher Created Resources", "Discount School Supply"]
    private static let supplyItems = ["Classroom supplies for grade 3", "Art supplies and construction paper", "Science lab consumables",
                                      "Whiteboard markers and erasers", "Student planners and folders", "Printer toner for classrooms"]
    private static let bookVendors = ["Scholastic Inc.", "Follett School Solutions", "Barnes & Noble Education", "Perma-Bound Books",
                                      "Mackin Educational Resources"]
    private static let bookItems = ["Classroom library books", "Replacement reading textbooks", "Novels for grade 7 English",
                                    "Library book processing and covers"]
    private static let trainingVendors = ["Learning Forward", "Solution Tree", "Café Olé Catering"]
    private static let trainingItems = ["Workshop registration, reading strategies", "Conference fees, math coaching",
                                        "Online course licenses for teachers", "Lunch for the staff training day"]
    private static let technologyVendors = ["CDW Government", "Dell Technologies", "B&H Photo Education", "SHI International",
                                            "Insight Public Sector", "Troxell Communications"]
    private static let technologyItems = ["Student laptops and chargers", "Document cameras for classrooms", "Headphones for reading labs",
                                          "Replacement tablet screens"]
    private static let officeVendors = ["O’Brien Office Supply", "Staples Business Advantage"]
    private static let officeItems = ["Office supplies for the district office", "Copier paper, district office"]

    @discardableResult
    private mutating func addAccount(_ account: Account, _ spending: Spending) -> Int {
        district.accounts.append(account)
        self.spending.append(spending)
        return district.accounts.count - 1
    }

    /// What a school's staff cost a year, in cents, before benefits.
    private static let teacherPay: Cents = 7_200_000
    private static let benefitRate = 0.36

    /// Staffing by ratios near national figures (about 15 pupils a teacher), so personnel is about
    /// 80–85% of spending and a district spends $12,000–16,000 a pupil, as real ones do.
    private mutating func makeAccounts() {
        for site in district.sites where site.isSchool {
            let pupils = Double(site.enrollment)
            let principal = site.principal
            func account(_ function: String, _ object: String, _ description: String, _ budget: Cents, locked: Bool, program: String = "100") -> Account {
                Account(fund: "100", function: function, object: object, site: site.code, program: program, description: description, owner: principal,
                        locked: locked, original: budget)
            }
            func positions(_ count: Double) -> Cents { Cents(max(1, count.rounded())) }
            let teachers = positions(pupils / 15)
            // School-based budgeting: the clean district funds about a fifth of each school's
            // teaching positions by its need-weighted pupils and lets the principal choose them;
            // the struggling one fixes them all centrally, by enrollment alone.
            let need = 1 + 0.30 * site.poverty + 0.15 * site.english + 0.90 * site.disability
            let schoolFunded = profile == .clean ? positions(pupils * need / 100) : 0
            let teacherSalaries = (profile == .clean ? positions(pupils / 19) : teachers) * DistrictGenerator.teacherPay
            let schoolFundedSalaries = schoolFunded * DistrictGenerator.teacherPay
            // Aides and interventionists follow need: more for each low-income pupil.
            let aideSalaries = positions(pupils * (1 + site.poverty) / 90) * 3_800_000
            let specialEducation = positions(pupils * site.disability / 12) * 7_000_000
            let support = positions(pupils / 250) * 7_200_000
            let office: Cents = switch site.level {
            case "ES": 12_500_000 + 2 * 4_800_000
            case "MS": 13_500_000 + 11_000_000 + 3 * 4_800_000
            default: 14_500_000 + 2 * 11_200_000 + 5 * 4_800_000
            }
            addAccount(account("1000", "110", "Teacher salaries", teacherSalaries, locked: true), .payroll)
            if schoolFundedSalaries > 0 {
                addAccount(account("1000", "112", "Teacher salaries, school-funded positions", schoolFundedSalaries, locked: false), .payroll)
            }
            addAccount(account("1000", "115", "Instructional aides and interventionists", aideSalaries, locked: false), .payroll)
            var specialEducationAccount = account("1000", "110", "Special education teachers", specialEducation, locked: true, program: "200")
            specialEducationAccount.owner = "D900"
            addAccount(specialEducationAccount, .payroll)
            addAccount(account("2100", "110", "Counselors and nurses", support, locked: true), .payroll)
            addAccount(account("2400", "110", "School office salaries", office, locked: true), .payroll)
            let salaries = teacherSalaries + schoolFundedSalaries + aideSalaries + specialEducation + support + office
            addAccount(account("1000", "210", "Staff benefits", Cents((Double(salaries) * DistrictGenerator.benefitRate).rounded()), locked: true), .payroll)
            let supplies = Cents(site.enrollment) * 9_000
            let books = Cents(site.enrollment) * 4_500
            let technology = Cents(site.enrollment) * 6_000
            let training: Cents = site.level == "ES" ? 1_800_000 : 2_800_000
            let materials = [
                addAccount(account("1000", "610", "Instructional supplies", supplies, locked: false),
                           .smallPayments(vendors: DistrictGenerator.supplyVendors, items: DistrictGenerator.supplyItems)),
                addAccount(account("1000", "640", "Library and textbooks", books, locked: false),
                           .smallPayments(vendors: DistrictGenerator.bookVendors, items: DistrictGenerator.bookItems)),
                addAccount(account("1000", "730", "Classroom technology", technology, locked: false),
                           .smallPayments(vendors: DistrictGenerator.technologyVendors, items: DistrictGenerator.technologyItems)),
            ]
            addAccount(account("2200", "330", "Professional development", training, locked: false),
                       .smallPayments(vendors: DistrictGenerator.trainingVendors, items: DistrictGenerator.trainingItems))
            // What schools buy for a goal is tagged with it: elementary materials serve grade-3
            // literacy, middle school ones math, high school ones college and career. The
            // struggling district tags only its elementary library books.
            let goal = ["ES": "G1", "MS": "G3", "HS": "G4"][site.level]!
            for index in materials where profile == .clean || (site.level == "ES" && district.accounts[index].object == "640") {
                goalTag[index] = goal
            }
            let index = district.sites.firstIndex { $0.code == site.code }!
            district.sites[index].discretionary = supplies + books + technology + training
            // Federal money is a fund of its own and a project: fund 200 Title I (project 411), fund 250 IDEA (project 430).
            func federal(_ fund: String, _ project: String, _ object: String, _ description: String, _ budget: Cents, program: String = "100") -> Account {
                var grant = account("1000", object, description, budget, locked: true, program: program)
                grant.fund = fund
                grant.project = project
                grant.owner = "F900"
                return grant
            }
            addAccount(federal("250", "430", "115", "Special education aides (IDEA)", positions(pupils * site.disability / 25) * 3_600_000, program: "200"), .payroll)
            if site.title1 {
                addAccount(federal("200", "411", "110", "Title I reading teachers", 2 * DistrictGenerator.teacherPay), .payroll)
                addAccount(federal("200", "411", "610", "Title I materials", Cents(site.enrollment) * 4_500),
                           .smallPayments(vendors: ["Curriculum Associates", "Really Good Stuff"],
                                          items: ["Reading intervention workbooks", "Leveled readers for small groups"]))
            }
        }
        func central(_ function: String, _ object: String, _ site: String, _ description: String, _ owner: String, _ budget: Cents,
                     _ spending: Spending, project: String = "000") {
            addAccount(Account(fund: "100", function: function, object: object, site: site, project: project, description: description,
                               owner: owner, locked: false, original: budget), spending)
        }
        central("2300", "110", "900", "Central administration salaries", "O001", 320_000_000, .payroll)
        central("2300", "210", "900", "Central administration benefits", "O001", 115_000_000, .payroll)
        central("2500", "340", "900", "Finance system and technical services", "O001", 36_000_000,
                .monthly(vendor: "Tyler Technologies", item: "Finance system subscription and support"))
        central("2500", "520", "900", "Property and liability insurance", "O001", 78_000_000,
                .twiceAYear(vendor: "Great Lakes Schools Insurance Pool", item: "Property and liability insurance premium"))
        central("2580", "340", "900", "Network and student information systems", "O001", 96_000_000,
                .monthly(vendor: "PowerSchool Group LLC", item: "Student information system and network support"))
        central("2300", "610", "900", "District office supplies", "D900", 9_000_000,
                .smallPayments(vendors: DistrictGenerator.officeVendors, items: DistrictGenerator.officeItems))
        central("1000", "560", "900", "Special education tuition, out-of-district placements", "D900", 260_000_000,
                .monthly(vendor: "Lakeside Therapeutic Day School", item: "Tuition for students placed out of district"))
        central("1000", "320", "900", "Contracted substitute teachers", "D900", 120_000_000,
                .monthly(vendor: "Kelly Education", item: "Substitute teacher services"))
        central("2600", "110", "910", "Custodial salaries", "D910", 420_000_000, .payroll)
        central("2600", "210", "910", "Custodial benefits", "D910", 151_000_000, .payroll)
        central("2600", "410", "910", "Electricity, water and gas", "D910", 240_000_000,
                .monthly(vendor: "Springfield Power & Light", item: "Electricity and gas for all buildings"))
        central("2600", "430", "910", "Building repairs and maintenance", "D910", 160_000_000,
                .monthly(vendor: "Midwest Mechanical Services", item: "HVAC and plumbing repairs"))
        central("2700", "110", "920", "Bus driver salaries", "D920", 230_000_000, .payroll)
        central("2700", "210", "920", "Bus driver benefits", "D920", 83_000_000, .payroll)
        central("2700", "510", "920", "Contracted bus routes", "D920", 110_000_000,
                .monthly(vendor: "Student Transportation of America", item: "Contracted bus routes for special education"))
        central("5100", "830", "900", "Interest on 2019 school bonds", "O001", 380_000_000,
                .twiceAYear(vendor: "First National Bank, paying agent", item: "Bond interest payment, 2019 series"))
        central("2200", "330", "900", "Literacy coaching", "M900", 48_000_000,
                .monthly(vendor: "Literacy Partners LLC", item: "Literacy coaches for grades K-3"), project: "101")
        central("2100", "340", "900", "Attendance outreach", "M900", 18_000_000,
                .monthly(vendor: "Attendance Works Consulting", item: "Family outreach on chronic absence"), project: "102")
        central("1000", "640", "900", "Math curriculum materials", "M900", 24_000_000,
                .monthly(vendor: "Carnegie Learning", item: "Middle school math curriculum licenses"), project: "103")
        central("2100", "330", "900", "College and career advising", "M900", 15_000_000,
                .monthly(vendor: "College Advising Corps", item: "College advisers for the high schools"), project: "104")
        // Budget transfers within the year, as small as a well-planned budget needs.
        let first = district.accounts.firstIndex { $0.function == "2200" && $0.object == "330" && $0.project == "000" }!
        let second = district.accounts.firstIndex { $0.fund == "100" && $0.object == "610" && $0.site == district.accounts[first].site }!
        district.accounts[first].transfers = -150_000
        district.accounts[second].transfers = 150_000
    }

    private mutating func makeGoals() {
        let due = CalendarDate(year: 2027, month: 6, day: 30)!
        func goal(_ id: String, _ name: String, _ metric: String, _ baseline: String, _ target: String, _ project: String, _ students: Int) -> Goal {
            // The goal's project, and the school spending tagged with it, which the goal plans for too.
            let tagged = goalTag.filter { $0.value == id }.keys.reduce(0) { $0 + district.accounts[$1].revised }
            let budget = district.accounts.first { $0.project == project }!.revised + tagged
            return Goal(id: id, name: name, metric: metric, baseline: baseline, target: target, due: due, owner: "M900", budget: budget,
                        project: project, students: students)
        }
        district.goals = [
            goal("G1", "Grade-3 literacy", "% of grade 3 reading on grade level", "41%", "55%", "101", 2_300),
            goal("G2", "Fewer chronically absent students", "% of students chronically absent", "18%", "12%", "102", 1_400),
            goal("G3", "Middle school math", "% of grade 8 proficient in math", "33%", "45%", "103", 1_450),
            goal("G4", "College and career ready", "% of graduates enrolled in college or a trade program", "52%", "65%", "104", 2_500),
        ]
    }

    // MARK: Spending

    /// Relative spending in each month of the fiscal year, July first. The struggling district
    /// saves its money for a spring rush.
    private var monthWeights: [Double] {
        profile == .clean ? [0.5, 1.4, 1.3, 1.0, 0.9, 0.7, 0.9, 0.9, 1.0, 1.2, 1.0, 0.6]
            : [0.3, 1.0, 0.9, 0.8, 0.7, 0.5, 0.8, 0.8, 0.9, 1.3, 2.0, 1.7]
    }

    private func monthStart(_ month: Int) -> CalendarDate {
        let (year, calendarMonth) = month < 6 ? (2024, month + 7) : (2025, month - 5)
        return CalendarDate(year: year, month: calendarMonth, day: 1)!
    }

    private mutating func randomMonth() -> Int {
        let weights = monthWeights
        var roll = random.double(0 ... weights.reduce(0, +))
        for (month, weight) in weights.enumerated() {
            roll -= weight
            if roll <= 0 { return month }
        }
        return 11
    }

    /// A working day in the month, never past the review date.
    private mutating func workingDay(inMonth month: Int) -> CalendarDate {
        let start = monthStart(month)
        let (year, calendarMonth, _) = start.components
        let day = start.adding(days: random.int(0 ... CalendarDate.daysIn(month: calendarMonth, year: year) - 1)).workingDayOnOrAfter
        return day.components.month == calendarMonth && day <= district.asOf ? day : start.lastWorkingDayOfMonth
    }

    /// A vendor and a day for a small payment of this amount that leaves every 14 days of that
    /// vendor's payments under the approval limit, so no ordinary payments look like a split.
    private mutating func smallPayment(vendors: [String], amount: Cents) -> (vendor: String, day: CalendarDate) {
        // The day the year's pattern picks, or the working day with room nearest to it in a busy
        // month, so a spring rush stays in the spring.
        let picked = workingDay(inMonth: randomMonth())
        let first = random.int(0 ... vendors.count - 1)
        let order = vendors[first...] + vendors[..<first]
        for distance in 0 ... 366 {
            for day in [picked.adding(days: distance), picked.adding(days: -distance)]
            where day >= DistrictGenerator.fiscalYearStart && day <= district.asOf && day.workingDayOnOrAfter == day {
                for vendor in order where fitsUnderLimit(vendor: vendor, day: day, amount: amount) { return (vendor, day) }
            }
        }
        preconditionFailure("There is no day left for another small payment; add vendors.")
    }

    /// Whether a payment leaves every window of 14 days holding it (each starting at a day with a
    /// payment, as BO-5's windows do) under the approval limit.
    private func fitsUnderLimit(vendor: String, day: CalendarDate, amount: Cents) -> Bool {
        guard amount < DistrictGenerator.approvalLimit else { return true }
        let payments = paymentsUnderLimit[vendor, default: []]
        let today = day.daysSince1970, span = DistrictGenerator.splitDays
        let starts = payments.map(\.day).filter { $0 <= today && today - $0 < span } + [today]
        return starts.allSatisfy { start in
            payments.filter { $0.day >= start && $0.day - start < span }.reduce(amount) { $0 + $1.amount } < DistrictGenerator.approvalLimit
        }
    }

    private mutating func recordPayment(vendor: String, day: CalendarDate, amount: Cents) {
        guard amount > 0 && amount < DistrictGenerator.approvalLimit else { return }
        paymentsUnderLimit[vendor, default: []].append((day.daysSince1970, amount))
    }

    /// A vendor amount with cents, so it is never a round thousand by chance.
    private func withCents(_ amount: Cents) -> Cents { amount % 100_000 == 0 ? amount + 37 : amount }

    @discardableResult
    private mutating func addLine(account: Int, posted: CalendarDate, type: String, vendor: String?, amount: Cents, description: String,
                                  enteredBy: String = "ap.clerk", approvedBy: String = DistrictGenerator.approver, invoice: Bool = true) -> Int {
        let serial = nextSerial
        nextSerial += 1
        var invoiceNumber: String?
        if invoice {
            invoiceNumber = "INV-\(nextInvoice)"
            nextInvoice += random.int(1 ... 9)
        }
        let project = district.accounts[account].project
        let tags = goalTag[account] ?? district.goals.first { $0.project == project }?.id
        district.lines.append(LedgerLine(serial: serial, posted: posted, docType: type, docNumber: type == "PAY" ? String(format: "%06d", 400 + serial) : "\(type)-\(serial)",
                                         invoice: invoiceNumber, vendor: vendor, account: account, amount: amount, description: description,
                                         enteredBy: enteredBy, approvedBy: approvedBy, goals: tags))
        district.accounts[account].actual += amount
        if type == "PAY", let vendor { recordPayment(vendor: vendor, day: posted, amount: amount) }
        return serial
    }

    private mutating func spendEveryAccount() {
        for index in district.accounts.indices {
            let account = district.accounts[index]
            let used = ChartMeaning.nces.isPersonnel(account) ? 1.0 : usedFraction[index] ?? random.double(0.86 ... 0.97)
            let target = Cents((Double(account.revised) * used).rounded()) - plantedSpend[index, default: 0]
            spend(target, on: index)
        }
        // Vendors' credits for returned goods: negative lines, which are not mistakes.
        for (site, vendor, item) in [("101", "School Specialty", "Credit for returned damaged chairs"),
                                     ("104", "Scholastic Inc.", "Credit for a cancelled book order"),
                                     ("301", "Nasco Education", "Credit for an overcharge on lab kits")] {
            let account = accountIndex(site: site, object: site == "104" ? "640" : "610")
            addLine(account: account, posted: workingDay(inMonth: random.int(3 ... 9)), type: "CR", vendor: vendor,
                    amount: -Cents(random.int(4_000 ... 30_000)), description: item)
        }
    }

    private mutating func spend(_ total: Cents, on index: Int) {
        guard total > 0 else { return }
        let account = district.accounts[index]
        switch spending[index] {
        case .none:
            return
        case .payroll:
            let monthly = total / 12
            for month in 0 ..< 12 {
                let day = monthStart(month).lastWorkingDayOfMonth
                addLine(account: index, posted: day, type: "PR", vendor: nil, amount: month == 11 ? total - monthly * 11 : monthly,
                        description: "\(account.description), \(day.monthAndYear)", enteredBy: "payroll.system", invoice: false)
            }
        case .monthly(let vendor, let item):
            let monthly = withCents(total / 12)
            for month in 0 ..< 12 {
                addLine(account: index, posted: monthStart(month).adding(days: 9).workingDayOnOrAfter, type: "PAY", vendor: vendor,
                        amount: month == 11 ? withCents(total - monthly * 11) : monthly, description: "\(item), \(monthStart(month).monthAndYear)")
            }
        case .twiceAYear(let vendor, let item):
            let half = withCents(total / 2)
            addLine(account: index, posted: CalendarDate(year: 2024, month: 8, day: 1)!.workingDayOnOrAfter, type: "PAY", vendor: vendor,
                    amount: half, description: item)
            addLine(account: index, posted: CalendarDate(year: 2025, month: 2, day: 3)!.workingDayOnOrAfter, type: "PAY", vendor: vendor,
                    amount: withCents(total - half), description: item)
        case .smallPayments(let vendors, let items):
            var remaining = total
            // Invoiced amounts spread evenly over two whole decades of their logarithm, as real
            // payments do, so their first digits follow Benford's law (BO-9): 30.1% start with 1.
            // Their mean is 99 / ln 100, about 21.5 times the lowest.
            let meanOverLowest = 99 / log(100.0)
            let lowest = max(DistrictGenerator.lowestPayment, Cents((Double(total) / (DistrictGenerator.mostPayments * meanOverLowest)).rounded()))
            while remaining > 0 {
                var amount = min(remaining, Cents((Double(lowest) * pow(10, random.double(0 ... 2))).rounded()))
                if amount % 100_000 == 0 { amount -= 37 }
                let (vendor, day) = smallPayment(vendors: vendors, amount: amount)
                addLine(account: index, posted: day, type: "PAY", vendor: vendor, amount: amount, description: random.pick(items))
                remaining -= amount
            }
        }
    }

    /// What each school publishes as its per-pupil spending by the ESSA definition, state and local
    /// and federal: the ledger's figures within 1.5% (rounded to dollars), as a report card prepared
    /// from the same books would show.
    private mutating func publishPerPupilFigures() {
        let spending = Oracle(district: district).schoolSpending
        for index in district.sites.indices where district.sites[index].isSchool {
            let code = district.sites[index].code
            guard let school = spending.first(where: { $0.site.code == code }) else { continue }
            let stateLocal = plants.contains(Plant(rule: "TR-9", target: .siteSpending(code))) ? 1.15 : random.double(0.985 ... 1.015)
            // A federal figure without the school's share of central federal costs, as a report card left it.
            let federal = plants.contains(Plant(rule: "TR-9F", target: .siteSpending(code))) ? 0.80 : random.double(0.985 ... 1.015)
            district.sites[index].publishedPerPupil = Cents((school.essaStateLocalPerPupil * stateLocal).rounded()) * 100
            district.sites[index].publishedFederalPerPupil = Cents((school.essaFederalPerPupil * federal).rounded()) * 100
        }
    }

    /// The year-end fund summary: the general fund keeps two months and more in reserve in the
    /// clean district, and about five weeks in the struggling one.
    private mutating func summarizeFunds() {
        let (reserve, days) = profile == .clean ? (0.19, 96.0) : (0.096, 41.0)
        for (fund, name) in [("100", "General Fund"), ("200", "Title I, Part A"), ("250", "IDEA, Part B")] {
            let expenditures = district.lines.filter { district.account(of: $0).fund == fund }.reduce(0) { $0 + $1.amount }
            let general = fund == "100"
            district.funds.append(FundSummary(
                fund: fund, name: name, cash: Cents((Double(expenditures) * (general ? days : 12) / 365).rounded()),
                restricted: general ? expenditures * 15 / 1_000 : 0,
                unrestricted: general ? Cents((Double(expenditures) * reserve).rounded()) : 0, expenditures: expenditures))
        }
    }

    // MARK: Problems

    private func accountIndex(site: String, object: String, function: String = "1000", project: String = "000") -> Int {
        district.accounts.firstIndex { $0.site == site && $0.object == object && $0.function == function && $0.project == project }!
    }

    /// A planted line on an account: part of its year's spending, not on top of it.
    @discardableResult
    private mutating func plantLine(account: Int, posted: CalendarDate, type: String = "PAY", vendor: String?, amount: Cents,
                                    description: String, enteredBy: String = "ap.clerk", approvedBy: String = DistrictGenerator.approver,
                                    invoice: Bool = true) -> Int {
        plantedSpend[account, default: 0] += amount
        return addLine(account: account, posted: posted, type: type, vendor: vendor, amount: amount, description: description,
                       enteredBy: enteredBy, approvedBy: approvedBy, invoice: invoice)
    }

    private mutating func plantProblems() {
        // Three supply lines spent past their budget, by 4% to 12% (not so far that they also run off pace).
        for site in ["102", "105", "201"] {
            let index = accountIndex(site: site, object: "610")
            usedFraction[index] = random.double(1.04 ... 1.12)
            plants.append(Plant(rule: "BO-1", target: .account(index)))
        }
        // A purchase split into two payments eleven days apart, in two weeks, each under the
        // principal's $5,000 approval limit, which the principal approved.
        let splitAccount = accountIndex(site: "103", object: "610")
        let splitDays = [CalendarDate(year: 2025, month: 3, day: 6)!, CalendarDate(year: 2025, month: 3, day: 17)!]
        let split = [Cents(261_140), Cents(254_875)].enumerated().map { offset, amount in
            plantLine(account: splitAccount, posted: splitDays[offset], vendor: "Lakeshore Learning", amount: amount,
                      description: "Classroom reading nook furniture", approvedBy: "P103")
        }
        plants.append(Plant(rule: "BO-5", target: .lines(split)))
        // Staff reimbursed for supplies, each claim kept under the $50 a receipt is needed for: a few
        // hundred payments of $40 to $49.99, far more starting with 4 than Benford's law expects.
        // No rule flags one of them; BO-9 finds the district's payments as a whole do not conform.
        let claimants = ["Karen Mills", "Tom Becker", "Rosa Diaz", "Alan Cho", "Grace Lee"]
        for school in DistrictGenerator.schools {
            let account = accountIndex(site: school.code, object: "610")
            for _ in 0 ..< Int(district.accounts[account].revised / 150_000) {
                plantLine(account: account, posted: workingDay(inMonth: randomMonth()), vendor: random.pick(claimants),
                          amount: Cents(random.int(4_000 ... 4_999)), description: "Classroom supplies bought by staff, reimbursed")
            }
        }
        // Two invoices paid twice, the second time a few weeks later.
        for (site, object, vendor, day) in [("104", "640", "Follett School Solutions", CalendarDate(year: 2024, month: 10, day: 8)!),
                                            ("301", "2200", "Solution Tree", CalendarDate(year: 2025, month: 1, day: 14)!)] {
            let account = object == "2200" ? accountIndex(site: site, object: "330", function: "2200") : accountIndex(site: site, object: object)
            let amount = Cents(random.int(60_000 ... 190_000))
            let first = plantLine(account: account, posted: day, vendor: vendor, amount: amount, description: "Order for the spring semester")
            let invoice = district.lines.last!.invoice
            let second = plantLine(account: account, posted: day.adding(days: 29).workingDayOnOrAfter, vendor: vendor, amount: amount,
                                   description: "Order for the spring semester")
            district.lines[district.lines.count - 1].invoice = invoice
            plants.append(Plant(rule: "BO-6", target: .lines([first, second])))
        }
        // Activity on a closed account (which, with no budget, also leaves it overspent).
        var closed = Account(fund: "100", function: "1000", object: "650", site: "104", description: "Classroom software (closed)",
                             status: "Inactive", owner: "P104", locked: true, original: 0)
        closed.encumbrance = 0
        let closedIndex = addAccount(closed, .none)
        let closedLine = plantLine(account: closedIndex, posted: CalendarDate(year: 2024, month: 11, day: 19)!, vendor: "Tyler Technologies",
                                   amount: 84_520, description: "Reading software annual license")
        plants.append(Plant(rule: "MG-10", target: .lines([closedLine])))
        plants.append(Plant(rule: "BO-1", target: .account(closedIndex)))
        // Spending on the catch-all object 890: about 4% of non-personnel spending, in six payments.
        for site in ["106", "302"] {
            let index = addAccount(Account(fund: "100", function: "1000", object: "890", site: site, description: "Miscellaneous",
                                           owner: "P" + site, locked: false, original: 33_000_000), .none)
            for month in [2, 6, 10] {
                let line = plantLine(account: index, posted: workingDay(inMonth: month), vendor: "Amazon Business",
                                     amount: Cents(random.int(10_000_000 ... 10_900_000)), description: "Assorted items for the school")
                plants.append(Plant(rule: "MG-12", target: .lines([line])))
            }
        }
        // Two budget lines nobody owns.
        for index in [accountIndex(site: "107", object: "640"), accountIndex(site: "910", object: "430", function: "2600")] {
            district.accounts[index].owner = nil
            plants.append(Plant(rule: "BO-10", target: .account(index)))
        }
        // A Title I school whose state and local staffing was cut: below comparability.
        let comparabilitySite = "103"
        let salaries = accountIndex(site: comparabilitySite, object: "110")
        district.accounts[salaries].original = district.accounts[salaries].original * 72 / 100
        let benefits = accountIndex(site: comparabilitySite, object: "210")
        district.accounts[benefits].original = district.accounts[benefits].original * 72 / 100
        plants.append(Plant(rule: "RE-4", target: .siteSpending(comparabilitySite)))
        // Purchase orders left open at year end.
        for index in [accountIndex(site: "202", object: "640"), accountIndex(site: "910", object: "430", function: "2600")] {
            district.accounts[index].encumbrance = district.accounts[index].revised * 6 / 100
            usedFraction[index] = random.double(0.84 ... 0.90)
            plants.append(Plant(rule: "BO-4", target: .account(index)))
        }
        // A journal entry posted on a Saturday, and a payment its own clerk approved.
        let recode = plantLine(account: accountIndex(site: "105", object: "640"), posted: CalendarDate(year: 2025, month: 2, day: 22)!,
                               type: "JE", vendor: nil, amount: 31_240, description: "Recode library books from supplies", enteredBy: "jlopez",
                               invoice: false)
        plants.append(Plant(rule: "BO-8", target: .lines([recode])))
        let selfApproved = plantLine(account: accountIndex(site: "900", object: "610", function: "2300"),
                                     posted: CalendarDate(year: 2025, month: 4, day: 16)!, vendor: "Staples Business Advantage", amount: 187_315,
                                     description: "Office chairs for the business office", enteredBy: DistrictGenerator.approver)
        plants.append(Plant(rule: "BO-8A", target: .lines([selfApproved])))
        // A line owned by a director who has left, and two principals overdue for training.
        district.owners.append(Owner(id: "D930", name: "Gary Holt", role: "Dept Director", site: "900", approvalLimit: 2_500_000,
                                     trained: CalendarDate(year: 2023, month: 9, day: 12), active: false))
        let orphan = accountIndex(site: "900", object: "610", function: "2300")
        district.accounts[orphan].owner = "D930"
        plants.append(Plant(rule: "BO-11", target: .account(orphan)))
        for id in ["P104", "P302"] {
            let index = district.owners.firstIndex { $0.id == id }!
            district.owners[index].trained = CalendarDate(year: 2023, month: 8, day: 15)
            plants.append(Plant(rule: "BO-12", target: .owner(index)))
        }
        // Goals: one without a baseline or a count of students, one with nothing spent.
        district.goals[3].baseline = nil
        district.goals[3].students = nil
        plants.append(Plant(rule: "AL-2R", target: .goal(3)))
        plants.append(Plant(rule: "AL-4", target: .goal(3)))
        let mathAccount = district.accounts.firstIndex { $0.project == "103" }!
        spending[mathAccount] = .none
        plants.append(Plant(rule: "AL-3Z", target: .goalSpending("G3")))
        plants.append(Plant(rule: "BO-2A", target: .account(mathAccount)))
        // A payment to nobody in particular, and three lines that say nothing.
        let nameless = plantLine(account: accountIndex(site: "301", object: "610"), posted: CalendarDate(year: 2024, month: 12, day: 4)!,
                                 vendor: "Not Provided", amount: 64_210, description: "Graphing calculators for algebra")
        plants.append(Plant(rule: "TR-7", target: .lines([nameless])))
        for (site, day) in [("101", 9), ("106", 16), ("202", 23)] {
            let line = plantLine(account: accountIndex(site: site, object: "610"), posted: CalendarDate(year: 2024, month: 9, day: day)!.workingDayOnOrAfter,
                                 vendor: "School Specialty", amount: Cents(random.int(20_000 ... 90_000)), description: "SUPPLIES")
            plants.append(Plant(rule: "TR-8", target: .lines([line])))
        }
        // The Schools sheet: a principal not named, a method not written down, an old enrollment, a wrong published figure.
        let sites = district.sites
        let schoolIndex = { (code: String) in sites.firstIndex { $0.code == code }! }
        district.sites[schoolIndex("108")].principal = nil
        plants.append(Plant(rule: "SA-10", target: .site(schoolIndex("108"))))
        district.sites[schoolIndex("202")].method = nil
        plants.append(Plant(rule: "TR-5", target: .site(schoolIndex("202"))))
        district.sites[schoolIndex("302")].enrollmentYear = district.fiscalYear - 1
        plants.append(Plant(rule: "TR-6", target: .site(schoolIndex("302"))))
        plants.append(Plant(rule: "TR-9", target: .siteSpending("104")))
        plants.append(Plant(rule: "TR-9F", target: .siteSpending("105")))
    }
}
