import Foundation

/// What the default rules must find in a sample workbook, worked out by the generator from what
/// it planted and from its own oracle, never from the engine.
public struct AnswerKey: Codable, Sendable, Equatable {
    public struct ExpectedFinding: Codable, Sendable, Hashable, Comparable {
        public let rule: String
        /// The sheet of a table's rows, or the view's name for a finding on a view.
        public let sheet: String
        /// Sheet row numbers (for a view finding, none).
        public let rows: [Int]
        /// For a view finding, the key of the view's row (a site code, a goal id).
        public let key: String?

        public init(rule: String, sheet: String, rows: [Int], key: String?) {
            self.rule = rule
            self.sheet = sheet
            self.rows = rows.sorted()
            self.key = key
        }

        public static func < (lhs: ExpectedFinding, rhs: ExpectedFinding) -> Bool {
            (lhs.rule, lhs.sheet, lhs.rows.first ?? 0, lhs.key ?? "") < (rhs.rule, rhs.sheet, rhs.rows.first ?? 0, rhs.key ?? "")
        }
    }

    public struct LeftOutRow: Codable, Sendable, Equatable {
        public let sheet: String
        public let row: Int
        public let label: String

        public init(sheet: String, row: Int, label: String) {
            self.sheet = sheet
            self.row = row
            self.label = label
        }
    }

    public struct UnreadableCell: Codable, Sendable, Equatable {
        public let sheet: String
        public let row: Int
        /// The column's letters, as the spreadsheet shows them.
        public let column: String
        public let text: String

        public init(sheet: String, row: Int, column: String, text: String) {
            self.sheet = sheet
            self.row = row
            self.column = column
            self.text = text
        }
    }

    public var workbook: String
    /// The date the review is as of, or nil when the workbook has no dates.
    public var asOf: String?
    public var findings: [ExpectedFinding]
    /// Each indicator's level, or "not assessed".
    public var indicators: [String: String]
    /// Rows the reader must leave out of the data, such as a stray subtotal.
    public var leftOutRows: [LeftOutRow]
    /// Cells the reader cannot read as their column's type, such as a mistyped amount.
    public var unreadableCells: [UnreadableCell]

    public init(workbook: String, asOf: String?, findings: [ExpectedFinding], indicators: [String: String], leftOutRows: [LeftOutRow],
                unreadableCells: [UnreadableCell]) {
        self.workbook = workbook
        self.asOf = asOf
        self.findings = findings
        self.indicators = indicators
        self.leftOutRows = leftOutRows
        self.unreadableCells = unreadableCells
    }
}

/// What a sample file holds, so the key leaves out what its rules cannot see.
struct SampleContents {
    var tables: Set<String>
    /// Optional columns the export does not have, as `table.column`.
    var missingColumns: Set<String> = []
    var hasDates: Bool
    /// What the export's codes mean.
    var meaning = ChartMeaning.nces

    /// What each rule and indicator of the default rules needs: tables, `table.column`s, `date`.
    static let needs: [String: Set<String>] = [
        "BO-1": ["accounts"], "BO-2": ["accounts", "date"], "BO-2A": ["accounts", "date"], "BO-2P": ["accounts", "date"],
        "BO-3": ["accounts", "date"], "BO-4": ["accounts", "date"], "BO-5": ["transactions"], "BO-6": ["transactions", "transactions.invoice"],
        "BO-7": ["transactions"], "BO-8": ["transactions"], "BO-8A": ["transactions", "transactions.approved_by"], "BO-10": ["accounts", "accounts.owner"],
        "BO-11": ["accounts", "accounts.owner", "owners"], "BO-12": ["owners", "date"], "BO-13": ["transactions", "transactions.approved_by", "owners"],
        "MG-10": ["transactions", "transactions.account", "accounts", "accounts.status"], "MG-11": ["transactions"], "MG-12": ["transactions"],
        "SA-10": ["sites", "owners"], "SA-11": ["sites"], "AL-2R": ["goals"], "AL-3": ["goals", "transactions", "date"],
        "AL-3Z": ["goals", "transactions", "date"], "AL-4": ["goals"], "RE-3": ["transactions", "sites"], "RE-4": ["transactions", "sites"], "RE-4T": ["transactions", "sites"],
        "TR-5": ["sites"], "TR-6": ["sites", "date"], "TR-7": ["transactions"], "TR-8": ["transactions"], "TR-9": ["transactions", "sites", "date"],
        "TR-9F": ["transactions", "sites", "date"],
        "MG-1": ["accounts", "accounts.owner", "owners"], "MG-2": ["accounts"], "MG-3": ["transactions"],
        "MG-4": ["transactions", "transactions.account", "accounts", "accounts.status"], "MG-5": ["transactions"], "MG-6": ["accounts"],
        "SA-1": ["accounts", "accounts.locked", "accounts.owner", "sites"], "SA-2": ["sites", "owners"], "SA-3": ["owners", "date"],
        "SA-4": ["accounts", "accounts.locked", "sites", "date"], "AL-1": ["transactions", "goals"], "AL-2": ["goals"], "AL-5": ["accounts", "date"],
        "RE-1": ["transactions", "sites"], "RE-2": ["transactions", "sites"], "RE-5": ["transactions", "sites"], "RE-6": ["transactions", "sites"], "MG-7": ["funds"], "MG-8": ["funds"],
        "TR-2": ["transactions", "sites", "date"], "TR-4": ["transactions"], "BO-9": ["transactions"],
    ]

    func canAssess(_ id: String) -> Bool {
        SampleContents.needs[id]!.allSatisfy { need in
            need == "date" ? hasDates : need.contains(".") ? !missingColumns.contains(need) : tables.contains(need)
        }
    }
}

extension AnswerKey {
    /// The key for a district written with the given contents; `row` places a record on its sheet.
    init(workbook: String, district: District, plants: [Plant], contents: SampleContents, sheets: SampleSheets) {
        self.workbook = workbook
        asOf = contents.hasDates ? district.asOf.description : nil
        let serialRow = Dictionary(uniqueKeysWithValues: zip(district.lines.map(\.serial), sheets.lineRows))
        // A chart without a catch-all object has nothing for MG-12 to find.
        findings = plants.filter { contents.canAssess($0.rule) && ($0.rule != "MG-12" || !contents.meaning.catchAll.isEmpty) }.map { plant in
            switch plant.target {
            case .lines(let serials): ExpectedFinding(rule: plant.rule, sheet: sheets.transactions, rows: serials.map { serialRow[$0]! }, key: nil)
            case .account(let index): ExpectedFinding(rule: plant.rule, sheet: sheets.accounts, rows: [sheets.accountRow(index)], key: nil)
            case .site(let index): ExpectedFinding(rule: plant.rule, sheet: sheets.sites, rows: [index + 2], key: nil)
            case .owner(let index): ExpectedFinding(rule: plant.rule, sheet: sheets.owners, rows: [index + 2], key: nil)
            case .goal(let index): ExpectedFinding(rule: plant.rule, sheet: sheets.goals, rows: [index + 2], key: nil)
            case .siteSpending(let site): ExpectedFinding(rule: plant.rule, sheet: "site_spending", rows: [], key: site)
            case .goalSpending(let goal): ExpectedFinding(rule: plant.rule, sheet: "goal_spending", rows: [], key: goal)
            }
        }.sorted()
        let values = Oracle(district: district, meaning: contents.meaning, readsTags: !contents.missingColumns.contains("transactions.goals")).values
        var levels: [String: String] = [:]
        for indicator in Oracle.bands.keys {
            levels[indicator] = contents.canAssess(indicator) ? values[indicator].map { Oracle.level(of: indicator, $0) } ?? "not assessed" : "not assessed"
        }
        indicators = levels
        leftOutRows = sheets.leftOut
        unreadableCells = sheets.unreadable
    }
}
