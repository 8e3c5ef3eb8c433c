import Foundation
import SpreadsheetIO
import Tabular

/// Where a district's records land in a written sample: the sheet and row of each.
struct SampleSheets {
    var transactions = "Transactions"
    var accounts = "Accounts"
    var sites = "Sites"
    var owners = "Owners"
    var goals = "Goals"
    var lineRows: [Int] = []
    var accountRows: [Int] = []
    var leftOut: [AnswerKey.LeftOutRow] = []
    /// A ledger line whose amount was mistyped (a letter O for a zero), and where that cell is.
    var typoLine: Int?
    var unreadable: [AnswerKey.UnreadableCell] = []

    func accountRow(_ index: Int) -> Int { accountRows[index] }
}

/// The sample files `pathways sample` writes, each with its answer key beside it.
public enum SampleFile: String, CaseIterable, Sendable {
    /// A district that keeps its books well: every table, no planted problems.
    case clean = "clean-district"
    /// The same kind of district with a known set of problems planted.
    case struggling = "struggling-district"
    /// The struggling district's budget as a Tyler Munis year-to-date budget report: title rows,
    /// subtotal rows per location, truncated descriptions, no dates.
    case munis = "munis-budget-export"
    /// The struggling district's ledger as a careless CSV export: Windows-1252 text, US dates,
    /// amounts with dollar signs and bracketed negatives.
    case dirty = "dirty-ledger"

    public var fileName: String { rawValue + (self == .dirty ? ".csv" : ".xlsx") }
    public var answerKeyName: String { rawValue + ".answers.json" }
}

public enum SampleWriter {
    public static let defaultSeed: UInt64 = 2025

    /// Writes every sample and its answer key into `folder`; returns the paths written.
    public static func writeAll(to folder: String, seed: UInt64 = defaultSeed) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var written: [String] = []
        for file in SampleFile.allCases {
            let (district, plants) = DistrictGenerator.make(file == .clean ? .clean : .struggling, seed: seed)
            let path = (folder as NSString).appendingPathComponent(file.fileName)
            let sheets: SampleSheets
            let contents: SampleContents
            switch file {
            case .clean, .struggling:
                sheets = try writeWorkbook(district, to: path)
                contents = SampleContents(tables: ["transactions", "accounts", "sites", "owners", "goals", "funds"], hasDates: true)
            case .munis:
                sheets = try writeMunisReport(district, to: path)
                contents = SampleContents(tables: ["accounts"], missingColumns: ["accounts.owner", "accounts.locked", "accounts.status"],
                                          hasDates: false)
            case .dirty:
                sheets = try writeDirtyCSV(district, to: path)
                contents = SampleContents(tables: ["transactions"], hasDates: true)
            }
            // A cell that cannot be read is blank to the rules, so the oracle counts its amount as nothing.
            var reviewed = district
            if let typo = sheets.typoLine { reviewed.lines[typo].amount = 0 }
            let key = AnswerKey(workbook: file.fileName, district: reviewed, plants: plants, contents: contents, sheets: sheets)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let keyPath = (folder as NSString).appendingPathComponent(file.answerKeyName)
            try AtomicFile.write(try encoder.encode(key) + Data("\n".utf8), to: URL(fileURLWithPath: keyPath))
            written += [path, keyPath]
        }
        return written
    }

    // MARK: The district's own workbook

    private static func text(_ value: String?) -> XLSXWriter.Cell { value.map { .text($0) } ?? .blank }
    private static func yesNo(_ flag: Bool) -> XLSXWriter.Cell { .text(flag ? "Y" : "N") }

    static func writeWorkbook(_ district: District, to path: String) throws -> SampleSheets {
        var sheets = SampleSheets()
        var transactions: [[XLSXWriter.Cell]] = [["Transaction ID", "Posting Date", "Document Type", "Document Number", "Invoice Number",
                                                  "Vendor Name", "Account", "Description", "Amount", "Budget Owner", "Entered By",
                                                  "Approved By", "Goal IDs"].map { .text($0) }]
        for (index, line) in district.lines.enumerated() {
            let account = district.account(of: line)
            transactions.append([.text(line.id), .date(line.posted), .text(line.docType), .text(line.docNumber), text(line.invoice),
                                 text(line.vendor), .text(account.code), .text(line.description), .money(line.amount.money),
                                 text(account.owner), .text(line.enteredBy), .text(line.approvedBy), text(line.goals)])
            sheets.lineRows.append(transactions.count)
            if index == district.subtotalAfterLine {
                let subtotal = district.lines[max(0, index - 4) ... index].reduce(0) { $0 + $1.amount }
                var row = [XLSXWriter.Cell](repeating: .blank, count: 13)
                row[0] = .text("Subtotal")
                row[8] = .money(subtotal.money)
                transactions.append(row)
                sheets.leftOut.append(AnswerKey.LeftOutRow(sheet: "Transactions", row: transactions.count, label: "Subtotal"))
            }
        }
        var accounts: [[XLSXWriter.Cell]] = [["Account", "Description", "Status", "Budget Owner", "Locked", "Original Budget",
                                              "Transfers and Adjustments", "Revised Budget", "YTD Actual", "Encumbrance", "Available"].map { .text($0) }]
        for account in district.accounts {
            accounts.append([.text(account.code), .text(account.description), .text(account.status), text(account.owner), yesNo(account.locked),
                             .money(account.original.money), .money(account.transfers.money), .money(account.revised.money),
                             .money(account.actual.money), .money(account.encumbrance.money), .money(account.available.money)])
            sheets.accountRows.append(accounts.count)
        }
        let tables = districtTables(district)
        try XLSXWriter.write([
            XLSXWriter.Sheet(name: "Transactions", rows: transactions, columnWidths: [16, 12, 10, 12, 12, 30, 26, 40, 12, 12, 14, 12, 10]),
            XLSXWriter.Sheet(name: "Accounts", rows: accounts, columnWidths: [26, 36, 10, 12, 8, 14, 14, 14, 14, 14, 14]),
            XLSXWriter.Sheet(name: "Sites", rows: tables.sites, columnWidths: [10, 28, 9, 12, 12, 12, 12, 12, 8, 12, 14, 60, 14, 14]),
            XLSXWriter.Sheet(name: "Owners", rows: tables.owners, columnWidths: [10, 20, 24, 10, 14, 14, 8]),
            XLSXWriter.Sheet(name: "Goals", rows: tables.goals, columnWidths: [8, 34, 48, 10, 10, 12, 10, 14, 10, 10]),
            XLSXWriter.Sheet(name: "Fund Summary", rows: tables.funds, columnWidths: [8, 20, 16, 16, 16, 16]),
        ], to: path, created: district.asOf)
        return sheets
    }

    /// The tables a district keeps itself, each with its header row: schools, budget owners,
    /// goals (their project as `goalProject` writes it) and fund balances.
    static func districtTables(_ district: District, goalProject: (String) -> String = { $0 })
        -> (sites: [[XLSXWriter.Cell]], owners: [[XLSXWriter.Cell]], goals: [[XLSXWriter.Cell]], funds: [[XLSXWriter.Cell]]) {
        var sites: [[XLSXWriter.Cell]] = [["Site Code", "Site Name", "Level", "October Enrollment", "Enrollment Year", "Low-Income Share",
                                           "English Learner Share", "Students with Disabilities Share", "Title I", "Principal Owner",
                                           "Discretionary Allocation", "Allocation Method", "Published State and Local Per-Pupil",
                                           "Published Federal Per-Pupil"].map { .text($0) }]
        for site in district.sites {
            let shares: [XLSXWriter.Cell] = site.isSchool ? [.percent(site.poverty), .percent(site.english), .percent(site.disability)]
                : [.blank, .blank, .blank]
            sites.append([.text(site.code), .text(site.name), .text(site.level), .number(Double(site.enrollment)), .number(Double(site.enrollmentYear))]
                         + shares + [yesNo(site.title1), text(site.principal), site.isSchool ? .money(site.discretionary.money) : .blank,
                                     text(site.method), site.publishedPerPupil.map { .money($0.money) } ?? .blank,
                                     site.publishedFederalPerPupil.map { .money($0.money) } ?? .blank])
        }
        var owners: [[XLSXWriter.Cell]] = [["Owner ID", "Name", "Role", "Site Code", "Approval Limit", "Last Finance Training", "Active"].map { .text($0) }]
        for owner in district.owners {
            owners.append([.text(owner.id), .text(owner.name), .text(owner.role), text(owner.site), owner.approvalLimit.map { .money($0.money) } ?? .blank,
                           owner.trained.map { .date($0) } ?? .blank, yesNo(owner.active)])
        }
        var goals: [[XLSXWriter.Cell]] = [["Goal ID", "Goal Name", "Metric", "Baseline", "Target", "Target Date", "Owner ID", "Budget",
                                           "Project Code", "Students Targeted"].map { .text($0) }]
        for goal in district.goals {
            goals.append([.text(goal.id), .text(goal.name), text(goal.metric), text(goal.baseline), text(goal.target),
                          goal.due.map { .date($0) } ?? .blank, text(goal.owner), .money(goal.budget.money), .text(goalProject(goal.project)),
                          goal.students.map { .number(Double($0)) } ?? .blank])
        }
        var funds: [[XLSXWriter.Cell]] = [["Fund", "Fund Name", "Cash and Investments", "Restricted Fund Balance", "Unrestricted Fund Balance",
                                           "Total Expenditures"].map { .text($0) }]
        for fund in district.funds {
            funds.append([.text(fund.fund), .text(fund.name), .money(fund.cash.money), .money(fund.restricted.money), .money(fund.unrestricted.money),
                          .money(fund.expenditures.money)])
        }
        return (sites, owners, goals, funds)
    }

    // MARK: A Munis year-to-date budget report

    private static func writeMunisReport(_ district: District, to path: String) throws -> SampleSheets {
        var sheets = SampleSheets(transactions: "", accounts: "Sheet1")
        sheets.accountRows = Array(repeating: 0, count: district.accounts.count)
        var rows: [[XLSXWriter.Cell]] = [
            [.text(district.name.uppercased())],
            [.text("YEAR-TO-DATE BUDGET REPORT")],
            [.text("FOR \(district.fiscalYear) 13")],
            [],
            ["FUND", "DEPARTMENT", "ORG", "OBJ", "PROJECT", "ACCOUNT", "ACCOUNT DESCRIPTION", "TYPE", "ORIGINAL APPROP", "TRANFRS/ADJSMTS",
             "REVISED BUDGET", "  YTD ACTUAL", "ENCUMBRANCES", "AVAILABLE BUDGET", "% USED"].map { .text($0) },
        ]
        var bold: Set<Int> = [0, 1, 2, 4]
        func amounts(_ accounts: [Account]) -> [XLSXWriter.Cell] {
            let sum = { (value: (Account) -> Cents) in XLSXWriter.Cell.money(accounts.reduce(0) { $0 + value($1) }.money) }
            return [sum(\.original), sum(\.transfers), sum(\.revised), sum(\.actual), sum(\.encumbrance), sum(\.available)]
        }
        // Munis lists accounts by location (ORG), with a total after each.
        let order = district.accounts.indices.sorted { (district.accounts[$0].site, district.accounts[$0].code) < (district.accounts[$1].site, district.accounts[$1].code) }
        var current: [Account] = []
        func closeLocation() {
            guard let site = current.first?.site else { return }
            rows.append([.text("Total \(site)"), .blank, .blank, .blank, .blank, .blank, .blank, .blank] + amounts(current))
            bold.insert(rows.count - 1)
            sheets.leftOut.append(AnswerKey.LeftOutRow(sheet: "Sheet1", row: rows.count, label: "Total \(site)"))
            current = []
        }
        for index in order {
            let account = district.accounts[index]
            if let site = current.first?.site, site != account.site { closeLocation() }
            let used = account.revised == 0 ? 0 : Double(account.actual + account.encumbrance) / Double(account.revised)
            rows.append([.text(account.fund), .text(account.function), .text(account.site), .text(account.object), .text(account.project),
                         .text(account.code), .text(String(account.description.uppercased().prefix(10))), .text("E")]
                        + amounts([account]) + [.percent(used)])
            sheets.accountRows[index] = rows.count
            current.append(account)
        }
        closeLocation()
        rows.append([.text("Grand Total"), .blank, .blank, .blank, .blank, .blank, .blank, .blank] + amounts(district.accounts))
        bold.insert(rows.count - 1)
        sheets.leftOut.append(AnswerKey.LeftOutRow(sheet: "Sheet1", row: rows.count, label: "Grand Total"))
        try XLSXWriter.write([XLSXWriter.Sheet(name: "Sheet1", rows: rows, boldRows: bold,
                                               columnWidths: [8, 12, 8, 8, 9, 26, 14, 6, 15, 15, 15, 15, 15, 15, 9])],
                             to: path, created: district.asOf)
        return sheets
    }

    // MARK: A careless CSV export of the ledger

    private static func writeDirtyCSV(_ district: District, to path: String) throws -> SampleSheets {
        var sheets = SampleSheets(transactions: "dirty-ledger", accounts: "")
        func field(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        func usDate(_ date: CalendarDate) -> String {
            let (year, month, day) = date.components
            return "\(month)/\(day)/\(year)"
        }
        func amount(_ cents: Cents, dollarSign: Bool) -> String {
            let text = abs(cents).money.formatted.replacingOccurrences(of: "$", with: "")
            return cents < 0 ? "(\(text))" : (dollarSign ? "$" : "") + text
        }
        var lines = ["Reference,Post Date,Doc Type,Check Number,Invoice,Vendor,Account Number,Memo,Net Amount,Budget Manager,Entered By,Approver,Strategy Tags"]
        // Someone typed a letter O for a zero in the amount of one large November bill.
        sheets.typoLine = district.lines.firstIndex { line in
            line.docType == "PAY" && line.amount >= 500_000 && line.posted.components.month == 11 && String(line.amount).dropLast(2).contains("0")
        }
        for (index, line) in district.lines.enumerated() {
            let account = district.account(of: line)
            var amountText = amount(line.amount, dollarSign: index % 3 == 0)
            if index == sheets.typoLine {
                amountText = amountText.replacingOccurrences(of: "0", with: "O")
                sheets.unreadable.append(AnswerKey.UnreadableCell(sheet: "dirty-ledger", row: lines.count + 1, column: "I", text: amountText))
            }
            // Check numbers (000418) lost their leading zeros when the export went through a spreadsheet.
            let check = line.docType == "PAY" ? Int(line.docNumber).map(String.init) ?? line.docNumber : ""
            lines.append([line.id, usDate(line.posted), line.docType, check, line.invoice ?? "", line.vendor ?? "", account.code, line.description,
                          amountText, account.owner ?? "", line.enteredBy, line.approvedBy, line.goals ?? ""]
                .map(field).joined(separator: ","))
            sheets.lineRows.append(lines.count)
            if index == district.subtotalAfterLine {
                let subtotal = district.lines[max(0, index - 4) ... index].reduce(0) { $0 + $1.amount }
                lines.append("Subtotal,,,,,,,," + field(amount(subtotal, dollarSign: true)) + ",,,,")
                sheets.leftOut.append(AnswerKey.LeftOutRow(sheet: "dirty-ledger", row: lines.count, label: "Subtotal"))
            }
        }
        guard let bytes = (lines.joined(separator: "\r\n") + "\r\n").data(using: .windowsCP1252) else {
            throw CocoaError(.fileWriteInapplicableStringEncoding, userInfo: [NSFilePathErrorKey: path])
        }
        try AtomicFile.write(bytes, to: URL(fileURLWithPath: path))
        return sheets
    }
}
