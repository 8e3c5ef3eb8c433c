/// An exact amount of money, held as a whole number of ten-thousandths of a dollar.
///
/// Ledgers carry cents, but unit prices and allocations sometimes carry four decimals; four places
/// keep both exact while leaving room for sums near a quadrillion dollars. Arithmetic that would
/// overflow throws instead of wrapping, so a total can never silently become wrong.
public struct Money: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let scale: Int64 = 10_000
    public static let fractionDigits = 4
    public static let zero = Money(scaled: 0)

    /// The amount in ten-thousandths of a dollar.
    public let scaled: Int64

    public init(scaled: Int64) { self.scaled = scaled }

    /// Whole dollars and cents, e.g. `Money(dollars: 12, cents: 50)` for $12.50.
    public init(dollars: Int64, cents: Int64 = 0) {
        self.scaled = dollars * Money.scale + cents * (Money.scale / 100)
    }

    /// The nearest amount to a spreadsheet's binary number, rounded half away from zero to four
    /// places; nil when it is not finite or too large to hold.
    public init?(rounding value: Double) {
        let scaledValue = (value * Double(Money.scale)).rounded(.toNearestOrAwayFromZero)
        guard scaledValue.isFinite, abs(scaledValue) < 9.2e18 else { return nil }
        self.scaled = Int64(scaledValue)
    }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.scaled < rhs.scaled }

    public func adding(_ other: Money) throws(MoneyOverflow) -> Money {
        let (sum, overflow) = scaled.addingReportingOverflow(other.scaled)
        if overflow { throw MoneyOverflow(operation: "adding \(other) to \(self)") }
        return Money(scaled: sum)
    }

    public func subtracting(_ other: Money) throws(MoneyOverflow) -> Money {
        let (difference, overflow) = scaled.subtractingReportingOverflow(other.scaled)
        if overflow { throw MoneyOverflow(operation: "subtracting \(other) from \(self)") }
        return Money(scaled: difference)
    }

    public var doubleValue: Double { Double(scaled) / Double(Money.scale) }

    /// Plain decimal text with at least two places, e.g. `-1234.5` shows as `-1234.50`.
    public var description: String { decimalText(grouped: false) }

    /// How a finance officer reads it: `$1,234.56` or `-$1,234.56`, to the cent (a per-pupil
    /// figure of $3,423.2681 shows as $3,423.27; halves round away from zero, as in Excel).
    public var formatted: String {
        let cent = UInt64(Money.scale / 100)
        let cents = (scaled.magnitude + cent / 2) / cent
        let rounded = Money(scaled: Int64(clamping: cents * cent))
        return (scaled < 0 && cents > 0 ? "-$" : "$") + rounded.decimalText(grouped: true, unsigned: true)
    }

    private func decimalText(grouped: Bool, unsigned: Bool = false) -> String {
        let magnitude = scaled.magnitude
        let whole = magnitude / UInt64(Money.scale)
        var fraction = magnitude % UInt64(Money.scale)
        var digits = Money.fractionDigits
        while digits > 2 && fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        var wholeText = String(whole)
        if grouped { wholeText = groupThousands(wholeText) }
        var fractionText = String(fraction)
        fractionText = String(repeating: "0", count: digits - fractionText.count) + fractionText
        let sign = (scaled < 0 && !unsigned) ? "-" : ""
        return "\(sign)\(wholeText).\(fractionText)"
    }
}

/// A sum or difference of amounts that is too large to hold exactly.
public struct MoneyOverflow: Error, Sendable, CustomStringConvertible {
    public let operation: String
    public var description: String {
        "The amount is too large to calculate exactly (\(operation)); amounts must stay below $922 trillion."
    }
}

extension Sequence where Element == Money {
    /// The exact total; throws rather than wrap when it is too large to hold.
    public func exactSum() throws(MoneyOverflow) -> Money {
        var total = Money.zero
        for amount in self { total = try total.adding(amount) }
        return total
    }
}

/// A count as finance staff write it: `1234567` as `1,234,567`.
public func formatCount(_ number: Int) -> String {
    (number < 0 ? "-" : "") + groupThousands(String(number.magnitude))
}

/// Digits `1234567` as `1,234,567`.
func groupThousands(_ digits: String) -> String {
    guard digits.count > 3 else { return digits }
    var result = ""
    result.reserveCapacity(digits.count + digits.count / 3)
    for (index, character) in digits.enumerated() {
        if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
        result.append(character)
    }
    return result
}
