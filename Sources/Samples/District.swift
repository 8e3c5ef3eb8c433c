import Tabular

/// Amounts in whole cents, so the generator's sums are exact.
typealias Cents = Int64

extension Cents {
    var money: Money { Money(scaled: self * (Money.scale / 100)) }
}

/// A school or central department.
struct Site {
    var code: String
    var name: String
    /// ES, MS, HS, or CENTRAL for a department.
    var level: String
    var enrollment: Int
    var poverty: Double
    var english: Double
    var disability: Double
    var title1: Bool
    var principal: String?
    var discretionary: Cents
    var method: String?
    var enrollmentYear: Int
    var publishedPerPupil: Cents?
    var publishedFederalPerPupil: Cents?

    var isSchool: Bool { level != "CENTRAL" }
}

struct Owner {
    var id: String
    var name: String
    var role: String
    var site: String?
    var approvalLimit: Cents?
    var trained: CalendarDate?
    var active: Bool
}

struct Goal {
    var id: String
    var name: String
    var metric: String?
    var baseline: String?
    var target: String?
    var due: CalendarDate?
    var owner: String?
    var budget: Cents
    var project: String
    var students: Int?
}

/// A line of the chart of accounts with its budget; its spending is the sum of its ledger lines.
struct Account {
    var fund: String
    var function: String
    var object: String
    var site: String
    var program = "100"
    var project = "000"
    var description: String
    var status = "Active"
    var owner: String?
    var locked: Bool
    var original: Cents
    var transfers: Cents = 0
    var encumbrance: Cents = 0
    var actual: Cents = 0

    /// Texas' sub-object, which tells apart two lines of one object; other charts have none.
    var subObject = "00"

    var code: String { [fund, function, object, site, program, project].joined(separator: "-") }
    var revised: Cents { original + transfers }
    var available: Cents { revised - actual - encumbrance }
}

/// A fund's year-end summary: the balance sheet figures the reserve measures need.
struct FundSummary {
    var fund: String
    var name: String
    var cash: Cents
    var restricted: Cents
    var unrestricted: Cents
    var expenditures: Cents
}

/// A posted ledger line.
struct LedgerLine {
    /// The order the generator made it in: what a planted finding names, before lines are sorted by date.
    var serial: Int
    var id = ""
    var posted: CalendarDate
    /// PR payroll, PAY payment, JE journal entry.
    var docType: String
    var docNumber: String
    var invoice: String?
    var vendor: String?
    /// Index into the district's accounts.
    var account: Int
    var amount: Cents
    var description: String
    var enteredBy: String
    var approvedBy: String
    var goals: String?
}

/// A whole district for one fiscal year, as the generator made it.
struct District {
    var name: String
    var fiscalYear: Int
    var asOf: CalendarDate
    var sites: [Site] = []
    var owners: [Owner] = []
    var goals: [Goal] = []
    var accounts: [Account] = []
    var lines: [LedgerLine] = []
    var funds: [FundSummary] = []
    /// A subtotal row a careless export left inside the ledger, written after this line (index).
    var subtotalAfterLine: Int?

    func account(of line: LedgerLine) -> Account { accounts[line.account] }
    func owner(_ id: String?) -> Owner? { id.flatMap { id in owners.first { $0.id == id } } }
}
