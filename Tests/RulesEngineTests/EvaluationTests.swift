import Testing
@testable import RulesEngine
import RulesLanguage
import SpreadsheetIO
import Tabular

/// Five ledger lines whose findings are worked out by hand in each test below.
private let ledgerRows = """
    Posting Date,Account,Vendor,Budget Owner,Amount
    07/01/2024,199-11-6399-001,Acme,M. Alvarez,4000.00
    07/02/2024,199-11-6411-001,Acme,,3000.00
    07/03/2024,199-11-6399-002,Staples,TBD,0.10
    07/03/2024,199-11-6411-002,Staples,J. Chen,0.20
    08/15/2024,199-35-6341-003,Sysco,J. Chen,25000.00
    """
private let schools = "Site,Enrollment\n001,412\n002,50\n"

private let header = tableRules + """

    param approval_limit = $5,000
    param catch_all = ("890", "6399")
    pathway management "Management"

    """

private func rule(_ id: String, _ body: String) -> String {
    "rule \(id) \"Rule \(id)\"\n  pathway management\n  severity warning\n" + body + "\n"
}

private func evaluate(_ rules: String, sheets: [(String, String)] = [("Transactions", ledgerRows), ("Sites", schools)]) throws -> Evaluation {
    let checked = try checkedRules(header + rules)
    let binding = WorkbookBinder.bind(try workbook(sheets), to: checked)
    return RuleRunner.run(checked, on: binding)
}

/// The sheet rows each rule found, in order.
private func rows(_ evaluation: Evaluation, _ rule: String) -> [[Int]] {
    evaluation.findings.filter { $0.rule == rule }.map(\.rows)
}

@Suite struct EvaluationTests {
    @Test func aRowRuleFlagsItsCellAndFillsItsMessage() throws {
        let evaluation = try evaluate(rule("BO-01", """
              for transactions
              when owner is blank
              flag owner
              message "Nobody owns account {account}, so nobody answers for this {amount}."
              fix "Assign a budget owner to {account}."
            """))
        let finding = try #require(evaluation.findings.first)
        #expect(evaluation.findings.count == 1)
        #expect(finding.rows == [3])
        #expect(finding.cells == ["Transactions!D3"])
        #expect(finding.message == "Nobody owns account 199-11-6411-001, so nobody answers for this $3,000.00.")
        #expect(finding.fix == "Assign a budget owner to 199-11-6411-001.")
        #expect(finding.severity == .warning && finding.pathway == "management" && finding.sheet == "Transactions")
    }

    @Test func aGroupedRuleFindsASplitPurchase() throws {
        let evaluation = try evaluate(rule("BO-05", """
              for transactions by vendor, WEEKNUM(posted)
              when COUNT() >= 2 and MAX(amount) < approval_limit and SUM(amount) >= approval_limit
              flag amount
              message "{COUNT()} payments to {vendor} in one week add up to {SUM(amount)}, each under {approval_limit}."
            """))
        let finding = try #require(evaluation.findings.first)
        #expect(evaluation.findings.count == 1)
        #expect(finding.rows == [2, 3])
        #expect(finding.cells == ["Transactions!E2", "Transactions!E3"])
        #expect(finding.message == "2 payments to Acme in one week add up to $7,000.00, each under $5,000.00.")
        #expect(finding.group == ["vendor": "Acme", "WEEKNUM(posted)": "27"])
        #expect(finding.values == ["COUNT()": "2", "MAX(amount)": "$4,000.00", "SUM(amount)": "$7,000.00"])
    }

    /// Payments of one vendor a few days apart, across weeks: the windows of 14 days that hold
    /// overlap, so they are one finding about all their payments; a window's total is worked out
    /// again over all of them for its message.
    @Test func windowsOfDaysThatHoldAndShareARowAreOneFinding() throws {
        let ledger = """
            Posting Date,Account,Vendor,Amount
            07/01/2024,199-11-6399-001,Acme,3000.00
            07/10/2024,199-11-6399-001,Acme,2500.00
            07/20/2024,199-11-6399-001,Acme,2600.00
            08/15/2024,199-11-6399-001,Acme,4900.00
            08/29/2024,199-11-6399-001,Acme,4900.00
            07/03/2024,199-11-6399-001,Staples,4000.00
            07/22/2024,199-11-6399-001,Staples,4000.00
            """
        let evaluation = try evaluate(rule("BO-05", """
              for transactions by vendor within 14 days of posted
              when COUNT() >= 2 and SUM(amount) >= approval_limit
              flag amount
              message "{COUNT()} payments to {vendor} from {MIN(posted)} to {MAX(posted)} add up to {SUM(amount)}."
            """), sheets: [("Transactions", ledger)])
        // 1 July to 14 July holds $5,500 and 10 July to 23 July $5,100: one finding. 15 August and
        // 29 August are 14 days apart, so in no window together; Staples' two, 19 days apart.
        #expect(rows(evaluation, "BO-05") == [[2, 3, 4]])
        let finding = try #require(evaluation.findings.first)
        #expect(finding.message == "3 payments to Acme from 2024-07-01 to 2024-07-20 add up to $8,100.00.")
        #expect(finding.values == ["COUNT()": "3", "SUM(amount)": "$8,100.00"])
        #expect(finding.group == ["vendor": "Acme"])
    }

    @Test func aWindowIsJudgedOnItsOwnRows() throws {
        // Three payments each nine days after the last: 1–14 July holds two, 10–23 July two, but
        // only the first pair reaches the limit, so the third payment is not part of the finding.
        let ledger = """
            Posting Date,Account,Vendor,Amount
            07/01/2024,199-11-6399-001,Acme,2500.00
            07/10/2024,199-11-6399-001,Acme,2500.00
            07/19/2024,199-11-6399-001,Acme,100.00
            """
        let evaluation = try evaluate(rule("BO-05", """
              for transactions by vendor within 14 days of posted
              when SUM(amount) >= approval_limit
              flag amount
              message "{SUM(amount)}"
            """), sheets: [("Transactions", ledger)])
        #expect(rows(evaluation, "BO-05") == [[2, 3]])
    }

    @Test func whereChoosesTheRowsARuleLooksAtAndTotalsOverThem() throws {
        // Acme's average is $3,500, so its $4,000 is above it; over every line it is $6,400.
        let evaluation = try evaluate(rule("T-20", """
              for transactions
              where vendor = "Acme"
              when amount > AVERAGE(amount)
              flag amount
              message "{amount} is above {AVERAGE(amount)}."
            """) + rule("T-21", """
              for transactions by vendor
              where amount >= $1
              when COUNT() >= 2
              flag amount
              message "{COUNT()} to {vendor}"
            """))
        #expect(rows(evaluation, "T-20") == [[2]])
        #expect(evaluation.findings.first { $0.rule == "T-20" }?.message == "$4,000.00 is above $3,500.00.")
        #expect(evaluation.findings.first { $0.rule == "T-20" }?.cells == ["Transactions!E2"])
        // Staples' two lines are under $1: left out, so Staples has no group of two.
        #expect(rows(evaluation, "T-21") == [[2, 3]])
    }

    @Test func aColumnMissingBehindAWhereIsNamedAsTheSheetLacksIt() throws {
        let ledger = "Posting Date,Account,Amount\n07/01/2024,199-11-6399-001,4000.00\n"
        let evaluation = try evaluate(rule("T-22", "  for transactions\n  where amount > 0\n  when vendor is blank\n  flag amount\n  message \"x\""),
                                      sheets: [("Transactions", ledger)])
        #expect(evaluation.outcomes.first?.reason == "It could not be assessed: sheet \"Transactions\" has no \"Vendor\" column.")
    }

    @Test func ifBlankStandsInForAColumnTheWorkbookLacks() throws {
        // This ledger has no Budget Owner column: `owner` in `when` leaves the rule not assessed,
        // while IFBLANK says what to use in its place.
        let ledger = "Posting Date,Account,Vendor,Amount\n07/01/2024,199-11-6399-001,Acme,4000.00\n"
        let evaluation = try evaluate(rule("T-1", "  for transactions\n  when owner = \"TBD\"\n  flag amount\n  message \"x\"")
            + rule("T-2", "  for transactions\n  when IFBLANK(owner, \"TBD\") = \"TBD\"\n  flag amount\n  message \"{IFBLANK(owner, vendor)}\""),
            sheets: [("Transactions", ledger)])
        #expect(evaluation.outcomes.first { $0.rule == "T-1" }?.assessed == false)
        #expect(rows(evaluation, "T-2") == [[2]])
        #expect(evaluation.findings.first { $0.rule == "T-2" }?.message == "Acme")
    }

    @Test func listsSegmentsAndWholeTableTotals() throws {
        let evaluation = try evaluate(
            rule("MG-09", "  for transactions\n  when object in catch_all and amount > 0\n  flag account\n  message \"Catch-all.\"")
            + rule("T-05", "  for transactions\n  when amount > 3 * AVERAGE(amount)\n  flag amount\n  message \"{amount} is over three times the average, {AVERAGE(amount)}.\""))
        #expect(rows(evaluation, "MG-09") == [[2], [4]])
        #expect(evaluation.findings.first { $0.rule == "MG-09" }?.cells == ["Transactions!B2"])
        #expect(rows(evaluation, "T-05") == [[6]])
        #expect(evaluation.findings.first { $0.rule == "T-05" }?.message == "$25,000.00 is over three times the average, $6,400.06.")
    }

    @Test func lookupsIntoAnotherTableAndBlanksWhereNothingMatches() throws {
        let evaluation = try evaluate(rule("T-04", """
              for transactions
              when LOOKUP(sites.enrollment, site) < 100 and LOOKUP(sites.enrollment, site) is not blank
              flag account
              message "Site {site} has {LOOKUP(sites.enrollment, site)} students."
            """))
        #expect(rows(evaluation, "T-04") == [[4], [5]])
        #expect(evaluation.findings.first?.message == "Site 002 has 50 students.")
    }

    @Test func textComparesWithoutCaseAndPatternsUseExcelWildcards() throws {
        let evaluation = try evaluate(
            rule("T-06", "  for transactions\n  when owner = \"tbd\"\n  flag owner\n  message \"x\"")
            + rule("T-07", "  for transactions\n  when vendor like \"s*\"\n  flag vendor\n  message \"x\"")
            + rule("T-08", "  for transactions\n  when amount between $0.10 and $0.20\n  flag amount\n  message \"x\""))
        #expect(rows(evaluation, "T-06") == [[4]])
        #expect(rows(evaluation, "T-07") == [[4], [5], [6]])
        #expect(rows(evaluation, "T-08") == [[4], [5]])
    }

    @Test func todayIsTheLatestPostingDateNeverTheClock() throws {
        let evaluation = try evaluate(rule("T-09", "  for transactions\n  when TODAY() - posted > 40\n  flag posted\n  message \"{TODAY() - posted} days old\""))
        #expect(evaluation.asOf == CalendarDate(year: 2024, month: 8, day: 15))
        #expect(rows(evaluation, "T-09") == [[2], [3], [4], [5]])
        #expect(evaluation.findings.first?.message == "45 days old")
    }

    @Test func moneyStaysExactToTheCent() throws {
        // 0.10 + 0.20 is 0.30000000000000004 in binary floating point; an amount must be exactly $0.30.
        let evaluation = try evaluate(rule("T-10", "  for transactions by site\n  when SUM(amount) = $0.30\n  flag amount\n  message \"{site}: {SUM(amount)}\""))
        #expect(rows(evaluation, "T-10") == [[4, 5]])
        #expect(evaluation.findings.first?.message == "002: $0.30")
    }

    @Test func totalsOverAnotherTableMatchTheOuterRow() throws {
        // Per-site budgets; each line is compared with the total budget of its own site.
        let budgets = "Site,Enrollment\n001,5000\n001,2500\n002,100\n"
        let evaluation = try evaluate(rule("T-12", """
              for transactions
              when amount > SUM(sites.enrollment where sites.code = site and sites.enrollment > 200) / 2
              flag amount
              message "{amount} against {SUM(sites.enrollment where sites.code = site and sites.enrollment > 200)}"
            """), sheets: [("Transactions", ledgerRows), ("Sites", budgets)])
        // Site 001 totals 7,500 (half 3,750): row 2 (4,000) is over, row 3 (3,000) is not. Site 002's
        // only row is filtered out (100 is not > 200), so its total is 0 and both its rows exceed 0.
        // Site 003 has no rows: 0 again, so row 6 is over too.
        #expect(rows(evaluation, "T-12") == [[2], [4], [5], [6]])
        #expect(evaluation.findings.first?.message == "$4,000.00 against 7500")
    }

    @Test func totalsOverAnotherTableMayCompareWithTheOuterRowInAnyWay() throws {
        // For each line, the enrollment of the schools with a code after the line's own site:
        // site 001 → 002 and 003 (150 + 200), site 002 → 003 (200), site 003 → none (0).
        let schools = "Site,Enrollment\n001,100\n002,150\n003,200\n"
        let evaluation = try evaluate(rule("T-13", """
              for transactions
              when SUM(sites.enrollment where sites.code > site) < 300
              flag account
              message "{site}: {SUM(sites.enrollment where sites.code > site)}"
            """), sheets: [("Transactions", ledgerRows), ("Sites", schools)])
        #expect(rows(evaluation, "T-13") == [[4], [5], [6]])
        #expect(evaluation.findings.map(\.message) == ["002: 200", "002: 200", "003: 0"])
    }

    @Test func letsHeadersAndMembershipInAnotherTablesColumn() throws {
        let evaluation = try evaluate(rule("T-14", """
              for transactions
              let limit = approval_limit / 2
              when [Net Amount] > limit and site not in sites.code
              flag amount
              message "{amount} over {limit} at unknown site {site}"
            """), sheets: [("Transactions", ledgerRows), ("Sites", "Site,Enrollment\n001,412\n002,50\n")])
        // Over $2,500: rows 2 (001), 3 (001) and 6 (003); only site 003 is not a known school.
        #expect(rows(evaluation, "T-14") == [[6]])
        #expect(evaluation.findings.first?.message == "$25,000.00 over $2,500.00 at unknown site 003")
    }

    @Test func aParamsSheetOverridesTheRulesAndTheCommandLineOverridesBoth() throws {
        let checked = try checkedRules(header + rule("T-15", "  for transactions\n  when amount >= approval_limit\n  flag amount\n  message \"{approval_limit}\""))
        let book = try workbook([("Transactions", ledgerRows), ("Params", "Name,Value\napproval_limit,\"$3,500\"\n")])
        let fromSheet = ParamValues(rules: checked, workbook: book, commandLine: [:])
        let sheetRun = RuleRunner.run(checked, on: WorkbookBinder.bind(book, to: checked), params: fromSheet)
        #expect(rows(sheetRun, "T-15") == [[2], [6]])
        #expect(fromSheet.settings.first { $0.name == "approval_limit" } == ParamSetting(name: "approval_limit", value: "$3,500", source: .paramsSheet))
        let fromCommandLine = ParamValues(rules: checked, workbook: book, commandLine: ["approval_limit": "10000"])
        let commandLineRun = RuleRunner.run(checked, on: WorkbookBinder.bind(book, to: checked), params: fromCommandLine)
        #expect(rows(commandLineRun, "T-15") == [[6]])
        #expect(commandLineRun.findings.first?.message == "$10,000.00")
        let wrong = ParamValues(rules: checked, workbook: nil, commandLine: ["approval_limit": "lots"])
        #expect(wrong.problems == ["--param approval_limit=lots: `lots` is not an amount of money, which approval_limit needs."])
    }

    @Test func paramOverridesAreReadAsATrainerWritesThemOrRefusedWithAReason() throws {
        let checked = try checkedRules(header + "param share = 10%\nparam fiscal_year_start = 7\n"
                                       + rule("T-16", "  for transactions\n  when object in catch_all and amount > share * approval_limit and FISCALYEAR(posted) > 0\n  flag amount\n  message \"x\""))
        // A list as the rule files write it, or plainly: the same list.
        for written in [#"("6399", "890")"#, "6399, 890", #""6399""#] {
            let values = ParamValues(rules: checked, workbook: nil, commandLine: ["catch_all": written])
            #expect(values.problems.isEmpty, "\(written): \(values.problems)")
            #expect(values.lists["catch_all"]?.first == .code("6399") || values.lists["catch_all"]?.first == .text("6399"), "\(written)")
        }
        #expect(ParamValues(rules: checked, workbook: nil, commandLine: ["share": "20"]).problems
                == ["--param share=20: share is a percentage; write 20% (or 0.2 as a fraction)."])
        #expect(ParamValues(rules: checked, workbook: nil, commandLine: ["share": "20%"]).problems.isEmpty)
        #expect(ParamValues(rules: checked, workbook: nil, commandLine: ["fiscal_year_start": "13"]).problems
                == ["--param fiscal_year_start=13: fiscal_year_start is the month the fiscal year starts, a whole number from 1 (January) to 12 (December)."])
        #expect(ParamValues(rules: checked, workbook: nil, commandLine: ["nothing_like_it": "1"]).problems.first?
            .hasSuffix("there is no parameter named nothing_like_it. The parameters are: approval_limit, catch_all, share, fiscal_year_start.") == true)
    }

    @Test func aRuleWhoseTableIsMissingIsNotAssessedWithTheReason() throws {
        let evaluation = try evaluate(rule("T-11", "  for sites\n  when enrollment < 100\n  flag enrollment\n  message \"Small\""),
                                      sheets: [("Transactions", ledgerRows)])
        #expect(evaluation.findings.isEmpty)
        #expect(evaluation.outcomes == [RuleOutcome(rule: "T-11", assessed: false, findings: 0, reason: "The workbook has no Schools table.")])
    }

    @Test func wildcardsNeverBacktrackWithoutEnd() {
        #expect(Wildcard.matches("63-411", pattern: "63*"))
        #expect(Wildcard.matches("ACME", pattern: "a?m*"))
        #expect(!Wildcard.matches("ACME", pattern: "a?x*"))
        #expect(Wildcard.matches("50*", pattern: "50~*"))
        #expect(!Wildcard.matches("501", pattern: "50~*"))
        #expect(!Wildcard.matches(String(repeating: "a", count: 5_000), pattern: String(repeating: "*a", count: 60) + "b"))
    }

    @Test func excelDateFunctions() throws {
        // 2024-07-01 was a Monday: WEEKDAY 2, in week 27 of 2024.
        #expect(ScalarFunctions.weekday(CalendarDate(year: 2024, month: 7, day: 1)!.daysSince1970) == 2)
        #expect(ScalarFunctions.weekday(CalendarDate(year: 2024, month: 6, day: 30)!.daysSince1970) == 1)
        let dates = ScalarFunctions.apply(.date, [.numbers([2024], percent: false), .numbers([13], percent: false), .numbers([0], percent: false)], count: 1, fiscalYear: FiscalYear(startMonth: 7))
        #expect(dates.value(0) == .date(CalendarDate(year: 2024, month: 12, day: 31)!), "month 13 day 0 is the last day of December")
    }
}

@Suite struct ViewAndIndicatorTests {
    private static let rules = header.replacingOccurrences(of: "pathway management \"Management\"", with: "pathway management \"Management\"\npathway resource_equity \"Resource Equity\"") + """

        view site_spending "Spending by school"
          from transactions by site
          column spent      = SUM(amount)
          column enrollment = LOOKUP(sites.enrollment, site)
          column per_pupil  = spent / enrollment
          show

        rule RE-09 "High per-pupil spending"
          pathway resource_equity
          severity info
          for site_spending
          when per_pupil > $100
          flag per_pupil
          message "{site}: {per_pupil} per pupil"

        indicator MG-1 "Every dollar has an owner"
          pathway management
          measure SHARE(transactions.owner is not blank)
          exemplary   when >= 100%
          established when >= 98%
          developing  when >= 90%
          otherwise emerging

        indicator MG-2 "Schools are large enough"
          pathway management
          measure AVERAGE(sites.enrollment)
          exemplary   when >= 300
          established when >= 250
          developing  when >= 200
          otherwise emerging

        indicator RE-1 "Per-pupil spending is even"
          pathway resource_equity
          measure CV(site_spending.per_pupil where site_spending.enrollment >= 100)
          exemplary when <= 0.10
          otherwise emerging

        goal G-1 "Owners for everything, last year"
          indicator MG-1
          target >= 100%
          by 2024-06-30

        goal G-2 "Owners for everything, next year"
          indicator MG-1
          target >= 100%
          by 2027-06-30

        goal G-3 "Large schools"
          indicator MG-2
          target >= 250
          by 2027-06-30

        """

    private func run() throws -> Evaluation {
        let checked = try checkedRules(Self.rules)
        let sites = "Site,Enrollment\n001,412\n002,150\n003,200\n"
        let binding = WorkbookBinder.bind(try workbook([("Transactions", ledgerRows), ("Sites", sites)]), to: checked)
        return RuleRunner.run(checked, on: binding)
    }

    @Test func viewsHaveOneRowPerGroupAndRulesCanCheckThem() throws {
        let evaluation = try run()
        let finding = try #require(evaluation.findings.first { $0.rule == "RE-09" })
        #expect(finding.rows == [3], "site 003 is the view's third row")
        #expect(finding.message == "003: $125.00 per pupil")
        #expect(finding.cells.isEmpty, "a view's rows are not cells of the workbook")
    }

    @Test func aViewListsItsRowsInTheOrderItIsToldRulesFlaggingThoseRows() throws {
        let checked = try checkedRules(Self.rules + """
            view by_spending "Schools by spending"
              from transactions by site
              column spent = SUM(amount)
              column enrollment = LOOKUP(sites.enrollment, site)
              order by enrollment, spent
              show

            rule RE-10 "Little spent"
              pathway resource_equity
              severity info
              for by_spending
              when spent < $1
              flag spent
              message "{site}"

            """)
        // Site 004 has no enrollment: blanks go last. 001 and 002 appear first in the ledger.
        let sites = "Site,Enrollment\n001,412\n002,150\n003,150\n"
        let ledger = ledgerRows + "\n08/16/2024,199-35-6341-004,Sysco,J. Chen,10.00"
        let evaluation = RuleRunner.run(checked, on: WorkbookBinder.bind(try workbook([("Transactions", ledger), ("Sites", sites)]), to: checked))
        let view = try #require(evaluation.shownViews.first { $0.name == "by_spending" })
        #expect(view.rows.map { $0[0].description } == ["002", "003", "001", "004"], "150 pupils and $0.30 before 150 and $25,000")
        #expect(evaluation.findings.first { $0.rule == "RE-10" }?.rows == [1], "the rule's row is the view's row as listed")
    }

    @Test func indicatorsMeasureAndTakeTheFirstLevelThatFits() throws {
        let evaluation = try run()
        let byID = Dictionary(uniqueKeysWithValues: evaluation.indicators.map { ($0.indicator, $0) })
        #expect(byID["MG-1"]?.value == "80%")
        #expect(byID["MG-1"]?.level == .emerging)
        #expect(byID["MG-2"]?.value == "254")
        #expect(byID["MG-2"]?.level == .established)
        #expect(byID["MG-2"]?.thresholds == ["exemplary >= 300", "established >= 250", "developing >= 200", "otherwise emerging"])
        // Per-pupil amounts 7,000/412 = $16.9903, 0.30/150 = $0.0020 and 25,000/200 = $125.00.
        // statistics.stdev / statistics.mean of the three, in Python: 1.4324241983910924, shown to four decimals.
        #expect(byID["RE-1"]?.value == "1.4324")
        #expect(byID["RE-1"]?.level == .emerging)
    }

    @Test func aPerPupilFigureIsTheExactQuotientAndItsSpreadIsAsExcelWorksItOut() throws {
        let evaluation = try run()
        let view = try #require(evaluation.shownViews.first { $0.name == "site_spending" })
        let column = try #require(view.columns.firstIndex(of: "per_pupil"))
        guard case .money(let perPupil)? = view.rows.first?[column] else { Issue.record("no per-pupil amount"); return }
        // $7,000 for 412 pupils, to a double's last digits: not $16.9903, which is $0.0000087 short.
        #expect(abs(perPupil.doubleValue - 7000.0 / 412.0) < 1e-12)
        #expect(perPupil.formatted == "$16.99" && perPupil < Money(dollars: 16, cents: 100) && perPupil > Money(scaled: 169_902))
        // The spread as a spreadsheet works it out from the same figures in binary floating point.
        let figures = [7000.0 / 412.0, 0.30 / 150.0, 25_000.0 / 200.0]
        let mean = figures.reduce(0, +) / 3
        let deviation = (figures.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 2).squareRoot()
        let measured = try #require(evaluation.indicators.first { $0.indicator == "RE-1" }?.number)
        #expect(abs(measured - deviation / mean) < 1e-14, "\(measured) against \(deviation / mean)")
        // Quotients stay exact through totals: the average of the three is their exact sum over 3.
        #expect(abs((try #require(Money.quotient(70_000_000, dividedBy: 412)).adding(Money.quotient(3_000, dividedBy: 150)!)).doubleValue
                    - (7000.0 / 412.0 + 0.30 / 150.0)) < 1e-12)
    }

    @Test func pathwayLevelsAreTheMedianAndGoalsHaveAStatus() throws {
        let evaluation = try run()
        let management = try #require(evaluation.pathways.first { $0.pathway == "management" })
        #expect(management.level == .emerging, "the weaker of established and emerging")
        #expect(management.assessedIndicators == 2)
        #expect(evaluation.goals.map(\.status) == [.missed, .notYetMet, .met])
    }

    @Test func aMessageNeedingAColumnTheWorkbookLacksStillLetsTheRuleBeAssessed() throws {
        // The workbook has no Vendor column (it is optional): the condition does not need it, so
        // the rule is assessed, and the message falls back as IF says.
        let ledger = "Posting Date,Account,Amount\n07/01/2024,199-11-6399-001,4000.00\n"
        let evaluation = try evaluate(rule("M-1", "  for transactions\n  when amount > 100\n  flag amount\n"
                                           + #"  message "Paid {IF(vendor is blank, ""an unnamed vendor"", vendor)} {amount}.""#),
                                      sheets: [("Transactions", ledger)])
        #expect(evaluation.outcomes.first { $0.rule == "M-1" }?.assessed == true)
        #expect(evaluation.findings.first?.message == "Paid an unnamed vendor $4,000.00.")
    }

    @Test func aLetOnlyTheMessageUsesMayNeedWhatTheWorkbookLacks() throws {
        // `who` needs the vendor column the workbook lacks: only the message uses it, so the rule
        // is assessed; `big` needs it too and the condition uses it, so the next rule is not.
        let ledger = "Posting Date,Account,Amount\n07/01/2024,199-11-6399-001,4000.00\n"
        let evaluation = try evaluate(rule("M-1", "  for transactions\n  let who = IF(vendor is blank, \"an unnamed vendor\", vendor)\n"
                                           + "  when amount > 100\n  flag amount\n" + #"  message "Paid {who} {amount}.""#)
                                      + "\n" + rule("M-2", "  for transactions\n  let big = vendor <> \"\" and amount > 100\n  when big\n  flag amount\n  message \"Big.\""),
                                      sheets: [("Transactions", ledger)])
        #expect(evaluation.outcomes.first { $0.rule == "M-1" }?.assessed == true)
        #expect(evaluation.findings.map(\.message) == ["Paid an unnamed vendor $4,000.00."])
        let notAssessed = try #require(evaluation.outcomes.first { $0.rule == "M-2" })
        #expect(!notAssessed.assessed)
        #expect(notAssessed.reason == "It could not be assessed: sheet \"Transactions\" has no \"Vendor\" column.")
    }

    @Test func anIndicatorWhoseTableIsMissingIsNotAssessed() throws {
        let checked = try checkedRules(Self.rules)
        let binding = WorkbookBinder.bind(try workbook([("Transactions", ledgerRows)]), to: checked)
        let evaluation = RuleRunner.run(checked, on: binding)
        let average = try #require(evaluation.indicators.first { $0.indicator == "MG-2" })
        #expect(!average.assessed)
        #expect(average.reason == "The workbook has no Schools table.")
        #expect(evaluation.goals.last?.status == .notAssessed)
    }
}
