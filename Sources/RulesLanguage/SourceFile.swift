/// One rule file's text, with what is needed to point a trainer at a line and column.
public struct SourceFile: Sendable {
    /// The path as the trainer would recognise it, e.g. `rules/management.rules`.
    public let path: String
    public let text: String
    /// UTF-8 offsets where each line starts.
    let lineStarts: [Int]
    public let bytes: [UInt8]

    public init(path: String, text: String) {
        self.init(path: path, text: text, bytes: Array(text.utf8))
    }

    /// A file from its UTF-8 bytes, as an editor's change leaves it.
    public init(path: String, bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        // Bytes that are not UTF-8 were replaced in the text, so its own bytes are the ones to count.
        self.init(path: path, text: text, bytes: text.utf8.count == bytes.count ? bytes : Array(text.utf8))
    }

    private init(path: String, text: String, bytes: [UInt8]) {
        self.path = path
        self.text = text
        self.bytes = bytes
        var starts = [0]
        bytes.withUnsafeBufferPointer { buffer in
            for offset in 0 ..< buffer.count where buffer[offset] == 10 { starts.append(offset + 1) }
        }
        lineStarts = starts
    }

    /// 1-based line and column (in characters) of a UTF-8 offset.
    public func location(of offset: Int) -> (line: Int, column: Int) {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        let lineStart = lineStarts[low]
        let column = String(decoding: bytes[lineStart ..< min(offset, bytes.count)], as: UTF8.self).count + 1
        return (low + 1, column)
    }

    /// An editor's position of a UTF-8 offset: 0-based line, and character in UTF-16 code units
    /// (as the Language Server Protocol counts them).
    public func editorPosition(of offset: Int) -> (line: Int, character: Int) {
        let (line, _) = location(of: offset)
        let start = lineStarts[line - 1]
        return (line - 1, String(decoding: bytes[start ..< min(max(offset, start), bytes.count)], as: UTF8.self).utf16.count)
    }

    /// The UTF-8 offset of an editor's position; past the end of a line, the line's end.
    public func offset(line: Int, character: Int) -> Int {
        guard line < lineStarts.count else { return bytes.count }
        let start = lineStarts[max(0, line)]
        let end = line + 1 < lineStarts.count ? lineStarts[line + 1] - 1 : bytes.count
        var units = 0
        var offset = start
        let text = String(decoding: bytes[start ..< end], as: UTF8.self)
        for scalar in text.unicodeScalars {
            if units >= character { break }
            units += scalar.utf16.count
            offset += scalar.utf8.count
        }
        return offset
    }

    public var byteCount: Int { bytes.count }

    /// The text of a 1-based line, without its line break.
    public func line(_ number: Int) -> String {
        guard number >= 1 && number <= lineStarts.count else { return "" }
        let start = lineStarts[number - 1]
        var end = number < lineStarts.count ? lineStarts[number] : bytes.count
        while end > start && (bytes[end - 1] == 10 || bytes[end - 1] == 13) { end -= 1 }
        return String(decoding: bytes[start ..< end], as: UTF8.self)
    }

    public func slice(_ span: SourceSpan) -> String {
        String(decoding: bytes[span.start ..< min(span.end, bytes.count)], as: UTF8.self)
    }
}

/// A stretch of a rule file, as UTF-8 offsets.
///
/// Two spans are always equal, so syntax trees compare by their structure alone: that is what
/// lets a test say that formatting a file never changes what it means.
public struct SourceSpan: Hashable, Sendable, CustomStringConvertible {
    public let file: Int
    public let start: Int
    public let end: Int

    public init(file: Int, start: Int, end: Int) {
        self.file = file
        self.start = start
        self.end = end
    }

    public static func == (lhs: SourceSpan, rhs: SourceSpan) -> Bool { true }
    public func hash(into hasher: inout Hasher) {}

    public func to(_ other: SourceSpan) -> SourceSpan { SourceSpan(file: file, start: start, end: max(end, other.end)) }

    public var description: String { "\(start)..<\(end)" }
}
