/// A sheet's data as named, typed columns, with the way back to every cell it came from.
public struct Table: Sendable {
    /// The file's name as the finance officer saved it.
    public let file: String
    /// The sheet's name; for a CSV file, the file's name without its extension.
    public let sheet: String
    public let columns: [Column]
    /// The sheet row number (1-based) of each table row: rows skipped as titles, blanks or totals
    /// leave gaps, and findings must still point at the right cell.
    public let sourceRows: [Int32]

    public init(file: String, sheet: String, columns: [Column], sourceRows: [Int32]) {
        precondition(columns.allSatisfy { $0.count == sourceRows.count }, "every column needs a value per row")
        self.file = file
        self.sheet = sheet
        self.columns = columns
        self.sourceRows = sourceRows
    }

    public var rowCount: Int { sourceRows.count }

    public func column(named name: String) -> Column? { columns.first { $0.name == name } }

    /// The cell a value at (row, column) was read from.
    public func origin(row: Int, column: Int) -> CellOrigin {
        CellOrigin(file: file, sheet: sheet, row: Int(sourceRows[row]), column: columns[column].sourceColumn)
    }
}
