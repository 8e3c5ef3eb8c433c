import Tabular

/// What a cell holds before any column type is applied: the small cell model of calamine.
public enum RawKind: UInt8, Sendable {
    case blank
    case number
    case text
    case bool
    case error
    /// A `t="d"` cell: an ISO 8601 date written as text.
    case isoDateText
}

/// One cell as read. Text is referred to, not copied; read it through `RawSheet.text(_:)`.
public enum RawCell: Equatable, Sendable {
    case blank
    case number(Double, format: NumberFormat)
    case text(TextRef)
    case bool(Bool)
    case error(ExcelError)
    case isoDateText(TextRef)
}

/// The error values a spreadsheet cell can hold, such as `#N/A` and `#DIV/0!`.
public enum ExcelError: UInt8, CaseIterable, Sendable {
    case null, divisionByZero, value, reference, name, number, notAvailable, gettingData, other

    public init(text: String) {
        switch text {
        case "#NULL!": self = .null
        case "#DIV/0!": self = .divisionByZero
        case "#VALUE!": self = .value
        case "#REF!": self = .reference
        case "#NAME?": self = .name
        case "#NUM!": self = .number
        case "#N/A": self = .notAvailable
        case "#GETTING_DATA": self = .gettingData
        default: self = .other
        }
    }

    public var text: String {
        switch self {
        case .null: "#NULL!"
        case .divisionByZero: "#DIV/0!"
        case .value: "#VALUE!"
        case .reference: "#REF!"
        case .name: "#NAME?"
        case .number: "#NUM!"
        case .notAvailable: "#N/A"
        case .gettingData: "#GETTING_DATA"
        case .other: "#ERROR"
        }
    }
}

/// Where a cell's text lives: in the sheet's own bytes, or in the workbook's shared strings.
public struct TextRef: Hashable, Sendable {
    let bits: UInt64
    private static let sharedFlag: UInt64 = 1 << 63
    static let maxLength = (1 << 24) - 1

    static func local(offset: Int, length: Int) -> TextRef { TextRef(bits: UInt64(offset) << 24 | UInt64(length)) }
    static func shared(_ index: Int) -> TextRef { TextRef(bits: sharedFlag | UInt64(index)) }

    var isShared: Bool { bits & TextRef.sharedFlag != 0 }
    var sharedIndex: Int { Int(bits & ~TextRef.sharedFlag) }
    var offset: Int { Int(bits >> 24) }
    var length: Int { Int(bits & 0xFF_FFFF) }
}

/// Strings stored once for a whole workbook (XLSX shared strings): bytes plus where each starts.
public final class StringTable: Sendable {
    let bytes: [UInt8]
    let starts: [Int]  // string i spans bytes[starts[i] ..< starts[i + 1]]

    init(bytes: [UInt8], starts: [Int]) {
        self.bytes = bytes
        self.starts = starts
    }

    static let empty = StringTable(bytes: [], starts: [0])

    public var count: Int { starts.count - 1 }
}

/// A sheet as read, row by row, before header detection and typing.
///
/// Cells are stored row-major in flat arrays (a kind byte and an 8-byte payload each), so reading
/// allocates per sheet, not per cell.
public struct RawSheet: Sendable {
    public enum Kind: String, Sendable, Codable { case worksheet, chartsheet, dialogsheet, macrosheet }
    public enum Visibility: String, Sendable, Codable { case visible, hidden, veryHidden }

    /// The sheet's name in the review: its name in its file, unless a sheet of another file of
    /// the district has that name too (see `RawWorkbook.init(district:files:)`).
    public internal(set) var name: String
    public let kind: Kind
    public let visibility: Visibility
    /// Which of the workbook's `inputs` the sheet was read from.
    public internal(set) var input = 0

    var kinds: [RawKind] = []
    var payloads: [UInt64] = []
    /// Style index per cell (XLSX only; empty for CSV).
    var styles: [UInt16] = []
    /// Row r spans cells rowStarts[r] ..< rowStarts[r + 1].
    var rowStarts: [Int] = [0]
    /// Text written in the sheet itself: CSV fields, inline strings, formula results.
    var localText: [UInt8] = []
    /// CSV: a cell's column is its field's position in the line, so a line with a field too many or
    /// too few has its values in the wrong columns from some point on.
    public internal(set) var fieldsArePositional = false
    /// What could not be read as it is (a quotation mark never closed, a row past Excel's last
    /// column, a field longer than a cell): reported with the sheet's data errors.
    public internal(set) var problems: [Problem] = []

    public struct Problem: Sendable, Equatable {
        /// The row number the spreadsheet shows, and the column (0 for A).
        public let row: Int
        public let column: Int
        /// The beginning of what was read there.
        public let text: String
        /// The rest of a sentence that starts with the cell's place and text.
        public let reason: String
    }
    let sharedStrings: StringTable
    let numberFormats: [NumberFormat]
    /// How each style looks (XLSX only), by the same index as `numberFormats`.
    let looks: [CellLook]

    init(name: String, kind: Kind = .worksheet, visibility: Visibility = .visible,
         sharedStrings: StringTable = .empty, numberFormats: [NumberFormat] = [], looks: [CellLook] = []) {
        self.name = name
        self.kind = kind
        self.visibility = visibility
        self.sharedStrings = sharedStrings
        self.numberFormats = numberFormats
        self.looks = looks
    }

    /// A cell's style and how it looks in the district's workbook; nil for CSV and for cells
    /// that look plain (General, not bold).
    public func look(row: Int, column: Int) -> (style: Int, look: CellLook)? {
        guard !styles.isEmpty, row < rowCount, column < width(ofRow: row) else { return nil }
        let style = Int(styles[rowStarts[row] + column])
        guard style < looks.count, !looks[style].isPlain else { return nil }
        return (style, looks[style])
    }

    /// Rows up to the last one that has a cell.
    public var rowCount: Int { rowStarts.count - 1 }

    public func width(ofRow row: Int) -> Int { rowStarts[row + 1] - rowStarts[row] }

    public func cell(row: Int, column: Int) -> RawCell {
        guard row < rowCount, column < width(ofRow: row) else { return .blank }
        let index = rowStarts[row] + column
        let payload = payloads[index]
        switch kinds[index] {
        case .blank: return .blank
        case .number:
            let style = styles.isEmpty ? 0 : Int(styles[index])
            let format = style < numberFormats.count ? numberFormats[style] : .general
            return .number(Double(bitPattern: payload), format: format)
        case .text: return .text(TextRef(bits: payload))
        case .bool: return .bool(payload != 0)
        case .error: return .error(ExcelError(rawValue: UInt8(truncatingIfNeeded: payload)) ?? .other)
        case .isoDateText: return .isoDateText(TextRef(bits: payload))
        }
    }

    public func text(_ ref: TextRef) -> String {
        withText(ref) { String(decoding: $0, as: UTF8.self) }
    }

    public func withText<Result>(_ ref: TextRef, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        if ref.isShared {
            let table = sharedStrings
            let range = table.starts[ref.sharedIndex] ..< table.starts[ref.sharedIndex + 1]
            return try table.bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[range])) }
        }
        return try localText.withUnsafeBufferPointer {
            try body(UnsafeBufferPointer(rebasing: $0[ref.offset ..< ref.offset + ref.length]))
        }
    }

    /// The cell as the sheet would show it in a plain cell: text, the number, TRUE/FALSE, the error.
    public func displayText(row: Int, column: Int) -> String {
        switch cell(row: row, column: column) {
        case .blank: return ""
        case .number(let value, let format): return format.display(value)
        case .text(let ref), .isoDateText(let ref): return text(ref)
        case .bool(let flag): return flag ? "TRUE" : "FALSE"
        case .error(let error): return error.text
        }
    }

    /// A sheet of text cells; empty texts are blank cells.
    init(name: String, textRows: [[String]]) {
        self.init(name: name)
        for row in textRows {
            for (column, text) in row.enumerated() where !text.isEmpty {
                let ref = Array(text.utf8).withUnsafeBufferPointer { appendLocalText($0) }
                set(column: column, kind: .text, payload: ref.bits)
            }
            endRow()
        }
    }

    // MARK: Building

    /// Cells in the row being built.
    var currentRowWidth: Int { kinds.count - rowStarts[rowStarts.count - 1] }

    /// Starts the next row; rows must be added in order.
    mutating func endRow() { rowStarts.append(kinds.count) }

    /// Sets a cell of the row being built, filling any gap before it with blanks.
    mutating func set(column: Int, kind: RawKind, payload: UInt64, style: UInt16 = 0, tracksStyles: Bool = false) {
        let rowStart = rowStarts[rowStarts.count - 1]
        let index = rowStart + column
        if index < kinds.count {
            kinds[index] = kind
            payloads[index] = payload
            if tracksStyles { styles[index] = style }
            return
        }
        while kinds.count < index {
            kinds.append(.blank)
            payloads.append(0)
            if tracksStyles { styles.append(0) }
        }
        kinds.append(kind)
        payloads.append(payload)
        if tracksStyles { styles.append(style) }
    }

    mutating func appendLocalText(_ bytes: UnsafeBufferPointer<UInt8>) -> TextRef {
        let offset = localText.count
        localText.append(contentsOf: bytes.prefix(TextRef.maxLength))
        return .local(offset: offset, length: min(bytes.count, TextRef.maxLength))
    }
}

/// How a spreadsheet file was read: what a finance officer may need to know about it.
public struct ReadingNotes: Sendable, Codable, Equatable {
    public enum Format: String, Sendable, Codable { case csv, xlsx }
    public var format: Format
    /// CSV: the character encoding found, e.g. "UTF-8", "Windows-1252".
    public var encoding: String?
    /// CSV: the delimiter found, e.g. "," or "tab".
    public var delimiter: String?
    /// XLSX: dates count from 1904 (old Mac workbooks) instead of 1900.
    public var uses1904Dates = false
    /// CSV: numbers are written with a decimal comma (`1.234,56`), as European exports with a
    /// semicolon delimiter write them.
    public var decimalComma = false
    /// Sentences about anything unusual, e.g. "The file is not UTF-8; it was read as Windows-1252."
    public var remarks: [String] = []
}

/// A file the input was read from: its name, how it was read, and the names of its sheets.
public struct InputFile: Sendable, Equatable {
    /// The file's name as the finance officer saved it; a file inside a zip is named with the
    /// zip's, `springfield.zip/ledger.csv`.
    public let file: String
    public let notes: ReadingNotes
    /// Each sheet's name in the file, and the name it is reviewed under.
    public let sheets: [Sheet]

    public struct Sheet: Sendable, Equatable, Codable {
        /// The sheet's name in its file.
        public let name: String
        /// The same as `name`, unless another file of the district has a sheet of that name.
        public let reviewedAs: String
    }
}

/// Every sheet of the files reviewed together: one file, or a district's several files (a ledger,
/// a budget and a list of schools exported as CSV) pooled as one.
public struct RawWorkbook: Sendable {
    /// The file's name; for several files, the district's name (their folder's, or the zip's).
    public let file: String
    public let sheets: [RawSheet]
    /// For one file, how it was read; for several, their remarks, each naming its file.
    public let notes: ReadingNotes
    /// The files the sheets were read from, in the order their sheets come.
    public let inputs: [InputFile]

    public init(file: String, sheets: [RawSheet], notes: ReadingNotes) {
        self.file = file
        self.sheets = sheets.map { sheet in
            var sheet = sheet
            sheet.input = 0
            return sheet
        }
        self.notes = notes
        inputs = [InputFile(file: file, notes: notes, sheets: sheets.map { InputFile.Sheet(name: $0.name, reviewedAs: $0.name) })]
    }

    init(file: String, sheets: [RawSheet], notes: ReadingNotes, inputs: [InputFile]) {
        self.file = file
        self.sheets = sheets
        self.notes = notes
        self.inputs = inputs
    }

    /// The file a sheet was read from, and how it was read.
    public func input(of sheet: RawSheet) -> InputFile { inputs[min(sheet.input, inputs.count - 1)] }

    /// The workbook without the sheets of some of its files (a reviewed workbook dropped back
    /// beside a district's exports), or nil when no file would be left.
    public func leavingOut(inputs leftOut: Set<Int>) -> RawWorkbook? {
        let kept = inputs.indices.filter { !leftOut.contains($0) }
        guard !kept.isEmpty else { return nil }
        let newIndex = Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1, $0) })
        let sheets = self.sheets.compactMap { sheet -> RawSheet? in
            guard let index = newIndex[sheet.input] else { return nil }
            var sheet = sheet
            sheet.input = index
            return sheet
        }
        return RawWorkbook(file: file, sheets: sheets, notes: notes, inputs: kept.map { inputs[$0] })
    }

    /// Whether the sheets come from files other than `file` (several files, a folder or a zip), so
    /// that a message about a sheet should say which file it is in.
    public var isDistrict: Bool { inputs.count != 1 || inputs[0].file != file }

    /// As `describe(_:)`, for a sheet known by its name in the review.
    public func describe(sheetNamed name: String) -> String {
        sheets.first { $0.name == name }.map(describe) ?? "\"\(name)\""
    }

    /// `"Sheet1"`, or `"Sheet1" of ledger.xlsx` when the workbook is a district's several files.
    public func describe(_ sheet: RawSheet) -> String {
        isDistrict ? "\"\(sheet.name)\" of \(input(of: sheet).file)" : "\"\(sheet.name)\""
    }
}

extension RawWorkbook {
    /// A workbook of text sheets, read as CSV files with these rows would be: the example tables
    /// of rule tests, which are typed later by the columns they bind to.
    public init(file: String, textSheets: [(name: String, rows: [[String]])]) {
        self.init(file: file, sheets: textSheets.map { RawSheet(name: $0.name, textRows: $0.rows) }, notes: ReadingNotes(format: .csv))
    }
}
