/// The number format of each cell style (`cellXfs` in `xl/styles.xml`): all the reader needs
/// from styles to tell dates, percentages and amounts from plain numbers.
enum XLSXStyles {
    static func read(part: String?, in archive: ZipArchive) throws(SpreadsheetError) -> [NumberFormat] {
        guard let part, let stream = try archive.open(part) else { return [] }
        let xml = XMLStream(stream, fileName: archive.fileName, chunkSize: 256 * 1024)
        var customFormats: [Int: NumberFormat] = [:]
        var formats: [NumberFormat] = []
        var inCellFormats = false
        while let token = try xml.next() {
            switch token.kind {
            case .start, .empty:
                if xml.matches(token.name, "numFmt") {
                    // A malformed style (Hancom writes some) is skipped: it cannot change a value.
                    if let id = try xml.attributeText("numFmtId", of: token).flatMap({ Int($0) }),
                       let code = try xml.attributeText("formatCode", of: token) {
                        customFormats[id] = NumberFormat.classify(code: code)
                    }
                } else if xml.matches(token.name, "cellXfs") {
                    inCellFormats = token.kind == .start
                } else if inCellFormats && xml.matches(token.name, "xf") {
                    let id = try xml.attributeText("numFmtId", of: token).flatMap { Int($0) } ?? 0
                    formats.append(customFormats[id] ?? NumberFormat.builtIn(id))
                }
            case .end:
                if xml.matches(token.name, "cellXfs") { inCellFormats = false }
            default:
                break
            }
        }
        return formats
    }
}

/// The shared strings table (`xl/sharedStrings.xml`): each `<si>` is plain text or rich-text
/// runs; phonetic guides (`<rPh>`) are not part of the text.
enum XLSXSharedStrings {
    static func read(part: String?, in archive: ZipArchive) throws(SpreadsheetError) -> StringTable {
        guard let part, let stream = try archive.open(part) else { return .empty }
        let xml = XMLStream(stream, fileName: archive.fileName)
        var bytes: [UInt8] = []
        var starts: [Int] = [0]
        var reader = RichTextReader()
        while let token = try xml.next() {
            if token.kind == .start && xml.matches(token.name, "si") {
                reader.begin(at: bytes.count)
            } else if token.kind == .empty && xml.matches(token.name, "si") {
                starts.append(bytes.count)
            } else if token.kind == .end && xml.matches(token.name, "si") {
                reader.finish(&bytes)
                starts.append(bytes.count)
            } else {
                try reader.take(token, from: xml, into: &bytes)
            }
        }
        return StringTable(bytes: bytes, starts: starts)
    }
}

/// Collects the text of a string item (`<si>` or `<is>`): the `<t>` elements directly inside it
/// or inside its runs, but not those of phonetic guides.
struct RichTextReader {
    private var inText = false
    private var preserveSpace = false
    private var phoneticDepth = 0
    private var textStart = 0
    private var itemStart = 0

    mutating func begin(at offset: Int) {
        itemStart = offset
        inText = false
        phoneticDepth = 0
    }

    mutating func take(_ token: XMLToken, from xml: XMLStream, into bytes: inout [UInt8]) throws(SpreadsheetError) {
        switch token.kind {
        case .start:
            if xml.matches(token.name, "rPh") {
                phoneticDepth += 1
            } else if xml.matches(token.name, "t") && phoneticDepth == 0 {
                inText = true
                textStart = bytes.count
                preserveSpace = try xml.attributeText("space", of: token) == "preserve"
            }
        case .end:
            if xml.matches(token.name, "rPh") {
                phoneticDepth = max(0, phoneticDepth - 1)
            } else if xml.matches(token.name, "t") && inText {
                inText = false
                if !preserveSpace { trimEdges(&bytes, from: textStart) }
            }
        case .text:
            if inText { try XMLText.appendDecoded(xml.buffer(token.content), to: &bytes, in: xml) }
        case .cdata:
            if inText { bytes.append(contentsOf: xml.buffer(token.content)) }
        case .empty:
            break
        }
    }

    /// Ends the item: Excel's `_xHHHH_` escapes become the characters they stand for.
    mutating func finish(_ bytes: inout [UInt8]) {
        XMLText.decodeExcelEscapes(&bytes, from: itemStart)
    }

    /// Text without `xml:space="preserve"` loses leading and trailing white space, as Excel shows it.
    private func trimEdges(_ bytes: inout [UInt8], from start: Int) {
        var end = bytes.count
        while end > start && isSpace(bytes[end - 1]) { end -= 1 }
        var first = start
        while first < end && isSpace(bytes[first]) { first += 1 }
        bytes.removeSubrange(end ..< bytes.count)
        bytes.removeSubrange(start ..< first)
    }
}
