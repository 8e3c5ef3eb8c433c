import Foundation

/// Language Server Protocol messages over a pair of file handles: each message a
/// `Content-Length` header, a blank line and a JSON body.
final class Transport {
    private let input: FileHandle
    private let output: FileHandle
    private var buffer = Data()
    private static let headerEnd = Data("\r\n\r\n".utf8)

    init(input: FileHandle, output: FileHandle) {
        self.input = input
        self.output = output
    }

    /// The next message's JSON object; nil at the end of the input. `idle` runs before waiting
    /// for more input, once everything already sent has been read: work saved for a pause in typing.
    func read(idle: () -> Void = {}) -> [String: Any]? {
        while true {
            if let end = buffer.range(of: Transport.headerEnd) {
                let header = String(decoding: buffer[buffer.startIndex ..< end.lowerBound], as: UTF8.self)
                let length = header.split(separator: "\r\n").compactMap { line -> Int? in
                    let parts = line.split(separator: ":", maxSplits: 1)
                    guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "content-length" else { return nil }
                    return Int(parts[1].trimmingCharacters(in: .whitespaces))
                }.first ?? 0
                if buffer.distance(from: end.upperBound, to: buffer.endIndex) >= length {
                    let bodyEnd = buffer.index(end.upperBound, offsetBy: length)
                    let body = Data(buffer[end.upperBound ..< bodyEnd])
                    buffer = Data(buffer[bodyEnd...])
                    // A body that is not a JSON object gets the protocol's parse error; the next may be fine.
                    if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] { return object }
                    send(["id": NSNull(), "error": ["code": -32700, "message": "Pathways could not read that message as JSON."] as [String: Any]])
                    continue
                }
            }
            idle()
            let chunk = input.availableData
            if chunk.isEmpty { return nil }
            buffer.append(chunk)
        }
    }

    func send(_ message: [String: Any]) {
        var object = message
        object["jsonrpc"] = "2.0"
        guard let body = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        // An editor that has gone away cannot be answered; the next read ends the server.
        try? output.write(contentsOf: Data("Content-Length: \(body.count)\r\n\r\n".utf8) + body)
    }
}
