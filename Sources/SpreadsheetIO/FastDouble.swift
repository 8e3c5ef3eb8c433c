#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

private let exactPowersOfTen: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                          1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

/// A number as XML writes it (`-1234.56`, `1.5E-3`), correctly rounded.
///
/// Most spreadsheet numbers have at most 15 significant digits, so the mantissa and the power of
/// ten are both exact doubles and one multiplication or division rounds correctly (Clinger's fast
/// path); anything else goes to `strtod`.
func parseXMLDouble(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
    var index = 0
    let count = bytes.count
    while index < count && isSpace(bytes[index]) { index += 1 }
    var end = count
    while end > index && isSpace(bytes[end - 1]) { end -= 1 }
    guard index < end else { return nil }
    var negative = false
    if bytes[index] == UInt8(ascii: "-") { negative = true; index += 1 } else if bytes[index] == UInt8(ascii: "+") { index += 1 }
    var mantissa: UInt64 = 0
    var digits = 0
    var exponent = 0
    var sawDigit = false
    var sawPoint = false
    while index < end {
        let byte = bytes[index]
        let digit = UInt64(byte) &- 48
        if digit <= 9 {
            sawDigit = true
            if mantissa != 0 || digit != 0 { digits += 1 }
            if digits > 19 { return slowParse(bytes) }
            mantissa = mantissa &* 10 &+ digit
            if sawPoint { exponent -= 1 }
        } else if byte == UInt8(ascii: ".") && !sawPoint {
            sawPoint = true
        } else {
            break
        }
        index += 1
    }
    guard sawDigit else { return nil }
    if index < end {
        guard bytes[index] | 0x20 == UInt8(ascii: "e") else { return nil }
        index += 1
        var exponentNegative = false
        if index < end && (bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+")) {
            exponentNegative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var written = 0
        var sawExponentDigit = false
        while index < end {
            let digit = Int(bytes[index]) &- 48
            guard digit >= 0 && digit <= 9 else { return nil }
            written = min(written * 10 + digit, 100_000)
            sawExponentDigit = true
            index += 1
        }
        guard sawExponentDigit else { return nil }
        exponent += exponentNegative ? -written : written
    }
    guard mantissa < (1 << 53), exponent >= -22, exponent <= 22 else { return slowParse(bytes) }
    var value = Double(mantissa)
    value = exponent < 0 ? value / exactPowersOfTen[-exponent] : value * exactPowersOfTen[exponent]
    return negative ? -value : value
}

private func slowParse(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
    var text = [CChar](repeating: 0, count: bytes.count + 1)
    for (index, byte) in bytes.enumerated() { text[index] = CChar(bitPattern: byte) }
    var end: UnsafeMutablePointer<CChar>?
    let value = text.withUnsafeMutableBufferPointer { strtod($0.baseAddress!, &end) }
    return value.isFinite ? value : nil
}
