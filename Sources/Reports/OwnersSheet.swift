import CXlsxWriter
import RulesEngine
import RulesLanguage
import SpreadsheetIO
import Tabular

/// One budget owner's page of the review: the lines they answer for, how far their spending has
/// gone against the year, what it comes to by year end at this pace, and their findings.
public struct OwnerScorecard: Codable, Sendable, Equatable {
    public let owner: String
    public var name: String?
    public var role: String?
    /// Nil when the Budget owners table does not list them.
    public var active: Bool?
    public var trained: String?
    public var lines = 0
    public var revised = 0.0
    public var actual = 0.0
    public var encumbered = 0.0
    public var available = 0.0
    /// Dollars over budget on their overspent lines.
    public var overspent = 0.0
    /// Spending so far at the pace of the year gone by, to the year's end.
    public var projected: Double?
    public var findings: [String: Int] = [:]
    public var goals: [String] = []
    /// What changed since the district's last review in the run history; nil without one, or
    /// when the owner was not in it.
    public var sinceLastReview: Change?

    /// Findings and dollars over budget now, less those at the last review (as of `asOf`).
    public struct Change: Codable, Sendable, Equatable {
        public let asOf: String?
        public let findings: Int
        public let overspent: Double

        public init(asOf: String?, findings: Int, overspent: Double) {
            self.asOf = asOf
            self.findings = findings
            self.overspent = overspent
        }
    }

    public init(owner: String) {
        self.owner = owner
    }

    /// Actual and encumbered as a share of the revised budget.
    public var used: Double? { revised == 0 ? nil : (actual + encumbered) / revised }

    public var findingCount: Int { findings.values.reduce(0, +) }
}

extension Writer {
    /// The Owner scorecards sheet: one row an owner, their money, pace and findings.
    mutating func writeOwnerScorecards(_ sheet: UnsafeMutablePointer<lxw_worksheet>, scorecards: [OwnerScorecard], yearGone: Double?) {
        let headers = ["Owner", "Name", "Role", "Active", "Last finance training", "Budget lines", "Revised budget", "Actual", "Encumbered",
                       "Available", "Used", "Year gone", "Projected year end", "Over budget", "Errors", "Warnings", "For information", "Goals owned"]
            + (scorecards.lazy.compactMap(\.sinceLastReview).first.map { change in
                let then = change.asOf.map { " (as of \($0))" } ?? ""
                return ["Findings since last review" + then, "Over budget since last review" + then]
            } ?? [])
        let widths: [Double] = [9, 20, 20, 7, 12, 8, 15, 15, 14, 15, 8, 8, 15, 13, 7, 9, 11, 14, 12, 15]
        XLSXWriter.fitRow(sheet, 0, headers.enumerated().map { ($1, widths[$0]) })
        for (column, header) in headers.enumerated() {
            setColumn(sheet, column, column, widths[column])
            worksheet_write_string(sheet, 0, lxw_col_t(column), header, format("header|wrap"))
        }
        let money = cellFormat("money", nil)
        let percent = cellFormat("percent", nil)
        for (index, card) in scorecards.enumerated() {
            let row = lxw_row_t(index + 1)
            worksheet_write_string(sheet, row, 0, card.owner, nil)
            if let name = card.name { worksheet_write_string(sheet, row, 1, name, nil) }
            if let role = card.role { worksheet_write_string(sheet, row, 2, role, nil) }
            // A budget owner who has left, or whom the table does not list, is said in words and coloured.
            let active = card.active.map { $0 ? "Yes" : "No, has left" } ?? "Not in the owners table"
            worksheet_write_string(sheet, row, 3, active, format("wrap", fill: card.active == true ? nil : .severity(.warning)))
            if let trained = card.trained { worksheet_write_string(sheet, row, 4, trained, nil) }
            worksheet_write_number(sheet, row, 5, Double(card.lines), nil)
            // Without budget lines of theirs, their money is not known: left blank, not $0.
            for (column, value) in [(6, card.revised), (7, card.actual), (8, card.encumbered), (9, card.available)] where card.lines > 0 {
                worksheet_write_number(sheet, row, lxw_col_t(column), value, money)
            }
            if let used = card.used { worksheet_write_number(sheet, row, 10, used, percent) }
            if let yearGone { worksheet_write_number(sheet, row, 11, yearGone, percent) }
            if let projected = card.projected {
                // Coloured when this pace ends the year over budget.
                worksheet_write_number(sheet, row, 12, projected, projected > card.revised && card.revised > 0 ? cellFormat("money", .warning) : money)
            }
            if card.lines > 0 { worksheet_write_number(sheet, row, 13, card.overspent, card.overspent > 0 ? cellFormat("money", .error) : money) }
            for (column, severity) in [(14, Severity.error), (15, .warning), (16, .info)] {
                worksheet_write_number(sheet, row, lxw_col_t(column), Double(card.findings[severity.rawValue] ?? 0), nil)
            }
            worksheet_write_string(sheet, row, 17, card.goals.joined(separator: ", "), nil)
            if let change = card.sinceLastReview {
                // More findings or more over budget than last time is coloured; fewer is good news, left plain.
                worksheet_write_number(sheet, row, 18, Double(change.findings), format("change", fill: change.findings > 0 ? .severity(.warning) : nil))
                worksheet_write_number(sheet, row, 19, change.overspent, format("moneyChange", fill: change.overspent > 0.005 ? .severity(.warning) : nil))
            } else if headers.count > 18 {
                worksheet_write_string(sheet, row, 18, "New owner", nil)
            }
        }
        worksheet_autofilter(sheet, 0, 0, lxw_row_t(max(1, scorecards.count)), lxw_col_t(headers.count - 1))
        worksheet_freeze_panes(sheet, 1, 2)
    }
}
