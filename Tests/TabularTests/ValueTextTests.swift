import Testing
@testable import Tabular

private func money(_ text: String) -> Money? { ValueText.withUTF8(text) { ValueText.money($0) } }
private func number(_ text: String) -> Double? { ValueText.withUTF8(text) { ValueText.number($0) } }
private func percent(_ text: String) -> Double? { ValueText.withUTF8(text) { ValueText.percent($0) } }
private func date(_ text: String) -> String? { ValueText.withUTF8(text) { ValueText.date($0) }?.description }
private func yesNo(_ text: String) -> Bool? { ValueText.withUTF8(text) { ValueText.yesNo($0) } }
private func europeanNumber(_ text: String) -> Double? { ValueText.withUTF8(text) { ValueText.number($0, decimalComma: true) } }
private func columnDate(_ text: String) -> String? { ValueText.withUTF8(text) { ValueText.date($0, compactDigits: true) }?.description }

@Suite struct ValueTextTests {
    @Test(arguments: [
        ("1,234.56", 123_456), ("$1,234.56", 123_456), ("(1,234.56)", -123_456), ("-$1,234.56", -123_456),
        ("$-1,234.56", -123_456), ("1,234.56-", -123_456), ("1,234.56 CR", -123_456), ("1,234.56CR", -123_456),
        ("$(12.34)", -1_234), ("1234.5", 123_450), (" 1,234.56 ", 123_456), ("\u{A0}$1,234.56\u{A0}", 123_456),
        ("$ 1,234.56", 123_456), ("0", 0), ("-0.00", 0), ("12", 1_200), ("1,000,000", 100_000_000), ("100.00 DR", 10_000),
    ])
    func amountsInEveryExportStyle(text: String, cents: Int64) {
        #expect(money(text) == Money(scaled: cents * 100), "\(text)")
    }

    @Test(arguments: ["12,5O0.00", "1,23,4.00", "12.5%", "abc", "", "$", "()", "1.2.3", "(12.00", "12.00)", "1.23456", "--5", "1e5"])
    func textThatIsNotAnAmount(text: String) {
        #expect(money(text) == nil, "\(text)")
    }

    @Test func fourDecimalsAreStillExact() {
        #expect(money("0.1250") == Money(scaled: 1_250))
        #expect(money("99999999999999.9999") == Money(scaled: 999_999_999_999_999_999))
        #expect(money("9999999999999999.99") == nil, "too large to hold exactly")
    }

    @Test func numbersAndPercentages() {
        #expect(number("1,234.5") == 1234.5)
        #expect(number("(3)") == -3)
        #expect(number("1.5E+3") == 1500)
        #expect(number("12.5%") == nil)
        #expect(percent("12.5%") == 0.125)
        #expect(percent("12.5 %") == 0.125)
        #expect(percent("-3%") == -0.03)
        #expect(percent("0.125") == 0.125)
        #expect(percent("$5") == nil)
    }

    @Test(arguments: [
        ("2025-04-28", "2025-04-28"), ("2025/04/28", "2025-04-28"), ("04/28/2025", "2025-04-28"), ("4/28/2025", "2025-04-28"),
        ("4/28/25", "2025-04-28"), ("28-APR-25", "2025-04-28"), ("28-Apr-2025", "2025-04-28"), ("01-JUL-24", "2024-07-01"),
        ("2025-04-28T00:00:00", "2025-04-28"), ("2014-02-14T08:27:48.765Z", "2014-02-14"), ("2025-04-28 13:45", "2025-04-28"),
        ("07/01/2024 12:00:00 AM", "2024-07-01"), ("12/31/99", "1999-12-31"), ("1-September-2024", "2024-09-01"),
    ])
    func datesInEveryExportStyle(text: String, iso: String) {
        #expect(date(text) == iso, "\(text)")
    }

    @Test(arguments: ["2025-02-30", "13/01/2025", "28-XYZ-25", "2025-04", "April", "12345", "04/28/202", "2025-04-28x"])
    func textThatIsNotADate(text: String) {
        #expect(date(text) == nil, "\(text)")
    }

    @Test func yesAndNo() {
        #expect(yesNo("Yes") == true)
        #expect(yesNo(" y ") == true)
        #expect(yesNo("TRUE") == true)
        #expect(yesNo("no") == false)
        #expect(yesNo("N") == false)
        #expect(yesNo("maybe") == nil)
        #expect(yesNo("Nope") == nil)
    }

    @Test func leadingZerosAreNoticed() {
        let code = ValueText.withUTF8("001") { ValueText.numeric($0) }
        #expect(code?.hasLeadingZero == true)
        let fraction = ValueText.withUTF8("0.5") { ValueText.numeric($0) }
        #expect(fraction?.hasLeadingZero == false)
    }

    @Test(arguments: [("1\u{A0}234.56", 1_234.56), ("1\u{2009}234", 1_234), ("$1\u{202F}234\u{202F}567.5", 1_234_567.5), ("(1\u{A0}234.00)", -1_234)])
    func thousandsSetApartByNarrowSpacesReadAsExcelShowsThem(text: String, value: Double) {
        #expect(number(text) == value, "\(text)")
    }

    @Test func aSpaceBeforeAMarkIsNotASeparator() {
        #expect(money("1\u{A0}234.56\u{A0}CR") == Money(scaled: -12_345_600))
        #expect(number("12\u{A0}34") == nil, "groups of three only")
    }

    @Test(arguments: [("1.234,56", 1_234.56), ("12,5", 12.5), ("-0,75", -0.75), ("1\u{202F}234,5", 1_234.5), ("(1.000,00)", -1_000)])
    func numbersWithADecimalComma(text: String, value: Double) {
        #expect(europeanNumber(text) == value, "\(text)")
        #expect(number(text) != value, "without the decimal comma \(text) is not \(value)")
    }

    @Test(arguments: [("April 28, 2025", "2025-04-28"), ("Apr 28 2025", "2025-04-28"), ("december 1, 2024", "2024-12-01"), ("Sep. 3, 2024", "2024-09-03")])
    func datesWithTheMonthWrittenOut(text: String, iso: String) {
        #expect(date(text) == iso)
    }

    @Test func dottedDatesAreDayFirstAsEuropeanExportsWriteThem() {
        #expect(date("01.07.2024") == "2024-07-01")
        #expect(date("28.04.25") == "2025-04-28")
        #expect(date("04.28.2025") == nil, "no 28th month")
    }

    @Test func eightDigitDatesOnlyWhereTheColumnIsDates() {
        #expect(columnDate("20250428") == "2025-04-28")
        #expect(date("20250428") == nil, "an eight-digit number is not taken for a date unless the column holds dates")
        #expect(columnDate("20251340") == nil)
        #expect(columnDate("10001234") == nil)
    }
}
