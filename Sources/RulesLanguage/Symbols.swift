/// What the checker knows about a table or a view: the names a formula can use in its rows.
public struct TableSymbol: Sendable, Equatable {
    public struct Column: Sendable, Equatable {
        public let name: String
        public let type: ValueType
        /// Header texts that identify it (for tables), used by `[Header]` references and tests.
        public let aliases: [String]
        /// Set for a segment of a code column: the column it is cut from.
        public let segmentOf: String?
    }

    public let name: String
    public let span: SourceSpan
    public let isView: Bool
    public private(set) var columns: [Column] = []
    /// Each column's position by its lower-case name: a formula names columns often.
    private var positions: [String: Int] = [:]
    public let keys: [String]

    /// A view already reported as broken (part of a cycle): any column of it is accepted
    /// without a type, so the one mistake is not reported again at every use.
    let acceptsAnyColumn: Bool

    init(name: String, span: SourceSpan, isView: Bool, keys: [String]) {
        self.name = name
        self.span = span
        self.isView = isView
        self.keys = keys
        acceptsAnyColumn = false
    }

    init(brokenView name: Name) {
        self.name = name.text
        span = name.span
        isView = true
        keys = []
        acceptsAnyColumn = true
    }

    mutating func add(_ column: Column) {
        positions[column.name.lowercased()] = positions[column.name.lowercased()] ?? columns.count
        columns.append(column)
    }

    public func column(_ name: String) -> Column? {
        if acceptsAnyColumn { return Column(name: name, type: .unknown, aliases: [], segmentOf: nil) }
        return positions[name.lowercased()].map { columns[$0] }
    }

    /// The column whose header text (or name) this is, ignoring case and spacing.
    public func column(header: String) -> Column? {
        let wanted = normalizedHeader(header)
        return columns.first { column in
            normalizedHeader(column.name) == wanted || column.aliases.contains { normalizedHeader($0) == wanted }
        }
    }

    /// The header texts a workbook may use for the columns (segments are cut from a column, not headers).
    var allHeaders: [String] { columns.filter { $0.segmentOf == nil }.flatMap { $0.aliases.isEmpty ? [$0.name] : $0.aliases } }

    var kindName: String { isView ? "view" : "table" }
    var kindTitle: String { isView ? "View" : "Table" }
}

/// Case, spaces and punctuation ignored: "Budget  Owner", "budget_owner" and "BUDGET-OWNER" match.
public func normalizedHeader(_ text: String) -> String {
    String(text.lowercased().filter { $0.isLetter || $0.isNumber })
}

/// A list of names for a hint, shortened when long.
func nameList(_ names: [String], limit: Int = 12) -> String {
    let shown = names.prefix(limit).joined(separator: ", ")
    return names.count > limit ? shown + ", … (\(names.count) in all)" : shown
}
