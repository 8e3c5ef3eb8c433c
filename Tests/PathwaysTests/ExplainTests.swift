import Foundation
import Testing
@testable import Pathways

private let project: URL = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0 ..< 3 { url.deleteLastPathComponent() }
    return url
}()

/// `pathways explain`: a rule's arithmetic on one row, each value as the workbook has it.
struct ExplainTests {
    func explain(_ rule: String, _ row: Int) -> CommandOutcome {
        var options = RunJob.Options(input: project.appendingPathComponent("workbooks/samples/struggling-district.xlsx").path)
        options.rules = project.appendingPathComponent("rules").path
        return RunJob.explain(options, rule: rule, row: row)
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
        #expect(catchAll.contains("catch_all = ") && catchAll.contains("  So MG-12 does not flag this row."), "\(catchAll)")
    }

    @Test func aRowThatIsNotDataOrARuleThatDoesNotExistIsSaidSo() {
        let header = explain("BO-1", 1)
        #expect(header.exitCode == 2 && header.standardError.contains("Row 1 of sheet Accounts is not one of the accounts table's rows"), "\(header.standardError)")
        let unknown = explain("BO-99", 2)
        #expect(unknown.exitCode == 2 && unknown.standardError.contains("There is no rule BO-99. The rules are: BO-1,"))
    }
}
