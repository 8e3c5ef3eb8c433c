import Testing
import Foundation
@testable import Tabular

@Suite struct MoneyTests {
    @Test func aMillionAmountsSumToTheExactDecimalTotal() throws {
        // 0.10 + 0.20 + … is where binary floating point drifts; money must not.
        var amounts: [Money] = []
        var expectedCents: Int64 = 0
        for index in 0 ..< 1_000_000 {
            let cents = Int64(index % 9_973) * 7 + 10
            amounts.append(Money(dollars: 0, cents: cents))
            expectedCents += cents
        }
        let total = try amounts.exactSum()
        #expect(total == Money(scaled: expectedCents * 100))
        #expect(total.description == "\(expectedCents / 100).\(expectedCents % 100 < 10 ? "0" : "")\(expectedCents % 100)")
    }

    @Test func overflowIsAnErrorNotAWrap() {
        let huge = Money(scaled: Int64.max - 5)
        #expect(throws: MoneyOverflow.self) { try huge.adding(Money(scaled: 10)) }
        #expect(throws: MoneyOverflow.self) { try [huge, huge].exactSum() }
        #expect(throws: MoneyOverflow.self) { try Money(scaled: Int64.min + 1).subtracting(Money(scaled: 10)) }
    }

    @Test func formatsAsAFinanceOfficerWritesIt() {
        #expect(Money(dollars: 1234, cents: 56).formatted == "$1,234.56")
        #expect(Money(dollars: -1234, cents: -56).formatted == "-$1,234.56")
        #expect(Money(dollars: 0, cents: 5).formatted == "$0.05")
        #expect(Money(scaled: 1_250).formatted == "$0.13", "to the cent, halves away from zero")
        #expect(Money(scaled: -34_232_681).formatted == "-$3,423.27")
        #expect(Money(scaled: -40).formatted == "$0.00")
        #expect(Money(dollars: 1_000_000).formatted == "$1,000,000.00")
        #expect(Money(dollars: -12, cents: -50).description == "-12.50")
    }

    @Test func roundsSpreadsheetNumbersToFourPlaces() {
        #expect(Money(rounding: 1234.56) == Money(dollars: 1234, cents: 56))
        #expect(Money(rounding: 1234.5599999999999) == Money(dollars: 1234, cents: 56))
        #expect(Money(rounding: 0.1 + 0.2) == Money(dollars: 0, cents: 30))
        #expect(Money(rounding: .infinity) == nil)
        #expect(Money(rounding: 1e30) == nil)
    }

    @Test func anAmountDividedByACountKeepsWhatIsLeftBelowATenThousandth() throws {
        // $1,000,000.00 among 3 pupils: $333,333.3333 and a third of a ten-thousandth.
        let share = try #require(Money.quotient(10_000_000_000, dividedBy: 3))
        #expect(share.scaled == 3_333_333_333 && abs(share.remainder - 1.0 / 3.0) < 1e-15)
        #expect(abs(share.doubleValue - 1_000_000.0 / 3.0) <= (1_000_000.0 / 3.0).ulp, "to a double's last digit")
        #expect(share.formatted == "$333,333.33" && share.description == "333333.3333", "shown to the cent and to four places, as before")
        // Three shares add back to the whole, exactly: the remainders carry into the ten-thousandths.
        #expect(try share.adding(share).adding(share) == Money(dollars: 1_000_000))
        // Halves of a ten-thousandth round away from zero, the remainder saying which side the figure is.
        #expect(Money.quotient(5, dividedBy: 2) == Money(scaled: 3, remainder: -0.5))
        #expect(Money.quotient(-5, dividedBy: 2) == Money(scaled: -3, remainder: 0.5))
        #expect(Money.quotient(5, dividedBy: -2) == Money(scaled: -3, remainder: 0.5))
        #expect(Money.quotient(5, dividedBy: 0) == nil)
        // Ordered to the last digit: 2.4999… is less than 2.5000…1, though both show as 2.50.
        #expect(try #require(Money.quotient(24_999, dividedBy: 10_000)) < Money(scaled: 25_000) && Money(scaled: 25_000) < Money(scaled: 25_000, remainder: 0.1))
        // A half cent that is a little short of one rounds down: $1.004975 is $1.00.
        #expect(Money(scaled: 10_050, remainder: -0.25).formatted == "$1.00" && Money(scaled: 10_050).formatted == "$1.01")
        #expect(Money(scaled: -10_050, remainder: 0.25).formatted == "-$1.00")
        // By a count that is not whole (a full-time equivalent), to a double's precision.
        #expect(abs(try #require(Money.quotient(10_000_000, dividedBy: 2.5)).doubleValue - 400.0) < 1e-12)
    }
}

@Suite struct CalendarDateTests {
    @Test func roundTripsThroughComponents() {
        for days in stride(from: -800_000, through: 2_900_000, by: 997) {
            let date = CalendarDate(daysSince1970: Int32(days))
            let (year, month, day) = date.components
            guard (1...9999).contains(year) else { continue }
            #expect(CalendarDate(year: year, month: month, day: day) == date)
        }
    }

    @Test func knowsLeapYearsAndRejectsDaysThatDoNotExist() {
        #expect(CalendarDate(year: 2024, month: 2, day: 29) != nil)
        #expect(CalendarDate(year: 2025, month: 2, day: 29) == nil)
        #expect(CalendarDate(year: 1900, month: 2, day: 29) == nil)
        #expect(CalendarDate(year: 2000, month: 2, day: 29) != nil)
        #expect(CalendarDate(year: 2025, month: 4, day: 31) == nil)
        #expect(CalendarDate(year: 2025, month: 13, day: 1) == nil)
        #expect(CalendarDate(year: 1970, month: 1, day: 1)?.daysSince1970 == 0)
        #expect(CalendarDate(year: 2025, month: 4, day: 28)?.description == "2025-04-28")
    }
}

@Suite struct TextPoolTests {
    @Test func storesEachDistinctStringOnce() {
        var pool = TextPool()
        let first = pool.intern("Acme Supply")
        let second = pool.intern("Office Depot")
        #expect(pool.intern("Acme Supply") == first)
        #expect(first != second)
        #expect(pool.intern("") == TextPool.blankID)
        #expect(pool.count == 2)
        #expect(pool.string(second) == "Office Depot")
        for index in 0 ..< 10_000 { _ = pool.intern("vendor \(index % 50)") }
        #expect(pool.count == 52)
        #expect(pool.deduplicates)
        let last = pool.intern("vendor 49")
        #expect(pool.string(last) == "vendor 49")
        #expect(pool.count == 52)
    }

    @Test func stopsLookingUpWhenNearlyEveryValueIsNew() {
        // Journal numbers: every row different, so hashing them all would buy nothing.
        var pool = TextPool()
        var ids: [UInt32] = []
        for index in 0 ..< 70_000 { ids.append(pool.intern("JE-\(index)")) }
        #expect(!pool.deduplicates)
        #expect(pool.count == 70_000)
        #expect(ids.enumerated().allSatisfy { pool.string($0.element) == "JE-\($0.offset)" })
        let again = pool.intern("JE-5")
        #expect(pool.string(again) == "JE-5")
    }
}

@Suite struct CellOriginTests {
    @Test func namesTheCellAReviewerWillSee() {
        #expect(columnLetters(0) == "A")
        #expect(columnLetters(25) == "Z")
        #expect(columnLetters(26) == "AA")
        #expect(columnLetters(16_383) == "XFD")
        #expect(columnIndex("XFD") == 16_383)
        #expect(columnIndex("aa") == 26)
        #expect(columnIndex("A1") == nil)
        let origin = CellOrigin(file: "ledger.xlsx", sheet: "GL Detail", row: 1204, column: 12)
        #expect(origin.cellAddress == "M1204")
        #expect(origin.qualifiedAddress == "'GL Detail'!M1204")
        #expect(CellOrigin(file: "a.xlsx", sheet: "Transactions", row: 2, column: 0).qualifiedAddress == "Transactions!A2")
    }

    @Test func qualifiedAddressesReadBackToTheSameCell() {
        for origin in [CellOrigin(file: "a.xlsx", sheet: "GL Detail", row: 1204, column: 12),
                       CellOrigin(file: "a.xlsx", sheet: "Transactions", row: 1, column: 0),
                       CellOrigin(file: "a.xlsx", sheet: "Bob's Q1!", row: 1_048_576, column: 16_383)] {
            #expect(CellOrigin(file: "a.xlsx", qualifiedAddress: origin.qualifiedAddress) == origin)
        }
        for notAnAddress in ["M1204", "Transactions!", "Transactions!12", "Transactions!M", "Transactions!M0", "Transactions!M12x"] {
            #expect(CellOrigin(file: "a.xlsx", qualifiedAddress: notAnAddress) == nil)
        }
    }

    @Test func cellsAreWrittenToJSONAsPeopleReadThem() throws {
        let origin = CellOrigin(file: "ledger.xlsx", sheet: "GL Detail", row: 1204, column: 12)
        let json = String(decoding: try JSONEncoder().encode(origin), as: UTF8.self)
        #expect(json.contains("\"cell\":\"M1204\""))
        #expect(json.contains("\"column\":\"M\""))
        #expect(try JSONDecoder().decode(CellOrigin.self, from: Data(json.utf8)) == origin)
    }

    @Test func dataErrorsReadAsASentence() {
        let error = DataError(origin: CellOrigin(file: "ledger.xlsx", sheet: "Transactions", row: 1204, column: 12),
                              columnName: "Amount", rawText: "12,5O0.00", reason: "is not an amount.")
        #expect(error.description == "Transactions, row 1,204, column Amount (M1204): \"12,5O0.00\" is not an amount.")
    }

    @Test func theErrorLogKeepsACappedListAndCountsTheRest() {
        var log = DataErrorLog(cap: 3)
        for row in 1 ... 10 {
            log.record(DataError(origin: CellOrigin(file: "f", sheet: "s", row: row, column: 0), columnName: "A", rawText: "x", reason: "r"))
        }
        #expect(log.errors.count == 3)
        #expect(log.totalCount == 10)
        #expect(log.omittedCount == 7)
    }

    @Test func combinedLogsKeepTheErrorsAReaderMeetsFirst() {
        func log(column: Int, rows: ClosedRange<Int>) -> DataErrorLog {
            var log = DataErrorLog(cap: 3)
            for row in rows {
                log.record(DataError(origin: CellOrigin(file: "f", sheet: "s", row: row, column: column), columnName: "c", rawText: "x", reason: "r"))
            }
            return log
        }
        let combined = DataErrorLog.combining([log(column: 0, rows: 50 ... 60), log(column: 3, rows: 2 ... 4)], cap: 3)
        #expect(combined.errors.map(\.origin.cellAddress) == ["D2", "D3", "D4"])
        #expect(combined.totalCount == 14)
    }
}
