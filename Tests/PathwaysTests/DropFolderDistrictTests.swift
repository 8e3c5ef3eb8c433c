import Foundation
import Testing
@testable import Pathways

/// A district's files dropped together: as a zip, or as a folder copied into the inbox.
extension DropFolderTests {
    /// The files of a folder, by name, with their bytes.
    private func contents(of folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            files[name] = try Data(contentsOf: folder.appendingPathComponent(name))
        }
        return files
    }

    private func findings(_ scratch: DropScratch, _ stem: String) throws -> [[String]] {
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: scratch.url("outbox/\(stem).findings.json"))) as? [String: Any])
        return ((report["findings"] as? [[String: Any]]) ?? []).map { [$0["rule"] as? String ?? "", ($0["cells"] as? [String])?.first ?? ""] }
    }

    @Test func aZipDroppedInTheInboxIsReviewedAsOneDistrictAndArchivedUnchanged() throws {
        let district = try DistrictFiles()
        let scratch = try DropScratch()
        try district.zip(to: scratch.url("inbox/springfield.zip"))
        let original = try Data(contentsOf: scratch.url("inbox/springfield.zip"))
        let log = try watchOnce(scratch, rules: district.rules)
        #expect(scratch.names("outbox") == ["springfield.findings.json", "springfield.reviewed.xlsx"])
        #expect(try findings(scratch, "springfield") == DistrictFiles.findings, "the ledger, budget and schools were read together")
        let archived = scratch.names("archive")
        #expect(archived.count == 1 && archived[0].hasPrefix("springfield ") && archived[0].hasSuffix(".zip"))
        #expect(try Data(contentsOf: scratch.url("archive/" + archived[0])) == original, "the zip is kept as it was dropped")
        #expect(scratch.names("inbox").isEmpty && scratch.names("processing").isEmpty)
        #expect(log.contains { $0.contains("finished springfield.zip: 2 errors, 1 warnings, 0 for information") && $0.hasSuffix("the workbook is archive/\(archived[0])") })
    }

    @Test func aFolderDroppedInTheInboxIsReviewedAsOneDistrictAndArchivedWholeAndUnchanged() throws {
        let district = try DistrictFiles()
        let scratch = try DropScratch()
        try FileManager.default.copyItem(at: district.folder, to: scratch.url("inbox/Springfield 2025.06"))
        let original = try contents(of: district.folder)
        let log = try watchOnce(scratch, rules: district.rules)
        #expect(scratch.names("outbox") == ["Springfield 2025.06.findings.json", "Springfield 2025.06.reviewed.xlsx"], "a folder's name is kept whole, dots and all")
        #expect(try findings(scratch, "Springfield 2025.06") == DistrictFiles.findings)
        let archived = scratch.names("archive")
        #expect(archived.count == 1 && archived[0].hasPrefix("Springfield 2025.06 "))
        #expect(try contents(of: scratch.url("archive/" + archived[0])) == original, "every file is kept, as it was")
        #expect(log.contains { $0.contains("finished Springfield 2025.06:") && $0.hasSuffix("the folder is archive/\(archived[0])") })
    }

    @Test func aFolderCopiedInTwoStepsIsNotTakenHalfCopied() throws {
        let district = try DistrictFiles()
        let scratch = try DropScratch()
        let watcher = try RunningWatcher(scratch, rules: district.rules, settle: 1.5)
        // The ledger arrives first; the budget and the schools follow after a pause of many polls.
        try FileManager.default.createDirectory(at: scratch.url("inbox/springfield"), withIntermediateDirectories: true)
        try Data(DistrictFiles.files[0].text.utf8).write(to: scratch.url("inbox/springfield/ledger.csv"))
        usleep(700_000)
        #expect(scratch.names("inbox") == ["springfield"], "not taken while it may still be filling")
        for (name, text) in DistrictFiles.files.dropFirst() { try Data(text.utf8).write(to: scratch.url("inbox/springfield/" + name)) }
        try waitFor { scratch.names("archive").count == 1 }
        watcher.stop()
        #expect(try findings(scratch, "springfield") == DistrictFiles.findings, "reviewed with all three files")
        #expect(watcher.lines.all.filter { $0.contains("taken springfield") }.count == 1)
        #expect(scratch.names("archive/" + scratch.names("archive")[0]) == ["budget.csv", "ledger.csv", "schools.csv"])
    }

    @Test func aFileAddedToAFolderWhileItIsReviewedSendsItBackToTheInboxUntilItIsComplete() throws {
        let scratch = try DropScratch()
        // A ledger big enough that its review is still going when the last file arrives.
        try FileManager.default.createDirectory(at: scratch.url("inbox/springfield"), withIntermediateDirectories: true)
        try Self.bigLedger.write(to: scratch.url("inbox/springfield/ledger.csv"), atomically: true, encoding: .utf8)
        let watcher = try RunningWatcher(scratch, rules: project.appendingPathComponent("rules").path, settle: 0.3)
        var claimed: URL?
        try waitFor {
            claimed = scratch.names("processing").map { scratch.url("processing/\($0)/springfield") }.first { FileManager.default.fileExists(atPath: $0.path) }
            return claimed != nil
        }
        try Data("Site Code,October Enrollment\n101,400\n".utf8).write(to: claimed!.appendingPathComponent("schools.csv"))
        try waitFor { scratch.names("archive").count == 1 }
        watcher.stop()
        #expect(watcher.lines.all.contains { $0.contains("returned springfield: it was still being copied") })
        #expect(scratch.names("archive/" + scratch.names("archive")[0]) == ["ledger.csv", "schools.csv"], "the folder is kept whole")
        #expect(scratch.names("outbox") == ["springfield.findings.json", "springfield.reviewed.xlsx"], "one review, of the whole folder")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: scratch.url("outbox/springfield.findings.json"))) as? [String: Any])
        #expect((report["inputs"] as? [[String: Any]])?.count == 2)
    }

    @Test func aFolderLeftByAWatcherThatDiedIsReviewedAgainUnderTheNamesItHadChosen() throws {
        let district = try DistrictFiles()
        let scratch = try DropScratch()
        let stale = scratch.url("processing/999999999@\(ProcessInfo.processInfo.hostName)")
        try FileManager.default.createDirectory(at: stale, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: district.folder, to: stale.appendingPathComponent("springfield"))
        // It had chosen its names (an earlier drop's review is in the outbox) before it died.
        try FileManager.default.createDirectory(at: scratch.url("outbox"), withIntermediateDirectories: true)
        try Data("earlier".utf8).write(to: scratch.url("outbox/springfield.reviewed.xlsx"))
        let plan = DropFolder.Plan(outboxStem: "springfield (2)", failedStem: "springfield", received: "2026-01-01 000000")
        try JSONEncoder().encode(plan).write(to: stale.appendingPathComponent(".plan-springfield"))
        let log = try watchOnce(scratch, rules: district.rules)
        #expect(log.filter { $0.contains("recovered springfield") }.count == 1, "\(log)")
        #expect(try findings(scratch, "springfield (2)") == DistrictFiles.findings)
        #expect(try String(contentsOf: scratch.url("outbox/springfield.reviewed.xlsx"), encoding: .utf8) == "earlier", "a reviewer's earlier workbook is never replaced")
        #expect(scratch.names("archive") == ["springfield 2026-01-01 000000"])
        #expect(scratch.names("processing").isEmpty)
    }

    @Test func aZipThatClimbsOutOfItselfGoesToFailedWithANoteAndNothingIsWrittenOutside() throws {
        let scratch = try DropScratch()
        try writeZip(to: scratch.url("inbox/springfield.zip"), [("ledger.csv", DistrictFiles.files[0].text), ("../../evil.csv", "x")])
        let log = try watchOnce(scratch)
        let note = try String(contentsOf: scratch.url("failed/springfield.error.txt"), encoding: .utf8)
        #expect(note.contains("It holds a file named \"../../evil.csv\", a name that points outside the zip's own folders"))
        #expect(scratch.names("failed").contains { $0.hasPrefix("springfield ") && $0.hasSuffix(".zip") })
        #expect(log.contains { $0.contains("failed springfield.zip:") })
        #expect(!FileManager.default.fileExists(atPath: scratch.root.deletingLastPathComponent().appendingPathComponent("evil.csv").path))
        #expect(scratch.names("outbox").isEmpty)
    }

    @Test func aFolderWithAFileThatCannotBeReadGoesToFailedNamingTheFile() throws {
        let district = try DistrictFiles()
        let scratch = try DropScratch()
        try district.write("owners.xlsx", "not a workbook")
        try FileManager.default.copyItem(at: district.folder, to: scratch.url("inbox/springfield"))
        _ = try watchOnce(scratch, rules: district.rules)
        let note = try String(contentsOf: scratch.url("failed/springfield.error.txt"), encoding: .utf8)
        #expect(note.contains("The file owners.xlsx could not be read, so nothing was reviewed. This file is named .xlsx but is not an Excel workbook"))
        #expect(note.contains("The folder you dropped is kept, unchanged, as failed/springfield "))
        #expect(scratch.names("failed").contains { $0.hasPrefix("springfield ") && !$0.contains(".") })
    }
}
