/// How a cell looks in the district's workbook, kept so the reviewed copy shows its numbers and
/// bold rows (subtotals, a report's own money format) as the district had them.
public struct CellLook: Sendable, Equatable {
    /// A custom number format's code (`$#,##0.00_);($#,##0.00)`), or nil for a built-in one.
    public let formatCode: String?
    /// Excel's built-in number format id (0 is General).
    public let builtInFormat: Int
    public let bold: Bool

    public var isPlain: Bool { formatCode == nil && builtInFormat == 0 && !bold }
}

/// The number format of each cell style (`cellXfs` in `xl/styles.xml`), to tell dates,
/// percentages and amounts from plain numbers, and how each style looks.
enum XLSXStyles {
    static func read(part: String?, in archive: ZipArchive) throws(SpreadsheetError) -> (formats: [NumberFormat], looks: [CellLook]) {
        guard let part, let stream = try archive.open(part) else { return ([], []) }
        let xml = XMLStream(stream, fileName: archive.fileName, chunkSize: 256 * 1024)
        var customFormats: [Int: (format: NumberFormat, code: String)] = [:]
        var formats: [NumberFormat] = []
        var looks: [CellLook] = []
        var boldFonts: [Bool] = []
        var inCellFormats = false, inFonts = false
        while let token = try xml.next() {
            switch token.kind {
            case .start, .empty:
                if xml.matches(token.name, "numFmt") {
                    // A malformed style (Hancom writes some) is skipped: it cannot change a value.
                    if let id = try xml.attributeText("numFmtId", of: token).flatMap({ Int($0) }),
                       let code = try xml.attributeText("formatCode", of: token) {
                        customFormats[id] = (NumberFormat.classify(code: code), code)
                    }
                } else if xml.matches(token.name, "fonts") {
                    inFonts = token.kind == .start
                } else if inFonts && xml.matches(token.name, "font") {
                    boldFonts.append(false)
                } else if inFonts && xml.matches(token.name, "b"), !boldFonts.isEmpty {
                    let value = try xml.attributeText("val", of: token)
                    boldFonts[boldFonts.count - 1] = value == nil || value == "1" || value == "true"
                } else if xml.matches(token.name, "cellXfs") {
                    inCellFormats = token.kind == .start
                } else if inCellFormats && xml.matches(token.name, "xf") {
                    let id = try xml.attributeText("numFmtId", of: token).flatMap { Int($0) } ?? 0
                    let font = try xml.attributeText("fontId", of: token).flatMap { Int($0) } ?? 0
                    let custom = customFormats[id]
                    formats.append(custom?.format ?? NumberFormat.builtIn(id))
                    looks.append(CellLook(formatCode: custom?.code, builtInFormat: custom == nil && id < 164 ? id : 0,
                                          bold: font >= 0 && font < boldFonts.count && boldFonts[font]))
                }
            case .end:
                if xml.matches(token.name, "cellXfs") { inCellFormats = false }
                if xml.matches(token.name, "fonts") { inFonts = false }
            default:
                break
            }
        }
        return (formats, looks)
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
