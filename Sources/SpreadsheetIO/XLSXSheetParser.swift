import Tabular

/// Streams one worksheet part into a `RawSheet`. This is the reader's hot loop: it keeps a few
/// integers of state, parses numbers straight from the XML bytes, and stores shared strings as
/// indexes, so a cell costs no allocation.
struct XLSXSheetParser {
    private let xml: XMLStream
    private let sharedStringCount: Int
    private let limits: ReadingLimits
    private var sheet: RawSheet

    private enum CellType { case number, sharedString, inlineString, formulaString, boolean, error, isoDate }

    init(xml: XMLStream, sheet: RawSheet, limits: ReadingLimits) {
        self.xml = xml
        self.sheet = sheet
        self.sharedStringCount = sheet.sharedStrings.count
        self.limits = limits
    }

    consuming func parse() throws(SpreadsheetError) -> RawSheet {
        var rowIndex = -1            // 0-based row being filled
        var nextColumn = 0
        // The cell being read.
        var cellColumn = 0
        var cellType = CellType.number
        var cellStyle: UInt16 = 0
        var inValue = false
        var inInlineString = false
        var hasInlineString = false
        var value: [UInt8] = []
        // A number or shared-string index read straight from the XML buffer, without copying.
        var parsedValue: UInt64?
        var inlineText: [UInt8] = []
        var richText = RichTextReader()

        while let token = try xml.next() {
            switch token.kind {
            case .start, .empty:
                let name = token.name
                if inInlineString {
                    try richText.take(token, from: xml, into: &inlineText)
                } else if xml.matches(name, "c") {
                    var explicitRow = -1
                    cellColumn = nextColumn
                    cellType = .number
                    cellStyle = 0
                    let attributes = xml.singleLetterAttributes(of: token)
                    if let reference = attributes.r {
                        (cellColumn, explicitRow) = try parseReference(reference)
                    }
                    if let style = attributes.s { cellStyle = UInt16(clamping: parseInteger(style) ?? 0) }
                    if let typeName = attributes.t { cellType = type(of: typeName) }
                    if explicitRow >= 0 && explicitRow != rowIndex {
                        guard explicitRow > rowIndex else { throw xml.damaged("lists cell rows out of order") }
                        try startRow(explicitRow, current: &rowIndex)
                    } else if rowIndex < 0 {
                        try startRow(0, current: &rowIndex)
                    }
                    nextColumn = cellColumn + 1
                    value.removeAll(keepingCapacity: true)
                    inlineText.removeAll(keepingCapacity: true)
                    parsedValue = nil
                    hasInlineString = false
                    inValue = false
                    if token.kind == .empty { try finishCell(cellType, column: cellColumn, style: cellStyle, parsedValue: nil, value: [], hasInlineString: false, inlineText: [])  }
                    if cellType == .inlineString && token.kind == .start, let text = xml.takePlainInlineString() {
                        inlineText.append(contentsOf: xml.buffer(text))
                        try finishCell(cellType, column: cellColumn, style: cellStyle, parsedValue: nil, value: [], hasInlineString: true, inlineText: inlineText)
                    }
                } else if xml.matches(name, "v") {
                    inValue = token.kind == .start
                } else if xml.matches(name, "row") {
                    let row = try xml.singleLetterAttributes(of: token).r.map { range throws(SpreadsheetError) -> Int in
                        guard let number = parseInteger(range), number >= 1, number <= 1_048_576 else {
                            throw xml.damaged("has a row number \"\(xml.string(range))\" outside 1 to 1,048,576")
                        }
                        return number - 1
                    } ?? rowIndex + 1
                    guard row > rowIndex else { throw xml.damaged("lists rows out of order") }
                    try startRow(row, current: &rowIndex)
                    nextColumn = 0
                } else if xml.matches(name, "is") && token.kind == .start {
                    inInlineString = true
                    hasInlineString = true
                    richText.begin(at: 0)
                }
            case .end:
                let name = token.name
                if inInlineString {
                    if xml.matches(name, "is") {
                        inInlineString = false
                        richText.finish(&inlineText)
                    } else {
                        try richText.take(token, from: xml, into: &inlineText)
                    }
                } else if xml.matches(name, "v") {
                    inValue = false
                } else if xml.matches(name, "c") {
                    try finishCell(cellType, column: cellColumn, style: cellStyle, parsedValue: parsedValue, value: value,
                                   hasInlineString: hasInlineString, inlineText: inlineText)
                } else if xml.matches(name, "sheetData") {
                    return finish(rowIndex)  // what follows (merges, links, drawings) holds no values
                }
            case .text, .cdata:
                if inValue && value.isEmpty && parsedValue == nil && token.kind == .text
                    && (cellType == .number || cellType == .sharedString) {
                    let text = xml.buffer(token.content)
                    if cellType == .number, let number = parseXMLDouble(text) {
                        parsedValue = number.bitPattern
                        continue
                    }
                    if cellType == .sharedString, let index = parseDigits(text) {
                        parsedValue = UInt64(index)
                        continue
                    }
                }
                if inValue {
                    if token.kind == .cdata { value.append(contentsOf: xml.buffer(token.content)) }
                    else { try XMLText.appendDecoded(xml.buffer(token.content), to: &value, in: xml) }
                } else if inInlineString {
                    try richText.take(token, from: xml, into: &inlineText)
                }
            }
        }
        return finish(rowIndex)
    }

    private mutating func finish(_ rowIndex: Int) -> RawSheet {
        if rowIndex >= 0 { sheet.endRow() }
        // Drop trailing rows with no cells at all.
        while sheet.rowCount > 0 && sheet.width(ofRow: sheet.rowCount - 1) == 0 { sheet.rowStarts.removeLast() }
        return sheet
    }

    /// Closes rows up to `row` (empty rows in between stay as empty rows) and opens it.
    private mutating func startRow(_ row: Int, current: inout Int) throws(SpreadsheetError) {
        if current >= 0 { sheet.endRow() }
        while sheet.rowCount < row { sheet.endRow() }
        current = row
        if sheet.kinds.count > limits.maxCellsPerSheet {
            throw SpreadsheetError(.tooLarge, file: xml.fileName,
                "The sheet \"\(sheet.name)\" has more than \(formatCount(limits.maxCellsPerSheet)) cells, more than Pathways reads from one sheet. Remove columns or rows it does not need.")
        }
    }

    private mutating func finishCell(_ type: CellType, column: Int, style: UInt16, parsedValue: UInt64?, value: [UInt8],
                                     hasInlineString: Bool, inlineText: [UInt8]) throws(SpreadsheetError) {
        var kind = RawKind.blank
        var payload: UInt64 = 0
        switch type {
        case .number:
            if let parsedValue {
                kind = .number
                payload = parsedValue
            } else if !value.isEmpty {
                guard let number = value.withUnsafeBufferPointer({ parseXMLDouble($0) }) else {
                    throw xml.damaged("has a number cell holding \"\(String(decoding: value.prefix(40), as: UTF8.self))\"")
                }
                kind = .number
                payload = number.bitPattern
            }
        case .sharedString:
            if parsedValue != nil || !value.isEmpty {
                guard let index = parsedValue.map({ Int($0) }) ?? value.withUnsafeBufferPointer({ parseDigits($0) }),
                      index < sharedStringCount else {
                    throw xml.damaged("refers to a shared string that does not exist")
                }
                kind = .text
                payload = TextRef.shared(index).bits
            }
        case .inlineString:
            // Only `<is>` holds an inline string's text; a stray `<v>` beside it is ignored, as Excel does.
            if hasInlineString {
                kind = .text
                payload = inlineText.withUnsafeBufferPointer { sheet.appendLocalText($0) }.bits
            }
        case .formulaString:
            if !value.isEmpty {
                kind = .text
                var decoded = value
                XMLText.decodeExcelEscapes(&decoded, from: 0)
                payload = decoded.withUnsafeBufferPointer { sheet.appendLocalText($0) }.bits
            }
        case .boolean:
            if !value.isEmpty {
                kind = .bool
                payload = value.first == UInt8(ascii: "1") || value.first == UInt8(ascii: "t") ? 1 : 0
            }
        case .error:
            if !value.isEmpty {
                kind = .error
                payload = UInt64(ExcelError(text: String(decoding: value, as: UTF8.self)).rawValue)
            }
        case .isoDate:
            if !value.isEmpty {
                kind = .isoDateText
                payload = value.withUnsafeBufferPointer { sheet.appendLocalText($0) }.bits
            }
        }
        guard column < 16_384 else { throw xml.damaged("has a cell beyond column XFD") }
        if kind == .blank && style == 0 && column >= sheet.currentRowWidth { return }
        sheet.set(column: column, kind: kind, payload: payload, style: style, tracksStyles: true)
    }

    private func type(of range: Range<Int>) -> CellType {
        if xml.matches(range, "s") { return .sharedString }
        if xml.matches(range, "inlineStr") { return .inlineString }
        if xml.matches(range, "str") { return .formulaString }
        if xml.matches(range, "b") { return .boolean }
        if xml.matches(range, "e") { return .error }
        if xml.matches(range, "d") { return .isoDate }
        return .number
    }

    /// `B12` as (column 1, row 11); the row is -1 when the reference has only letters.
    private func parseReference(_ range: Range<Int>) throws(SpreadsheetError) -> (Int, Int) {
        var index = range.lowerBound
        var column = 0
        while index < range.upperBound {
            let letter = xml.bytes[index] | 0x20
            guard letter >= UInt8(ascii: "a") && letter <= UInt8(ascii: "z") else { break }
            column = column * 26 + Int(letter - UInt8(ascii: "a")) + 1
            guard column <= 16_384 else { throw xml.damaged("has a cell reference \"\(xml.string(range))\" beyond column XFD") }
            index += 1
        }
        guard column > 0 else { throw xml.damaged("has a cell reference \"\(xml.string(range))\" without a column") }
        if index == range.upperBound { return (column - 1, -1) }
        guard let row = parseInteger(index ..< range.upperBound), row >= 1, row <= 1_048_576 else {
            throw xml.damaged("has a cell reference \"\(xml.string(range))\" outside rows 1 to 1,048,576")
        }
        return (column - 1, row - 1)
    }

    private func parseInteger(_ range: Range<Int>) -> Int? { parseDigits(xml.buffer(range)) }
}

/// Non-negative decimal digits only.
@inline(__always) func parseDigits(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
    guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
    var value = 0
    for byte in bytes {
        let digit = Int(byte) &- 48
        guard digit >= 0 && digit <= 9 else { return nil }
        value = value * 10 + digit
    }
    return value
}
