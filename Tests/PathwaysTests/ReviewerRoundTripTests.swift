import Foundation
import Pathways
import Testing

private let struggling = project.appendingPathComponent("workbooks/samples/struggling-district.xlsx")

/// A reviewer marks findings in the reviewed workbook; the next review of the district carries
/// those marks to the same findings, says which findings are new and which were resolved, and a
/// reviewed workbook given back is never reviewed as the district's data.
@Suite(.serialized) struct ReviewerRoundTripTests {
    private func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("round-trip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    private static let rules = try! RunJob.loadRules(project.appendingPathComponent("rules").path).get()

    private func review(_ inputs: [URL]) -> (report: RunJob.Report?, failure: JobFailure?) {
        switch RunJob.review(RunJob.Options(inputs: inputs.map(\.path)), rules: Self.rules) {
        case .reviewed(let review): (review.report, nil)
        case .failed(let failure): (nil, failure)
        case .marksRecorded: (nil, nil)
        }
    }

    @Test func aReviewersMarksFollowTheirFindingsIntoTheNextReview() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("struggling-district.xlsx")
        try FileManager.default.copyItem(at: struggling, to: input)
        let first = try #require(review([input]).report)
        #expect(first.sinceLastReview == nil, "the first review has nothing to compare with")
        let reviewed = folder.appendingPathComponent("struggling-district.reviewed.xlsx").path
        // The reviewer marks the weekend journal entry and the self-approved payment, then sorts the
        // Findings sheet by rule, Z to A, as a reviewer might. In the ledger, the finance office adds a
        // line at the top (every row moves down one) and corrects the nameless vendor's payment.
        let edited = try python(#"""
            import sys, datetime, openpyxl
            book = openpyxl.load_workbook(sys.argv[1])
            sheet = book["Findings"]
            header = [cell.value for cell in sheet[1]]
            rows = [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]
            rows.sort(key=lambda row: row[1], reverse=True)
            for index, row in enumerate(rows):
                if row[1] == "BO-8" and "2025-02-22" in row[header.index("Message")]: row[header.index("Status")], row[header.index("Note")] = "Explained", "Year-end recode approved by the CFO"
                if row[1] == "BO-8A": row[header.index("Status")] = "Fixed"
                for column, value in enumerate(row): sheet.cell(index + 2, column + 1).value = value
            book.save(sys.argv[1])
            ledger = openpyxl.load_workbook(sys.argv[2])
            transactions = ledger["Transactions"]
            vendor = [cell.value for cell in transactions[1]].index("Vendor Name") + 1
            for row in range(2, transactions.max_row + 1):
                if transactions.cell(row, vendor).value == "Not Provided": transactions.cell(row, vendor).value = "Texas Instruments Education"
            transactions.insert_rows(2)
            for column, value in enumerate(["GL-2025-000000", datetime.datetime(2025, 3, 1), "JE", "JE-0", None, None, "100-1000-610-101-100-000", "Recode of a supply order to the right school", 125]):
                transactions.cell(2, column + 1).value = value
            ledger.save(sys.argv[2])
            print(len(rows))
            """#, [reviewed, input.path])
        #expect(Int(edited.trimmingCharacters(in: .whitespacesAndNewlines)) == first.findings.count)
        let second = try #require(review([input]).report)
        let since = try #require(second.sinceLastReview)
        #expect(since.source == "struggling-district.reviewed.xlsx")
        #expect(since.carried == 2)
        #expect(since.resolved == first.findings.filter { $0.rule == "TR-7" }.compactMap(\.id), "the nameless vendor was corrected")
        // The new line is a journal entry posted on a Saturday: new; everything else was found before.
        #expect(since.new == second.findings.filter { $0.rule == "BO-8" && $0.message.contains("2025-03-01") }.compactMap(\.id))
        let unchanged = first.findings.filter { $0.rule == "BO-8" || $0.rule == "BO-8A" }
        #expect(unchanged.allSatisfy { finding in second.findings.contains { $0.id == finding.id } }, "a moved row keeps its identity")
        // The new workbook shows the marks beside the same findings, New beside the new ones, and the resolved one on the Summary.
        let shown = try python(#"""
            import sys, openpyxl
            book = openpyxl.load_workbook(sys.argv[1])
            sheet = book["Findings"]
            header = [cell.value for cell in sheet[1]]
            for row in sheet.iter_rows(min_row=2, values_only=True):
                if row[1] in ("BO-8", "BO-8A") or row[header.index("Since last review")] == "New":
                    print(row[1], row[header.index("Since last review")], row[header.index("Status")], row[header.index("Note")], sep="|")
            summary = [row for row in book["Summary"].iter_rows(values_only=True)]
            print(any(str(row[0]).startswith("Resolved: TR-7") for row in summary))
            """#, [reviewed])
        let lines = shown.split(separator: "\n").map(String.init)
        #expect(lines.contains("BO-8|Found before|Explained|Year-end recode approved by the CFO"))
        #expect(lines.contains("BO-8A|Found before|Fixed|None"))
        #expect(lines.filter { $0.contains("|New|") }.count == since.new.count)
        #expect(lines.last == "True")
    }

    @Test func aReviewedWorkbookIsNeverReviewedAsTheDistrictsData() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let district = folder.appendingPathComponent("springfield")
        try FileManager.default.createDirectory(at: district, withIntermediateDirectories: true)
        let input = district.appendingPathComponent("struggling-district.xlsx")
        try FileManager.default.copyItem(at: struggling, to: input)
        let first = try #require(review([input]).report)
        // The reviewer saves it under a name of her own: it is known by what it holds, not its name.
        let reviewed = district.appendingPathComponent("Springfield review, Jane.xlsx")
        try FileManager.default.moveItem(at: district.appendingPathComponent("struggling-district.reviewed.xlsx"), to: reviewed)
        // Alone, it is refused: its Summary and Findings are not a ledger.
        let alone = try #require(review([reviewed]).failure)
        #expect(alone.reasons.first?.text.hasPrefix("this is a workbook Pathways reviewed, not the district's data, so nothing was reviewed.") == true,
                "\(alone.reasons)")
        // In the district's folder beside the export, its sheets are left out and its notes read.
        _ = try python(#"""
            import sys, openpyxl
            book = openpyxl.load_workbook(sys.argv[1])
            sheet = book["Findings"]
            status = [cell.value for cell in sheet[1]].index("Status") + 1
            sheet.cell(2, status).value = "Not an issue"
            book.save(sys.argv[1])
            """#, [reviewed.path])
        let again = try #require(review([district]).report)
        #expect(again.inputs.map(\.file) == ["struggling-district.xlsx"])
        #expect(again.findings.count == first.findings.count)
        #expect(again.sinceLastReview?.carried == 1)
        #expect(again.sinceLastReview?.new.isEmpty == true && again.sinceLastReview?.resolved.isEmpty == true)
    }
}
