#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One piece of XML: a tag or a run of text. Its ranges index `XMLStream.bytes` and stay valid
/// only until the next call to `next()`.
struct XMLToken {
    enum Kind { case start, end, empty, text, cdata }
    var kind: Kind
    /// The element's local name, without any namespace prefix (`x:row` gives `row`).
    var name: Range<Int> = 0 ..< 0
    /// The raw attribute text of a start or empty tag.
    var attributes: Range<Int> = 0 ..< 0
    /// The raw text of a text or CDATA token (entities not yet decoded).
    var content: Range<Int> = 0 ..< 0
}

/// A pull parser over a part of the package, reading it in chunks so a sheet of any size is
/// scanned with a small, fixed buffer and never held whole in memory.
///
/// It is deliberately not a full XML parser: it never reads a DTD, so it cannot be made to expand
/// entities ("billion laughs") or fetch external ones, and it refuses any document that declares one.
final class XMLStream {
    private(set) var bytes: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var position = 0
    private var filled = 0
    private var atEnd = false
    private let source: ZipEntryStream?
    let partName: String
    let fileName: String
    private static let maxTokenBytes = 256 << 20

    init(_ source: ZipEntryStream, fileName: String, chunkSize: Int = 1 << 20) {
        self.source = source
        self.partName = source.name
        self.fileName = fileName
        capacity = chunkSize
        bytes = .allocate(capacity: capacity)
    }

    /// For tests and small in-memory documents.
    init(document: [UInt8], partName: String = "document", fileName: String = "document") {
        source = nil
        self.partName = partName
        self.fileName = fileName
        capacity = max(document.count, 1)
        bytes = .allocate(capacity: capacity)
        document.withUnsafeBufferPointer { bytes.update(from: $0.baseAddress!, count: document.count) }
        filled = document.count
        atEnd = true
    }

    deinit { bytes.deallocate() }

    func next() throws(SpreadsheetError) -> XMLToken? {
        while true {
            if position >= filled {
                if atEnd { return nil }
                try refill()
                continue
            }
            if bytes[position] != UInt8(ascii: "<") {
                if let lessThan = find(UInt8(ascii: "<"), from: position) {
                    defer { position = lessThan }
                    return XMLToken(kind: .text, content: position ..< lessThan)
                }
                if atEnd {
                    defer { position = filled }
                    return XMLToken(kind: .text, content: position ..< filled)
                }
                try refill()
                continue
            }
            if let token = try scanMarkup() { return token }
        }
    }

    /// Scans markup at `position`; nil after skipping a comment or processing instruction, or
    /// after refilling because the markup was cut by the chunk's end.
    private func scanMarkup() throws(SpreadsheetError) -> XMLToken? {
        guard position + 1 < filled else { try refillOrFail(); return nil }
        let second = bytes[position + 1]
        switch second {
        case UInt8(ascii: "/"):
            guard let greaterThan = find(UInt8(ascii: ">"), from: position + 2) else { try refillOrFail(); return nil }
            var end = greaterThan
            while end > position + 2 && isSpace(bytes[end - 1]) { end -= 1 }
            defer { position = greaterThan + 1 }
            return XMLToken(kind: .end, name: localName(position + 2 ..< end))
        case UInt8(ascii: "?"):
            guard let close = find(sequence: "?>", from: position + 2) else { try refillOrFail(); return nil }
            position = close + 2
            return nil
        case UInt8(ascii: "!"):
            if hasPrefix("<!--", at: position) {
                guard let close = find(sequence: "-->", from: position + 4) else { try refillOrFail(); return nil }
                position = close + 3
                return nil
            }
            if hasPrefix("<![CDATA[", at: position) {
                guard let close = find(sequence: "]]>", from: position + 9) else { try refillOrFail(); return nil }
                defer { position = close + 3 }
                return XMLToken(kind: .cdata, content: position + 9 ..< close)
            }
            guard filled - position >= 9 || atEnd else { try refill(); return nil }
            throw SpreadsheetError(.unsafeContent, file: fileName,
                "Its part \(partName) declares a document type (DOCTYPE), which workbooks never need and which can be used to attack the reader, so Pathways did not read it. Save the workbook again from Excel and try again.")
        default:
            var index = position + 1
            var quote: UInt8 = 0
            while index < filled {
                let byte = bytes[index]
                if quote != 0 {
                    if byte == quote { quote = 0 }
                } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                    quote = byte
                } else if byte == UInt8(ascii: ">") {
                    break
                }
                index += 1
            }
            guard index < filled else { try refillOrFail(); return nil }
            let isEmpty = bytes[index - 1] == UInt8(ascii: "/")
            var nameEnd = position + 1
            while nameEnd < index && !isSpace(bytes[nameEnd]) && bytes[nameEnd] != UInt8(ascii: "/") { nameEnd += 1 }
            let token = XMLToken(kind: isEmpty ? .empty : .start, name: localName(position + 1 ..< nameEnd),
                                 attributes: nameEnd ..< (isEmpty ? index - 1 : index))
            position = index + 1
            return token
        }
    }

    /// The attribute after `index` in a tag's attribute text: its local name and raw value.
    @inline(__always)
    private func nextAttribute(_ index: inout Int, end: Int) -> (name: Range<Int>, value: Range<Int>)? {
        while index < end && isSpace(bytes[index]) { index += 1 }
        let nameStart = index
        while index < end && bytes[index] != UInt8(ascii: "=") && !isSpace(bytes[index]) { index += 1 }
        let name = localName(nameStart ..< index)
        while index < end && bytes[index] != UInt8(ascii: "\"") && bytes[index] != UInt8(ascii: "'") { index += 1 }
        guard index < end else { return nil }
        let quote = bytes[index]
        let valueStart = index + 1
        index = valueStart
        while index < end && bytes[index] != quote { index += 1 }
        defer { index += 1 }
        return (name, valueStart ..< index)
    }

    /// The values of the one-letter attributes `r`, `s` and `t` that rows and cells carry, in
    /// one pass, since it runs for every cell of a sheet.
    @inline(__always)
    func singleLetterAttributes(of token: XMLToken) -> (r: Range<Int>?, s: Range<Int>?, t: Range<Int>?) {
        var result: (r: Range<Int>?, s: Range<Int>?, t: Range<Int>?) = (nil, nil, nil)
        var index = token.attributes.lowerBound
        while let (name, value) = nextAttribute(&index, end: token.attributes.upperBound) {
            guard name.count == 1 else { continue }
            switch bytes[name.lowerBound] {
            case UInt8(ascii: "r"): result.r = value
            case UInt8(ascii: "s"): result.s = value
            case UInt8(ascii: "t"): result.t = value
            default: break
            }
        }
        return result
    }

    /// The raw value of the attribute with this local name.
    func attribute(_ name: StaticString, of token: XMLToken) -> Range<Int>? {
        var index = token.attributes.lowerBound
        while let attribute = nextAttribute(&index, end: token.attributes.upperBound) {
            if matches(attribute.name, name) { return attribute.value }
        }
        return nil
    }

    /// The attribute's value with entities decoded.
    func attributeText(_ name: StaticString, of token: XMLToken) throws(SpreadsheetError) -> String? {
        guard let range = attribute(name, of: token) else { return nil }
        var decoded: [UInt8] = []
        try XMLText.appendDecoded(buffer(range), to: &decoded, in: self)
        return String(decoding: decoded, as: UTF8.self)
    }

    @inline(__always) func matches(_ range: Range<Int>, _ name: StaticString) -> Bool {
        guard range.count == name.utf8CodeUnitCount else { return false }
        return memcmp(bytes + range.lowerBound, name.utf8Start, range.count) == 0
    }

    func buffer(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: bytes + range.lowerBound, count: range.count)
    }

    func string(_ range: Range<Int>) -> String { String(decoding: buffer(range), as: UTF8.self) }

    func damaged(_ detail: String) -> SpreadsheetError {
        SpreadsheetError(.damaged, file: fileName,
            "The workbook is damaged: its part \(partName) \(detail). Open it in Excel or LibreOffice, save it again as .xlsx, and try again.")
    }

    // MARK: Buffer

    /// The text of an inline string written the common way, `<is><t>text</t></is></c>`, right at
    /// the position, which moves past the `</c>`; nil, nothing moved, for any other shape (runs,
    /// entities, Excel's `_x000D_` escapes, spaces at the edges, markup cut by the chunk's end),
    /// which the tokens read as usual. Exports that write every text in its cell spend most of
    /// their reading here.
    func takePlainInlineString() -> Range<Int>? {
        let preserves: Bool
        var start = position
        if hasPrefix("<is><t>", at: start) {
            start += 7
            preserves = false
        } else if hasPrefix("<is><t xml:space=\"preserve\">", at: start) {
            start += 28
            preserves = true
        } else {
            return nil
        }
        guard let lessThan = find(UInt8(ascii: "<"), from: start), hasPrefix("</t></is></c>", at: lessThan) else { return nil }
        var index = start
        while index < lessThan {
            let byte = bytes[index]
            if byte == UInt8(ascii: "&") || (byte == UInt8(ascii: "_") && index + 1 < lessThan && bytes[index + 1] == UInt8(ascii: "x")) { return nil }
            index += 1
        }
        if !preserves && lessThan > start && (isSpace(bytes[start]) || isSpace(bytes[lessThan - 1])) { return nil }
        position = lessThan + 13
        return start ..< lessThan
    }

    private func refillOrFail() throws(SpreadsheetError) {
        if atEnd { throw damaged("ends in the middle of a tag") }
        try refill()
    }

    /// Keeps the unread bytes, moves them to the front, and reads more after them.
    private func refill() throws(SpreadsheetError) {
        guard let source else { atEnd = true; return }
        let unread = filled - position
        if position > 0 && unread > 0 { memmove(bytes, bytes + position, unread) }
        position = 0
        filled = unread
        if filled == capacity {
            guard capacity < XMLStream.maxTokenBytes else { throw damaged("has a single item larger than \(XMLStream.maxTokenBytes >> 20) MB") }
            let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
            larger.update(from: bytes, count: filled)
            bytes.deallocate()
            bytes = larger
            capacity *= 2
        }
        let count = try source.read(into: bytes + filled, capacity: capacity - filled)
        if count == 0 { atEnd = true }
        filled += count
    }

    @inline(__always) private func find(_ byte: UInt8, from start: Int) -> Int? {
        guard start < filled, let found = memchr(bytes + start, Int32(byte), filled - start) else { return nil }
        return bytes.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    private func find(sequence: StaticString, from start: Int) -> Int? {
        let length = sequence.utf8CodeUnitCount
        var index = start
        while let candidate = find(sequence.utf8Start[0], from: index) {
            if candidate + length > filled { return nil }
            if memcmp(bytes + candidate, sequence.utf8Start, length) == 0 { return candidate }
            index = candidate + 1
        }
        return nil
    }

    private func hasPrefix(_ prefix: StaticString, at index: Int) -> Bool {
        let length = prefix.utf8CodeUnitCount
        return filled - index >= length && memcmp(bytes + index, prefix.utf8Start, length) == 0
    }

    @inline(__always) private func localName(_ range: Range<Int>) -> Range<Int> {
        var index = range.upperBound
        while index > range.lowerBound {
            if bytes[index - 1] == UInt8(ascii: ":") { return index ..< range.upperBound }
            index -= 1
        }
        return range
    }
}

@inline(__always) func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }

/// Text content: XML's predefined and numeric entities, and the `_xHHHH_` escapes Excel uses
/// for control characters in strings.
enum XMLText {
    /// Appends text content with entities decoded and line ends normalised to LF, as XML
    /// requires (a carriage return in a cell is written `_x000D_` or `&#13;`).
    static func appendDecoded(_ text: UnsafeBufferPointer<UInt8>, to output: inout [UInt8], in stream: XMLStream) throws(SpreadsheetError) {
        guard let base = text.baseAddress else { return }
        if memchr(base, 13, text.count) != nil {
            var normalised: [UInt8] = []
            normalised.reserveCapacity(text.count)
            for (index, byte) in text.enumerated() {
                if byte == 13 {
                    if index + 1 < text.count && text[index + 1] == 10 { continue }
                    normalised.append(10)
                } else {
                    normalised.append(byte)
                }
            }
            return try normalised.withUnsafeBufferPointer { (buffer) throws(SpreadsheetError) in
                try appendEntities(buffer, to: &output, in: stream)
            }
        }
        try appendEntities(text, to: &output, in: stream)
    }

    private static func appendEntities(_ text: UnsafeBufferPointer<UInt8>, to output: inout [UInt8], in stream: XMLStream) throws(SpreadsheetError) {
        guard let base = text.baseAddress, memchr(base, Int32(UInt8(ascii: "&")), text.count) != nil else {
            output.append(contentsOf: text)
            return
        }
        var index = 0
        while index < text.count {
            let byte = text[index]
            guard byte == UInt8(ascii: "&") else {
                output.append(byte)
                index += 1
                continue
            }
            var end = index + 1
            while end < text.count && text[end] != UInt8(ascii: ";") && end - index < 12 { end += 1 }
            guard end < text.count, text[end] == UInt8(ascii: ";") else {
                throw stream.damaged("has a stray \"&\" in its text")
            }
            let entity = String(decoding: UnsafeBufferPointer(rebasing: text[index + 1 ..< end]), as: UTF8.self)
            switch entity {
            case "lt": output.append(UInt8(ascii: "<"))
            case "gt": output.append(UInt8(ascii: ">"))
            case "amp": output.append(UInt8(ascii: "&"))
            case "quot": output.append(UInt8(ascii: "\""))
            case "apos": output.append(UInt8(ascii: "'"))
            default:
                let scalarValue: UInt32?
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    scalarValue = UInt32(entity.dropFirst(2), radix: 16)
                } else if entity.hasPrefix("#") {
                    scalarValue = UInt32(entity.dropFirst())
                } else {
                    scalarValue = nil
                }
                guard let value = scalarValue, let scalar = Unicode.Scalar(value) else {
                    throw SpreadsheetError(.unsafeContent, file: stream.fileName,
                        "Its part \(stream.partName) uses an entity \"&\(entity);\" that workbooks never need, so Pathways did not read it. Save the workbook again from Excel and try again.")
                }
                output.append(contentsOf: Array(String(scalar).utf8))
            }
            index = end + 1
        }
    }

    /// Decodes `_xHHHH_` escapes in place (`_x000D_` is a carriage return, `_x005F_` an underscore).
    static func decodeExcelEscapes(_ text: inout [UInt8], from start: Int) {
        guard text.count - start >= 7, text[start...].contains(UInt8(ascii: "_")) else { return }
        var output = Array(text[..<start])
        var index = start
        while index < text.count {
            if text[index] == UInt8(ascii: "_"), index + 6 < text.count, text[index + 1] == UInt8(ascii: "x"),
               text[index + 6] == UInt8(ascii: "_"),
               let value = UInt32(String(decoding: text[index + 2 ..< index + 6], as: UTF8.self), radix: 16) {
                if (0xD800...0xDBFF).contains(value), index + 13 < text.count, text[index + 7] == UInt8(ascii: "_"),
                   text[index + 8] == UInt8(ascii: "x"), text[index + 13] == UInt8(ascii: "_"),
                   let low = UInt32(String(decoding: text[index + 9 ..< index + 13], as: UTF8.self), radix: 16),
                   (0xDC00...0xDFFF).contains(low),
                   let scalar = Unicode.Scalar(0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)) {
                    output.append(contentsOf: Array(String(scalar).utf8))
                    index += 14
                    continue
                }
                if let scalar = Unicode.Scalar(value) {
                    output.append(contentsOf: Array(String(scalar).utf8))
                    index += 7
                    continue
                }
            }
            output.append(text[index])
            index += 1
        }
        text = output
    }
}
