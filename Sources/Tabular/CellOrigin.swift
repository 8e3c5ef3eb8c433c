/// Where a value came from, so a finding or a data error can point a reviewer at the very cell.
public struct CellOrigin: Hashable, Sendable, Codable, CustomStringConvertible {
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

    public var description: String { "\(file), sheet \(sheet), cell \(cellAddress)" }
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
