import CFileSystem
import Foundation
import RulesEngine
import RulesLanguage
import SpreadsheetIO
import Synchronization

/// Set by the SIGINT and SIGTERM handler: an atomic store is all a signal handler may safely do.
private let terminationSignalled = Atomic<Bool>(false)

/// A request to stop, by `request()` or by SIGINT or SIGTERM once `stopOnTerminationSignals()` has
/// run, which the watcher reads between polls.
public final class StopRequest: Sendable {
    private let requested = Atomic<Bool>(false)

    public init() {}

    public func request() { requested.store(true, ordering: .relaxed) }
    public var isRequested: Bool { requested.load(ordering: .relaxed) || terminationSignalled.load(ordering: .relaxed) }

    /// Installs the handler synchronously, so a signal that arrives any time after this call is
    /// never lost (a dispatch signal source, registered later on another thread, can miss one).
    /// The calling thread also unblocks both: a parent that started us from a thread with them
    /// blocked passes that mask on, and the signal would wait forever.
    public static func stopOnTerminationSignals() {
        var both = sigset_t()
        sigemptyset(&both)
        for signalNumber in [SIGINT, SIGTERM] {
            sigaddset(&both, signalNumber)
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { _ in terminationSignalled.store(true, ordering: .relaxed) }
            action.sa_flags = SA_RESTART
            sigemptyset(&action.sa_mask)
            sigaction(signalNumber, &action, nil)
        }
        pthread_sigmask(SIG_UNBLOCK, &both, nil)
    }
}

/// `pathways watch`: the shared folder a finance office drops workbooks into. A workbook copied
/// into `inbox/` (or a district's files, as a folder or a `.zip`) is taken once it is complete,
/// claimed by a rename into `processing/`, reviewed, and its reviewed workbook and findings
/// appear in `outbox/`; the workbook itself moves to
/// `archive/` under a name of its own, or, if it cannot be reviewed, to `failed/` with a
/// `.error.xlsx` and `.error.txt` saying why. A file is never modified, and every output appears
/// only complete (it is written in `processing/` and renamed into place).
public final class DropFolder: @unchecked Sendable {
    /// The run history's file in the drop folder.
    public static let historyName = "history.sqlite"

    public struct Options: Sendable {
        public var folder: String
        public var rules = RuleSetFolder.defaultPath
        public var workers = ProcessInfo.processInfo.activeProcessorCount
        /// Seconds between looks at the inbox. A file is taken when two looks in a row find it the
        /// same size with the same modification time: network shares give no change notices.
        public var poll = 2.0
        /// Process what is in the inbox now, then stop (for cron and for tests).
        public var once = false
        /// Seconds a folder dropped into the inbox must stay the same (no file added, grown or
        /// changed) before it is taken: its files are copied one after another, with pauses between.
        public var settle = 10.0
        /// A preset and param values for every review; a workbook's Params sheet may choose another
        /// preset or change a value.
        public var preset: String?
        public var params: [String: String] = [:]
        /// The run history every review is recorded in and carries the reviewer's marks from:
        /// `history.sqlite` in the drop folder unless set; nil keeps none.
        public var history: String?
        /// Each review also writes its budget owners' packets into `outbox/owners/<review name>/`.
        public var packets = false
        /// Seconds a review runs before the log says how it is getting on, and between such lines.
        public var progressInterval = 10.0

        public init(folder: String) {
            self.folder = folder
            history = URL(fileURLWithPath: folder).appendingPathComponent(DropFolder.historyName).path
        }

        /// What is wrong with the preset and params for these rules: a misspelt name would send
        /// every workbook to failed/, so the watcher says so before it starts.
        public func paramProblems(with rules: CheckedRuleSet) -> [String] {
            ParamValues(rules: rules, workbook: nil, commandLine: params, preset: preset).problems
        }
    }

    /// A folder that could not be made, or a file that could not be moved: a sentence for the log.
    public struct FolderError: Error, CustomStringConvertible {
        public let description: String
    }

    let options: Options
    let log: WatchLog
    let inbox, outbox, archive, failed, processing: URL
    /// This watcher's claims: `processing/<pid>@<host>`, so a restarted watcher can tell its own
    /// earlier claims (from a process that is gone) from those of a watcher still running.
    let claims: URL
    private static let host = ProcessInfo.processInfo.hostName.replacingOccurrences(of: "/", with: "-")

    /// The last rules that checked; nil until some do.
    private var rules: CheckedRuleSet?
    private var rulesStamp: [String]?
    private let slots: DispatchSemaphore
    private let jobs = DispatchGroup()

    /// Workbooks reviewed but not filed (a full disk, a read-only outbox): they stay in the claim and
    /// are tried again after a pause that grows with each try, and at the next start.
    private struct Held {
        var tries: Int
        var next: Date
    }
    private var held: [String: Held] = [:]
    private let heldLock = NSLock()

    public init(options: Options, log: WatchLog) throws(FolderError) {
        self.options = options
        self.log = log
        let root = URL(fileURLWithPath: options.folder)
        inbox = root.appendingPathComponent("inbox")
        outbox = root.appendingPathComponent("outbox")
        archive = root.appendingPathComponent("archive")
        failed = root.appendingPathComponent("failed")
        processing = root.appendingPathComponent("processing")
        claims = processing.appendingPathComponent("\(getpid())@\(DropFolder.host)")
        slots = DispatchSemaphore(value: max(1, options.workers))
        // A rules folder that is not there at all is a mistake in how the watcher was started, not
        // in the rules: better to say so now than to send every workbook to failed/.
        do {
            _ = try RuleSetFolder.load(options.rules)
        } catch {
            throw FolderError(description: error.description + " The watcher did not start.")
        }
        for folder in [inbox, outbox, archive, failed, processing, claims] {
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                throw FolderError(description: "The folder \(folder.path) could not be made: \(error.localizedDescription)")
            }
        }
    }

    // MARK: The loop

    /// Watches the inbox until `stop` is requested (or, with `once`, until nothing in it is ready),
    /// then lets the reviews in progress finish. Returns the exit status.
    public func run(until stop: StopRequest) -> Int32 {
        log.event("started", "watching \(options.folder) with the rules in \(options.rules), \(max(1, options.workers)) at a time",
                  fields: ["folder": options.folder, "rules": options.rules, "workers": max(1, options.workers)])
        reloadRules()
        recoverClaims()
        var previous: [String: FileStamp] = [:]
        // When each thing in the inbox last changed: a folder is taken once it has been the same for `settle` seconds.
        var unchangedSince: [String: Date] = [:]
        var looks = 0
        while !stop.isRequested {
            reloadRules()
            let current = inboxFiles()
            let now = Date()
            unchangedSince = current.keys.reduce(into: [:]) { since, name in
                since[name] = previous[name] == current[name] ? unchangedSince[name] ?? now : now
            }
            func hasSettled(_ name: String, _ stamp: FileStamp) -> Bool {
                // An empty folder is one just made, its files still to come.
                stamp.contents.map { !$0.isEmpty && now.timeIntervalSince(unchangedSince[name] ?? now) >= options.settle } ?? true
            }
            // Files that looked the same last time are complete; each waits for a free worker,
            // so no more than `workers` workbooks are ever in memory at once.
            for (name, stamp) in current.sorted(by: { $0.key < $1.key })
            where previous[name] == stamp && hasSettled(name, stamp) && isReadable(name) && !isBeingWritten(inbox.appendingPathComponent(name)) {
                guard waitForAWorker(unless: stop) else { break }
                guard claim(name) else {
                    slots.signal()
                    continue
                }
                review(claims.appendingPathComponent(name), stamp: stamp)
            }
            for name in heldFilesDue() {
                guard waitForAWorker(unless: stop) else { break }
                review(claims.appendingPathComponent(name), stamp: nil)
            }
            previous = current
            looks += 1
            // With --once, a folder that has stopped changing is waited for until it has settled.
            let settling = current.contains { name, stamp in previous[name] == stamp && stamp.contents?.isEmpty == false && !hasSettled(name, stamp) }
            if options.once && looks >= 2 && !settling { break }
            pause(options.poll, unless: stop)
        }
        jobs.wait()
        log.event("stopped", stop.isRequested ? "stopped on request; every review in progress was finished" : "the inbox has nothing more that is ready")
        // A workbook that could not be filed is never thrown away with the claim: it waits there
        // for the next start.
        let kept = ((try? FileManager.default.contentsOfDirectory(atPath: claims.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        if kept.isEmpty {
            try? FileManager.default.removeItem(at: claims)
        } else {
            log.event("kept", "\(kept.count == 1 ? "1 workbook" : "\(kept.count) workbooks") could not be filed (\(kept.joined(separator: ", "))) and \(kept.count == 1 ? "stays" : "stay") in processing/\(claims.lastPathComponent); the watcher tries \(kept.count == 1 ? "it" : "them") again when it starts",
                      fields: ["files": kept])
        }
        return 0
    }

    /// Held workbooks whose pause is over, marked as being tried so the next look does not take them twice.
    private func heldFilesDue() -> [String] {
        heldLock.withLock {
            let now = Date()
            let due = held.filter { $0.value.next <= now }.map(\.key).sorted()
            for name in due { held[name]?.next = .distantFuture }
            return due
        }
    }

    /// Notes that `name` could not be filed; true the first time, so the log says it once.
    private func hold(_ name: String) -> Bool {
        heldLock.withLock {
            let tries = (held[name]?.tries ?? 0) + 1
            // A full disk or a read-only share is seldom mended in seconds: wait longer each time, at most a minute.
            held[name] = Held(tries: tries, next: Date().addingTimeInterval(min(60, options.poll * Double(1 << min(tries, 10)))))
            return tries == 1
        }
    }

    /// Forgets a held workbook once it is filed; true if it had been held.
    private func release(_ name: String) -> Bool {
        heldLock.withLock { held.removeValue(forKey: name) != nil }
    }

    /// Takes a worker's slot when one is free; false if a stop was requested first.
    private func waitForAWorker(unless stop: StopRequest) -> Bool {
        while slots.wait(timeout: .now() + 0.1) == .timedOut {
            if stop.isRequested { return false }
        }
        if stop.isRequested {
            slots.signal()
            return false
        }
        return true
    }

    private func pause(_ seconds: Double, unless stop: StopRequest) {
        let end = Date().addingTimeInterval(seconds)
        while !stop.isRequested && Date() < end { usleep(50_000) }
    }

    // MARK: The inbox

    /// How a dropped file looks: its size and modification time; for a folder, those of every
    /// file in it (at any depth), so that a file added, grown or touched changes the stamp.
    struct FileStamp: Equatable {
        let size: Int64
        let modified: Int64
        /// A folder's files by their path inside it; nil for a file.
        var contents: [String: FileStamp]?

        init(size: Int64, modified: Int64, contents: [String: FileStamp]? = nil) {
            self.size = size
            self.modified = modified
            self.contents = contents
        }

        /// The stamp of a regular file or a folder; nil for anything else or a file that is gone.
        init?(of file: URL) {
            var info = stat()
            guard stat(file.path, &info) == 0 else { return nil }
            let modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                self.init(size: Int64(info.st_size), modified: modified)
            case S_IFDIR:
                var contents: [String: FileStamp] = [:]
                for path in DropFolder.filesInside(file) {
                    if let stamp = FileStamp(of: file.appendingPathComponent(path)), stamp.contents == nil { contents[path] = stamp }
                }
                self.init(size: contents.values.reduce(0) { $0 + $1.size }, modified: contents.values.map(\.modified).max() ?? modified, contents: contents)
            default:
                return nil
            }
        }
    }

    /// The files inside a dropped folder, at any depth (hidden, lock and temporary files apart), by
    /// their paths inside it; at most 10,000, which is far more than any district exports.
    static func filesInside(_ folder: URL) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder.path) else { return [] }
        var paths: [String] = []
        while let path = walker.nextObject() as? String, paths.count < 10_000 {
            let name = (path as NSString).lastPathComponent
            if isIgnored(name) {
                walker.skipDescendants()
                continue
            }
            if walker.fileAttributes?[.type] as? FileAttributeType == .typeRegular { paths.append(path) }
        }
        return paths
    }

    /// What a finance officer dropped, by name, with its stamp: workbooks and CSV files, a zip of a
    /// district's exports, or a folder of them. Office's lock files (`~$Budget.xlsx`,
    /// `.~lock.Budget.xlsx#`), temporary files and hidden files are not.
    func inboxFiles() -> [String: FileStamp] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: inbox.path) else { return [:] }
        var files: [String: FileStamp] = [:]
        for name in names where !DropFolder.isIgnored(name) {
            files[name] = FileStamp(of: inbox.appendingPathComponent(name))
        }
        return files
    }

    static func isIgnored(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasPrefix("~$") || name.lowercased().hasSuffix(".tmp") || name.hasSuffix("#")
    }

    private func isReadable(_ name: String) -> Bool {
        let descriptor = open(inbox.appendingPathComponent(name).path, O_RDONLY)
        guard descriptor >= 0 else { return false }
        close(descriptor)
        return true
    }

    /// Claims a file by renaming it into this watcher's claims: of two watchers, only one rename succeeds.
    private func claim(_ name: String) -> Bool {
        let target = claims.appendingPathComponent(name)
        // A file of the same name still being reviewed waits for the next look.
        guard !FileManager.default.fileExists(atPath: target.path) else { return false }
        return rename(inbox.appendingPathComponent(name).path, target.path) == 0
    }

    // MARK: Reviewing

    /// Reviews a claimed file on a worker, with the rules in force now; `stamp` is how the file
    /// looked when it was taken (nil for one taken up again after a restart).
    private func review(_ input: URL, stamp: FileStamp?) {
        let rules = self.rules
        jobs.enter()
        DispatchQueue.global().async { [self] in
            defer {
                slots.signal()
                jobs.leave()
            }
            process(input, stamp: stamp, rules: rules)
        }
    }

    /// A long review's progress in the log: after ten seconds, and every ten seconds after that,
    /// its stage and how many rows it has done.
    private func progressLog(for name: String, started: Date) -> @Sendable (RunJob.Progress) -> Void {
        let last = NSLock()
        nonisolated(unsafe) var logged = started
        let interval = options.progressInterval
        return { [log] progress in
            last.lock()
            defer { last.unlock() }
            guard Date().timeIntervalSince(logged) >= interval, !progress.isFinished else { return }
            logged = Date()
            let rows = progress.total.map { total in "\(progress.done) of \(total) rows (\(total == 0 ? 100 : progress.done * 100 / total)%)" } ?? "started"
            log.event("progress", file: name, "\(progress.stage.rawValue.lowercased()): \(rows), \(Int(Date().timeIntervalSince(started))) s into its review",
                      fields: ["stage": progress.stage.rawValue, "done": progress.done, "total": progress.total ?? -1])
        }
    }

    private func process(_ input: URL, stamp taken: FileStamp?, rules: CheckedRuleSet?) {
        let name = input.lastPathComponent
        let started = Date()
        // A workbook taken up again (after a restart, or one that could not be filed) is as it is now.
        guard let stamp = taken ?? FileStamp(of: input) else {
            _ = release(name)
            log.event("vanished", file: name, "it was no longer in processing/ when its review was to start, so it was not reviewed")
            return
        }
        // A held workbook's tries are not news: the log said once why it waits, and says when it is filed.
        if !(heldLock.withLock { held[name] != nil }) { log.event("taken", file: name, "reviewing") }
        let stage = claims.appendingPathComponent(".stage-\(name)")
        try? FileManager.default.removeItem(at: stage)
        do {
            try FileManager.default.createDirectory(at: stage, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: stage) }
            let result: JobResult
            if let rules {
                // A folder or a zip is one district: its files are reviewed together.
                var job = RunJob.Options(input: input.path)
                job.output = stage.path
                job.fallbackPreset = options.preset
                job.params = options.params
                job.history = options.history
                job.packets = options.packets
                job.progress = progressLog(for: name, started: started)
                result = RunJob.review(job, rules: rules)
            } else {
                result = .failed(JobFailure(.rules, [JobFailure.Reason("The rules Pathways reviews with have mistakes, so this workbook was not reviewed. "
                                                                       + "Whoever looks after the rules will find what to fix in failed/rules-error.txt.")]))
            }
            if case .failed(let failure) = result, failure.cause == .outputs {
                throw FolderError(description: ErrorReport(file: name, failure: failure, isFolder: stamp.contents != nil).reasons.joined(separator: " "))
            }
            // Looked at again just before filing: a file someone deleted is said to be gone, and a
            // copy still going on (a writer that paused longer than a poll, or still has the file
            // open) goes back to the inbox to be taken again, so no half-copied file is filed.
            guard let now = FileStamp(of: input) else {
                _ = release(name)
                try? FileManager.default.removeItem(at: planURL(for: name))
                log.event("vanished", file: name, "it was removed from processing/ while it was being reviewed, so its review was thrown away and nothing was filed")
                return
            }
            if now != stamp || isBeingWritten(input) {
                if let back = returnToInbox(input) {
                    _ = release(name)
                    try? FileManager.default.removeItem(at: planURL(for: name))
                    log.event("returned", file: name, "it was still being copied, so it is back in the inbox\(back == name ? "" : " as \(back)") until the copy is complete")
                    return
                }
                throw FolderError(description: "It changed while it was being reviewed, and it could not be put back in the inbox.")
            }
            let stem = RunJob.naming([input.path]).stem
            let plan = try plan(for: name, stem: stem, received: started)
            switch result {
            case .reviewed(let review):
                // The packets first: the reviewed workbook in the outbox says the review is complete.
                let packets = stage.appendingPathComponent(RunJob.packetsFolder).appendingPathComponent(stem)
                if FileManager.default.fileExists(atPath: packets.path) {
                    let owners = outbox.appendingPathComponent(RunJob.packetsFolder)
                    try FileManager.default.createDirectory(at: owners, withIntermediateDirectories: true)
                    try? FileManager.default.removeItem(at: owners.appendingPathComponent(plan.outboxStem))
                    try AtomicFile.moveIntoPlace(packets, as: owners.appendingPathComponent(plan.outboxStem))
                }
                for suffix in [".reviewed.xlsx", ".findings.json"] {
                    try AtomicFile.moveIntoPlace(stage.appendingPathComponent(stem + suffix), as: outbox.appendingPathComponent(plan.outboxStem + suffix))
                }
                let kept = try DropFolder.moveKeepingEveryName(input, into: archive, received: plan.received)
                let counts = review.report.counts
                let seconds = Date().timeIntervalSince(started)
                // Cells or lines that could not be read as they are make a review that is not to be
                // taken at face value: the log says so before the counts.
                let unread = review.report.dataErrorCount
                let problems = unread == 0 ? "" : "\(unread == 1 ? "1 cell or line" : "\(unread) cells or lines") could not be read as \(unread == 1 ? "it is" : "they are") (the Summary lists them); "
                for problem in review.historyProblems { log.event("history", file: name, problem, fields: ["reason": problem]) }
                log.event(unread == 0 ? "finished" : "finished with problems", file: name,
                          problems + "\(counts[.error] ?? 0) errors, \(counts[.warning] ?? 0) warnings, \(counts[.info] ?? 0) for information, in \(String(format: "%.1f", seconds)) s; the review is outbox/\(plan.outboxStem).reviewed.xlsx, the \(stamp.contents == nil ? "workbook" : "folder") is archive/\(kept.lastPathComponent)",
                          fields: ["errors": counts[.error] ?? 0, "warnings": counts[.warning] ?? 0, "information": counts[.info] ?? 0,
                                   "unreadable": unread, "seconds": (seconds * 10).rounded() / 10, "archived": kept.lastPathComponent])
            case .marksRecorded(let recorded):
                let kept = try DropFolder.moveKeepingEveryName(input, into: archive, received: plan.received)
                log.event("recorded", file: name, "\(recorded.sentence) It is archive/\(kept.lastPathComponent).",
                          fields: ["district": recorded.district, "marks": recorded.count, "archived": kept.lastPathComponent])
            case .failed(let failure):
                // The note is written before the workbook is filed, naming where it will be kept: a
                // watcher killed in between takes the workbook up again and writes the same note.
                let note = ErrorReport(file: name, failure: failure, isFolder: stamp.contents != nil)
                let kept = try DropFolder.moveKeepingEveryName(input, into: failed, received: plan.received) { target in
                    try note.write(to: failed, stem: plan.failedStem, keptAs: target.lastPathComponent, staging: stage)
                }
                log.event("failed", file: name, "\(note.reason) The \(stamp.contents == nil ? "workbook" : "folder") is failed/\(kept.lastPathComponent); failed/\(plan.failedStem).error.txt says what to do.",
                          fields: ["reason": note.reason, "kept": kept.lastPathComponent])
            }
            if release(name) { log.event("filed", file: name, "it could be filed at last; nothing was lost") }
            try? FileManager.default.removeItem(at: planURL(for: name))
        } catch {
            // It stays claimed in processing/ and is tried again, now and then and at the next start.
            let reason = whyNotFiled(error)
            if hold(name) {
                log.event("kept", file: name, "it could not be filed: \(reason) It stays in processing/\(claims.lastPathComponent) and is tried again every minute or so, and when the watcher restarts.",
                          fields: ["reason": reason])
            }
        }
    }

    /// Why a reviewed workbook could not be filed, in a sentence: the state of the drop folder says
    /// more to a finance officer than the error of the step that failed.
    func whyNotFiled(_ error: Error) -> String {
        var space = statvfs()
        if statvfs(processing.path, &space) == 0, UInt64(space.f_bavail) * UInt64(space.f_frsize) < 1 << 20 {
            return "The disk that holds the drop folder is full."
        }
        for folder in [outbox, archive, failed, processing] {
            var isFolder: ObjCBool = false
            if !FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) || !isFolder.boolValue {
                return "The folder \(folder.lastPathComponent)/ is missing (or is not a folder)."
            }
            if access(folder.path, W_OK) != 0 {
                return "Pathways may not write to \(folder.lastPathComponent)/ (\(AtomicFile.reason(errno: errno)))."
            }
        }
        if let ours = error as? FolderError { return ours.description }
        if let rename = error as? AtomicFile.RenameError { return rename.description }
        return error.localizedDescription
    }

    /// Whether a writer still has `file` (or a file in the folder) open, where the system can tell (a local Linux disk).
    private func isBeingWritten(_ file: URL) -> Bool {
        guard DistrictReader.isFolder(file.path) else { return pathways_is_open_for_writing(file.path) == 1 }
        return DropFolder.filesInside(file).contains { pathways_is_open_for_writing(file.appendingPathComponent($0).path) == 1 }
    }

    /// `Budget.xlsx` as `Budget` and `.xlsx`; a folder's name whole, whatever dots it has (`Springfield 2025.06`).
    static func nameParts(of file: URL) -> (stem: String, ext: String) {
        let name = file.lastPathComponent
        if DistrictReader.isFolder(file.path) { return (name, "") }
        return ((name as NSString).deletingPathExtension, (name as NSString).pathExtension)
    }

    /// Puts a claimed file back in the inbox under its name, or `Name (2).xlsx` … if a newer copy
    /// has arrived there meanwhile; its name in the inbox, or nil if it could not be moved.
    private func returnToInbox(_ file: URL) -> String? {
        let (stem, ext) = DropFolder.nameParts(of: file)
        for attempt in 1 ... 1_000 {
            let candidate = (attempt == 1 ? stem : "\(stem) (\(attempt))") + (ext.isEmpty ? "" : ".\(ext)")
            switch DropFolder.moveWithoutReplacing(file, to: inbox.appendingPathComponent(candidate)) {
            case .moved: return candidate
            case .nameTaken: continue
            case .failed: return nil
            }
        }
        return nil
    }

    /// The names a claimed file's outputs get, chosen once and kept beside the claim, so a review
    /// done again after a restart replaces its own outputs and never a reviewer's earlier ones.
    struct Plan: Codable {
        /// `Budget`, or `Budget (2)` when `Budget.reviewed.xlsx` is an earlier drop's review.
        var outboxStem: String
        var failedStem: String
        /// When it was taken, as archive and failed names show it: `2026-11-29 101503`.
        var received: String
    }

    private func planURL(for name: String) -> URL { claims.appendingPathComponent(".plan-\(name)") }

    /// `stem`: what the outputs are named after, `Budget` for `Budget.xlsx` (see `RunJob.naming`).
    private func plan(for name: String, stem: String, received: Date) throws -> Plan {
        if let data = try? Data(contentsOf: planURL(for: name)), let plan = try? JSONDecoder().decode(Plan.self, from: data) { return plan }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HHmmss"
        let plan = Plan(outboxStem: DropFolder.freeStem(stem, in: outbox, suffixes: [".reviewed.xlsx", ".findings.json"]),
                        failedStem: DropFolder.freeStem(stem, in: failed, suffixes: [".error.xlsx", ".error.txt"]),
                        received: formatter.string(from: received))
        try AtomicFile.write(try JSONEncoder().encode(plan), to: planURL(for: name))
        return plan
    }

    /// `stem`, or `stem (2)`, `stem (3)` …: the first for which no file `stem + suffix` exists.
    static func freeStem(_ stem: String, in folder: URL, suffixes: [String]) -> String {
        for attempt in 1 ... 10_000 {
            let candidate = attempt == 1 ? stem : "\(stem) (\(attempt))"
            if !suffixes.contains(where: { FileManager.default.fileExists(atPath: folder.appendingPathComponent(candidate + $0).path) }) { return candidate }
        }
        return "\(stem) \(UUID().uuidString)"
    }

    /// Moves `file` into `folder` as `<name> <received>.<extension>`, with (2), (3), … when that is
    /// taken: never over an earlier drop of the same name. `beforeMoving` is told the name first, and
    /// again if another watcher takes that name meanwhile.
    static func moveKeepingEveryName(_ file: URL, into folder: URL, received stamp: String,
                                     beforeMoving: (URL) throws -> Void = { _ in }) throws -> URL {
        let name = file.lastPathComponent
        let (stem, ext) = nameParts(of: file)
        for attempt in 1 ... 1_000 {
            let candidate = "\(stem) \(stamp)\(attempt > 1 ? " (\(attempt))" : "")" + (ext.isEmpty ? "" : ".\(ext)")
            let target = folder.appendingPathComponent(candidate)
            if FileManager.default.fileExists(atPath: target.path) { continue }
            try beforeMoving(target)
            switch moveWithoutReplacing(file, to: target) {
            case .moved: return target
            case .nameTaken: continue
            case .failed: throw FolderError(description: "\(name) could not be moved into \(folder.lastPathComponent)/: \(AtomicFile.reason(errno: errno)).")
            }
        }
        throw FolderError(description: "\(name) could not be moved into \(folder.path)")
    }

    enum Move { case moved, nameTaken, failed }

    /// Moves `file` to `target` unless something is there already, where a plain rename would replace
    /// it. One step where the file system can refuse an existing name; elsewhere (NFS, SMB) a hard
    /// link then an unlink, a moment with two names that `recoverClaims` settles by inode; without
    /// hard links, a look then a rename.
    static func moveWithoutReplacing(_ file: URL, to target: URL) -> Move {
        if pathways_rename_without_replacing(file.path, target.path) == 0 { return .moved }
        switch errno {
        case EEXIST: return .nameTaken
        case EINVAL, ENOSYS, ENOTSUP: break
        default: return .failed
        }
        if link(file.path, target.path) == 0 {
            unlink(file.path)
            return .moved
        }
        if errno == EEXIST || FileManager.default.fileExists(atPath: target.path) { return .nameTaken }
        return rename(file.path, target.path) == 0 ? .moved : .failed
    }

    // MARK: Restarts

    /// Claims left by a watcher on this machine that is no longer running: a file it had finished
    /// moving (present in archive/, failed/ or back in inbox/ too) is let go, any other is reviewed again.
    private func recoverClaims() {
        guard let folders = try? FileManager.default.contentsOfDirectory(atPath: processing.path) else { return }
        let finished = inodes(in: [archive, failed, inbox])
        var recovered: [String] = []
        // This watcher's own folder first: what the others' claims move into it is not taken up twice.
        let own = claims.lastPathComponent
        for folder in [own] + folders.filter({ $0 != own }).sorted() where folders.contains(folder) {
            // This watcher's own folder, new as it is, can hold what an earlier watcher that had the
            // same process id left (in a container the watcher is often always process 1).
            let isOwn = folder == claims.lastPathComponent
            let parts = folder.split(separator: "@", maxSplits: 1)
            guard isOwn || (parts.count == 2 && pid_t(parts[0]).map { !DropFolder.isRunning($0) } == true && String(parts[1]) == DropFolder.host) else { continue }
            let old = processing.appendingPathComponent(folder)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: old.path)) ?? [] where !name.hasPrefix(".") {
                let file = old.appendingPathComponent(name)
                var info = stat()
                if stat(file.path, &info) == 0, finished.contains(Inode(device: UInt64(info.st_dev), number: UInt64(info.st_ino))) {
                    unlink(file.path)
                    continue
                }
                if isOwn {
                    recovered.append(name)
                    continue
                }
                // Its plan comes along, so the review done again keeps the names it had chosen.
                _ = rename(old.appendingPathComponent(".plan-\(name)").path, planURL(for: name).path)
                if rename(file.path, claims.appendingPathComponent(name).path) == 0 { recovered.append(name) }
            }
            // Only a folder emptied of workbooks goes: one that could not be moved stays to be found again.
            if !isOwn, (((try? FileManager.default.contentsOfDirectory(atPath: old.path)) ?? []).allSatisfy { $0.hasPrefix(".") }) {
                try? FileManager.default.removeItem(at: old)
            }
        }
        for name in recovered {
            log.event("recovered", file: name, "a review a stopped watcher had started is done again")
            slots.wait()
            review(claims.appendingPathComponent(name), stamp: nil)
        }
    }

    struct Inode: Hashable {
        let device: UInt64
        let number: UInt64
    }

    private func inodes(in folders: [URL]) -> Set<Inode> {
        var found = Set<Inode>()
        for folder in folders {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
                var info = stat()
                if stat(folder.appendingPathComponent(name).path, &info) == 0 {
                    found.insert(Inode(device: UInt64(info.st_dev), number: UInt64(info.st_ino)))
                }
            }
        }
        return found
    }

    static func isRunning(_ pid: pid_t) -> Bool { kill(pid, 0) == 0 || errno == EPERM }

    // MARK: Rules

    /// Reads the rule files again when any has changed. Rules with mistakes are not used: the last
    /// good rules stay in force, and `failed/rules-error.txt` says what to fix until it is fixed.
    private func reloadRules() {
        let folder = URL(fileURLWithPath: options.rules)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".rules") }.sorted()
        let stamp = names.map { name -> String in
            var info = stat()
            stat(folder.appendingPathComponent(name).path, &info)
            return "\(name) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        }
        guard stamp != rulesStamp else { return }
        rulesStamp = stamp
        let errorFile = failed.appendingPathComponent("rules-error.txt")
        switch RunJob.loadRules(options.rules) {
        case .success(let checked):
            rules = checked
            try? FileManager.default.removeItem(at: errorFile)
            log.event("rules", "read \(checked.files.count) rule files from \(options.rules)", fields: ["files": checked.files.count])
        case .failure(let problem):
            let consequence = rules == nil ? "Until they are fixed, workbooks dropped into the inbox go to failed/ with a note; copy them in again afterwards."
                : "Until they are fixed, workbooks are reviewed with the rules as they were before this change."
            let what = problem.unreadable.map { $0 + "\n" } ?? problem.report
            try? AtomicFile.write(Data((what + "\nThe rules in \(options.rules) \(problem.verdict) (above). \(consequence)\n").utf8), to: errorFile)
            log.event("rules", rules == nil ? "the rules \(problem.verdict), so workbooks go to failed/ until they are fixed; see failed/rules-error.txt"
                                            : "the changed rules \(problem.verdict), so the last good rules are still used; see failed/rules-error.txt")
        }
    }
}
