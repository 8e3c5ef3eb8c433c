import Foundation
import SpreadsheetIO
import Tabular

/// A district's books as a real finance system exports them, which `pathways sample --layout`
/// writes: the struggling district's ledger and budget in the system's own layout and chart of
/// accounts, with the tables no finance system keeps (schools, budget owners, goals, fund
/// balances) in a workbook of the district's own, and a Params sheet where the export needs one.
public enum ExportLayout: String, CaseIterable, Sendable {
    case munis
    case skyward
    case powerschool
    case ascender
    case sacs
    case nysed
    case quickbooks
    case glSegments = "gl-segments"

    public var title: String {
        switch self {
        case .munis: "Tyler Munis: a glytdbud budget report with its title and total rows, a GL detail of org and object codes, and the org codes"
        case .skyward: "Skyward Qmlativ: account balances and ledger in debits and credits, accounts with a type segment in front (E-100-1000-610-101-100-000)"
        case .powerschool: "PowerSchool BusinessPLUS: budget status and GL detail by org key and object, and the org keys"
        case .ascender: "Ascender (TxEIS), Texas: FASRG accounts 199-11-6399-00-101-5-11-000, chosen with the texas preset"
        case .sacs: "California SACS: accounts 01-3010-0-1110-1000-4300-101, federal money by resource, chosen with the california preset"
        case .nysed: "New York: the NYSED monthly budget report and a ledger of accounts A2110.450-101, chosen with the new_york preset"
        case .quickbooks: "QuickBooks, a charter network: transaction detail by account (1000-610 Instructional supplies) with a class for each grant and a location for each campus; no budget"
        case .glSegments: "A GL detail with fund, function, object, location, program and project in columns of their own, and every table as a CSV file"
        }
    }

    public var answerKeyName: String { rawValue + ".answers.json" }

    var translation: ChartTranslation {
        switch self {
        case .ascender: .texas
        case .sacs: .california
        case .nysed: .newYork
        default: .nces
        }
    }

    /// The Params sheet's rows, for an export the NCES defaults cannot read as it is.
    var params: [(name: String, value: String)] {
        switch self {
        case .skyward: [("account_layout", "\"\", fund, function, object, site, program, project")]
        case .ascender: [("preset", "texas")]
        case .sacs: [("preset", "california")]
        case .nysed: [("preset", "new_york")]
        case .quickbooks: [("account_layout", "function 1-4, object 6-8")]
        default: []
        }
    }
}

extension SampleWriter {
    /// Writes the struggling district as `layout` exports into `folder/<layout>/`, and its answer
    /// key beside that folder (not in it, where it would be read as one of the district's files).
    public static func writeLayout(_ layout: ExportLayout, to folder: String, seed: UInt64 = defaultSeed) throws -> [String] {
        let (generated, plants) = DistrictGenerator.make(.struggling, seed: seed)
        let district = layout.translation.translate(generated)
        let districtFolder = (folder as NSString).appendingPathComponent(layout.rawValue)
        try FileManager.default.createDirectory(atPath: districtFolder, withIntermediateDirectories: true)
        var export = LayoutExport(layout: layout, district: district, folder: districtFolder)
        try export.write()
        let key = AnswerKey(workbook: layout.rawValue, district: district, plants: plants, contents: export.contents, sheets: export.sheets)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let keyPath = (folder as NSString).appendingPathComponent(layout.answerKeyName)
        try AtomicFile.write(try encoder.encode(key) + Data("\n".utf8), to: URL(fileURLWithPath: keyPath))
        return export.written + [keyPath]
    }
}

/// Writes one layout's files, noting where each record lands for the answer key.
private struct LayoutExport {
    typealias Cell = XLSXWriter.Cell
    typealias LineColumn = (header: String, cell: (LedgerLine, Account) -> Cell)
    typealias AccountColumn = (header: String, cell: (Account) -> Cell)

    let layout: ExportLayout
    let district: District
    let folder: String
    var sheets = SampleSheets()
    var contents = SampleContents(tables: ["transactions", "accounts", "sites", "owners", "goals", "funds"], hasDates: true)
    var written: [String] = []

    init(layout: ExportLayout, district: District, folder: String) {
        self.layout = layout
        self.district = district
        self.folder = folder
        contents.meaning = layout.translation.meaning
    }

    private static func text(_ value: String?) -> Cell { value.map { .text($0) } ?? .blank }

    mutating func write() throws {
        switch layout {
        case .munis:
            try writeLedger(file: "GL Detail.csv", columns: [("Fund", { .text($1.fund) }), ("Org", { .text(Self.munisOrg($1)) }),
                                                             ("Object", { .text($1.object) }), ("Project", { .text($1.project) }),
                                                             ("Account", { .text(Self.munisOrg($1) + "." + $1.object) })])
            try writeMunisBudget()
            try writeOrgs(file: "Org Codes.csv", header: ["Org", "Org Name", "Function", "Location"], org: Self.munisOrg)
        case .skyward:
            let account: (Account) -> String = { "E-" + $0.code }
            try writeLedger(file: "GL Transactions.csv", columns: [("Account", { .text(account($1)) })], debitAndCredit: true)
            try writeBudget(file: "Account Balances.csv", columns: [
                ("Account", { .text(account($0)) }), ("Description", { .text($0.description) }), ("Status", { .text($0.status) }),
                ("Budget Owner", { Self.text($0.owner) }), ("Locked", { .text($0.locked ? "Y" : "N") }),
                ("OriginalBudget", { .money($0.original.money) }), ("BudgetAmendment", { .money($0.transfers.money) }),
                ("BeginningBalance", { _ in .money(Money(scaled: 0)) }), ("Debit", { .money($0.actual.money) }),
                ("Credit", { _ in .money(Money(scaled: 0)) }), ("Encumbrance", { .money($0.encumbrance.money) }),
            ])
        case .powerschool:
            let key: (Account) -> String = { $0.site + $0.function + String($0.fund.prefix(1)) + String($0.program.prefix(1)) }
            try writeLedger(file: "GL Detail.csv", columns: [("Fund", { .text($1.fund) }), ("Org Key", { .text(key($1)) }),
                                                             ("Object", { .text($1.object) }), ("Project", { .text($1.project) }),
                                                             ("GL Account", { .text(key($1) + " " + $1.object) })])
            try writeBudget(file: "Budget Status.csv", columns: [
                ("Fund", { .text($0.fund) }), ("Org Key", { .text(key($0)) }), ("Object", { .text($0.object) }), ("Project", { .text($0.project) }),
                ("GL Account", { .text(key($0) + " " + $0.object) }), ("Account Description", { .text($0.description) }),
                ("Account Status", { .text($0.status) }), ("Budget Owner", { Self.text($0.owner) }), ("Locked", { .text($0.locked ? "Y" : "N") }),
                ("Original Budget", { .money($0.original.money) }), ("Budget Adjustments", { .money($0.transfers.money) }),
                ("Revised Budget", { .money($0.revised.money) }), ("YTD Actual", { .money($0.actual.money) }),
                ("Encumbrance", { .money($0.encumbrance.money) }), ("Available", { .money($0.available.money) }),
            ])
            try writeOrgs(file: "Org Keys.csv", header: ["Org Key", "Key Title", "Function", "Location"], org: key)
        case .ascender:
            let account: (Account) -> String = { [$0.fund, $0.function, $0.object, $0.subObject, $0.site, "5", $0.program, $0.project].joined(separator: "-") }
            try writeLedger(file: "Transaction Detail.csv", columns: [("Account Code", { .text(account($1)) })])
            try writeBudget(file: "Budget Status.csv", columns: [
                ("Account Code", { .text(account($0)) }), ("Description", { .text($0.description) }), ("Status", { .text($0.status) }),
                ("Budget Owner", { Self.text($0.owner) }), ("Locked", { .text($0.locked ? "Y" : "N") }),
                ("Original Budget", { .money($0.original.money) }), ("Amended Budget", { .money($0.revised.money) }),
                ("Expended YTD", { .money($0.actual.money) }), ("Encumbered", { .money($0.encumbrance.money) }),
                ("Remaining Balance", { .money($0.available.money) }),
            ])
        case .sacs:
            let account: (Account) -> String = { [$0.fund, $0.project, "0", $0.program, $0.function, $0.object, $0.site].joined(separator: "-") }
            try writeLedger(file: "GL Detail.csv", columns: [("Account", { .text(account($1)) })])
            try writeBudget(file: "Budget.csv", columns: [
                ("Account", { .text(account($0)) }), ("Description", { .text($0.description) }), ("Status", { .text($0.status) }),
                ("Budget Owner", { Self.text($0.owner) }), ("Locked", { .text($0.locked ? "Y" : "N") }),
                ("Adopted Budget", { .money($0.original.money) }), ("Revised Budget", { .money($0.revised.money) }),
                ("YTD Actual", { .money($0.actual.money) }), ("Encumbrance", { .money($0.encumbrance.money) }),
                ("Available", { .money($0.available.money) }),
            ])
        case .nysed:
            let account: (Account) -> String = { $0.fund + $0.function + "." + $0.object + "-" + $0.site }
            try writeLedger(file: "Ledger.csv", columns: [("Account", { .text(account($1)) })])
            try writeBudget(file: "Budget Status.csv", columns: [
                ("Account", { .text(account($0)) }), ("Description", { .text($0.description) }), ("Status", { .text($0.status) }),
                ("Budget Owner", { Self.text($0.owner) }), ("Locked", { .text($0.locked ? "Y" : "N") }),
                ("Original Appropriation", { .money($0.original.money) }), ("Adjustments & Transfers", { .money($0.transfers.money) }),
                ("Revised Appropriation", { .money($0.revised.money) }), ("Expenditures", { .money($0.actual.money) }),
                ("Encumbrances", { .money($0.encumbrance.money) }), ("Unencumbered Balance", { .money($0.available.money) }),
            ])
        case .quickbooks:
            try writeQuickBooksLedger()
            contents.tables.remove("accounts")
            contents.missingColumns.formUnion(["transactions.approved_by", "transactions.invoice"])
        case .glSegments:
            try writeLedger(file: "GL Detail.csv", columns: [
                ("Fund", { .text($1.fund) }), ("Function", { .text($1.function) }), ("Object", { .text($1.object) }),
                ("Location", { .text($1.site) }), ("Program", { .text($1.program) }), ("Project", { .text($1.project) }),
            ])
            try writeBudget(file: "Budget.csv", columns: [
                ("Account", { .text($0.code) }), ("Description", { .text($0.description) }), ("Status", { .text($0.status) }),
                ("Budget Owner", { Self.text($0.owner) }), ("Locked", { .text($0.locked ? "Y" : "N") }),
                ("Original Budget", { .money($0.original.money) }), ("Transfers and Adjustments", { .money($0.transfers.money) }),
                ("YTD Actual", { .money($0.actual.money) }), ("Encumbrance", { .money($0.encumbrance.money) }),
            ])
            // Nothing in the ledger names its account, so its lines cannot be matched to the budget's.
            contents.missingColumns.insert("transactions.account")
        }
        try writeDistrictTables()
    }

    // MARK: The ledger

    /// The ledger with the layout's account columns in the middle, one line a row; a Skyward
    /// ledger in debit and credit columns.
    private mutating func writeLedger(file: String, columns accountColumns: [LineColumn], debitAndCredit: Bool = false) throws {
        let amounts: [LineColumn] = debitAndCredit
            ? [("Debit", { line, _ in line.amount > 0 ? .money(line.amount.money) : .blank }),
               ("Credit", { line, _ in line.amount < 0 ? .money((-line.amount).money) : .blank })]
            : [("Amount", { line, _ in .money(line.amount.money) })]
        let columns: [LineColumn] = [
            ("Posting Date", { line, _ in .date(line.posted) }), ("Document Type", { line, _ in .text(line.docType) }),
            ("Document Number", { line, _ in .text(line.docNumber) }), ("Invoice Number", { line, _ in Self.text(line.invoice) }),
            ("Vendor Name", { line, _ in Self.text(line.vendor) }),
        ] + accountColumns + [("Description", { line, _ in .text(line.description) })] + amounts + [
            ("Entered By", { line, _ in .text(line.enteredBy) }), ("Approved By", { line, _ in .text(line.approvedBy) }),
            ("Goal IDs", { line, _ in Self.text(line.goals) }),
        ]
        var rows = [columns.map { Cell.text($0.header) }]
        for line in district.lines {
            rows.append(columns.map { $0.cell(line, district.account(of: line)) })
            sheets.lineRows.append(rows.count)
        }
        sheets.transactions = try writeCSV(rows, file: file)
    }

    /// QuickBooks' transaction detail by account: its title rows, then every line with its
    /// account (function and object in front of the name), the grant as a class and the campus as a location.
    private mutating func writeQuickBooksLedger() throws {
        var rows: [[Cell]] = [[.text(district.name)], [.text("Transaction Detail by Account")], [.text("July 2024 - June 2025")], [],
                              ["Date", "Transaction Type", "Num", "Name", "Memo/Description", "Account", "Class", "Location", "Amount", "Created By", "Tags"]
                                  .map { .text($0) }]
        for line in district.lines {
            let account = district.account(of: line)
            rows.append([.date(line.posted), .text(line.docType), .text(line.docNumber), Self.text(line.vendor), .text(line.description),
                         .text("\(account.function)-\(account.object) \(account.description)"), .text(Self.quickBooksClass(account.project)),
                         .text(account.site), .money(line.amount.money), .text(line.enteredBy), Self.text(line.goals)])
            sheets.lineRows.append(rows.count)
        }
        try XLSXWriter.write([XLSXWriter.Sheet(name: "Transaction Detail", rows: rows, boldRows: [0, 1, 4],
                                               columnWidths: [12, 14, 10, 28, 40, 40, 24, 10, 14, 14, 8])],
                             to: path("Transaction Detail by Account.xlsx"), created: district.asOf)
        written.append(path("Transaction Detail by Account.xlsx"))
        sheets.transactions = "Transaction Detail"
    }

    /// A class named by its grant's code and name, as charter schools keep them.
    private static func quickBooksClass(_ project: String) -> String {
        let names = ["000": "General", "411": "Title I, Part A", "430": "IDEA, Part B", "101": "Grade-3 literacy", "102": "Attendance",
                     "103": "Middle school math", "104": "College and career"]
        return project + " " + (names[project] ?? "Project")
    }

    // MARK: The budget

    private mutating func writeBudget(file: String, columns: [AccountColumn]) throws {
        var rows = [columns.map { Cell.text($0.header) }]
        for account in district.accounts {
            rows.append(columns.map { $0.cell(account) })
            sheets.accountRows.append(rows.count)
        }
        sheets.accounts = try writeCSV(rows, file: file)
    }

    /// Munis' org: fund, location, function and program in eight digits, 1 101 100 1.
    private static func munisOrg(_ account: Account) -> String {
        String(account.fund.prefix(1)) + account.site + String(account.function.prefix(3)) + String(account.program.prefix(1))
    }

    /// The glytdbud report: title rows, accounts by org with a total after each, and a grand total.
    private mutating func writeMunisBudget() throws {
        var rows: [[Cell]] = [[.text(district.name.uppercased())], [.text("YEAR-TO-DATE BUDGET REPORT")], [.text("FOR \(district.fiscalYear) 13")], [],
                              ["FUND", "ORG", "OBJ", "PROJECT", "ACCOUNT", "ACCOUNT DESCRIPTION", "TYPE", "STATUS", "OWNER", "LOCKED", "ORIGINAL APPROP",
                               "TRANFRS/ADJSMTS", "REVISED BUDGET", "  YTD ACTUAL", "ENCUMBRANCES", "AVAILABLE BUDGET", "% USED"].map { .text($0) }]
        var bold: Set<Int> = [0, 1, 2, 4]
        func amounts(_ accounts: [Account]) -> [Cell] {
            let sum = { (value: (Account) -> Cents) in Cell.money(accounts.reduce(0) { $0 + value($1) }.money) }
            return [sum(\.original), sum(\.transfers), sum(\.revised), sum(\.actual), sum(\.encumbrance), sum(\.available)]
        }
        sheets.accountRows = Array(repeating: 0, count: district.accounts.count)
        let order = district.accounts.indices.sorted { (Self.munisOrg(district.accounts[$0]), district.accounts[$0].object) < (Self.munisOrg(district.accounts[$1]), district.accounts[$1].object) }
        var current: [Account] = []
        func closeOrg() {
            guard let first = current.first else { return }
            rows.append([.text("Total \(Self.munisOrg(first))")] + Array(repeating: .blank, count: 9) + amounts(current))
            bold.insert(rows.count - 1)
            sheets.leftOut.append(AnswerKey.LeftOutRow(sheet: "glytdbud", row: rows.count, label: "Total \(Self.munisOrg(first))"))
            current = []
        }
        for index in order {
            let account = district.accounts[index]
            if let first = current.first, Self.munisOrg(first) != Self.munisOrg(account) { closeOrg() }
            let used = account.revised == 0 ? 0 : Double(account.actual + account.encumbrance) / Double(account.revised)
            rows.append([.text(account.fund), .text(Self.munisOrg(account)), .text(account.object), .text(account.project),
                         .text(Self.munisOrg(account) + "." + account.object), .text(String(account.description.uppercased().prefix(10))), .text("E"),
                         .text(account.status), Self.text(account.owner), .text(account.locked ? "Y" : "N")] + amounts([account]) + [.percent(used)])
            sheets.accountRows[index] = rows.count
            current.append(account)
        }
        closeOrg()
        rows.append([.text("Grand Total")] + Array(repeating: .blank, count: 9) + amounts(district.accounts))
        bold.insert(rows.count - 1)
        sheets.leftOut.append(AnswerKey.LeftOutRow(sheet: "glytdbud", row: rows.count, label: "Grand Total"))
        try XLSXWriter.write([XLSXWriter.Sheet(name: "glytdbud", rows: rows, boldRows: bold,
                                               columnWidths: [6, 10, 6, 8, 14, 14, 5, 8, 8, 7, 15, 15, 15, 15, 15, 15, 8])],
                             to: path("glytdbud.xlsx"), created: district.asOf)
        written.append(path("glytdbud.xlsx"))
        sheets.accounts = "glytdbud"
    }

    /// What each org code stands for: its function and location.
    private mutating func writeOrgs(file: String, header: [String], org: (Account) -> String) throws {
        var rows = [header.map { Cell.text($0) }]
        var seen: Set<String> = []
        for account in district.accounts where seen.insert(org(account)).inserted {
            let site = district.sites.first { $0.code == account.site }?.name ?? account.site
            rows.append([.text(org(account)), .text("\(site), function \(account.function)"), .text(account.function), .text(account.site)])
        }
        _ = try writeCSV(rows, file: file)
    }

    // MARK: The district's own tables

    /// Schools, budget owners, goals and fund balances, which no finance system exports: a
    /// workbook the finance office keeps, or CSV files beside a GL detail.
    private mutating func writeDistrictTables() throws {
        let (sites, owners, goals, funds) = SampleWriter.districtTables(district, goalProject: layout == .quickbooks ? Self.quickBooksClass : { $0 })
        if layout == .glSegments {
            sheets.sites = try writeCSV(sites, file: "Schools.csv")
            sheets.owners = try writeCSV(owners, file: "Budget Owners.csv")
            sheets.goals = try writeCSV(goals, file: "Goals.csv")
            _ = try writeCSV(funds, file: "Fund Balances.csv")
            return
        }
        var workbook = [XLSXWriter.Sheet(name: "Sites", rows: sites, columnWidths: [10, 28, 9, 12, 12, 12, 12, 12, 8, 12, 14, 60, 14, 14]),
                        XLSXWriter.Sheet(name: "Owners", rows: owners, columnWidths: [10, 20, 24, 10, 14, 14, 8]),
                        XLSXWriter.Sheet(name: "Goals", rows: goals, columnWidths: [8, 34, 48, 10, 10, 12, 10, 14, 16, 10]),
                        XLSXWriter.Sheet(name: "Fund Summary", rows: funds, columnWidths: [8, 20, 16, 16, 16, 16])]
        if !layout.params.isEmpty {
            workbook.append(XLSXWriter.Sheet(name: "Params", rows: [[.text("Name"), .text("Value")]] + layout.params.map { [.text($0.name), .text($0.value)] },
                                             columnWidths: [20, 60]))
        }
        try XLSXWriter.write(workbook, to: path("District tables.xlsx"), created: district.asOf)
        written.append(path("District tables.xlsx"))
    }

    // MARK: Files

    private func path(_ file: String) -> String { (folder as NSString).appendingPathComponent(file) }

    /// Writes rows as a CSV file (amounts plain, dates as the US writes them); returns its sheet name.
    private mutating func writeCSV(_ rows: [[Cell]], file: String) throws -> String {
        func field(_ cell: Cell) -> String {
            let text: String
            switch cell {
            case .blank: text = ""
            case .text(let value): text = value
            case .number(let value): text = value == value.rounded() ? String(Int(value)) : String(value)
            case .money(let value): text = value.description
            case .percent(let value): text = String(format: "%.0f%%", value * 100)
            case .date(let date):
                let (year, month, day) = date.components
                text = String(format: "%02d/%02d/%04d", month, day, year)
            }
            return text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        let csv = rows.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
        try AtomicFile.write(Data(csv.utf8), to: URL(fileURLWithPath: path(file)))
        written.append(path(file))
        return String(file.dropLast(4))
    }
}
