import Foundation
import SpreadsheetIO
import Testing
@testable import Pathways

private let samples = project.appendingPathComponent("workbooks/samples")

/// A drop folder in a temporary directory, removed afterwards.
final class DropScratch: @unchecked Sendable {
    let root: URL
    private let owned: Bool
    /// A drop folder at `root`, which the caller made and removes.
    init(root: URL) {
        self.root = root
        owned = false
    }
    init() throws {
        owned = true
        root = FileManager.default.temporaryDirectory.appendingPathComponent("drop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("inbox"), withIntermediateDirectories: true)
    }
    deinit { if owned { try? FileManager.default.removeItem(at: root) } }

    func url(_ path: String) -> URL { root.appendingPathComponent(path) }
    func names(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: url(folder).path)) ?? []).sorted()
    }
    func drop(_ sample: String, as name: String? = nil) throws {
        try FileManager.default.copyItem(at: samples.appendingPathComponent(sample), to: url("inbox/" + (name ?? sample)))
    }
}

/// The lines a watcher logged, collected for a test.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var all: [String] { lock.withLock { lines } }
    func append(_ line: String) { lock.withLock { lines.append(line) } }
}

/// A watcher polling every 0.1 s on another thread until `stop()`, its log collected.
final class RunningWatcher: @unchecked Sendable {
    let lines = LogLines()
    private let request = StopRequest()
    private let done = DispatchSemaphore(value: 0)

    init(_ scratch: DropScratch, rules: String, settle: Double = 10) throws {
        var options = DropFolder.Options(folder: scratch.root.path)
        options.rules = rules
        options.poll = 0.1
        options.settle = settle
        let lines = self.lines
        let watcher = try DropFolder(options: options, log: WatchLog(format: .text, write: { lines.append($0) }))
        DispatchQueue.global().async { [request, done] in
            _ = watcher.run(until: request)
            done.signal()
        }
    }

    /// Asks the watcher to stop and waits until it has.
    func stop() {
        request.request()
        done.wait()
    }
}

@Suite(.serialized) struct DropFolderTests {
    func watchOnce(_ scratch: DropScratch, rules: String = project.appendingPathComponent("rules").path,
                   format: WatchLog.Format = .text, preset: String? = nil, packets: Bool = false, progressInterval: Double = 10) throws -> [String] {
        let lines = LogLines()
        var options = DropFolder.Options(folder: scratch.root.path)
        options.progressInterval = progressInterval
        options.preset = preset
        options.packets = packets
        options.rules = rules
        options.poll = 0.1
        options.settle = 0.3
        options.once = true
        options.workers = 2
        let watcher = try DropFolder(options: options, log: WatchLog(format: format, write: { lines.append($0) }))
        #expect(watcher.run(until: StopRequest()) == 0)
        return lines.all
    }

    @Test func aWatcherGivenAPresetReviewsEveryDropWithIt() throws {
        let scratch = try DropScratch()
        try "Posting Date,Account,Amount,Vendor Name,Description\n2024-10-02,199-11-6499-00-001-5-11,950.00,Amazon Business,Assorted items for the school\n"
            .write(to: scratch.url("inbox/texas.csv"), atomically: true, encoding: .utf8)
        // A district whose own Params sheet chooses another preset keeps its choice.
        let ohio = scratch.url("inbox/ohio-district")
        try FileManager.default.createDirectory(at: ohio, withIntermediateDirectories: true)
        try "Posting Date,Account,Amount\n2024-10-02,001-1100-510-0000-000000-000-00-000,950.00\n".write(to: ohio.appendingPathComponent("ledger.csv"), atomically: true, encoding: .utf8)
        try "Name,Value\npreset,ohio\n".write(to: ohio.appendingPathComponent("params.csv"), atomically: true, encoding: .utf8)
        _ = try watchOnce(scratch, preset: "texas")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: scratch.url("outbox/texas.findings.json"))) as? [String: Any])
        #expect(report["preset"] as? String == "texas")
        let ohioReport = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: scratch.url("outbox/ohio-district.findings.json"))) as? [String: Any])
        #expect(ohioReport["preset"] as? String == "ohio")
        #expect((report["findings"] as? [[String: Any]])?.contains { $0["rule"] as? String == "MG-12" } == true, "6499 is Texas' catch-all")
        // A misspelt preset is said before the watcher starts, not in a note on every workbook.
        var options = DropFolder.Options(folder: scratch.root.path)
        options.preset = "texs"
        guard case .success(let rules) = RunJob.loadRules(project.appendingPathComponent("rules").path) else { Issue.record("the rules have mistakes"); return }
        #expect(options.paramProblems(with: rules).first?.hasPrefix("--preset texs: there is no preset named texs.") == true)
    }

    @Test func reviewedWorkbooksAppearInTheOutboxAndTheOriginalsAreArchivedUnchanged() throws {
        let scratch = try DropScratch()
        try scratch.drop("struggling-district.xlsx")
        try scratch.drop("dirty-ledger.csv")
        let original = try Data(contentsOf: samples.appendingPathComponent("struggling-district.xlsx"))
        let log = try watchOnce(scratch)
        #expect(scratch.names("outbox") == ["dirty-ledger.findings.json", "dirty-ledger.reviewed.xlsx",
                                            "struggling-district.findings.json", "struggling-district.reviewed.xlsx"])
        let archived = scratch.names("archive")
        #expect(archived.count == 2)
        let kept = try #require(archived.first { $0.hasPrefix("struggling-district ") && $0.hasSuffix(".xlsx") })
        #expect(try Data(contentsOf: scratch.url("archive/" + kept)) == original, "the dropped workbook is never changed")
        #expect(scratch.names("inbox").isEmpty)
        #expect(scratch.names("processing").isEmpty)
        #expect(log.contains { $0.contains("finished struggling-district.xlsx: 13 errors, 15 warnings, 9 for information") })
    }

    @Test func aWorkbookThatCannotBeReviewedGoesToFailedWithANoteAFinanceOfficerCanOpen() throws {
        let scratch = try DropScratch()
        try Data([0x50, 0x4B, 0x03, 0x04, 0x00]).write(to: scratch.url("inbox/budget.xlsx"))
        let log = try watchOnce(scratch)
        let failed = scratch.names("failed")
        #expect(failed.contains("budget.error.xlsx"))
        #expect(failed.contains("budget.error.txt"))
        #expect(failed.contains { $0.hasPrefix("budget ") && $0.hasSuffix(".xlsx") })
        let note = try String(contentsOf: scratch.url("failed/budget.error.txt"), encoding: .utf8)
        #expect(note.hasPrefix("budget.xlsx could not be reviewed"))
        #expect(note.contains("What to do:"))
        #expect(!note.contains("pathways:"), "written for a finance officer, not as a command's output")
        let sheet = try #require(try SpreadsheetReader.read(path: scratch.url("failed/budget.error.xlsx").path).sheets.first)
        #expect(sheet.name == "What went wrong")
        #expect((0 ..< sheet.rowCount).map { sheet.displayText(row: $0, column: 0) } == note.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init))
        #expect(note.split(separator: "\n").filter { $0.hasPrefix("What to do:") }.first?.hasSuffix("copy it into the inbox folder again.") == true,
                "the advice is one sentence on one line, so it is one row of the workbook")
        // Long sentences wrap inside the sheet's one column, in rows made tall enough for them
        // (neither Excel nor LibreOffice grows a row for wrapped text a program wrote).
        let styles = Process()
        styles.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        styles.arguments = ["python3", "-c", "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); "
                            + "sys.exit(0 if 'wrapText=\"1\"' in z.read('xl/styles.xml').decode() and 'customHeight=\"1\"' in z.read('xl/worksheets/sheet1.xml').decode() else 1)",
                            scratch.url("failed/budget.error.xlsx").path]
        try styles.run()
        styles.waitUntilExit()
        #expect(styles.terminationStatus == 0)
        #expect(log.contains { $0.contains("failed budget.xlsx:") })
        #expect(scratch.names("outbox").isEmpty)
    }

    @Test func lockFilesTemporaryFilesAndHiddenFilesAreLeftAlone() throws {
        let scratch = try DropScratch()
        for name in ["~$budget.xlsx", ".~lock.budget.xlsx#", "copy.tmp", ".DS_Store"] {
            try Data("x".utf8).write(to: scratch.url("inbox/" + name))
        }
        // A folder just made, its files still to come, is not taken while it is empty.
        try FileManager.default.createDirectory(at: scratch.url("inbox/New folder"), withIntermediateDirectories: true)
        let log = try watchOnce(scratch)
        #expect(scratch.names("inbox") == [".DS_Store", ".~lock.budget.xlsx#", "New folder", "copy.tmp", "~$budget.xlsx"])
        #expect(scratch.names("failed").isEmpty)
        #expect(!log.contains { $0.contains("taken") })
    }

    @Test func aSecondDropOfTheSameNameNeverOverwritesTheFirstOrItsReview() throws {
        let scratch = try DropScratch()
        for _ in 0 ..< 2 {
            try scratch.drop("dirty-ledger.csv", as: "ledger.csv")
            try Data("not a workbook".utf8).write(to: scratch.url("inbox/budget.xlsx"))
            _ = try watchOnce(scratch)
        }
        #expect(scratch.names("archive").count == 2)
        // A reviewer may have typed into the first review: the second gets a name of its own.
        #expect(scratch.names("outbox") == ["ledger (2).findings.json", "ledger (2).reviewed.xlsx", "ledger.findings.json", "ledger.reviewed.xlsx"])
        let failed = scratch.names("failed")
        #expect(failed.filter { $0.hasSuffix(".error.txt") } == ["budget (2).error.txt", "budget.error.txt"])
        #expect(failed.filter { $0.hasPrefix("budget 2") && $0.hasSuffix(".xlsx") }.count == 2)
        let note = try String(contentsOf: scratch.url("failed/budget (2).error.txt"), encoding: .utf8)
        let kept = try #require(note.split(separator: "\n").last.map(String.init))
        #expect(kept.hasPrefix("The file you dropped is kept, unchanged, as failed/budget 2"))
        #expect(failed.contains(String(kept.dropFirst("The file you dropped is kept, unchanged, as failed/".count).dropLast())), "the note names the kept file")
        let first = try DropFolder.moveKeepingEveryName(try makeFile(in: scratch, "a.csv"), into: scratch.url("archive"), received: "2026-01-01 000000")
        let second = try DropFolder.moveKeepingEveryName(try makeFile(in: scratch, "a.csv"), into: scratch.url("archive"), received: "2026-01-01 000000")
        #expect(first.lastPathComponent == "a 2026-01-01 000000.csv")
        #expect(second.lastPathComponent == "a 2026-01-01 000000 (2).csv")
    }

    @Test func aMoveNeverReplacesAFileAlreadyThere() throws {
        let scratch = try DropScratch()
        try FileManager.default.createDirectory(at: scratch.url("inbox"), withIntermediateDirectories: true)
        let returning = try makeFile(in: scratch, "budget.xlsx")
        let dropped = scratch.url("inbox/budget.xlsx")
        try Data("the officer's new copy".utf8).write(to: dropped)
        #expect(DropFolder.moveWithoutReplacing(returning, to: dropped) == .nameTaken)
        #expect(try String(contentsOf: dropped, encoding: .utf8) == "the officer's new copy")
        #expect(try String(contentsOf: returning, encoding: .utf8) == "budget.xlsx", "the file that was to move stays where it was")
        try FileManager.default.removeItem(at: dropped)
        #expect(DropFolder.moveWithoutReplacing(returning, to: dropped) == .moved)
        #expect(!FileManager.default.fileExists(atPath: returning.path))
        #expect(try String(contentsOf: dropped, encoding: .utf8) == "budget.xlsx")
    }

    private func makeFile(in scratch: DropScratch, _ name: String) throws -> URL {
        let file = scratch.url(name)
        try Data(name.utf8).write(to: file)
        return file
    }

    @Test func withRulesThatHaveMistakesAWorkbookFailsWithANoteAndTheTrainerIsToldWhatToFix() throws {
        let scratch = try DropScratch()
        let rules = scratch.url("rules")
        try FileManager.default.copyItem(at: project.appendingPathComponent("rules"), to: rules)
        let management = rules.appendingPathComponent("management.rules")
        let good = try String(contentsOf: management, encoding: .utf8)
        try good.replacingOccurrences(of: "when object starts with any of catch_all and amount > 0", with: "when objct starts with any of catch_all and amount > 0")
            .write(to: management, atomically: true, encoding: .utf8)
        try scratch.drop("dirty-ledger.csv")
        let log = try watchOnce(scratch, rules: rules.path)
        let error = try String(contentsOf: scratch.url("failed/rules-error.txt"), encoding: .utf8)
        #expect(error.contains("management.rules"))
        #expect(error.contains("Did you mean `object`?"))
        let note = try String(contentsOf: scratch.url("failed/dirty-ledger.error.txt"), encoding: .utf8)
        #expect(note.contains("The rules Pathways reviews with have mistakes, so this workbook was not reviewed."))
        #expect(note.contains("What to do: nothing, as far as the workbook goes."), "the officer is not sent to fix a good workbook")
        #expect(error.contains("Until they are fixed, workbooks dropped into the inbox go to failed/ with a note"))
        #expect(scratch.names("failed").contains { $0.hasPrefix("dirty-ledger ") }, "the workbook is kept in failed/")
        #expect(log.contains { $0.contains("the rules have mistakes, so workbooks go to failed/ until they are fixed") })
        try good.write(to: management, atomically: true, encoding: .utf8)
        try scratch.drop("dirty-ledger.csv")
        _ = try watchOnce(scratch, rules: rules.path)
        #expect(scratch.names("outbox").contains("dirty-ledger.reviewed.xlsx"))
        #expect(!scratch.names("failed").contains("rules-error.txt"), "the note goes once the rules are fixed")
    }

    @Test func aRunningWatcherKeepsTheLastGoodRulesWhenAChangeBreaksThem() throws {
        let scratch = try DropScratch()
        let rules = scratch.url("rules")
        try FileManager.default.copyItem(at: project.appendingPathComponent("rules"), to: rules)
        let watcher = try RunningWatcher(scratch, rules: rules.path)
        let lines = watcher.lines
        try waitFor { lines.all.contains { $0.contains("rules: read 8 rule files") } }
        try "this is not a rule\n".write(to: rules.appendingPathComponent("broken.rules"), atomically: true, encoding: .utf8)
        try waitFor { FileManager.default.fileExists(atPath: scratch.url("failed/rules-error.txt").path) }
        try scratch.drop("dirty-ledger.csv")
        try waitFor { scratch.names("outbox").contains("dirty-ledger.reviewed.xlsx") }
        watcher.stop()
        #expect(lines.all.contains { $0.contains("the changed rules have mistakes, so the last good rules are still used") })
    }

    func waitFor(seconds: Double = 20, _ condition: () -> Bool) throws {
        let end = Date().addingTimeInterval(seconds)
        while !condition() {
            try #require(Date() < end, "timed out")
            usleep(50_000)
        }
    }

    @Test func aFileThatChangesWhileItIsReviewedGoesBackToTheInboxAndIsTakenAgainWhenComplete() throws {
        let scratch = try DropScratch()
        // A ledger big enough that its review is still going when the copy adds its last lines.
        let ledger = Self.bigLedger
        try ledger.write(to: scratch.url("inbox/ledger.csv"), atomically: true, encoding: .utf8)
        let watcher = try RunningWatcher(scratch, rules: project.appendingPathComponent("rules").path)
        // The copy is not finished: once the file is taken, the rest arrives.
        let claimed = try waitForClaim("ledger.csv", in: scratch)
        let rest = "08/01/2024,100-1000-610-101-100-000,Acme,Classroom supplies for grade 3,99.99\n"
        let handle = try FileHandle(forWritingTo: claimed)
        handle.seekToEndOfFile()
        handle.write(Data(rest.utf8))
        try handle.close()
        try waitFor { scratch.names("archive").count == 1 }
        watcher.stop()
        #expect(watcher.lines.all.contains { $0.contains("returned ledger.csv: it was still being copied") })
        let archived = try String(contentsOf: scratch.url("archive/" + scratch.names("archive")[0]), encoding: .utf8)
        #expect(archived == ledger + rest, "the review is of the whole file, and the file is kept whole")
        #expect(scratch.names("outbox") == ["ledger.findings.json", "ledger.reviewed.xlsx"], "no review of the half-copied file is left")
    }

    /// A ledger of 20,000 lines: long enough to review that a test can act while its review goes on.
    static let bigLedger = "Posting Date,Account,Vendor,Description,Amount\n"
        + (0 ..< 20_000).map { "07/0\($0 % 9 + 1)/2024,100-1000-610-101-100-000,Acme,Classroom supplies for grade 3,\($0 % 500 + 1).25\n" }.joined()

    private func waitForClaim(_ name: String, in scratch: DropScratch) throws -> URL {
        var found: URL?
        try waitFor {
            let claims = scratch.names("processing").map { scratch.url("processing/" + $0 + "/" + name) }
            found = claims.first { FileManager.default.fileExists(atPath: $0.path) }
            return found != nil
        }
        return found!
    }

    /// Breaks the outbox the way a read-only share or a mistaken clean-up would: it is no longer a folder.
    private func breakOutbox(_ scratch: DropScratch) throws {
        try FileManager.default.removeItem(at: scratch.url("outbox"))
        try Data("not a folder".utf8).write(to: scratch.url("outbox"))
    }

    private func mendOutbox(_ scratch: DropScratch) throws {
        try FileManager.default.removeItem(at: scratch.url("outbox"))
        try FileManager.default.createDirectory(at: scratch.url("outbox"), withIntermediateDirectories: true)
    }

    @Test func aWorkbookThatCannotBeFiledIsKeptAndFiledOnALaterLookOnceTheOutboxIsBack() throws {
        let scratch = try DropScratch()
        let watcher = try RunningWatcher(scratch, rules: project.appendingPathComponent("rules").path)
        try breakOutbox(scratch)
        try scratch.drop("dirty-ledger.csv")
        try waitFor { watcher.lines.all.contains { $0.contains("kept dirty-ledger.csv: it could not be filed") } }
        let kept = try #require(watcher.lines.all.first { $0.contains("kept dirty-ledger.csv") })
        #expect(kept.contains("The folder outbox/ is missing (or is not a folder). It stays in processing/"), "a sentence, not an error dump: \(kept)")
        #expect(!kept.contains("Error Domain"))
        try mendOutbox(scratch)
        try waitFor { scratch.names("archive").count == 1 }
        watcher.stop()
        #expect(watcher.lines.all.contains { $0.contains("filed dirty-ledger.csv: it could be filed at last") })
        #expect(watcher.lines.all.filter { $0.contains("kept dirty-ledger.csv") }.count == 1, "the log says it once, not at every try")
        #expect(try Data(contentsOf: scratch.url("archive/" + scratch.names("archive")[0])) == Data(contentsOf: samples.appendingPathComponent("dirty-ledger.csv")))
        #expect(scratch.names("outbox") == ["dirty-ledger.findings.json", "dirty-ledger.reviewed.xlsx"])
        #expect(scratch.names("processing").isEmpty)
    }

    @Test func aStopNeverDeletesAWorkbookThatCouldNotBeFiledAndTheNextStartFilesIt() throws {
        let scratch = try DropScratch()
        let watcher = try RunningWatcher(scratch, rules: project.appendingPathComponent("rules").path)
        try breakOutbox(scratch)
        try scratch.drop("struggling-district.xlsx")
        try waitFor { watcher.lines.all.contains { $0.contains("kept struggling-district.xlsx") } }
        watcher.stop()
        let claims = scratch.names("processing")
        #expect(claims.count == 1)
        let held = scratch.url("processing/\(claims[0])/struggling-district.xlsx")
        #expect(try Data(contentsOf: held) == Data(contentsOf: samples.appendingPathComponent("struggling-district.xlsx")), "the original is still there, unchanged")
        #expect(watcher.lines.all.last?.contains("1 workbook could not be filed (struggling-district.xlsx) and stays in processing/") == true)
        // The next watcher in this process has the same process id, so the claim is its own folder.
        try mendOutbox(scratch)
        let log = try watchOnce(scratch)
        #expect(log.contains { $0.contains("recovered struggling-district.xlsx") })
        #expect(scratch.names("outbox") == ["struggling-district.findings.json", "struggling-district.reviewed.xlsx"])
        #expect(scratch.names("archive").count == 1)
        #expect(scratch.names("processing").isEmpty)
    }

    /// A full disk, for real: the drop folder on a small memory disk of its own (this needs root,
    /// as CI and the developers' machines have).
    @Test(.enabled(if: geteuid() == 0)) func onAFullDiskTheWorkbookIsKeptAndFiledOnceThereIsRoomAgain() throws {
        let scratch = try DropScratch()
        let disk = scratch.url("disk")
        try FileManager.default.createDirectory(at: disk, withIntermediateDirectories: true)
        try #require(Self.shell("mount -t tmpfs -o size=2m tmpfs '\(disk.path)'") == 0, "a memory disk could be mounted")
        defer { _ = Self.shell("umount '\(disk.path)'") }
        let folder = DropScratch(root: disk)
        try FileManager.default.createDirectory(at: folder.url("inbox"), withIntermediateDirectories: true)
        let watcher = try RunningWatcher(folder, rules: project.appendingPathComponent("rules").path)
        try folder.drop("dirty-ledger.csv")
        // Everything but a few kilobytes is taken: the review cannot be written.
        _ = Self.shell("dd if=/dev/zero of='\(disk.path)/filler' bs=4k 2>/dev/null")
        try waitFor { watcher.lines.all.contains { $0.contains("kept dirty-ledger.csv") } }
        #expect(watcher.lines.all.contains { $0.contains("kept dirty-ledger.csv: it could not be filed: The disk that holds the drop folder is full.") })
        try FileManager.default.removeItem(at: folder.url("filler"))
        try waitFor { folder.names("archive").count == 1 }
        watcher.stop()
        #expect(try Data(contentsOf: folder.url("archive/" + folder.names("archive")[0])) == Data(contentsOf: samples.appendingPathComponent("dirty-ledger.csv")))
        #expect(folder.names("outbox") == ["dirty-ledger.findings.json", "dirty-ledger.reviewed.xlsx"])
        #expect(folder.names("failed").isEmpty, "a full disk is not the workbook's fault")
    }

    private static func shell(_ command: String) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test func aCopyThatKeepsTheFileOpenIsNotTakenUntilItIsClosed() throws {
        let scratch = try DropScratch()
        let ledger = try String(contentsOf: samples.appendingPathComponent("dirty-ledger.csv"), encoding: .windowsCP1252)
        let bytes = Data(ledger.utf8)
        #expect(FileManager.default.createFile(atPath: scratch.url("inbox/ledger.csv").path, contents: nil))
        let copier = try FileHandle(forWritingTo: scratch.url("inbox/ledger.csv"))
        copier.write(bytes.prefix(bytes.count / 2))
        let watcher = try RunningWatcher(scratch, rules: project.appendingPathComponent("rules").path)
        // Many looks at a file of the same size and time: only the open handle says it is not complete.
        usleep(1_500_000)
        #expect(scratch.names("inbox") == ["ledger.csv"], "a file still open for writing is not taken")
        #expect(scratch.names("archive").isEmpty)
        copier.write(bytes.suffix(from: bytes.count / 2))
        try copier.close()
        try waitFor { scratch.names("archive").count == 1 }
        watcher.stop()
        #expect(try Data(contentsOf: scratch.url("archive/" + scratch.names("archive")[0])) == bytes, "the whole file is kept, and it is what was reviewed")
    }

    @Test func aWorkbookDeletedFromProcessingDuringItsReviewIsSaidToBeGone() throws {
        let scratch = try DropScratch()
        let ledger = Self.bigLedger
        try ledger.write(to: scratch.url("inbox/ledger.csv"), atomically: true, encoding: .utf8)
        let watcher = try RunningWatcher(scratch, rules: project.appendingPathComponent("rules").path)
        let claimed = try waitForClaim("ledger.csv", in: scratch)
        try FileManager.default.removeItem(at: claimed)
        try waitFor { watcher.lines.all.contains { $0.contains("vanished ledger.csv") } }
        watcher.stop()
        #expect(!watcher.lines.all.contains { $0.contains("finished ledger.csv") || $0.contains("kept ledger.csv") || $0.contains("failed ledger.csv") })
        #expect(scratch.names("outbox").isEmpty && scratch.names("archive").isEmpty && scratch.names("failed").isEmpty)
    }

    @Test func aClaimLeftByAWatcherThatDiedIsReviewedAgainOrLetGoIfItWasFinished() throws {
        let scratch = try DropScratch()
        // A pid no process has: the watcher that claimed these is gone.
        let stale = scratch.url("processing/999999999@\(ProcessInfo.processInfo.hostName)")
        try FileManager.default.createDirectory(at: stale, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: scratch.url("archive"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: samples.appendingPathComponent("dirty-ledger.csv"), to: stale.appendingPathComponent("ledger.csv"))
        // This one was being moved to the archive when the watcher died: it is there already.
        try Data("done".utf8).write(to: scratch.url("archive/finished 2026-01-01 000000.csv"))
        try FileManager.default.linkItem(at: scratch.url("archive/finished 2026-01-01 000000.csv"), to: stale.appendingPathComponent("finished.csv"))
        // And this one was going back to the inbox (it was still being copied): it is there already.
        try FileManager.default.createDirectory(at: scratch.url("inbox"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: samples.appendingPathComponent("dirty-ledger.csv"), to: scratch.url("inbox/returned.csv"))
        try FileManager.default.linkItem(at: scratch.url("inbox/returned.csv"), to: stale.appendingPathComponent("returned.csv"))
        let log = try watchOnce(scratch)
        #expect(scratch.names("outbox") == ["ledger.findings.json", "ledger.reviewed.xlsx", "returned.findings.json", "returned.reviewed.xlsx"])
        #expect(scratch.names("archive").count == 3, "the finished file is not archived twice, the returned one is reviewed once")
        #expect(scratch.names("processing").isEmpty)
        #expect(log.contains { $0.contains("recovered ledger.csv") })
    }

    /// A dead watcher's folder that sorts before this one's (`100000000@…`, a pid no system gives):
    /// what it moved into this watcher's folder was once taken up a second time, reviewed twice at once.
    @Test func aClaimMovedFromADeadWatcherIsReviewedOnceWhateverTheFoldersOrder() throws {
        let scratch = try DropScratch()
        let stale = scratch.url("processing/100000000@\(ProcessInfo.processInfo.hostName)")
        try FileManager.default.createDirectory(at: stale, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: samples.appendingPathComponent("dirty-ledger.csv"), to: stale.appendingPathComponent("ledger.csv"))
        let log = try watchOnce(scratch)
        #expect(log.filter { $0.contains("recovered ledger.csv") }.count == 1, "\(log)")
        #expect(log.filter { $0.contains("ledger.csv: 1 cell or line") }.count == 1)
        #expect(scratch.names("archive").count == 1 && scratch.names("processing").isEmpty)
    }

    @Test func aWatcherThatDiedAfterWritingAFailureNoteFilesTheWorkbookUnderThatNoteWhenRestarted() throws {
        let scratch = try DropScratch()
        let stale = scratch.url("processing/999999999@\(ProcessInfo.processInfo.hostName)")
        try FileManager.default.createDirectory(at: stale, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: scratch.url("failed"), withIntermediateDirectories: true)
        let broken = Data("not a workbook".utf8)
        try broken.write(to: stale.appendingPathComponent("broken.xlsx"))
        try Data(#"{"outboxStem":"broken","failedStem":"broken","received":"2026-01-01 000000"}"#.utf8).write(to: stale.appendingPathComponent(".plan-broken.xlsx"))
        try Data("the note as it was when the watcher died".utf8).write(to: scratch.url("failed/broken.error.txt"))
        _ = try watchOnce(scratch)
        #expect(scratch.names("failed") == ["broken 2026-01-01 000000.xlsx", "broken.error.txt", "broken.error.xlsx"],
                "the note keeps its name and the workbook is filed once")
        #expect(try Data(contentsOf: scratch.url("failed/broken 2026-01-01 000000.xlsx")) == broken)
        let note = try String(contentsOf: scratch.url("failed/broken.error.txt"), encoding: .utf8)
        #expect(note.contains("kept, unchanged, as failed/broken 2026-01-01 000000.xlsx"))
        #expect(scratch.names("processing").isEmpty)
    }

    @Test func aWatcherGivenNoFolderOfRulesDoesNotStartAndSaysWhere() throws {
        let scratch = try DropScratch()
        var options = DropFolder.Options(folder: scratch.root.path)
        options.rules = "no-such-rules"
        #expect {
            _ = try DropFolder(options: options, log: WatchLog(format: .text))
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("There is no folder of rules at no-such-rules (looked for in \(FileManager.default.currentDirectoryPath)).")
                && text.hasSuffix("The watcher did not start.")
        }
        #expect(scratch.names("inbox").isEmpty && !FileManager.default.fileExists(atPath: scratch.url("processing").path), "nothing was set up")
    }

    @Test func theLogSpeaksJSONForLogCollectors() throws {
        let scratch = try DropScratch()
        try scratch.drop("dirty-ledger.csv")
        let log = try watchOnce(scratch, format: .json)
        // Its one unreadable amount makes it a review with problems, said in the event itself.
        let finished = try #require(log.first { $0.contains("\"event\":\"finished with problems\"") })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(finished.utf8)) as? [String: Any])
        #expect(object["file"] as? String == "dirty-ledger.csv")
        #expect(object["errors"] as? Int == 3)
        #expect(object["unreadable"] as? Int == 1)
        #expect((object["message"] as? String)?.hasPrefix("1 cell or line could not be read as it is (the Summary lists them); 3 errors") == true)
        #expect(object["time"] is String)
    }
}
