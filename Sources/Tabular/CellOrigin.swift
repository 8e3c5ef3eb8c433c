/// Where a value came from, so a finding or a data error can point a reviewer at the very cell.
public struct CellOrigin: Hashable, Sendable, CustomStringConvertible {
    /// The file's name as the finance officer saved it.
    public let file: String
    /// The sheet's name; for a CSV file, the file's name without its extension.
    public let sheet: String
    /// The row number the spreadsheet shows (1 is the first row).
    public let row: Int
    /// The column's position, 0 for column A.
    public let column: Int

    public init(file: String, sheet: String, row: Int, column: Int) {
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column
    }

    /// The address a spreadsheet shows, e.g. `M1204`.
    public var cellAddress: String { columnLetters(column) + String(row) }

    /// e.g. `Transactions!M1204`, quoted when the sheet name has spaces: `'GL Detail'!M1204`.
    public var qualifiedAddress: String {
        let needsQuotes = sheet.contains { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") }
        let quotedSheet = needsQuotes ? "'" + sheet.replacing("'", with: "''") + "'" : sheet
        return quotedSheet + "!" + cellAddress
    }

    /// Reads back a `qualifiedAddress` such as `'GL Detail'!G9` or `Transactions!M1204`; nil when it is not one.
    public init?(file: String, qualifiedAddress address: String) {
        guard let bang = address.lastIndex(of: "!") else { return nil }
        var sheet = String(address[..<bang])
        if sheet.hasPrefix("'") && sheet.hasSuffix("'") && sheet.count >= 2 {
            sheet = String(sheet.dropFirst().dropLast()).replacing("''", with: "'")
        }
        let cell = address[address.index(after: bang)...]
        let letters = cell.prefix { $0.isLetter }
        guard let column = columnIndex(String(letters)), let row = Int(cell.dropFirst(letters.count)), row > 0 else { return nil }
        self.init(file: file, sheet: sheet, row: row, column: column)
    }

    public var description: String { "\(file), sheet \(sheet), cell \(cellAddress)" }
}

/// In JSON a cell is written as people read it: `{"file", "sheet", "row": 1204, "column": "M", "cell": "M1204"}`.
extension CellOrigin: Codable {
    private enum CodingKeys: String, CodingKey { case file, sheet, row, column, cell }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let letters = try container.decode(String.self, forKey: .column)
        guard let column = columnIndex(letters) else {
            throw DecodingError.dataCorruptedError(forKey: .column, in: container, debugDescription: "`\(letters)` is not a column like A or AB.")
        }
        self.init(file: try container.decode(String.self, forKey: .file), sheet: try container.decode(String.self, forKey: .sheet),
                  row: try container.decode(Int.self, forKey: .row), column: column)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(file, forKey: .file)
        try container.encode(sheet, forKey: .sheet)
        try container.encode(row, forKey: .row)
        try container.encode(columnLetters(column), forKey: .column)
        try container.encode(cellAddress, forKey: .cell)
    }
}

/// The 0-based index of column letters: `A` → 0, `AA` → 26; nil for anything else.
public func columnIndex(_ letters: String) -> Int? {
    guard !letters.isEmpty, letters.count <= 3 else { return nil }
    var index = 0
    for scalar in letters.uppercased().unicodeScalars {
        guard scalar.value >= 65, scalar.value <= 90 else { return nil }
        index = index * 26 + Int(scalar.value - 64)
    }
    return index - 1
}

/// Column letters for a 0-based index: 0 → `A`, 25 → `Z`, 26 → `AA`.
public func columnLetters(_ index: Int) -> String {
    var letters: [Character] = []
    var remaining = index + 1
    while remaining > 0 {
        let digit = (remaining - 1) % 26
        letters.append(Character(Unicode.Scalar(UInt8(65 + digit))))
        remaining = (remaining - 1) / 26
    }
    return String(letters.reversed())
}
