import Foundation
import Testing
@testable import Pathways

/// `pathways explain`: a rule's arithmetic on one row, each value as the workbook has it.
struct ExplainTests {
    func explain(_ rule: String, _ row: Int) -> CommandOutcome {
        RunJob.explain(sampleOptions("struggling-district.xlsx"), rule: rule, row: row)
    }

    @Test func aRowRuleShowsEachValueAndWhyItFlags() throws {
        let outcome = explain("BO-1", 164)
        #expect(outcome.exitCode == 0, "\(outcome.standardError)")
        // The oracle: the Available cell of that row, read by openpyxl.
        let available = try python(#"""
            import sys, openpyxl
            sheet = openpyxl.load_workbook(sys.argv[1])["Accounts"]
            header = [cell.value for cell in sheet[1]]
            print(f"{sheet.cell(164, header.index('Available') + 1).value:.2f}")
            """#, [project.appendingPathComponent("workbooks/samples/struggling-district.xlsx").path]).trimmingCharacters(in: .whitespacesAndNewlines)
        let lines = outcome.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first == "Rule BO-1 \"Budget line overspent\" on Accounts row 164:")
        #expect(lines.contains("    available = -$\(available.dropFirst())"), "\(lines) against \(available)")
        #expect(lines.contains("    → Yes"))
        #expect(lines.last?.hasPrefix("  So BO-1 flags this row: Account 100-1000-650-104-100-000 is $845.20 over") == true)
    }

    @Test func aGroupedRuleShowsItsGroupAndItsLets() {
        let lines = explain("BO-6", 1153).standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.contains("  its group (vendor = Follett School Solutions, invoice = INV-50343): 2 rows, rows 1153, 1528"), "\(lines)")
        #expect(lines.contains("  let payments = COUNT(where amount > 0) - COUNT(where amount < 0) = 2"))
        #expect(lines.last?.hasPrefix("  So BO-6 flags this group") == true)
        // A param is shown with its value.
        let catchAll = explain("MG-12", 20).standardOutput
        #expect(catchAll.contains("catch_all = (\"") && catchAll.contains("  So MG-12 does not flag this row."), "the list's values, as the rules set them: \(catchAll)")
    }

    /// A split purchase: the windows of days that hold the row, each judged, and the one that holds
    /// worked out; the rows are those the generator planted (its answer key).
    @Test func aRuleOnWindowsOfDaysShowsEachWindowThatHoldsTheRow() throws {
        let key = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: project.appendingPathComponent("workbooks/samples/struggling-district.answers.json"))) as? [String: Any])
        let planted = try #require((key["findings"] as? [[String: Any]])?.first { $0["rule"] as? String == "BO-5" }?["rows"] as? [Int])
        let lines = explain("BO-5", planted[0]).standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("  its group (vendor = ") && $0.hasSuffix("rows \(planted.map(String.init).joined(separator: ", "))") }, "\(lines)")
        #expect(lines.contains("  windows of 14 days by posted that hold this row: 1"))
        #expect(lines.last?.hasPrefix("  So BO-5 flags this window: 2 payments to") == true, "\(lines.last ?? "")")
        #expect(lines.contains("  where vendor is not blank and amount > 0 and amount < IFBLANK(LOOKUP(owners.approval_limit, approved_by), approval_limit)"), "a formula on several lines is shown on one")
    }

    /// A view's row as its sheet numbers it (header in row 1), named by its keys; a formula in
    /// parentheses shown with them; an indicator is not a rule.
    @Test func aViewsRowIsTheRowItsSheetShows() throws {
        // The oracle: the row of school 103 on the reviewed workbook's Spending by school sheet.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("explain-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(RunJob.run(sampleOptions("struggling-district.xlsx", output: folder)).exitCode == 0)
        let found = try python(#"""
            import sys, openpyxl
            sheet = openpyxl.load_workbook(sys.argv[1])["Spending by school"]
            print([row for row in range(2, sheet.max_row + 1) if str(sheet.cell(row, 1).value) == "103"][0])
            """#, [folder.appendingPathComponent("struggling-district.reviewed.xlsx").path])
        let row = try #require(Int(found.trimmingCharacters(in: .whitespacesAndNewlines)))
        let lines = explain("RE-4", row).standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first == "Rule RE-4 \"Title I school below comparability (a screen on actual spending)\" on Spending by school row \(row):", "\(lines)")
        #expect(lines.contains("  the row of site = 103") && lines.last?.hasPrefix("  So RE-4 flags this row: Title I school Maple Grove Elementary") == true, "\(lines)")
        #expect(explain("BO-2A", 162).standardOutput.contains("let pace = (actual + encumbrance) / revised / ELAPSED() = "))
        #expect(explain("MG-1", 3).standardError.contains("MG-1 is an indicator"))
    }

    @Test func aRowThatIsNotDataOrARuleThatDoesNotExistIsSaidSo() {
        let header = explain("BO-1", 1)
        #expect(header.exitCode == 2 && header.standardError.contains("Row 1 of sheet Accounts is not one of the accounts table's rows"), "\(header.standardError)")
        let unknown = explain("BO-99", 2)
        #expect(unknown.exitCode == 2 && unknown.standardError.contains("There is no rule BO-99. The rules are: BO-1,"))
    }
}
