import Foundation
import Pathways

/// A progress bar on standard error while a review runs, when standard error is a terminal (a
/// script or the drop folder's log gets nothing): each stage with its rows and rows a second.
final class TerminalProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var lastDrawn = Date.distantPast

    /// Nil when standard error is not a terminal.
    static func ifTerminal() -> TerminalProgress? { isatty(STDERR_FILENO) != 0 ? TerminalProgress() : nil }

    func show(_ progress: RunJob.Progress) {
        lock.lock()
        defer { lock.unlock() }
        // Redrawn at most ten times a second, and always when a stage ends.
        guard progress.isFinished || Date().timeIntervalSince(lastDrawn) >= 0.1 else { return }
        lastDrawn = Date()
        let rate = progress.seconds > 0 ? Int(Double(progress.done) / progress.seconds) : 0
        var line = progress.stage.rawValue
        if let total = progress.total, total > 0 {
            let share = min(1, Double(progress.done) / Double(total))
            let filled = Int((share * 24).rounded(.down))
            line += "  [" + String(repeating: "#", count: filled) + String(repeating: "-", count: 24 - filled) + "] \(Int(share * 100))%"
            line += "  \(TerminalProgress.grouped(progress.done)) of \(TerminalProgress.grouped(total)) rows"
            if rate > 0, progress.seconds >= 0.5 { line += ", \(TerminalProgress.grouped(rate)) a second" }
        } else {
            line += " …"
        }
        if progress.isFinished { line += String(format: " in %.1f s", progress.seconds) }
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line + (progress.isFinished ? "\n" : "")).utf8))
    }

    static func grouped(_ number: Int) -> String {
        let digits = String(number)
        return String(digits.reversed().enumerated().map { $0 > 0 && $0 % 3 == 0 ? ",\($1)" : "\($1)" }.joined().reversed())
    }
}
