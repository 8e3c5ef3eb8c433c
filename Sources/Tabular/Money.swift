/// An exact amount of money, held as a whole number of ten-thousandths of a dollar.
///
/// Ledgers carry cents, but unit prices and allocations sometimes carry four decimals; four places
/// keep both exact while leaving room for sums near a quadrillion dollars. Arithmetic that would
/// overflow throws instead of wrapping, so a total can never silently become wrong.
///
/// An amount divided by a count (a per-pupil figure) is rarely a whole number of ten-thousandths:
/// what is left below one is kept in `remainder`, so the figure is exact to a double's precision
/// (and a spread of such figures to its last digits) while its display rounds to the cent.
public struct Money: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let scale: Int64 = 10_000
    public static let fractionDigits = 4
    public static let zero = Money(scaled: 0)

    /// The amount in ten-thousandths of a dollar, rounded half away from zero.
    public let scaled: Int64
    /// What a division left below a ten-thousandth, in ten-thousandths (at most a half either
    /// way); 0 for every amount read from a sheet.
    public let remainder: Double

    public init(scaled: Int64, remainder: Double = 0) {
        self.scaled = scaled
        self.remainder = remainder
    }

    /// `scaled` ten-thousandths divided by `divisor`, exactly where the divisor is a whole number
    /// (a count of pupils), else to a double's precision; nil when the divisor is 0 or the result
    /// too large to hold.
    public static func quotient(_ scaled: Int64, remainder: Double = 0, dividedBy divisor: Double) -> Money? {
        guard divisor != 0, divisor.isFinite else { return nil }
        if remainder == 0, divisor == divisor.rounded(), abs(divisor) < 9e15 {
            let count = Int64(divisor)
            // Rounded half away from zero, in whole numbers: no binary fraction in between.
            let (whole, left) = scaled.quotientAndRemainder(dividingBy: count)
            let twiceLeft = left.magnitude * 2
            let away = twiceLeft >= count.magnitude ? ((scaled < 0) != (count < 0) ? -1 : 1) : 0
            let rounded = whole + Int64(away)
            return Money(scaled: rounded, remainder: Double(left - Int64(away) * count) / Double(count))
        }
        return Money(tenThousandths: (Double(scaled) + remainder) / divisor)
    }

    /// `value` ten-thousandths, a binary number: the nearest whole ten-thousandths and what is left.
    public init?(tenThousandths value: Double) {
        let rounded = value.rounded(.toNearestOrAwayFromZero)
        guard rounded.isFinite, abs(rounded) < 9.2e18 else { return nil }
        self.init(scaled: Int64(rounded), remainder: value - rounded)
    }

    /// Whole dollars and cents, e.g. `Money(dollars: 12, cents: 50)` for $12.50.
    public init(dollars: Int64, cents: Int64 = 0) {
        self.scaled = dollars * Money.scale + cents * (Money.scale / 100)
        remainder = 0
    }

    /// The nearest amount to a spreadsheet's binary number, rounded half away from zero to four
    /// places; nil when it is not finite or too large to hold.
    public init?(rounding value: Double) {
        let scaledValue = (value * Double(Money.scale)).rounded(.toNearestOrAwayFromZero)
        guard scaledValue.isFinite, abs(scaledValue) < 9.2e18 else { return nil }
        self.scaled = Int64(scaledValue)
        remainder = 0
    }

    /// `scaled` is the amount rounded, so it orders amounts first and the remainder breaks ties.
    public static func < (lhs: Money, rhs: Money) -> Bool { (lhs.scaled, lhs.remainder) < (rhs.scaled, rhs.remainder) }

    public func adding(_ other: Money) throws(MoneyOverflow) -> Money {
        let (sum, overflow) = scaled.addingReportingOverflow(other.scaled)
        guard !overflow, let total = Money.normalized(sum, remainder + other.remainder) else { throw MoneyOverflow(operation: "adding \(other) to \(self)") }
        return total
    }

    public func subtracting(_ other: Money) throws(MoneyOverflow) -> Money {
        let (difference, overflow) = scaled.subtractingReportingOverflow(other.scaled)
        guard !overflow, let total = Money.normalized(difference, remainder - other.remainder) else {
            throw MoneyOverflow(operation: "subtracting \(other) from \(self)")
        }
        return total
    }

    /// Whole ten-thousandths and a remainder that may have grown past a half (remainders added),
    /// carried into the whole part; nil if that overflows. What is left of thirds added back to a
    /// whole is binary noise (1e-17), not a remainder any count of pupils leaves: it is taken as 0.
    public static func normalized(_ scaled: Int64, _ remainder: Double) -> Money? {
        guard abs(remainder) > 1e-9 else { return Money(scaled: scaled) }
        guard abs(remainder) > 0.5 else { return Money(scaled: scaled, remainder: remainder) }
        let carried = remainder.rounded(.toNearestOrAwayFromZero)
        let (whole, overflow) = scaled.addingReportingOverflow(Int64(carried))
        return overflow ? nil : Money(scaled: whole, remainder: remainder - carried)
    }

    public var doubleValue: Double { (Double(scaled) + remainder) / Double(Money.scale) }

    /// Plain decimal text with at least two places, e.g. `-1234.5` shows as `-1234.50`.
    public var description: String { decimalText(grouped: false) }

    /// How a finance officer reads it: `$1,234.56` or `-$1,234.56`, to the cent (a per-pupil
    /// figure of $3,423.2681 shows as $3,423.27; halves round away from zero, as in Excel).
    public var formatted: String {
        let cent = UInt64(Money.scale / 100)
        // A half cent exactly in `scaled` may be a little under or over it with the remainder.
        let halfCentBelow = scaled.magnitude % cent == cent / 2 && (scaled < 0 ? remainder > 0 : remainder < 0)
        let cents = (scaled.magnitude + cent / 2 - (halfCentBelow ? 1 : 0)) / cent
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
