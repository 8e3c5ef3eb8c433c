import Testing
@testable import RulesEngine
import RulesLanguage
import SpreadsheetIO
import Tabular

/// What the checker decides a formula means, seen in what the engine then finds: the traps of
/// scoping in totals, ratios and blanks that once gave wrong answers without a word.
@Suite struct CheckedProgramTests {
    private static let schoolRules = """
        table schools "Schools"
          from sheet "Schools"
          key site
          column site      code    "Site"
          column level     code    "Level"
          column title1    yes/no  "Title I"
          column per_pupil money   "Per Pupil"
        pathway equity "Resource Equity"

        """

    /// Two Title I elementary schools, one other elementary school and a high school that spends far more.
    private static let schools = """
        Site,Level,Title I,Per Pupil
        101,ES,yes,8000
        102,ES,no,8500
        103,ES,yes,7000
        301,HS,no,12000
        """

    private func run(_ rules: String, sheets: [(String, String)]) throws -> Evaluation {
        let checked = try checkedRules(rules)
        return RuleRunner.run(checked, on: WorkbookBinder.bind(try workbook(sheets), to: checked))
    }

    @Test func insideATotalOverItsOwnTableTheQualifiedNameIsTheTotalledRowAndTheBareNameThisRow() throws {
        // Comparability within the school's level: 90% of the other elementary school's $8,500 is
        // $7,650, so only school 103 falls short. Read as the totalled row on both sides,
        // `schools.level = level` held for every school, and the high school's $12,000 pulled the
        // average to $10,250, flagging 101 as well.
        let evaluation = try run(Self.schoolRules + """
            rule RE-4 "Comparability"
              pathway equity
              severity error
              for schools
              let comparison = AVERAGE(schools.per_pupil where schools.title1 = no and schools.level = level)
              when title1 and per_pupil < 90% * comparison
              flag per_pupil
              message "{site} spends {per_pupil} a pupil against {comparison} at other {level} schools."
            """, sheets: [("Schools", Self.schools)])
        #expect(evaluation.findings.map(\.rows) == [[4]])
        #expect(evaluation.findings.first?.message == "103 spends $7,000.00 a pupil against $8,500.00 at other ES schools.")
    }

    @Test func aTotalThatNamesItsTableMeansTheSameInAGroupedRule() throws {
        // Grouped by level, `schools.level = level` compares each school with its group's level.
        let evaluation = try run(Self.schoolRules + """
            rule RE-5 "Levels that spend above the district"
              pathway equity
              severity info
              for schools by level
              when AVERAGE(per_pupil) > AVERAGE(schools.per_pupil where schools.level <> level)
              flag per_pupil
              message "{level} schools spend {AVERAGE(per_pupil)} a pupil."
            """, sheets: [("Schools", Self.schools)])
        #expect(evaluation.findings.map(\.message) == ["HS schools spend $12,000.00 a pupil."])
    }

    @Test func aFailedComplianceRuleHoldsItsPathwayToDeveloping() throws {
        let rules = Self.schoolRules + """
            rule RE-4 "Comparability"
              pathway equity
              severity error
              compliance
              for schools
              when title1 and per_pupil < $7,500
              flag per_pupil
              message "{site} is below comparability."

            indicator EQ-5 "Schools spend enough"
              pathway equity
              measure MIN(schools.per_pupil)
              exemplary   when >= $5,000
              otherwise emerging
            """
        let capped = try run(rules, sheets: [("Schools", Self.schools)])
        #expect(capped.indicators.first?.level == .exemplary)
        #expect(capped.pathways.first?.level == .developing)
        #expect(capped.pathways.first?.cappedBy == ["RE-4"])
        // Without the finding, the pathway reads as its indicators do.
        let clean = try run(rules, sheets: [("Schools", Self.schools.replacingOccurrences(of: "103,ES,yes,7000", with: "103,ES,yes,7600"))])
        #expect(clean.pathways.first?.level == .exemplary && clean.pathways.first?.cappedBy == nil)
    }

    @Test func anAmountOverAnAmountShowsAsAPercentage() throws {
        let evaluation = try run(Self.schoolRules + """
            rule RE-6 "Share of the district"
              pathway equity
              severity info
              for schools by level
              when SUM(per_pupil) / SUM(schools.per_pupil) > 50%
              flag per_pupil
              message "{level} schools have {SUM(per_pupil) / SUM(schools.per_pupil)} of the spending."
            """, sheets: [("Schools", Self.schools)])
        // 23,500 of 35,500 is 66.197…%.
        #expect(evaluation.findings.map(\.message) == ["ES schools have 66.2% of the spending."])
        #expect(evaluation.findings.first?.values?["SUM(per_pupil)"] == "$23,500.00")
    }

    @Test func aMeasureThatCannotBeWorkedOutIsNotAssessedWithItsReasonNeverALevel() throws {
        // No school is at level MS: the share unspent, 1 − 0 ÷ 0, is no 100%.
        let evaluation = try run(Self.schoolRules + """
            indicator EQ-1 "Middle-school money unspent"
              pathway equity
              measure 1 - SUM(schools.per_pupil where schools.level = "MS") / SUM(schools.per_pupil where schools.level = "MS")
              exemplary   when <= 10%
              otherwise emerging

            indicator EQ-2 "Title I share of middle schools"
              pathway equity
              measure IF(COUNT(where schools.level = "MS") > 0, SHARE(schools.title1 where schools.level = "MS"))
              exemplary   when >= 50%
              otherwise emerging

            indicator EQ-5 "Title I share, on enough schools"
              pathway equity
              let counted = COUNT(where schools.title1)
              measure IF(counted >= 10, SHARE(schools.title1))
              exemplary   when >= 50%
              otherwise emerging
            """, sheets: [("Schools", Self.schools)])
        let unspent = try #require(evaluation.indicators.first { $0.indicator == "EQ-1" })
        #expect(!unspent.assessed && unspent.level == nil && unspent.value == nil)
        #expect(unspent.reason == "It divides by SUM(schools.per_pupil where schools.level = \"MS\"), which is zero on this workbook: there is nothing to measure.")
        let early = try #require(evaluation.indicators.first { $0.indicator == "EQ-2" })
        #expect(early.reason == "It is not measured: its condition COUNT(where schools.level = \"MS\") > 0 does not hold on this workbook.")
        // The values its condition names are said, so the reviewer sees how far off it is.
        let few = try #require(evaluation.indicators.first { $0.indicator == "EQ-5" })
        #expect(few.reason == "It is not measured: its condition counted >= 10 does not hold on this workbook (counted is 2).")
        #expect(evaluation.pathways.first?.assessedIndicators == 0)
    }

    @Test func aTotalOfNoRowsOrAnErrorInMinOrMaxIsNotAssessedWithItsReason() throws {
        let evaluation = try run(Self.schoolRules + """
            indicator EQ-3 "Middle-school spending"
              pathway equity
              measure AVERAGE(schools.per_pupil where schools.level = "MS")
              exemplary   when <= $9,000
              otherwise emerging

            indicator EQ-4 "Middle-school money unspent, never below nothing"
              pathway equity
              let spent  = SUM(schools.per_pupil where schools.level = "MS")
              let budget = SUM(schools.per_pupil where schools.level = "MS")
              measure MAX(0%, 1 - spent / budget)
              exemplary   when <= 10%
              otherwise emerging
            """, sheets: [("Schools", Self.schools)])
        let average = try #require(evaluation.indicators.first { $0.indicator == "EQ-3" })
        #expect(average.reason == "AVERAGE(schools.per_pupil where schools.level = \"MS\") has no values to work on on this workbook: no row meets its condition.")
        // Excel's MAX skips blank cells but not an error such as 0 ÷ 0: no level from nothing.
        let unspent = try #require(evaluation.indicators.first { $0.indicator == "EQ-4" })
        #expect(!unspent.assessed && unspent.level == nil)
        #expect(unspent.reason == "It divides by budget, which is zero on this workbook: there is nothing to measure.")
    }

    @Test func notAssessedNamesTheColumnTheWorkbookLacksNeverAViewsOwnColumn() throws {
        let rules = tableRules + """

            pathway management "Management"
            view by_site "Spending by school"
              from transactions by site
              column vendors = COUNT(vendor)
              column many    = vendors > 1
              column spent   = SUM(amount)
            rule V-1 "Many vendors"
              pathway management
              severity info
              for by_site
              when many
              flag vendors
              message "{site} pays {vendors} vendors."
            rule V-2 "Big spending"
              pathway management
              severity info
              for by_site
              when spent > $1,000
              flag spent
              message "{site} spent {spent}."
            """
        // The ledger has no Vendor column, which the rules declare optional.
        let ledger = "Posting Date,Account,Amount\n07/01/2024,199-11-6399-001,4000.00\n"
        let evaluation = try run(rules, sheets: [("Transactions", ledger)])
        let many = try #require(evaluation.outcomes.first { $0.rule == "V-1" })
        #expect(!many.assessed)
        #expect(many.reason == "It could not be assessed: sheet \"Transactions\" has no \"Vendor\" column.")
        #expect(evaluation.outcomes.first { $0.rule == "V-2" }?.assessed == true, "a view column that does not need it is still there")
    }
}
