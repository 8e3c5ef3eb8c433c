import Tabular

/// A formula's value for every row of a table (or every group of a grouped rule), held as one
/// array of the type's natural representation, so a formula is evaluated column by column rather
/// than row by row. Blanks have a sentinel in each representation.
enum Vector {
    /// Numbers and percentages (a percentage as its fraction); NaN is blank.
    case numbers([Double], percent: Bool)
    /// Amounts in ten-thousandths of a dollar; `Int64.min` is blank. `remainders` holds what a
    /// division left below a ten-thousandth in each row (see `Money.remainder`); nil when every
    /// amount is whole ten-thousandths, as every amount read from a sheet is.
    case money([Int64], remainders: [Double]?)
    /// Days since 1970-01-01; `Int32.min` is blank.
    case dates([Int32])
    /// Text and codes; nil is blank.
    case texts([String?], code: Bool)
    /// A text or code column as read: an id per row into its pool of distinct strings (0 blank).
    case pooled([UInt32], TextPool, code: Bool)
    /// Yes/no conditions: 0 no, 1 yes, 2 blank.
    case flags([UInt8])

    static let blankMoney = Int64.min
    static let blankDate = Int32.min
    static let blankFlag: UInt8 = 2

    var count: Int {
        switch self {
        case .numbers(let values, _): values.count
        case .money(let values, _): values.count
        case .dates(let values): values.count
        case .texts(let values, _): values.count
        case .pooled(let ids, _, _): ids.count
        case .flags(let values): values.count
        }
    }

    func isBlank(_ row: Int) -> Bool {
        switch self {
        case .numbers(let values, _): values[row].isNaN
        case .money(let values, _): values[row] == Vector.blankMoney
        case .dates(let values): values[row] == Vector.blankDate
        case .texts(let values, _): values[row] == nil || values[row] == ""
        case .pooled(let ids, _, _): ids[row] == TextPool.blankID
        case .flags(let values): values[row] == Vector.blankFlag
        }
    }

    /// The value in one row, for messages.
    func value(_ row: Int) -> Value {
        if isBlank(row) { return .blank }
        switch self {
        case .numbers(let values, let percent): return percent ? .percent(values[row]) : .number(values[row])
        case .money(let values, let remainders): return .money(Money(scaled: values[row], remainder: remainders?[row] ?? 0))
        case .dates(let values): return .date(CalendarDate(daysSince1970: values[row]))
        case .texts(let values, let code): return code ? .code(values[row]!) : .text(values[row]!)
        case .pooled(let ids, let pool, let code): return code ? .code(pool.string(ids[row])) : .text(pool.string(ids[row]))
        case .flags(let values): return .yesNo(values[row] == 1)
        }
    }

    /// The same value in every row.
    static func constant(_ value: Value, count: Int) -> Vector {
        switch value {
        case .blank: return .numbers([Double](repeating: .nan, count: count), percent: false)
        case .number(let number): return .numbers([Double](repeating: number, count: count), percent: false)
        case .percent(let fraction): return .numbers([Double](repeating: fraction, count: count), percent: true)
        case .money(let money):
            return .money([Int64](repeating: money.scaled, count: count), remainders: money.remainder == 0 ? nil : [Double](repeating: money.remainder, count: count))
        case .date(let date): return .dates([Int32](repeating: date.daysSince1970, count: count))
        case .text(let text): return .texts([String?](repeating: text, count: count), code: false)
        case .code(let text): return .texts([String?](repeating: text, count: count), code: true)
        case .yesNo(let flag): return .flags([UInt8](repeating: flag ? 1 : 0, count: count))
        }
    }

    /// A table column as a vector.
    init(_ column: Column) {
        switch column.storage {
        case .strings(let ids, let pool): self = .pooled(ids, pool, code: column.type == .code)
        case .doubles(let values, let blanks):
            var copy = values
            for row in copy.indices where blanks.isBlank(row) { copy[row] = .nan }
            self = .numbers(copy, percent: column.type == .percent)
        case .money(let values, let blanks):
            var copy = values
            for row in copy.indices where blanks.isBlank(row) { copy[row] = Vector.blankMoney }
            self = .money(copy, remainders: nil)
        case .dates(let values, let blanks):
            var copy = values
            for row in copy.indices where blanks.isBlank(row) { copy[row] = Vector.blankDate }
            self = .dates(copy)
        case .yesNo(let values, let blanks):
            self = .flags(values.indices.map { blanks.isBlank($0) ? Vector.blankFlag : (values[$0] ? 1 : 0) })
        }
    }

    /// Keeps the rows at these positions, in order.
    func gathering(_ rows: [Int]) -> Vector {
        switch self {
        case .numbers(let values, let percent): .numbers(rows.map { values[$0] }, percent: percent)
        case .money(let values, let remainders): .money(rows.map { values[$0] }, remainders: remainders.map { remainders in rows.map { remainders[$0] } })
        case .dates(let values): .dates(rows.map { values[$0] })
        case .texts(let values, let code): .texts(rows.map { values[$0] }, code: code)
        case .pooled(let ids, let pool, let code): .pooled(rows.map { ids[$0] }, pool, code: code)
        case .flags(let values): .flags(rows.map { values[$0] })
        }
    }

    /// Text per row (nil for blank), turning other values into the text a message would show.
    var strings: [String?] {
        switch self {
        case .texts(let values, _): return values
        case .pooled(let ids, let pool, _):
            var cache: [UInt32: String] = [:]
            return ids.map { id in
                if id == TextPool.blankID { return nil }
                if let known = cache[id] { return known }
                let text = pool.string(id)
                if pool.deduplicates { cache[id] = text }
                return text
            }
        default:
            return (0 ..< count).map { isBlank($0) ? nil : value($0).description }
        }
    }
}

extension Vector {
    /// Amounts from `Money` values (nil is blank), with remainders only where a division left some.
    static func amounts(_ values: [Money?]) -> Vector {
        var scaled = [Int64](repeating: Vector.blankMoney, count: values.count)
        var remainders: [Double]?
        for (row, value) in values.enumerated() {
            guard let value else { continue }
            scaled[row] = value.scaled
            if value.remainder != 0 {
                if remainders == nil { remainders = [Double](repeating: 0, count: values.count) }
                remainders![row] = value.remainder
            }
        }
        return .money(scaled, remainders: remainders)
    }

    /// A row's amount of a money vector, blank as 0 (as arithmetic and comparisons read it).
    static func amount(_ values: [Int64], _ remainders: [Double]?, _ row: Int) -> Money {
        values[row] == Vector.blankMoney ? .zero : Money(scaled: values[row], remainder: remainders?[row] ?? 0)
    }
}
