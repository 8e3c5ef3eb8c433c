import Testing
@testable import RulesEngine
import RulesLanguage
import SpreadsheetIO
import Tabular

/// Each function of the catalogue evaluated on one row whose values are known, against results
/// worked out by hand (as Excel gives them).
@Suite struct FunctionTests {
    private static let rules = """
        table items "Items"
          column posted  date   "Date"
          column name    text   "Name"
          column code    code   "Code"
          column amount  money  "Amount"
          column count   number "Count"
          column share   percent "Share"
          column done    yes/no "Done"
          column missing text   "Not In The Sheet" optional
        pathway p "P"

        """

    /// The value of a formula on the first row of a small table, as a message shows it ("(blank)" for a blank).
    private func value(_ formula: String) throws -> String {
        // Inside a message's quotes, the formula's own quotes are doubled.
        let quoted = formula.replacingOccurrences(of: "\"", with: "\"\"")
        let text = Self.rules + "rule F-1 \"f\"\n  pathway p\n  severity info\n  for items\n  when yes\n  flag name\n  message \"{\(quoted)}\"\n"
        let checked = try checkedRules(text)
        let sheet = """
            Date,Name,Code,Amount,Count,Share,Done
            2024-07-01,  Acme Supply ,00417,-1234.565,12.5,12.5%,yes
            2024-12-31,Staples,00418,10.00,,50%,no
            """
        let binding = WorkbookBinder.bind(try workbook([("Items", sheet)]), to: checked)
        let evaluation = RuleRunner.run(checked, on: binding, asOf: CalendarDate(year: 2025, month: 6, day: 30))
        #expect(evaluation.outcomes.first?.assessed == true, "\(evaluation.outcomes)")
        return evaluation.findings.first?.message ?? "(no finding)"
    }

    /// Amounts show to the cent; sums and products are worked out exactly, which `* 10000` shows.
    static let cases: [(String, String)] = [
        ("ROUND(amount, 2)", "-$1,234.57"), ("ROUND(amount, 0)", "-$1,235.00"), ("ROUND(amount, -2)", "-$1,200.00"),
        ("ROUND(count)", "13"), ("ABS(amount)", "$1,234.57"), ("ABS(-count)", "12.5"),
        // Benford's expected share of first digit 1; the first digit whatever the sign or size.
        ("ROUND(LOG10(1 + 1 / 1) * 1000, 2)", "301.03"), ("LOG10(count - count)", "(blank)"), ("LOG10(share * 8)", "0"),
        ("FIRSTDIGIT(amount)", "1"), ("FIRSTDIGIT(count)", "1"), ("FIRSTDIGIT(share)", "1"), ("FIRSTDIGIT(amount / 10000)", "1"),
        ("FIRSTDIGIT(amount - amount)", "(blank)"), ("FIRSTDIGIT(0.0429)", "4"), ("FIRSTDIGIT(count * 8)", "1"),
        ("IF(done, \"open\", \"closed\")", "open"), ("IF(count > 100, 1)", "(blank)"),
        // IFBLANK: the value where there is one; the second value for a blank, and for a column the workbook lacks.
        ("IFBLANK(count, 7)", "12.5"), ("IFBLANK(count / 0, 7)", "7"), ("IFBLANK(missing, \"none\")", "none"),
        ("LEFT(code, 3)", "004"), ("RIGHT(code, 2)", "17"), ("MID(code, 2, 3)", "041"), ("LEN(name)", "14"),
        ("UPPER(TRIM(name))", "ACME SUPPLY"), ("LOWER(code)", "00417"),
        ("YEAR(posted)", "2024"), ("MONTH(posted)", "7"), ("DAY(posted)", "1"), ("WEEKDAY(posted)", "2"), ("WEEKNUM(posted)", "27"),
        ("DATE(2025, 2, 29)", "2025-03-01"), ("TODAY()", "2025-06-30"), ("TODAY() - posted", "364"),
        ("MIN(amount, $5)", "-$1,234.57"), ("MAX(count, 20)", "20"),
        ("SUM(amount)", "-$1,224.57"), ("SUM(amount) * 1000", "-$1,224,565.00"), ("COUNT()", "2"), ("COUNT(count)", "1"), ("AVERAGE(share)", "31.25%"),
        ("MEDIAN(amount)", "-$612.28"), ("MAX(posted)", "2024-12-31"), ("SHARE(done)", "50%"),
        ("amount * share", "-$154.32"), ("amount / 2", "-$617.28"), ("amount / 2 * 10000", "-$6,172,825.00"), ("amount / amount", "100%"), ("count / 0", "(blank)"),
        // A value that could not be worked out is no 0: arithmetic with it is blank, a comparison never true.
        ("1 - count / 0", "(blank)"), ("count / 0 < 1", "No"), ("count / 0 = 0", "No"),
        ("posted + 30", "2024-07-31"), ("FISCALYEAR(posted)", "2025"), ("FISCALYEARSTART(posted)", "2024-07-01"), ("FISCALYEAREND(posted)", "2025-06-30"), ("ELAPSED()", "100%"), ("name & \"/\" & code", "  Acme Supply /00417"), ("count ^ 2", "156.25"),
        // Python's statistics.stdev of -1234.565 and 10 is 880.0403511; CV of 12.5% and 50% is 0.8485281.
        ("STDEV(amount)", "$880.04"), ("CORREL(amount, amount)", "1"), ("CV(share)", "0.8485"),
        // Python's statistics.pstdev of the same amounts is 622.2825; of the shares 0.1875, over their mean 0.3125 is 0.6.
        ("STDEVP(amount)", "$622.28"), ("CVP(share)", "0.6"),
        // Weighted: numpy's sqrt(cov(x, aweights=w, bias=True)) / average(x, weights=w) for shares 12.5%, 50% weighed 1,234.565 and 10.
        ("CVP(share, ABS(amount))", "0.2615"), ("CVP(share, -ABS(amount))", "(blank)"), ("CORREL(amount, share, 2)", "1"),
        ("HASTAG(\"G1; g3,G30\", \"G3\")", "Yes"), ("HASTAG(\"G30\", \"G3\")", "No"), ("HASTAG(name, \"acme\")", "Yes"),
    ]

    @Test func everyFunctionOfTheCatalogueIsExercised() {
        // LOOKUP needs a second table: EvaluationTests.lookupsIntoAnotherTableAndBlanksWhereNothingMatches covers it.
        for function in FunctionCatalogue.all where function.name != "LOOKUP" {
            #expect(Self.cases.contains { $0.0.contains(function.name + "(") }, "\(function.name) has no case")
        }
    }

    @Test(arguments: cases)
    func functionGivesWhatExcelGives(formula: String, expected: String) throws {
        #expect(try value(formula) == expected, "\(formula)")
    }
}

@Suite struct FiscalYearTests {
    @Test func julyYearsAreNamedByTheYearTheyEnd() {
        let year = FiscalYear(startMonth: 7)
        #expect(year.name(of: CalendarDate(year: 2024, month: 9, day: 15)!) == 2025)
        #expect(year.name(of: CalendarDate(year: 2025, month: 6, day: 30)!) == 2025)
        #expect(year.name(of: CalendarDate(year: 2025, month: 7, day: 1)!) == 2026)
        #expect(FiscalYear(startMonth: 1).name(of: CalendarDate(year: 2025, month: 7, day: 1)!) == 2025)
    }

    @Test func elapsedIsTheShareOfTheYearGoneBy() {
        let year = FiscalYear(startMonth: 7)
        // 1 July 2024 to 30 June 2025 has 365 days; 30 September is the 92nd.
        #expect(abs(year.elapsed(on: CalendarDate(year: 2024, month: 9, day: 30)!) - 92.0 / 365.0) < 1e-12)
        #expect(year.elapsed(on: CalendarDate(year: 2025, month: 6, day: 30)!) == 1)
        // A September year, as some Texas districts run.
        #expect(abs(FiscalYear(startMonth: 9).elapsed(on: CalendarDate(year: 2024, month: 9, day: 1)!) - 1.0 / 365.0) < 1e-12)
    }
}
