import Foundation
import SpreadsheetIO
import Testing

private func fingerprint(_ data: Data) -> UInt64 {
    data.reduce(0xCBF2_9CE4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
}

/// Files dropped while the watcher is killed with SIGKILL at random moments and restarted: every
/// file ends up exactly once in archive/ or failed/ with its original bytes, every archived one has
/// a complete review in outbox/, and nothing half-written is ever left there.
@Suite struct DropFolderKillTests {
    @Test func noFileIsLostOrDoubledWhenTheWatcherIsKilledAtRandom() throws {
        let executable = project.appendingPathComponent(".build/debug/pathways")
        try #require(FileManager.default.isExecutableFile(atPath: executable.path), "build first: swift build --build-tests")
        let scratch = try DropScratch()
        var random = SystemRandomNumberGenerator()
        let samples = project.appendingPathComponent("workbooks/samples")
        let kinds = ["struggling-district.xlsx", "dirty-ledger.csv", "clean-district.xlsx", "broken", "munis-budget-export.xlsx"]
        // Thirty files: good workbooks and CSVs, broken ones, and every fourth copied slowly in chunks.
        var drops: [(name: String, data: Data, slow: Bool)] = []
        for index in 0 ..< 30 {
            let kind = kinds[index % kinds.count]
            let data = kind == "broken" ? Data((0 ..< 4_000).map { _ in UInt8.random(in: 0 ... 255, using: &random) })
                : try Data(contentsOf: samples.appendingPathComponent(kind))
            let ext = kind == "broken" ? "xlsx" : (kind as NSString).pathExtension
            drops.append(("drop-\(index).\(ext)", data, index % 4 == 0))
        }
        let log = scratch.url("watch.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: log)
        // Where the log stood when the latest watcher started: what follows is that watcher's.
        var latestWatcherLog: UInt64 = 0
        func startWatcher() throws -> Process {
            latestWatcherLog = (try? FileManager.default.attributesOfItem(atPath: log.path)[.size] as? UInt64) ?? 0
            let process = Process()
            process.executableURL = executable
            process.arguments = ["watch", scratch.root.path, "--rules", project.appendingPathComponent("rules").path, "--workers", "2", "--poll", "0.2"]
            process.standardOutput = logHandle
            process.standardError = logHandle
            try process.run()
            return process
        }

        let dropping = DispatchSemaphore(value: 0)
        let inbox = scratch.url("inbox"), toDrop = drops
        DispatchQueue.global().async {
            for drop in toDrop {
                let target = inbox.appendingPathComponent(drop.name)
                if drop.slow, let handle = (FileManager.default.createFile(atPath: target.path, contents: nil) ? try? FileHandle(forWritingTo: target) : nil) {
                    // A copy over a slow network share: chunks with pauses shorter than a poll.
                    var offset = 0
                    while offset < drop.data.count {
                        let end = min(drop.data.count, offset + 8_192)
                        handle.write(drop.data.subdata(in: offset ..< end))
                        offset = end
                        usleep(40_000)
                    }
                    try? handle.close()
                } else {
                    try? drop.data.write(to: target)
                }
                usleep(UInt32.random(in: 20_000 ... 120_000))
            }
            dropping.signal()
        }

        var watcher = try startWatcher()
        var kills = 0, allDropped = false
        while !allDropped || kills < 6 {
            usleep(UInt32.random(in: 150_000 ... 900_000))
            kill(watcher.processIdentifier, SIGKILL)
            watcher.waitUntilExit()
            kills += 1
            watcher = try startWatcher()
            allDropped = allDropped || dropping.wait(timeout: .now()) == .success
        }
        // Let the last watcher finish everything, then stop it the polite way.
        let deadline = Date().addingTimeInterval(120)
        func regularFiles(under folder: URL) -> [String] {
            (FileManager.default.enumerator(atPath: folder.path)?.allObjects as? [String] ?? []).filter { path in
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: folder.appendingPathComponent(path).path, isDirectory: &isDirectory) && !isDirectory.boolValue
            }
        }
        while !(scratch.names("inbox").isEmpty && regularFiles(under: scratch.url("processing")).isEmpty) {
            try #require(Date() < deadline, "the watcher did not finish: inbox \(scratch.names("inbox")), processing \(regularFiles(under: scratch.url("processing")))")
            usleep(100_000)
        }
        // SIGTERM once the last watcher has started (before its handler is in place, SIGTERM ends
        // any process at once), then wait for it to finish what it has.
        while !String(decoding: try Data(contentsOf: log).dropFirst(Int(latestWatcherLog)), as: UTF8.self).contains(" started: ") {
            try #require(Date() < deadline, "the last watcher never said it had started")
            usleep(50_000)
        }
        kill(watcher.processIdentifier, SIGTERM)
        let stopDeadline = Date().addingTimeInterval(60)
        while watcher.isRunning && Date() < stopDeadline { usleep(50_000) }
        if watcher.isRunning { kill(watcher.processIdentifier, SIGKILL) }
        watcher.waitUntilExit()
        try? logHandle.close()
        #expect(watcher.terminationStatus == 0, "SIGTERM ends the watcher cleanly")
        let events = try String(contentsOf: log, encoding: .utf8)
        print("kill test: \(kills) kills, \(events.components(separatedBy: " recovered ").count - 1) reviews taken up again after a kill")
        #expect(kills >= 6)

        // Every input exactly once, byte for byte, in archive/ or failed/.
        let kept = scratch.names("archive").map { "archive/" + $0 }
            + scratch.names("failed").filter { !$0.hasSuffix(".error.txt") && !$0.hasSuffix(".error.xlsx") && $0 != "rules-error.txt" }.map { "failed/" + $0 }
        let keptPrints = try kept.map { fingerprint(try Data(contentsOf: scratch.url($0))) }.sorted()
        #expect(keptPrints == drops.map { fingerprint($0.data) }.sorted(), "every dropped file is kept once, unchanged")
        #expect(kept.count == drops.count)
        // One complete review per archived workbook, and nothing half-written in the outbox.
        let outbox = scratch.names("outbox")
        #expect(!outbox.contains { $0.hasPrefix(".") || $0.hasSuffix(".tmp") })
        for archived in scratch.names("archive") {
            let stem = String(archived.prefix { $0 != " " })
            #expect(outbox.contains(stem + ".reviewed.xlsx"), "\(archived) has its review")
            let review = try SpreadsheetReader.read(path: scratch.url("outbox/\(stem).reviewed.xlsx").path)
            #expect(review.sheets.first?.name == "Summary")
            #expect(try JSONSerialization.jsonObject(with: Data(contentsOf: scratch.url("outbox/\(stem).findings.json"))) is [String: Any])
        }
        #expect(outbox.count == 2 * scratch.names("archive").count)
        for failed in kept where failed.hasPrefix("failed/") {
            let stem = String(failed.dropFirst("failed/".count).prefix { $0 != " " })
            #expect(scratch.names("failed").contains(stem + ".error.txt"), "\(failed) has a note saying why")
        }
        #expect(scratch.names("archive").count == drops.filter { !$0.name.hasSuffix(".xlsx") || $0.data.starts(with: [0x50, 0x4B]) }.count,
                "the broken files, and only they, failed")
    }

    /// Two watchers on one folder (two machines on a share, or a second started by mistake): each
    /// file is claimed by exactly one of them, so each is reviewed once and filed once.
    @Test func twoWatchersOnOneFolderNeverReviewTheSameFile() throws {
        let executable = project.appendingPathComponent(".build/debug/pathways")
        try #require(FileManager.default.isExecutableFile(atPath: executable.path), "build first: swift build --build-tests")
        let scratch = try DropScratch()
        let samples = project.appendingPathComponent("workbooks/samples")
        let names = (0 ..< 24).map { "drop-\($0).\($0 % 2 == 0 ? "xlsx" : "csv")" }
        for (index, name) in names.enumerated() {
            try FileManager.default.copyItem(at: samples.appendingPathComponent(index % 2 == 0 ? "clean-district.xlsx" : "dirty-ledger.csv"),
                                             to: scratch.url("inbox/" + name))
        }
        var watchers: [(process: Process, log: URL)] = []
        for number in 1 ... 2 {
            let log = scratch.url("watcher-\(number).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let process = Process()
            process.executableURL = executable
            process.arguments = ["watch", scratch.root.path, "--rules", project.appendingPathComponent("rules").path, "--workers", "1", "--poll", "0.1", "--once"]
            process.standardOutput = try FileHandle(forWritingTo: log)
            try process.run()
            watchers.append((process, log))
        }
        let deadline = Date().addingTimeInterval(120)
        while watchers.contains(where: { $0.process.isRunning }) && Date() < deadline { usleep(100_000) }
        for watcher in watchers where watcher.process.isRunning { kill(watcher.process.processIdentifier, SIGKILL) }
        #expect(watchers.allSatisfy { $0.process.terminationStatus == 0 })

        let taken = try watchers.flatMap { watcher in
            try String(contentsOf: watcher.log, encoding: .utf8).split(separator: "\n").filter { $0.contains(" taken ") }
                .map { String($0.split(separator: " ")[2].dropLast()) }
        }
        #expect(taken.sorted() == names.sorted(), "each file taken once, by one watcher or the other")
        #expect(try watchers.allSatisfy { try String(contentsOf: $0.log, encoding: .utf8).contains(" taken ") }, "both watchers had files to contend for")
        #expect(scratch.names("archive").count == names.count)
        #expect(scratch.names("outbox").count == 2 * names.count)
        #expect(!scratch.names("outbox").contains { $0.contains("(2)") }, "no file was reviewed twice")
        #expect(scratch.names("inbox").isEmpty)
    }
}
