import Foundation
import Reports
import RulesEngine
import RulesLanguage
import SpreadsheetIO
import Tabular

/// One small workbook for each budget owner: their scorecard, their findings (with Status and
/// Note columns for their answer) and the budget lines they own, so the business office can send
/// each principal what is theirs without the district's whole review.
enum OwnerPackets {
    /// Writes a packet for every owner with budget lines or findings into `folder` (made if
    /// missing), each through a temporary file and a rename; the files written.
    /// `sheetOfView`: each shown view's sheet title by its name, lower case, so a finding on a view
    /// names the sheet the reviewer sees.
    static func write(report: RunJob.Report, binding: WorkbookBinding, sheetOfView: [String: String], to folder: URL) throws -> [String] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let asOf = report.asOf.flatMap { text in ValueText.withUTF8(text) { ValueText.date($0) } } ?? CalendarDate(year: 1970, month: 1, day: 1)!
        var written: [String] = []
        var taken: Set<String> = []
        for card in report.ownerScorecards where card.lines > 0 || card.findingCount > 0 {
            let findings = report.findings.filter { $0.owner == card.owner }
            let sheets = [scorecard(card, report: report), findingsSheet(findings, sheetOfView: sheetOfView), linesSheet(of: card.owner, binding: binding)]
            var name = fileName(card)
            while taken.contains(name.lowercased()) { name += " (2)" }
            taken.insert(name.lowercased())
            let target = folder.appendingPathComponent(name + ".xlsx")
            try XLSXWriter.write(sheets, to: target.path, created: asOf)
            written.append(target.path)
        }
        // What no budget owner answers for goes to the business office, so nothing is left unsent.
        let unowned = report.findings.filter { $0.owner == nil }
        if !unowned.isEmpty {
            let target = folder.appendingPathComponent("No owner (business office).xlsx")
            let intro = XLSXWriter.Sheet(name: "Scorecard", rows: [
                [.text("Findings no budget owner answers for")],
                [.text("From the review of \(report.input) as of \(report.asOf ?? "an unknown date"), by Pathways: budget lines nobody owns, schools without a principal, and cells that could not be read. The business office answers for them, or gives each an owner.")],
                [],
                [.text("Findings"), .number(Double(unowned.count))],
                [.text("Dollars at stake"), Money(rounding: unowned.compactMap(\.amount).reduce(0, +)).map(XLSXWriter.Cell.money) ?? .blank],
            ], boldRows: [0], columnWidths: [34, 60], wrapsText: true)
            try XLSXWriter.write([intro, findingsSheet(unowned, sheetOfView: sheetOfView)], to: target.path, created: asOf)
            written.append(target.path)
        }
        return written
    }

    /// `P104 Robert Alvarez`: the owner's id and name, with only characters every file system takes.
    static func fileName(_ card: OwnerScorecard) -> String {
        let wanted = [card.owner, card.name].compactMap { $0 }.joined(separator: " ")
        let kept = String(wanted.map { $0.isLetter || $0.isNumber || " -_.,'".contains($0) ? $0 : "_" }).trimmingCharacters(in: .whitespaces)
        return kept.isEmpty || kept.hasPrefix(".") ? "owner " + kept : kept
    }

    static func scorecard(_ card: OwnerScorecard, report: RunJob.Report) -> XLSXWriter.Sheet {
        func money(_ dollars: Double) -> XLSXWriter.Cell { Money(rounding: dollars).map(XLSXWriter.Cell.money) ?? .blank }
        var rows: [[XLSXWriter.Cell]] = [
            [.text("Budget owner packet: \([card.name, card.owner].compactMap { $0 }.joined(separator: ", "))")],
            [.text("From the review of \(report.input) as of \(report.asOf ?? "an unknown date"), by Pathways.")],
            [],
            [.text("Role"), .text(card.role ?? "")],
            [.text("Active"), .text(card.active.map { $0 ? "Yes" : "No, has left" } ?? "Not in the owners table")],
            [.text("Last finance training"), .text(card.trained ?? "")],
        ]
        // Without budget lines of theirs in the workbook, their money is not known, not zero.
        rows += card.lines == 0 ? [[.text("Budget lines"), .text("None in this workbook: its budget does not name owners, or names none of theirs.")]] : [
            [.text("Budget lines"), .number(Double(card.lines))],
            [.text("Revised budget"), money(card.revised)],
            [.text("Actual"), money(card.actual)],
            [.text("Encumbered"), money(card.encumbered)],
            [.text("Available"), money(card.available)],
            [.text("Used"), card.used.map(XLSXWriter.Cell.percent) ?? .blank],
            [.text("Year gone"), report.yearGone.map(XLSXWriter.Cell.percent) ?? .blank],
            [.text("Projected year end at this pace"), card.projected.map(money) ?? .blank],
            [.text("Over budget"), money(card.overspent)],
        ]
        rows += [
            [.text("Errors"), .number(Double(card.findings[Severity.error.rawValue] ?? 0))],
            [.text("Warnings"), .number(Double(card.findings[Severity.warning.rawValue] ?? 0))],
            [.text("For information"), .number(Double(card.findings[Severity.info.rawValue] ?? 0))],
            [.text("Goals owned"), .text(card.goals.joined(separator: ", "))],
        ]
        if let change = card.sinceLastReview {
            rows.append([.text("Findings since the last review\(change.asOf.map { " (as of \($0))" } ?? "")"), .number(Double(change.findings))])
            rows.append([.text("Over budget since the last review"), money(change.overspent)])
        }
        return XLSXWriter.Sheet(name: "Scorecard", rows: rows, boldRows: [0], columnWidths: [34, 60], wrapsText: true)
    }

    static func findingsSheet(_ findings: [Finding], sheetOfView: [String: String]) -> XLSXWriter.Sheet {
        let header: [XLSXWriter.Cell] = ["Severity", "Rule", "Title", "Sheet", "Row", "Message", "Fix", "School", "Amount", "Budget line",
                                         "Your status", "Your note", "Finding ID"].map { .text($0) }
        let rows = findings.map { finding -> [XLSXWriter.Cell] in
            [.text(finding.severity.rawValue.capitalized), .text(finding.rule), .text(finding.title), .text(sheetOfView[finding.sheet.lowercased()] ?? finding.sheet),
             .text(finding.rows.map(String.init).joined(separator: ", ")), .text(finding.message), .text(finding.fix ?? ""),
             .text(finding.school ?? ""), finding.amount.flatMap { Money(rounding: $0) }.map(XLSXWriter.Cell.money) ?? .blank,
             .text(finding.accountDescription ?? ""), .text("Open"), .blank, .text(finding.id ?? "")]
        }
        var sheet = XLSXWriter.Sheet(name: "Findings", rows: [header] + (rows.isEmpty ? [[.text("No findings: nothing to answer.")]] : rows),
                                     columnWidths: [9, 8, 26, 12, 8, 50, 40, 22, 14, 24, 12, 30, 22], wrapsText: true)
        // The id lets the office match answers to findings; the owner sees severity, rule and
        // title on every printed page, and answers from a list.
        sheet.hiddenColumns = [12]
        sheet.frozen = (1, 3)
        if !rows.isEmpty { sheet.choices = [10: ReviewedWorkbook.statuses] }
        return sheet
    }

    /// The budget lines they own, as the Accounts table has them.
    static func linesSheet(of owner: String, binding: WorkbookBinding) -> XLSXWriter.Sheet {
        let columns = [("account", "Account"), ("description", "Description"), ("revised", "Revised budget"), ("actual", "Actual"),
                       ("encumbrance", "Encumbered"), ("available", "Available")]
        guard let accounts = binding.tables["accounts"], let owners = accounts.column("owner") else {
            return XLSXWriter.Sheet(name: "Budget lines", rows: [[.text("The workbook has no budget by owner.")]])
        }
        let present = columns.filter { accounts.column($0.0) != nil }
        let rows = (0 ..< owners.count).filter { owners[$0].description == owner }.map { row in
            present.map { column, _ -> XLSXWriter.Cell in
                switch accounts.column(column)![row] {
                case .money(let money): .money(money)
                case .blank: .blank
                case let value: .text(value.description)
                }
            }
        }
        var sheet = XLSXWriter.Sheet(name: "Budget lines", rows: [present.map { .text($0.1) }] + rows, columnWidths: [26, 32, 16, 16, 16, 16], wrapsText: true)
        sheet.frozen = (1, 1)
        return sheet
    }
}
