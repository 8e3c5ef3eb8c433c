/// Which rows of a column are blank, one bit per row.
public struct BlankMask: Sendable {
    private var words: [UInt64] = []
    public private(set) var count = 0

    public init() {}

    public mutating func append(isBlank: Bool) {
        if count & 63 == 0 { words.append(0) }
        if isBlank { words[count >> 6] |= 1 << UInt64(count & 63) }
        count += 1
    }

    public func isBlank(_ row: Int) -> Bool { words[row >> 6] & (1 << UInt64(row & 63)) != 0 }

    public mutating func reserveCapacity(_ rows: Int) { words.reserveCapacity((rows + 63) / 64) }
}

/// The values of one column in the representation that suits its type.
public enum ColumnStorage: Sendable {
    /// Text and code columns: an id per row into the column's pool of distinct strings.
    case strings(ids: [UInt32], pool: TextPool)
    /// Number and percent columns.
    case doubles([Double], blanks: BlankMask)
    /// Money columns, in ten-thousandths of a dollar.
    case money([Int64], blanks: BlankMask)
    /// Date columns, in days since 1970-01-01.
    case dates([Int32], blanks: BlankMask)
    case yesNo([Bool], blanks: BlankMask)
}

/// A named, typed column of a table.
public struct Column: Sendable {
    /// The header as the sheet shows it (spaces and line breaks tidied).
    public let name: String
    public let type: ColumnType
    /// The column's position in the sheet, 0 for column A.
    public let sourceColumn: Int
    public let storage: ColumnStorage

    public init(name: String, type: ColumnType, sourceColumn: Int, storage: ColumnStorage) {
        self.name = name
        self.type = type
        self.sourceColumn = sourceColumn
        self.storage = storage
    }

    /// A column of values worked out rather than read: each of `type`, or blank (a value of
    /// another kind is kept blank).
    public init(name: String, type: ColumnType, sourceColumn: Int, values: [Value]) {
        var blanks = BlankMask()
        blanks.reserveCapacity(values.count)
        func kept<Stored>(_ stored: (Value) -> Stored?, otherwise: Stored) -> [Stored] {
            values.map { value in
                let kept = stored(value)
                blanks.append(isBlank: kept == nil)
                return kept ?? otherwise
            }
        }
        switch type {
        case .text, .code:
            var pool = TextPool()
            let ids = values.map { value -> UInt32 in
                switch value {
                case .blank: TextPool.blankID
                case .text(let text), .code(let text): pool.intern(text)
                default: pool.intern(value.description)
                }
            }
            storage = .strings(ids: ids, pool: pool)
        case .number, .percent:
            storage = .doubles(kept({ value -> Double? in
                switch value {
                case .number(let number), .percent(let number): number
                case .money(let money): money.doubleValue
                default: nil
                }
            }, otherwise: 0), blanks: blanks)
        case .money:
            storage = .money(kept({ if case .money(let money) = $0 { money.scaled } else { nil } }, otherwise: 0), blanks: blanks)
        case .date:
            storage = .dates(kept({ if case .date(let date) = $0 { date.daysSince1970 } else { nil } }, otherwise: 0), blanks: blanks)
        case .yesNo:
            storage = .yesNo(kept({ if case .yesNo(let flag) = $0 { flag } else { nil } }, otherwise: false), blanks: blanks)
        }
        self.name = name
        self.type = type
        self.sourceColumn = sourceColumn
    }

    public var count: Int {
        switch storage {
        case .strings(let ids, _): ids.count
        case .doubles(let values, _): values.count
        case .money(let values, _): values.count
        case .dates(let values, _): values.count
        case .yesNo(let values, _): values.count
        }
    }

    public subscript(row: Int) -> Value {
        switch storage {
        case .strings(let ids, let pool):
            let id = ids[row]
            if id == TextPool.blankID { return .blank }
            return type == .code ? .code(pool.string(id)) : .text(pool.string(id))
        case .doubles(let values, let blanks):
            if blanks.isBlank(row) { return .blank }
            return type == .percent ? .percent(values[row]) : .number(values[row])
        case .money(let values, let blanks):
            return blanks.isBlank(row) ? .blank : .money(Money(scaled: values[row]))
        case .dates(let values, let blanks):
            return blanks.isBlank(row) ? .blank : .date(CalendarDate(daysSince1970: values[row]))
        case .yesNo(let values, let blanks):
            return blanks.isBlank(row) ? .blank : .yesNo(values[row])
        }
    }

    public var blankCount: Int {
        switch storage {
        case .strings(let ids, _): return ids.reduce(0) { $0 + ($1 == TextPool.blankID ? 1 : 0) }
        case .doubles(let values, let blanks): return countBlanks(values.count, blanks)
        case .money(let values, let blanks): return countBlanks(values.count, blanks)
        case .dates(let values, let blanks): return countBlanks(values.count, blanks)
        case .yesNo(let values, let blanks): return countBlanks(values.count, blanks)
        }
    }

    private func countBlanks(_ rows: Int, _ blanks: BlankMask) -> Int {
        (0 ..< rows).reduce(0) { $0 + (blanks.isBlank($1) ? 1 : 0) }
    }
}
