import Foundation

/// One line per event, to standard output: plain sentences that read well in `journalctl`, or
/// JSON objects for log collectors.
public final class WatchLog: @unchecked Sendable {
    public enum Format: String, Sendable { case text, json }

    private let format: Format
    private let lock = NSLock()
    private let write: @Sendable (String) -> Void

    public init(format: Format, write: @escaping @Sendable (String) -> Void = { line in
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }) {
        self.format = format
        self.write = write
    }

    /// `event` is one word (`started`, `taken`, `finished`, `failed`, `stopped`); `sentence` says
    /// the rest for a person; `fields` carry the same facts for a machine.
    public func event(_ event: String, file: String? = nil, _ sentence: String, fields: [String: Any] = [:]) {
        let time = ISO8601DateFormatter().string(from: Date())
        let line: String
        switch format {
        case .text:
            line = "\(time) \(event)\(file.map { " \($0)" } ?? ""): \(sentence)"
        case .json:
            var object: [String: Any] = ["time": time, "event": event, "message": sentence]
            if let file { object["file"] = file }
            for (key, value) in fields { object[key] = value }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            line = String(decoding: data, as: UTF8.self)
        }
        lock.lock()
        write(line)
        lock.unlock()
    }
}
