import Foundation
import Testing
@testable import Pathways

private let struggling = project.appendingPathComponent("workbooks/samples/struggling-district.xlsx")

/// The run history: every review recorded, the reviewer's marks kept past the workbook they were
/// written in, and a history that cannot be used never costing a review.
@Suite(.serialized) struct ReviewHistoryTests {
    private static let rules = try! RunJob.loadRules(project.appendingPathComponent("rules").path).get()

    private func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("history-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    private func review(_ input: URL, history: URL) -> JobResult {
        var options = RunJob.Options(input: input.path)
        options.history = history.path
        return RunJob.review(options, rules: Self.rules)
    }

    @Test func monthlyExportsAreOneDistrictAndTheMarksOutliveTheWorkbookTheyWereWrittenIn() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let history = folder.appendingPathComponent("history.sqlite")
        #expect(RunJob.districtName("springfield-2025-03") == "springfield")
        #expect(RunJob.districtName("Springfield FY2025") == "Springfield")
        #expect(RunJob.districtName("springfield 2025-06-30") == "springfield")
        #expect(RunJob.districtName("district-101") == "district-101", "a number that is no year stays")
        let march = folder.appendingPathComponent("springfield-2025-03.xlsx")
        try FileManager.default.copyItem(at: struggling, to: march)
        guard case .reviewed(let first) = review(march, history: history) else { Issue.record("not reviewed"); return }
        #expect(first.report.sinceLastReview == nil)
        // The reviewer marks March's review and gives it back alone, under her own name for it.
        let marked = folder.appendingPathComponent("March, checked by Jane.xlsx")
        _ = try python(#"""
            import sys, openpyxl
            book = openpyxl.load_workbook(sys.argv[1])
            sheet = book["Findings"]
            header = [cell.value for cell in sheet[1]]
            for row in range(2, sheet.max_row + 1):
                if sheet.cell(row, 2).value == "BO-8A":
                    sheet.cell(row, header.index("Status") + 1).value = "Explained"
                    sheet.cell(row, header.index("Note") + 1).value = "The CFO entered it during the audit"
            book.save(sys.argv[2])
            """#, [folder.appendingPathComponent("springfield-2025-03.reviewed.xlsx").path, marked.path])
        guard case .marksRecorded(let recorded) = review(marked, history: history) else { Issue.record("the marks were not recorded"); return }
        #expect(recorded.district == "springfield" && recorded.count == 1)
        #expect(recorded.sentence == "1 status or note of springfield was recorded in the run history \(history.path); the next review of springfield carries it.")
        // April and June, each a file of its own: the mark is carried to both, though nobody opened April's review.
        for month in ["04", "06"] {
            let export = folder.appendingPathComponent("springfield-2025-\(month).xlsx")
            try FileManager.default.copyItem(at: struggling, to: export)
            guard case .reviewed(let next) = review(export, history: history) else { Issue.record("not reviewed"); return }
            let since = try #require(next.report.sinceLastReview)
            #expect(since.source == "the run history" && since.carried == 1 && since.new.isEmpty && since.resolved.isEmpty)
            let shown = try python(#"""
                import sys, openpyxl
                sheet = openpyxl.load_workbook(sys.argv[1])["Findings"]
                header = [cell.value for cell in sheet[1]]
                print([(row[header.index("Status")], row[header.index("Note")]) for row in sheet.iter_rows(min_row=2, values_only=True) if row[1] == "BO-8A"])
                """#, [folder.appendingPathComponent("springfield-2025-\(month).reviewed.xlsx").path])
            #expect(shown.trimmingCharacters(in: .whitespacesAndNewlines) == "[('Explained', 'The CFO entered it during the audit')]")
        }
        let recordedHistory = try ReviewHistory(path: history.path)
        #expect(try recordedHistory.lastReview(of: "springfield")?.id == 3)
        #expect(try recordedHistory.indicators(of: "springfield").filter { $0.indicator == "MG-7" }.map(\.level) == ["developing", "developing", "developing"])
    }

    @Test func theTrendsSheetFollowsEachIndicatorAcrossTheDistrictsReviews() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let history = folder.appendingPathComponent("history.sqlite")
        // Springfield struggles in the spring and keeps its books well by the autumn.
        for (month, sample) in [("03", struggling), ("09", project.appendingPathComponent("workbooks/samples/clean-district.xlsx"))] {
            let export = folder.appendingPathComponent("springfield-2025-\(month).xlsx")
            try FileManager.default.copyItem(at: sample, to: export)
            guard case .reviewed = review(export, history: history) else { Issue.record("not reviewed"); return }
        }
        let shown = try python(#"""
            import sys, openpyxl
            book = openpyxl.load_workbook(sys.argv[1])
            trends = book["Trends"]
            rows = list(trends.iter_rows(values_only=True))
            print(rows[0][3:])
            print([row[3:] for row in rows if row[0] == "AL-2"])
            print(len(trends._charts))
            summary = [row for row in book["Summary"].iter_rows(values_only=True)]
            print([row[:2] for row in summary if str(row[0]).startswith("AL-2 ")])
            """#, [folder.appendingPathComponent("springfield-2025-09.reviewed.xlsx").path])
        let lines = shown.split(separator: "\n").map(String.init)
        #expect(lines[0] == "('2025-06-30', '2025-06-30 (this review)')")
        // Values first, then levels in words: AL-2 went from developing to exemplary (the charts'
        // scores are in hidden rows, named by the indicator in the second column).
        #expect(lines[1] == "[('75%', '100%'), ('Developing', 'Exemplary')]")
        #expect(lines[2] == "5", "one chart for each pathway with indicators")
        #expect(lines[3] == "[('AL-2 up', 'Goals are SMART: developing then exemplary')]")
    }

    @Test func aGoalWhoseMetricNamesAnIndicatorIsFollowedAlongTheStraightPathToItsTarget() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let history = folder.appendingPathComponent("history.sqlite")
        // Two goals of the district's own: reserves to two months by June 2027, with no baseline
        // written (the first review gives it), and RE-1 down from 0.08 to 0.05 by June 2026.
        let june = folder.appendingPathComponent("springfield-2025-06.xlsx")
        _ = try python(#"""
            import sys, datetime, openpyxl
            book = openpyxl.load_workbook(sys.argv[1])
            goals = book["Goals"]
            goals.append(["G5", "Two months of reserves", "MG-7 unrestricted fund balance share", None, "16.7%", datetime.datetime(2027, 6, 30), "O001", 0, "000", None])
            goals.append(["G6", "Even spending within levels", "RE-1 within 0.10", "0.08", "0.05", datetime.datetime(2026, 6, 30), "O001", 0, "000", None])
            book.save(sys.argv[2])
            """#, [struggling.path, june.path])
        guard case .reviewed(let first) = review(june, history: history) else { Issue.record("not reviewed"); return }
        let reserves = try #require(first.report.goalProgress.first { $0.goal == "G5" })
        #expect(reserves.baseline == "9.6% (this review, the first)" && reserves.status == .onTrack)
        #expect(first.report.goalProgress.first { $0.goal == "G1" }?.status == .notMeasured, "a metric that names no indicator")
        // Seven months on, nothing has changed: the reserves have fallen behind their path.
        let january = folder.appendingPathComponent("springfield-2026-01.xlsx")
        try FileManager.default.copyItem(at: june, to: january)
        var options = RunJob.Options(input: january.path)
        options.history = history.path
        options.asOf = "2026-01-31"
        guard case .reviewed(let second) = RunJob.review(options, rules: Self.rules) else { Issue.record("not reviewed"); return }
        let behind = try #require(second.report.goalProgress.first { $0.goal == "G5" })
        #expect(behind.status == .atRisk)
        #expect(behind.baseline == "9.6% (the first review, 2025-06-30)")
        // 9.6% + (16.7% − 9.6%) × 215 of 730 days.
        #expect(behind.expected == "11.69%" && behind.current == "9.6%" && behind.history == ["9.6%"])
        #expect(behind.numbers.map { [$0.baseline, $0.target].map { ($0 * 1_000).rounded() / 1_000 } } == [0.096, 0.167])
        let recorded = try python(#"""
            import sys, sqlite3
            db = sqlite3.connect(sys.argv[1])
            print(db.execute("select fiscalYear, asOf from review order by id").fetchall())
            print(db.execute("select goal, status, current, expected from goal where review = 2 and goal = 'G5'").fetchall())
            """#, [history.path])
        #expect(recorded == "[(2025, '2025-06-30'), (2026, '2026-01-31')]\n[('G5', 'at risk', '9.6%', '11.69%')]\n")
        #expect(second.report.goalProgress.first { $0.goal == "G6" }?.status == .onTrack)
        let sheet = try python(#"""
            import sys, openpyxl
            rows = list(openpyxl.load_workbook(sys.argv[1])["Goal progress"].iter_rows(values_only=True))
            print(rows[0][-1])
            print([row for row in rows if row[0] == "G5"][0][6:9])
            """#, [folder.appendingPathComponent("springfield-2026-01.reviewed.xlsx").path])
        #expect(sheet == "At 2025-06-30\n('11.69%', '9.6%', 'at risk')\n")
    }

    @Test func aHistoryThatCannotBeUsedNeverCostsAReview() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("springfield.xlsx")
        try FileManager.default.copyItem(at: struggling, to: input)
        // Damaged: not a database at all.
        let damaged = folder.appendingPathComponent("damaged.sqlite")
        try Data(repeating: 0x41, count: 4_096).write(to: damaged)
        guard case .reviewed(let review) = review(input, history: damaged) else { Issue.record("not reviewed"); return }
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("springfield.reviewed.xlsx").path))
        #expect(review.report.notes.contains { $0.hasPrefix("The run history \(damaged.path) was not used, so this review is not recorded in it and nothing was carried from it: the file is damaged or is not a Pathways history.") },
                "\(review.report.notes)")
        #expect(try Data(contentsOf: damaged) == Data(repeating: 0x41, count: 4_096), "a damaged history is left as it was")
        // In a folder Pathways may not write to.
        let locked = folder.appendingPathComponent("locked")
        try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o500], ofItemAtPath: locked.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: locked.path) }
        if geteuid() != 0 {
            guard case .reviewed(let again) = self.review(input, history: locked.appendingPathComponent("history.sqlite")) else { Issue.record("not reviewed"); return }
            #expect(again.report.notes.contains { $0.contains("Pathways may not write to it") }, "\(again.report.notes)")
        }
    }

    @Test func aHistoryAnotherProgramHoldsLockedNeverCostsAReview() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("springfield.xlsx")
        try FileManager.default.copyItem(at: struggling, to: input)
        let history = folder.appendingPathComponent("history.sqlite")
        _ = try ReviewHistory(path: history.path)
        // Another program (a reviewer's SQLite browser) holds the history in a write transaction.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["python3", "-c", "import sqlite3, sys, time\ndb = sqlite3.connect(sys.argv[1], isolation_level=None)\ndb.execute('BEGIN EXCLUSIVE')\nprint('held', flush=True)\ntime.sleep(30)", history.path]
        let output = Pipe()
        holder.standardOutput = output
        try holder.run()
        defer { holder.terminate() }
        _ = output.fileHandleForReading.availableData
        var options = RunJob.Options(input: input.path)
        options.history = history.path
        options.historyWait = 0.5
        guard case .reviewed(let review) = RunJob.review(options, rules: Self.rules) else { Issue.record("not reviewed"); return }
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("springfield.reviewed.xlsx").path))
        #expect((review.report.notes + review.historyProblems).contains { $0.contains("another program kept it locked") }, "\(review.report.notes) \(review.historyProblems)")
    }

    @Test func theDropFolderKeepsItsHistoryAndRecordsAReviewGivenBack() throws {
        let scratch = try DropScratch()
        try FileManager.default.copyItem(at: struggling, to: scratch.url("inbox/springfield-2025-03.xlsx"))
        _ = try DropFolderTests().watchOnce(scratch)
        let reviewed = try #require(scratch.names("outbox").first { $0.hasSuffix(".reviewed.xlsx") })
        _ = try python(#"""
            import sys, openpyxl
            book = openpyxl.load_workbook(sys.argv[1])
            sheet = book["Findings"]
            header = [cell.value for cell in sheet[1]]
            sheet.cell(2, header.index("Status") + 1).value = "Fixed"
            book.save(sys.argv[2])
            """#, [scratch.url("outbox/" + reviewed).path, scratch.url("inbox/springfield reviewed.xlsx").path])
        let log = try DropFolderTests().watchOnce(scratch)
        #expect(log.contains { $0.contains("recorded springfield reviewed.xlsx: 1 status or note of springfield was recorded in the run history") }, "\(log)")
        try FileManager.default.copyItem(at: struggling, to: scratch.url("inbox/springfield-2025-06.xlsx"))
        _ = try DropFolderTests().watchOnce(scratch)
        let june = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: scratch.url("outbox/springfield-2025-06.findings.json"))) as? [String: Any])
        let since = try #require(june["sinceLastReview"] as? [String: Any])
        #expect(since["carried"] as? Int == 1)
        #expect(scratch.names("").contains(DropFolder.historyName))
    }
}
