/// What kind of values a column holds. Every type also admits blank cells.
public enum ColumnType: String, CaseIterable, Sendable, Codable {
    /// Free text: names, descriptions.
    case text
    /// Text that identifies something and keeps its leading zeros: site `001`, account `199-11-6399-00-101`.
    case code
    /// A plain number (enrollment, FTE), held as a binary floating-point value.
    case number
    /// An exact dollar amount.
    case money
    /// A share, held as a fraction: 12.5% is 0.125.
    case percent
    /// A calendar day.
    case date
    /// Yes or no.
    case yesNo = "yes/no"
}

/// One value read from a typed column.
public enum Value: Hashable, Sendable, CustomStringConvertible {
    case blank
    case text(String)
    case code(String)
    case number(Double)
    case money(Money)
    case percent(Double)
    case date(CalendarDate)
    case yesNo(Bool)

    /// The value as a finance officer would expect to see it written.
    public var description: String {
        switch self {
        case .blank: ""
        case .text(let text), .code(let text): text
        case .number(let number): formatNumber(abs(number) < 1e15 ? (number * 10_000).rounded() / 10_000 : number)
        case .money(let money): money.formatted
        case .percent(let fraction): formatPercent(fraction)
        case .date(let date): date.description
        case .yesNo(let flag): flag ? "Yes" : "No"
        }
    }
}

/// A fraction as a percentage to at most two decimals, `0.125` as `12.5%`, `0.81111` as `81.11%`,
/// without binary noise (0.57 shows as 57%, not 56.99999999999999%).
public func formatPercent(_ fraction: Double) -> String {
    formatNumber((fraction * 10_000).rounded() / 100) + "%"
}

/// Whole numbers without a trailing `.0`; others with up to 15 significant digits.
public func formatNumber(_ number: Double) -> String {
    if number.isFinite, number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
    var text = String(number)
    if text.hasSuffix(".0") { text.removeLast(2) }
    return text
}
