import Foundation
import Testing
@testable import Pathways

/// A long review says how it is getting on: its stages in order, rows done of how many, and the
/// drop folder's log says so for a review that runs long.
struct ProgressTests {
    final class Events: @unchecked Sendable {
        private let lock = NSLock()
        private var all: [RunJob.Progress] = []
        func add(_ event: RunJob.Progress) { lock.lock(); all.append(event); lock.unlock() }
        var events: [RunJob.Progress] { lock.lock(); defer { lock.unlock() }; return all }
    }

    @Test func aReviewTellsItsStagesInOrderWithTheirRows() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("progress-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var options = sampleOptions("struggling-district.xlsx", output: folder)
        let events = Events()
        options.progress = { events.add($0) }
        #expect(RunJob.run(options).exitCode == 0)
        let finished = events.events.filter(\.isFinished)
        #expect(finished.map(\.stage) == [.reading, .checking, .writing], "\(events.events.map { "\($0.stage) \($0.done)/\($0.total ?? -1)" })")
        // The rows read are the rows copied: every sheet, every row, as openpyxl counts them.
        let rows = try python(#"""
            import sys, openpyxl
            print(sum(sheet.max_row for sheet in openpyxl.load_workbook(sys.argv[1], read_only=True).worksheets))
            """#, [project.appendingPathComponent("workbooks/samples/struggling-district.xlsx").path])
        #expect(finished.first?.done == Int(rows.trimmingCharacters(in: .whitespacesAndNewlines)) && finished.last?.done == finished.first?.done)
        #expect(events.events.first.map { $0.stage == .reading && $0.total == nil } == true, "reading starts before its count is known")
    }

    @Test func theDropFolderLogsTheProgressOfALongReview() throws {
        let scratch = try DropScratch()
        try FileManager.default.copyItem(at: project.appendingPathComponent("workbooks/samples/struggling-district.xlsx"), to: scratch.url("inbox/struggling-district.xlsx"))
        // With no wait before the first progress line, every stage that starts is logged.
        let log = try DropFolderTests().watchOnce(scratch, progressInterval: 0)
        let progress = log.filter { $0.contains("progress") }
        #expect(progress.contains { $0.contains("checking the rules: started") } && progress.contains { $0.contains("writing the reviewed workbook: 0 of ") }, "\(log)")
    }
}
