import Foundation
import RulesEngine
import RulesLanguage
import SpreadsheetIO
import Tabular
import Testing

/// BO-9 of the default rules on ledgers made here, whose first digits are known: the measure is
/// checked against Nigrini's mean absolute deviation worked out below, apart from the rules.
@Suite struct BenfordTests {
    private static let rules: CheckedRuleSet = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0 ..< 3 { url.deleteLastPathComponent() }
        return RuleChecker.check(try! RuleSetFolder.load(url.appendingPathComponent("rules").path)).ruleSet!
    }()

    /// BO-9's result on a ledger of these payments (in cents) to vendors, and these lines without one.
    private func benford(_ payments: [Int], unpaid: [Int] = []) throws -> IndicatorResult {
        var csv = "Posting Date,Vendor Name,Account,Amount\n"
        for (index, cents) in payments.enumerated() {
            csv += "2024-10-\(String(format: "%02d", index % 28 + 1)),Vendor \(index % 40),100-1000-610-101-100-000,\(cents / 100).\(String(format: "%02d", cents % 100))\n"
        }
        for cents in unpaid { csv += "2024-10-31,,100-1000-110-101-100-000,\(cents / 100).\(String(format: "%02d", cents % 100))\n" }
        let read = try CSVReader.read(bytes: Array(csv.utf8), fileName: "ledger.csv")
        let workbook = RawWorkbook(file: "ledger.csv", sheets: read.sheets, notes: read.notes)
        let evaluation = RuleRunner.run(Self.rules, on: WorkbookBinder.bind(workbook, to: Self.rules))
        return try #require(evaluation.indicators.first { $0.indicator == "BO-9" })
    }

    /// Nigrini's MAD of these amounts' first digits, over all nine digits.
    private func meanAbsoluteDeviation(_ cents: [Int]) -> Double {
        var counts = [Int](repeating: 0, count: 10)
        for amount in cents { counts[Int(String(amount).prefix(1))!] += 1 }
        return (1 ... 9).map { abs(Double(counts[$0]) / Double(cents.count) - log10(1 + 1 / Double($0))) }.reduce(0, +) / 9
    }

    /// 1,200 amounts evenly spread over the logarithm from $10 to $10,000, as Benford's law has them.
    private let natural = (0 ..< 1_200).map { Int((1_000 * pow(1_000, (Double($0) + 0.5) / 1_200)).rounded()) }

    @Test func amountsSpreadOverWholeDecadesConformClosely() throws {
        let result = try benford(natural)
        #expect(result.level == .exemplary)
        #expect(result.value == String(format: "%.4f", meanAbsoluteDeviation(natural)), "\(result)")
    }

    @Test func amountsMadeUpEvenlyBetweenHundredsDoNotConform() throws {
        // Every first digit equally often: 11.1% ones where Benford's law has 30.1%.
        let even = (0 ..< 1_200).map { 10_000 + $0 * 75 }
        let result = try benford(even)
        #expect(result.level == .emerging)
        #expect(abs(meanAbsoluteDeviation(even) - 0.0597) < 0.0005)
        #expect(result.value == String(format: "%.4f", meanAbsoluteDeviation(even)))
    }

    @Test func aDigitNoPaymentStartsWithCountsByAllItsShare() throws {
        // The natural amounts with every 9 made an 8: digit 9 is missing, by its 4.58%.
        let noNines = natural.map { String($0).hasPrefix("9") ? $0 - $0 / 9 : $0 }
        #expect(!noNines.contains { String($0).hasPrefix("9") })
        let result = try benford(noNines)
        #expect(result.value == String(format: "%.4f", meanAbsoluteDeviation(noNines)))
        // 4.58% too few nines and as many too many eights: about (0.0458 + 0.0458) / 9 = 0.0102.
        #expect(result.level == .established, "\(result)")
    }

    @Test func smallPaymentsAndLinesWithoutAVendorAreLeftOut() throws {
        let result = try benford(natural + [999, 500, 5], unpaid: [400_000, 250_000])
        #expect(result.value == String(format: "%.4f", meanAbsoluteDeviation(natural)))
    }

    @Test func fewerThanAThousandPaymentsAreNotAssessedAndSaySo() throws {
        let result = try benford(Array(natural.prefix(999)))
        #expect(!result.assessed)
        #expect(result.reason == "It is not measured: its condition counted >= benford_fewest does not hold on this workbook (counted is 999, benford_fewest is 1000).")
    }
}
