import Foundation
import Samples
import Testing
@testable import Pathways

/// Springfield through its year in the drop folder: four month-end exports, a reviewer's marks
/// given back after the first, and what each review finds, carries and calls new or resolved,
/// against the generator's key.
@Suite(.serialized) struct MonthEndReviewTests {
    private func report(_ scratch: DropScratch, _ file: String) throws -> [String: Any] {
        let stem = (file as NSString).deletingPathExtension
        return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: scratch.url("outbox/\(stem).findings.json"))) as? [String: Any])
    }

    @Test func aDistrictFollowedThroughItsYearKeepsItsReviewersMarksAndSaysWhatChanged() throws {
        let scratch = try DropScratch()
        let exports = scratch.url("exports")
        _ = try SampleWriter.writeMonthEnds(to: exports.path)
        let key = try JSONDecoder().decode(MonthEndKey.self, from: Data(contentsOf: exports.appendingPathComponent("springfield-month-ends.answers.json")))
        var previousRules: [String: String] = [:]
        var marked: String?
        var previousFindings: [[String: Any]] = []
        var previousCards: [String: [String: Any]] = [:]
        for (index, month) in key.months.enumerated() {
            try FileManager.default.copyItem(at: exports.appendingPathComponent(month.file), to: scratch.url("inbox/" + month.file))
            _ = try DropFolderTests().watchOnce(scratch)
            let report = try report(scratch, month.file)
            #expect(report["asOf"] as? String == month.asOf)
            let findings = report["findings"] as? [[String: Any]] ?? []
            let planted = findings.filter { key.rules.contains($0["rule"] as? String ?? "") }.map {
                AnswerKey.ExpectedFinding(rule: $0["rule"] as! String, sheet: $0["sheet"] as! String, rows: $0["rows"] as! [Int], key: nil)
            }.sorted()
            #expect(planted == month.findings, "\(month.file)")
            // The goals measured by indicators, against their straight paths.
            let goals = (report["goalProgress"] as? [[String: Any]] ?? []).filter { month.goals[$0["goal"] as? String ?? ""] != nil }
            #expect(Dictionary(uniqueKeysWithValues: goals.map { ($0["goal"] as! String, $0["status"] as! String) }) == month.goals, "\(month.file)")
            let rules = Dictionary(findings.map { ($0["id"] as! String, $0["rule"] as! String) }, uniquingKeysWith: { first, _ in first })
            if index > 0 {
                let since = try #require(report["sinceLastReview"] as? [String: Any])
                func byRule(_ ids: [String], _ rules: [String: String]) -> [String: Int] {
                    Dictionary(grouping: ids.compactMap { rules[$0] }.filter(key.rules.contains), by: { $0 }).mapValues(\.count)
                }
                #expect(byRule(since["new"] as? [String] ?? [], rules) == month.new, "new in \(month.file)")
                #expect(byRule(since["resolved"] as? [String] ?? [], previousRules) == month.resolved, "resolved in \(month.file)")
                // The mark on September's catch-all payment follows it into every later review,
                // though nobody opened the January review before April's.
                let shown = try python(#"""
                    import sys, openpyxl
                    sheet = openpyxl.load_workbook(sys.argv[1])["Findings"]
                    header = [cell.value for cell in sheet[1]]
                    print([(row[header.index("Status")], row[header.index("Note")]) for row in sheet.iter_rows(min_row=2, values_only=True) if row[header.index("Finding ID")] == sys.argv[2]])
                    """#, [scratch.url("outbox/" + (month.file as NSString).deletingPathExtension + ".reviewed.xlsx").path, marked ?? ""])
                #expect(shown.trimmingCharacters(in: .whitespacesAndNewlines) == "[('Open', 'Asked the principal what was bought')]", "\(month.file)")
                // Each owner's change since the last review: their findings counted by owner in
                // the two reviews' findings, their dollars over budget then and now.
                func owned(_ findings: [[String: Any]]) -> [String: Int] {
                    Dictionary(grouping: findings.compactMap { $0["owner"] as? String }, by: { $0 }).mapValues(\.count)
                }
                let (now, then) = (owned(findings), owned(previousFindings))
                let cards = report["ownerScorecards"] as? [[String: Any]] ?? []
                #expect(cards.count > 5)
                for card in cards {
                    let owner = card["owner"] as! String
                    guard let past = previousCards[owner] else { continue }
                    let change = try #require(card["sinceLastReview"] as? [String: Any], "\(owner) in \(month.file)")
                    #expect(change["findings"] as? Int == (now[owner] ?? 0) - (then[owner] ?? 0), "\(owner) in \(month.file)")
                    let overspent = (card["overspent"] as! Double) - (past["overspent"] as! Double)
                    #expect(abs((change["overspent"] as! Double) - overspent) < 0.006, "\(owner) in \(month.file)")
                    #expect(change["asOf"] as? String == key.months[index - 1].asOf)
                }
                #expect(cards.contains { ($0["sinceLastReview"] as? [String: Any])?["findings"] as? Int != 0 }, "no owner's findings changed in \(month.file)")
            } else {
                // The reviewer explains the vague descriptions and asks about a catch-all payment,
                // then drops the workbook back, under her own name for it.
                let reviewed = scratch.url("outbox/springfield-2024-10.reviewed.xlsx").path
                let id = try python(#"""
                    import sys, openpyxl
                    book = openpyxl.load_workbook(sys.argv[1])
                    sheet = book["Findings"]
                    header = [cell.value for cell in sheet[1]]
                    marked = None
                    for row in range(2, sheet.max_row + 1):
                        rule = sheet.cell(row, 2).value
                        if rule == "TR-8": sheet.cell(row, header.index("Status") + 1).value = "Explained"
                        if rule == "MG-12" and marked is None:
                            sheet.cell(row, header.index("Status") + 1).value = "Open"
                            sheet.cell(row, header.index("Note") + 1).value = "Asked the principal what was bought"
                            marked = sheet.cell(row, header.index("Finding ID") + 1).value
                    book.save(sys.argv[2])
                    print(marked)
                    """#, [reviewed, scratch.url("inbox/October, checked.xlsx").path])
                marked = id.trimmingCharacters(in: .whitespacesAndNewlines)
                let log = try DropFolderTests().watchOnce(scratch)
                #expect(log.contains { $0.contains("4 statuses and notes of springfield were recorded in the run history") }, "\(log)")
            }
            previousRules = rules
            previousFindings = findings
            previousCards = Dictionary((report["ownerScorecards"] as? [[String: Any]] ?? []).map { ($0["owner"] as! String, $0) }, uniquingKeysWith: { first, _ in first })
        }
        // By June, the Trends sheet has the four reviews, and the vague descriptions resolved in
        // January went with the reviewer's last word on them.
        let trends = try python(#"""
            import sys, openpyxl
            rows = list(openpyxl.load_workbook(sys.argv[1])["Trends"].iter_rows(values_only=True))
            print(rows[0][3:])
            start = [index for index, row in enumerate(rows) if row and row[0] == "Level"][0]
            for row in rows[start + 1:]:
                if row[0] in sys.argv[2].split(","): print(row[0], *[value.lower() for value in row[3:7]], sep="|")
            # The values as numbers: 3.81% as 0.0381.
            for row in rows[1:start]:
                if row and row[0] in sys.argv[2].split(","):
                    print("value", row[0], *[float(value[:-1]) / 100 if value.endswith("%") else float(value) for value in row[3:7]], sep="|")
            """#, [scratch.url("outbox/springfield-2025-06.reviewed.xlsx").path, MonthEndKey.trendIndicators.joined(separator: ",")])
        let trendLines = trends.split(separator: "\n").map(String.init)
        #expect(trendLines.first == "('2024-10-31', '2025-01-31', '2025-04-30', '2025-06-30 (this review)')")
        // Each indicator's level at each review, as the generator's oracle works it out.
        for id in MonthEndKey.trendIndicators {
            let expected = ([id] + key.months.map { $0.levels[id] ?? "" }).joined(separator: "|")
            #expect(trendLines.contains(expected), "\(id): \(trendLines)")
            // And its value, to the precision the sheet shows (two decimals of a percentage, four of a ratio).
            let shown = try #require(trendLines.first { $0.hasPrefix("value|\(id)|") }).split(separator: "|").dropFirst(2).compactMap { Double($0) }
            let worked = key.months.map { $0.values[id] ?? .nan }
            #expect(shown.count == 4 && zip(shown, worked).allSatisfy { abs($0 - $1) <= 0.00006 }, "\(id): \(shown) against \(worked)")
        }
        let january = try python(#"""
            import sys, openpyxl
            print([row[1] for row in openpyxl.load_workbook(sys.argv[1])["Summary"].iter_rows(values_only=True) if str(row[0]).startswith("Resolved: TR-8")][:1])
            """#, [scratch.url("outbox/springfield-2025-01.reviewed.xlsx").path])
        #expect(january.contains("(last marked Explained)"), "\(january)")
    }
}
