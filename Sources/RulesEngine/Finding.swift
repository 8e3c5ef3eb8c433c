import RulesLanguage
import Tabular

/// One thing a rule found, pointing at the cells a reviewer should look at.
public struct Finding: Codable, Sendable, Equatable {
    public let rule: String
    public let title: String
    public let severity: Severity
    public let pathway: String
    /// The rule's table, and the sheet it was read from.
    public let table: String
    public let sheet: String
    /// Sheet row numbers of the rows found (one for a row rule; a group's rows for a grouped rule).
    public let rows: [Int]
    /// The flagged columns, by their declared names.
    public let columns: [String]
    /// The flagged cells as a reviewer finds them, e.g. `Transactions!M1204`.
    public let cells: [String]
    /// The message with its values filled in and formatted.
    public let message: String
    public let fix: String?
    /// A grouped rule's key values, by key (`vendor`, `WEEKNUM(posted)`).
    public let group: [String: String]?
    /// A grouped rule's totals from its `when`, as written (`SUM(amount)`) with the group's value.
    public var values: [String: String]? = nil
    /// Its identity from one review of the district to the next (set by the job, not the rules):
    /// the reviewer's status and note follow it.
    public var id: String? = nil
    /// Who answers for it, the school it is about, the dollars at stake and the budget line's
    /// description, when the job can work them out through its row, its account or its site.
    public var owner: String? = nil
    public var school: String? = nil
    /// The site code of its school (`school` is the code and the name), for totals per site.
    public var site: String? = nil
    /// In dollars, never negative: how much money the finding is about.
    public var amount: Double? = nil
    public var accountDescription: String? = nil

    public init(rule: String, title: String, severity: Severity, pathway: String, table: String, sheet: String, rows: [Int],
                columns: [String], cells: [String], message: String, fix: String?, group: [String: String]?) {
        self.rule = rule
        self.title = title
        self.severity = severity
        self.pathway = pathway
        self.table = table
        self.sheet = sheet
        self.rows = rows
        self.columns = columns
        self.cells = cells
        self.message = message
        self.fix = fix
        self.group = group
    }
}

extension Finding {
    /// The one order findings are shown in, everywhere: worst first, then by rule id, then by first row.
    public static func worstFirst(_ lhs: Finding, _ rhs: Finding) -> Bool {
        (lhs.severity, lhs.rule, lhs.rows.first ?? 0) < (rhs.severity, rhs.rule, rhs.rows.first ?? 0)
    }
}

/// Whether a rule could be assessed against this workbook, and if not, why.
public struct RuleOutcome: Codable, Sendable, Equatable {
    public let rule: String
    public let assessed: Bool
    public let findings: Int
    public let reason: String?
}

/// Everything evaluating a rule set against a workbook produced.
public struct Evaluation: Sendable {
    /// The date the review is as of; nil when the workbook has no dates and the run gave none.
    public let asOf: CalendarDate?
    /// With who answers for each and what is at stake worked out (`FindingContext`).
    public internal(set) var findings: [Finding]
    public let outcomes: [RuleOutcome]
    public internal(set) var indicators: [IndicatorResult]
    public internal(set) var pathways: [PathwayResult]
    public internal(set) var goals: [GoalResult]
    /// The indicators measured per site (`per site`), for each school.
    public internal(set) var perValue: [PerValueIndicators] = []
    /// The views marked `show`, each to become a sheet of the reviewed workbook.
    public var shownViews: [ShownView] = []
    /// Why a view could not be worked out, as a sentence, by its lower-case name.
    public var unavailableViews: [String: String] = [:]
}

/// A view's rows, as a sheet shows them.
public struct ShownView: Sendable {
    public let name: String
    public let title: String
    public let columns: [String]
    /// The header of each column on the view's sheet.
    public let headers: [String]
    /// One row per group, a value per column.
    public let rows: [[Value]]
    /// Whether it totals the findings: no rule can flag its rows, so its sheet has no Findings column.
    public var readsFindings = false
}
