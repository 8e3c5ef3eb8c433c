import Tabular

/// Who answers for each finding, which school it is about, the dollars at stake and its budget
/// line's description, worked out through the row it flags, that row's account in the budget, or
/// its site in the Schools table, so a principal can filter the findings to their own, and a view
/// of the findings can total them by owner or school.
public enum FindingContext {
    public static func enrich(_ findings: inout [Finding], binding: WorkbookBinding, evaluation: Evaluation) {
        let rows = RowIndex(binding: binding)
        let accounts = KeyedRows(binding.tables["accounts"], key: "account")
        let sites = KeyedRows(binding.tables["sites"], key: "site")
        let goals = KeyedRows(binding.tables["goals"], key: "goal")
        let views = Dictionary(evaluation.shownViews.map { ($0.name.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        for index in findings.indices {
            let finding = findings[index]
            var owner: String?, site: String?, account: String?, amount: Double?
            // A row or budget line whose owner is blank is nobody's: not its school's principal's,
            // whose scorecard and packet would take on the business office's error.
            var ownerBlank = false
            if let view = views[finding.table.lowercased()], let row = finding.rows.first, row >= 1, row <= view.rows.count {
                // A view's row is named by its first column: a site code or a goal id.
                let key = view.rows[row - 1].first?.description ?? ""
                // A view's amounts are per pupil or per goal, not dollars at stake: none is given.
                if sites.row(key) != nil { site = key } else if let goal = goals.text("owner", of: key) { owner = goal }
            } else if let table = binding.tables[finding.table.lowercased()] {
                let tableRows = finding.rows.compactMap { rows.row(of: $0, in: finding.table) }
                if let first = tableRows.first {
                    func text(_ column: String) -> String? { table.column(column).map { $0[first].description }.flatMap { $0.isEmpty ? nil : $0 } }
                    owner = text("owner")
                    ownerBlank = owner == nil && table.column("owner") != nil
                    site = text("site")
                    account = text("account")
                    if finding.table.lowercased() == "sites" { owner = text("principal") }
                    // The flagged amount (an overspent line's available budget), or the lines' amounts.
                    if let flagged = finding.columns.first, case .money(let money)? = table.column(flagged)?[first], tableRows.count == 1 {
                        // Nothing spent is no dollars at stake: left for the line's amount, if it has one.
                        amount = money.scaled == 0 ? nil : abs(money.doubleValue)
                    }
                    // A finding about a budget line as a whole (nobody owns it) puts its budget at stake.
                    if amount == nil, tableRows.count == 1, case .money(let budget)? = table.column("revised")?[first], budget.scaled != 0 {
                        amount = abs(budget.doubleValue)
                    }
                    if amount == nil, let column = table.column("amount") {
                        let cents = tableRows.reduce(Int64(0)) { total, row in
                            if case .money(let money) = column[row] { total + money.scaled } else { total }
                        }
                        amount = abs(Money(scaled: cents).doubleValue)
                    }
                }
            }
            if let account {
                owner = owner ?? accounts.text("owner", of: account)
                ownerBlank = owner == nil && (ownerBlank || accounts.row(account) != nil)
                site = site ?? accounts.text("site", of: account)
                findings[index].accountDescription = accounts.text("description", of: account)
            }
            if let site {
                if !ownerBlank { owner = owner ?? sites.text("principal", of: site) }
                findings[index].school = sites.text("name", of: site).map { "\(site) \($0)" } ?? site
                findings[index].site = site
            }
            findings[index].owner = owner
            findings[index].amount = amount
        }
    }
}

/// The table row behind a sheet row, by table.
struct RowIndex {
    private let binding: WorkbookBinding
    private var byTable: [String: [Int32: Int]] = [:]

    init(binding: WorkbookBinding) {
        self.binding = binding
        for (name, bound) in binding.tables {
            byTable[name] = Dictionary(bound.table.sourceRows.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    func row(of sheetRow: Int, in table: String) -> Int? { byTable[table.lowercased()]?[Int32(sheetRow)] }
}

/// A bound table's rows by their key (the first row of a key that repeats): its other columns' text.
public struct KeyedRows {
    let table: BoundTable?
    let rows: [String: Int]

    public init(_ table: BoundTable?, key: String) {
        self.table = table
        guard let table, let column = table.column(key) else {
            rows = [:]
            return
        }
        rows = Dictionary((0 ..< column.count).map { (column[$0].description, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func row(_ key: String) -> Int? { rows[key] }

    public func text(_ column: String, of key: String) -> String? {
        guard let row = rows[key], let value = table?.column(column)?[row].description, !value.isEmpty else { return nil }
        return value
    }
}
