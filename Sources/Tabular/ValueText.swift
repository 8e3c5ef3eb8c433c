/// Reading typed values from the text a cell shows, the way finance exports write them.
///
/// Every function takes the cell's UTF-8 bytes and returns nil when the text is not that kind of
/// value; callers turn nil into a data error that quotes the text. They allocate nothing.
public enum ValueText {
    /// A number as written in a ledger: `1,234.56`, `$1,234.56`, `(1,234.56)`, `-$1,234.56`,
    /// `1,234.56-`, `1,234.56 CR`, `12.5%`, `1.5E+3`, with spaces or non-breaking spaces around parts.
    public struct Numeric: Equatable, Sendable {
        public var isNegative = false
        /// The digits without the decimal point, e.g. 123456 for `1,234.56`.
        public var digits: UInt64 = 0
        /// How many of the digits come after the decimal point.
        public var fractionDigits = 0
        public var exponent = 0
        /// More significant digits than 19, or an exponent: exact decimal arithmetic is not possible.
        public var isInexact = false
        public var hasCurrencySymbol = false
        public var hasPercentSign = false
        /// Parentheses, a trailing minus or CR: the ways accounting exports mark negatives.
        public var hasAccountingSign = false
        public var hasThousandsSeparators = false
        /// Digits before the decimal point begin with 0 (`007`), as codes do.
        public var hasLeadingZero = false

        public var doubleValue: Double {
            var value = Double(digits)
            let power = exponent - fractionDigits
            if power != 0 { value = scaleByPowerOfTen(value, power) }
            return isNegative ? -value : value
        }
    }

    /// With `decimalComma` the text is European-style: `1.234,56` (a semicolon CSV from a
    /// European locale). Groups of thousands may also be set apart by non-breaking or thin spaces.
    public static func numeric(_ text: UnsafeBufferPointer<UInt8>, decimalComma: Bool = false) -> Numeric? {
        var scanner = ByteScanner(text)
        var result = Numeric()
        var openParenthesis = false
        scanner.skipSpaces()
        // Leading sign, parenthesis and currency symbol, in any order.
        var sawSign = false
        while let byte = scanner.peek() {
            if (byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")) && !sawSign {
                result.isNegative = byte == UInt8(ascii: "-")
                sawSign = true
            } else if byte == UInt8(ascii: "(") && !openParenthesis {
                openParenthesis = true
            } else if !result.hasCurrencySymbol && scanner.skipCurrencySymbol() {
                result.hasCurrencySymbol = true
                scanner.skipSpaces()
                continue
            } else {
                break
            }
            scanner.advance()
            scanner.skipSpaces()
        }
        guard scanDigits(&scanner, into: &result, decimalComma: decimalComma) else { return nil }
        // Exponent: `1.5E+3`.
        if let byte = scanner.peek(), byte | 0x20 == UInt8(ascii: "e") {
            scanner.advance()
            var exponentNegative = false
            if let sign = scanner.peek(), sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
                exponentNegative = sign == UInt8(ascii: "-")
                scanner.advance()
            }
            var exponent = 0
            var sawDigit = false
            while let digit = scanner.peekDigit() {
                sawDigit = true
                exponent = min(exponent * 10 + digit, 10_000)
                scanner.advance()
            }
            guard sawDigit else { return nil }
            result.exponent = exponentNegative ? -exponent : exponent
            result.isInexact = true
        }
        scanner.skipSpaces()
        // Trailing marks.
        while let byte = scanner.peek() {
            if byte == UInt8(ascii: ")") && openParenthesis {
                openParenthesis = false
                result.isNegative = true
                result.hasAccountingSign = true
                scanner.advance()
            } else if byte == UInt8(ascii: "-") && !sawSign {
                sawSign = true
                result.isNegative = true
                result.hasAccountingSign = true
                scanner.advance()
            } else if byte == UInt8(ascii: "%") && !result.hasPercentSign {
                result.hasPercentSign = true
                scanner.advance()
            } else if scanner.skipWord("CR") {
                result.isNegative = true
                result.hasAccountingSign = true
            } else if scanner.skipWord("DR") {
                result.hasAccountingSign = true
            } else if !result.hasCurrencySymbol && scanner.skipCurrencySymbol() {
                result.hasCurrencySymbol = true
            } else {
                break
            }
            scanner.skipSpaces()
        }
        guard scanner.isAtEnd, !openParenthesis else { return nil }
        if result.digits == 0 { result.isNegative = false }
        return result
    }

    /// Digits with optional thousands separators and a decimal point; false when there are none.
    private static func scanDigits(_ scanner: inout ByteScanner, into result: inout Numeric, decimalComma: Bool) -> Bool {
        let groupSeparator = UInt8(ascii: decimalComma ? "." : ","), decimalPoint = UInt8(ascii: decimalComma ? "," : ".")
        var sawDigit = false
        var significant = 0
        var sawPoint = false
        var digitsSinceSeparator = -1  // -1: no separator yet
        var integerDigits = 0
        while let byte = scanner.peek() {
            if let digit = scanner.peekDigit() {
                if !sawPoint {
                    if integerDigits == 0 && digit == 0 { result.hasLeadingZero = true }
                    integerDigits += 1
                    if digitsSinceSeparator >= 0 { digitsSinceSeparator += 1 }
                }
                if significant < 19 {
                    if significant > 0 || digit != 0 { significant += 1 }
                    result.digits = result.digits * 10 + UInt64(digit)
                    if sawPoint { result.fractionDigits += 1 }
                } else {
                    result.isInexact = true
                    if !sawPoint { result.exponent += 1 }
                }
                sawDigit = true
            } else if !sawPoint && integerDigits > 0 && (byte == groupSeparator || scanner.isGroupSpace) {
                // A thousands separator must sit between groups of three digits.
                if digitsSinceSeparator >= 0 && digitsSinceSeparator != 3 { return false }
                if digitsSinceSeparator < 0 && integerDigits > 3 { return false }
                // A space is a separator only with a digit right after it, not before a trailing `CR`.
                if byte != groupSeparator {
                    var next = scanner
                    next.skipGroupSpace()
                    guard next.peekDigit() != nil else { break }
                    scanner = next
                    digitsSinceSeparator = 0
                    result.hasThousandsSeparators = true
                    continue
                }
                digitsSinceSeparator = 0
                result.hasThousandsSeparators = true
            } else if byte == decimalPoint && !sawPoint {
                if digitsSinceSeparator >= 0 && digitsSinceSeparator != 3 { return false }
                sawPoint = true
            } else {
                break
            }
            scanner.advance()
        }
        if !sawPoint && digitsSinceSeparator >= 0 && digitsSinceSeparator != 3 { return false }
        if result.hasLeadingZero && integerDigits == 1 { result.hasLeadingZero = false }  // `0.5` is not a code
        return sawDigit
    }

    /// An amount of money; nil when the text is not a number, is a percentage, or has more than
    /// four decimals or more digits than can be held exactly.
    public static func money(_ text: UnsafeBufferPointer<UInt8>, decimalComma: Bool = false) -> Money? {
        guard let numeric = numeric(text, decimalComma: decimalComma), !numeric.hasPercentSign, !numeric.isInexact,
              numeric.fractionDigits <= Money.fractionDigits else { return nil }
        var scaled = numeric.digits
        for _ in numeric.fractionDigits ..< Money.fractionDigits {
            let (product, overflow) = scaled.multipliedReportingOverflow(by: 10)
            if overflow { return nil }
            scaled = product
        }
        guard scaled <= UInt64(Int64.max) else { return nil }
        return Money(scaled: numeric.isNegative ? -Int64(scaled) : Int64(scaled))
    }

    /// A plain number, with or without thousands separators and accounting signs.
    public static func number(_ text: UnsafeBufferPointer<UInt8>, decimalComma: Bool = false) -> Double? {
        guard let numeric = numeric(text, decimalComma: decimalComma), !numeric.hasPercentSign else { return nil }
        return numeric.doubleValue
    }

    /// A percentage as a fraction: `12.5%` is 0.125. Without a percent sign the text is read as
    /// the fraction itself (`0.125`), the way Excel stores a cell formatted as a percentage.
    public static func percent(_ text: UnsafeBufferPointer<UInt8>, decimalComma: Bool = false) -> Double? {
        guard let numeric = numeric(text, decimalComma: decimalComma), !numeric.hasCurrencySymbol else { return nil }
        return numeric.hasPercentSign ? numeric.doubleValue / 100 : numeric.doubleValue
    }

    /// Yes/no words: yes, no, y, n, true, false (any case).
    public static func yesNo(_ text: UnsafeBufferPointer<UInt8>) -> Bool? {
        var scanner = ByteScanner(text)
        scanner.skipSpaces()
        func isWhole(_ matched: Bool, _ attempt: inout ByteScanner) -> Bool {
            attempt.skipSpaces()
            return matched && attempt.isAtEnd
        }
        var attempt = scanner
        if isWhole(attempt.skipWord("YES"), &attempt) { return true }
        attempt = scanner
        if isWhole(attempt.skipWord("TRUE"), &attempt) { return true }
        attempt = scanner
        if isWhole(attempt.skipWord("Y"), &attempt) { return true }
        attempt = scanner
        if isWhole(attempt.skipWord("NO"), &attempt) { return false }
        attempt = scanner
        if isWhole(attempt.skipWord("FALSE"), &attempt) { return false }
        attempt = scanner
        if isWhole(attempt.skipWord("N"), &attempt) { return false }
        return nil
    }

    /// A calendar date: ISO `2025-04-28` (a time after it is ignored), `2025/04/28`, US `04/28/2025`
    /// or `4/28/25`, `28-APR-25` or `28-Apr-2025`, and `April 28, 2025` or `Apr 28 2025`. With
    /// `compactDigits` (a column known to hold dates) also `20250428`, as some ERPs write them.
    public static func date(_ text: UnsafeBufferPointer<UInt8>, compactDigits: Bool = false) -> CalendarDate? {
        var scanner = ByteScanner(text)
        scanner.skipSpaces()
        if let month = scanner.scanMonthName() {
            // April 28, 2025
            scanner.skip(UInt8(ascii: "."))
            scanner.skipSpaces()
            guard let (day, _) = scanner.scanNumber() else { return nil }
            scanner.skip(UInt8(ascii: ","))
            scanner.skipSpaces()
            guard let (year, yearWidth) = scanner.scanNumber(), yearWidth == 4 else { return nil }
            scanner.skipSpaces()
            return scanner.isAtEnd ? CalendarDate(year: year, month: month, day: day) : nil
        }
        guard let (first, firstWidth) = scanner.scanNumber() else { return nil }
        if firstWidth == 8 && compactDigits {
            scanner.skipSpaces()
            return scanner.isAtEnd ? compactDate(first) : nil
        }
        guard let separator = scanner.peek(),
              separator == UInt8(ascii: "-") || separator == UInt8(ascii: "/") || separator == UInt8(ascii: ".") else { return nil }
        scanner.advance()
        let date: CalendarDate?
        if firstWidth == 4 {
            // Year first: 2025-04-28 or 2025/04/28.
            guard let (month, _) = scanner.scanNumber(), scanner.skip(separator),
                  let (day, _) = scanner.scanNumber() else { return nil }
            date = CalendarDate(year: first, month: month, day: day)
            if let next = scanner.peek(), next == UInt8(ascii: "T") || next == UInt8(ascii: " ") {
                guard scanner.skipTimeOfDay() else { return nil }
            }
        } else if let month = scanner.scanMonthName() {
            // 28-APR-25
            guard scanner.skip(separator), let (year, yearWidth) = scanner.scanNumber() else { return nil }
            date = CalendarDate(year: expandYear(year, width: yearWidth), month: month, day: first)
        } else if separator == UInt8(ascii: ".") {
            // Day first with dots, as European exports write it: 28.04.2025 (US dates never use dots).
            guard let (month, _) = scanner.scanNumber(), scanner.skip(separator),
                  let (year, yearWidth) = scanner.scanNumber(), yearWidth == 2 || yearWidth == 4 else { return nil }
            date = CalendarDate(year: expandYear(year, width: yearWidth), month: month, day: first)
        } else {
            // Month first, as US exports write it: 04/28/2025, 4/28/25.
            guard separator == UInt8(ascii: "/") || separator == UInt8(ascii: "-"),
                  let (day, _) = scanner.scanNumber(), scanner.skip(separator),
                  let (year, yearWidth) = scanner.scanNumber(), yearWidth == 2 || yearWidth == 4 else { return nil }
            date = CalendarDate(year: expandYear(year, width: yearWidth), month: first, day: day)
            if scanner.peek() == UInt8(ascii: " ") { guard scanner.skipTimeOfDay() else { return nil } }
        }
        scanner.skipSpaces()
        return scanner.isAtEnd ? date : nil
    }

    /// `20250428` as a date: a year from 1900 to 2199 and a month and day that exist.
    public static func compactDate(_ digits: Int) -> CalendarDate? {
        let year = digits / 10_000
        guard (1900 ... 2199).contains(year) else { return nil }
        return CalendarDate(year: year, month: digits / 100 % 100, day: digits % 100)
    }

    /// Two-digit years as Excel reads them: 00–29 are 2000–2029, 30–99 are 1930–1999.
    private static func expandYear(_ year: Int, width: Int) -> Int {
        guard width <= 2 else { return year }
        return year < 30 ? 2000 + year : 1900 + year
    }

    public static func withUTF8<Result>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        var text = text
        return text.withUTF8(body)
    }
}

/// A cursor over a cell's bytes.
struct ByteScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var isAtEnd: Bool { position >= bytes.count }

    @inline(__always) func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    @inline(__always) func peekDigit() -> Int? {
        guard position < bytes.count else { return nil }
        let digit = Int(bytes[position]) &- 48
        return (0...9).contains(digit) ? digit : nil
    }

    @inline(__always) mutating func advance(_ count: Int = 1) { position += count }

    @discardableResult mutating func skip(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        position += 1
        return true
    }

    /// Spaces, tabs and non-breaking spaces (U+00A0, as C2 A0 in UTF-8).
    mutating func skipSpaces() {
        while position < bytes.count {
            let byte = bytes[position]
            if byte == 0x20 || byte == 0x09 {
                position += 1
            } else if byte == 0xC2 && position + 1 < bytes.count && bytes[position + 1] == 0xA0 {
                position += 2
            } else {
                return
            }
        }
    }

    /// A space that sets apart groups of thousands: non-breaking (U+00A0), narrow non-breaking
    /// (U+202F, as French exports write) or thin (U+2009).
    var isGroupSpace: Bool {
        let remaining = bytes.count - position
        guard remaining >= 2 else { return false }
        if bytes[position] == 0xC2 && bytes[position + 1] == 0xA0 { return true }
        return remaining >= 3 && bytes[position] == 0xE2 && bytes[position + 1] == 0x80 && (bytes[position + 2] == 0xAF || bytes[position + 2] == 0x89)
    }

    mutating func skipGroupSpace() {
        if isGroupSpace { position += bytes[position] == 0xC2 ? 2 : 3 }
    }

    /// `$`, `€` or `£`.
    mutating func skipCurrencySymbol() -> Bool {
        guard let byte = peek() else { return false }
        if byte == UInt8(ascii: "$") { position += 1; return true }
        let remaining = bytes.count - position
        if byte == 0xE2, remaining >= 3, bytes[position + 1] == 0x82, bytes[position + 2] == 0xAC { position += 3; return true }
        if byte == 0xC2, remaining >= 2, bytes[position + 1] == 0xA3 { position += 2; return true }
        return false
    }

    /// An upper-case ASCII word matched in any case.
    mutating func skipWord(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard bytes.count - position >= count else { return false }
        for index in 0 ..< count where bytes[position + index] & 0xDF != word.utf8Start[index] { return false }
        position += count
        return true
    }

    /// Decimal digits as a number and how many digits there were (at most 9).
    mutating func scanNumber() -> (Int, Int)? {
        var value = 0
        var width = 0
        while width < 9, let digit = peekDigit() {
            value = value * 10 + digit
            width += 1
            position += 1
        }
        return width == 0 ? nil : (value, width)
    }

    private static let monthNames: [[UInt8]] = ["JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY",
                                                 "AUGUST", "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER"].map { Array($0.utf8) }

    /// A three-letter English month abbreviation, any case, or the full name.
    mutating func scanMonthName() -> Int? {
        guard let first = peek(), isLetter(first) else { return nil }
        for (index, name) in ByteScanner.monthNames.enumerated() {
            var length = 0
            while position + length < bytes.count, length < name.count,
                  bytes[position + length] & 0xDF == name[length] { length += 1 }
            if length == name.count || length == 3 && (position + 3 >= bytes.count || !isLetter(bytes[position + 3])) {
                position += length
                return index + 1
            }
        }
        return nil
    }

    private func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }

    /// ` 00:00:00`, `T08:30`, `T08:27:48.765Z`: a time of day after a date.
    mutating func skipTimeOfDay() -> Bool {
        position += 1
        guard scanNumber() != nil, skip(UInt8(ascii: ":")), scanNumber() != nil else { return false }
        if skip(UInt8(ascii: ":")) { guard scanNumber() != nil else { return false } }
        if skip(UInt8(ascii: ".")) { guard scanNumber() != nil else { return false } }
        _ = skipWord("AM") || skipWord("PM") || skip(UInt8(ascii: "Z"))
        skipSpaces()
        _ = skipWord("AM") || skipWord("PM")
        return true
    }
}

/// `value × 10^power`, exact when both the value and the power of ten are exactly representable.
func scaleByPowerOfTen(_ value: Double, _ power: Int) -> Double {
    let exactPowers: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]
    if value < 9_007_199_254_740_992, abs(power) <= 22 {
        return power < 0 ? value / exactPowers[-power] : value * exactPowers[power]
    }
    var text = String(UInt64(value)) + "e" + String(power)
    return text.withUTF8 { bytes in Double(String(decoding: bytes, as: UTF8.self)) } ?? .nan
}
