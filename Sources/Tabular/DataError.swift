/// A cell whose contents do not fit its column's type. It is reported, never silently blanked.
public struct DataError: Hashable, Sendable, Codable, CustomStringConvertible {
    public let origin: CellOrigin
    /// The column's header, as the sheet shows it.
    public let columnName: String
    /// The cell's contents exactly as read.
    public let rawText: String
    /// What is wrong, in a sentence.
    public let reason: String

    public init(origin: CellOrigin, columnName: String, rawText: String, reason: String) {
        self.origin = origin
        self.columnName = columnName
        self.rawText = rawText
        self.reason = reason
    }

    /// e.g. "Transactions, row 1,204, column Amount (M1204): `12,5O0.00` is not an amount."
    public var description: String {
        let row = formatCount(origin.row)
        return "\(origin.sheet), row \(row), column \(columnName) (\(origin.cellAddress)): \"\(rawText)\" \(reason)"
    }
}

/// Every data error up to a cap, and a count of the rest, so a badly broken file cannot
/// flood memory or the report while the reviewer still learns how many there were.
public struct DataErrorLog: Sendable {
    public static let defaultCap = 1_000

    public let cap: Int
    public private(set) var errors: [DataError] = []
    public private(set) var totalCount = 0

    public init(cap: Int = DataErrorLog.defaultCap) { self.cap = cap }

    public var omittedCount: Int { totalCount - errors.count }

    public mutating func record(_ error: DataError) {
        totalCount += 1
        if errors.count < cap { errors.append(error) }
    }

    /// Several logs as one, keeping the errors a reader meets first, by sheet, row and column.
    /// Each log keeps its own first `cap` errors, so the first `cap` of the union are all there.
    public static func combining(_ logs: [DataErrorLog], cap: Int = DataErrorLog.defaultCap) -> DataErrorLog {
        var combined = DataErrorLog(cap: cap)
        let ordered = logs.flatMap(\.errors).sorted {
            ($0.origin.sheet, $0.origin.row, $0.origin.column) < ($1.origin.sheet, $1.origin.row, $1.origin.column)
        }
        combined.errors = Array(ordered.prefix(cap))
        combined.totalCount = logs.reduce(0) { $0 + $1.totalCount }
        return combined
    }
}
