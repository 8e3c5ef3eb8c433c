import Foundation
import RulesEngine
import RulesLanguage
import SpreadsheetIO
import Tabular
import Testing

private let rules: CheckedRuleSet = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0 ..< 3 { url.deleteLastPathComponent() }
    return RuleChecker.check(try! RuleSetFolder.load(url.appendingPathComponent("rules").path)).ruleSet!
}()

/// The exports named in the domain notes bind to the default tables as they come, without edits.
@Suite struct ExportLayoutTests {
    /// The tables a one-sheet CSV with this header and row binds to, and any binding errors.
    private func tables(bound header: String, _ row: String) throws -> (tables: Set<String>, errors: [String]) {
        let binding = try bind(header, row)
        return (Set(binding.tables.keys), binding.errors.map(\.description))
    }

    private func bind(_ header: String, _ row: String) throws -> WorkbookBinding {
        WorkbookBinder.bind(try CSVReader.read(bytes: Array((header + "\n" + row + "\n").utf8), fileName: "export.csv"), to: rules)
    }

    @Test(arguments: [
        // Tyler Munis glytdbud, with the leading spaces some runs put before YTD ACTUAL.
        ("FUND,DEPARTMENT,ORG,OBJ,PROJECT,ACCOUNT,ACCOUNT DESCRIPTION,TYPE,ORIGINAL APPROP,TRANFRS/ADJSMTS,REVISED BUDGET,  YTD ACTUAL,ENCUMBRANCES,AVAILABLE BUDGET,% USED",
         "100,1000,101,610,000,100-1000-610-101-100-000,INSTR SUPP,E,100.00,0.00,100.00,50.00,0.00,50.00,50%"),
        // NYSED's required monthly report.
        ("Account,Original Appropriation,Adjustments & Transfers,Revised,Expenditures,Encumbrances,Unencumbered Balance",
         "100-1000-610-101-100-000,100.00,0.00,100.00,50.00,0.00,50.00"),
        // Alio: appropriated plus adjusted budget.
        ("Account,Appropriated,Adjusted,Expenditures,Encumbrances", "100-1000-610-101-100-000,100.00,0.00,50.00,0.00"),
        // Skyward Qmlativ.
        ("Account,OriginalBudget,BudgetAmendment,BeginningBalance,Debit,Credit,Encumbrance", "100-1000-610-101-100-000,100.00,0.00,0.00,50.00,0.00,0.00"),
        // Oracle's balance extract.
        ("Account,BudgetAmount,BudgetAdjustmentAmount,CommitmentAmount,ObligationAmount,ActualAmount,FundsAvailableAmount",
         "100-1000-610-101-100-000,100.00,0.00,0.00,0.00,50.00,50.00"),
    ])
    func budgetReportsBindAsAccounts(header: String, row: String) throws {
        let (tables, errors) = try tables(bound: header, row)
        #expect(errors.isEmpty, "\(errors)")
        #expect(tables == ["accounts"])
    }

    @Test func anIllinoisVendorPaymentExtractBindsAsTransactions() throws {
        let (tables, errors) = try tables(bound: "check_no,chk_date,vendor,name,invoice,inv_date,po,warrant,amount,org,object,project,desc",
                                          "004187,07/15/2024,V0413,Scholastic Inc.,INV-88213,07/01/2024,PO25-01577,W1,1250.00,101,6399,000,Classroom library books")
        #expect(errors.isEmpty, "\(errors)")
        #expect(tables == ["transactions"])
        // Its `vendor` is an id and `name` the vendor's name: the alias listed first wins, wherever the column is.
        let transactions = try #require(bind("check_no,chk_date,vendor,name,invoice,inv_date,po,warrant,amount,org,object,project,desc",
                                                 "004187,07/15/2024,V0413,Scholastic Inc.,INV-88213,07/01/2024,PO25-01577,W1,1250.00,101,6399,000,Classroom library books").tables["transactions"])
        #expect(transactions.column("vendor")?[0] == .text("Scholastic Inc."))
    }

    @Test func aGLDetailWithDebitAndCreditColumnsBindsWithItsAmountWorkedOut() throws {
        // The district GL detail of the domain notes has no Amount column: amount is debit - credit.
        let binding = try bind("JournalDate,Fund,FunctionCode,ProgramCode,SchoolCode,Object_Code,BatchNo,Reference,DebitAmount,CreditAmount",
                               "07/15/2024,100,1000,100,101,610,B1,R1,1250.00,\n07/16/2024,100,1000,100,101,610,B1,R2,,200.00")
        #expect(binding.errors.isEmpty, "\(binding.errors)")
        let transactions = try #require(binding.tables["transactions"])
        #expect((0 ..< 2).map { transactions.column("amount")?[$0] } == [.money(Money(scaled: 12_500_000)), .money(Money(scaled: -2_000_000))])
        #expect(transactions.workedOut == ["amount"])
        #expect(transactions.column("amount")?.sourceColumn == 8, "a finding on the amount points at the DebitAmount cell")
        // Its segments come in columns of their own, with no account string to cut them from.
        #expect(["fund", "function", "object", "site", "program"].map { transactions.column($0)?[0] }
                == [.code("100"), .code("1000"), .code("610"), .code("101"), .code("100")])
        #expect(transactions.column("project") == nil, "a segment neither given nor cut is missing, not blank")
    }

    @Test func aPlainBudgetExportHasItsRevisedBudgetAndAvailableWorkedOut() throws {
        // Original budget, spending and encumbrances, nothing more: the most common budget export.
        let binding = try bind("Account,Original Budget,YTD Actual,Encumbrance",
                               "100-1000-610-101-100-000,4000.00,4850.00,0\n100-1000-610-102-100-000,1000.00,700.00,100.00")
        let accounts = try #require(binding.tables["accounts"])
        #expect(accounts.column("revised")?[0] == .money(Money(scaled: 40_000_000)), "no transfers: the revised budget is the original")
        #expect((0 ..< 2).map { accounts.column("available")?[$0] } == [.money(Money(scaled: -8_500_000)), .money(Money(scaled: 2_000_000))])
        #expect(accounts.workedOut == ["revised", "available"])
        #expect(RuleRunner.run(rules, on: binding).findings.filter { $0.rule == "BO-1" }.map(\.rows) == [[2]], "the $850 overspend is an error")
        // A budget with the amended budget and no transfers (Ascender's) has its transfers worked
        // out, so MG-6 can measure them; one with neither has no transfers, not transfers of $0.
        let amended = try #require(try bind("Account Code,Original Budget,Amended Budget,Expended YTD",
                                            "100-1000-610-101-100-000,4000.00,4500.00,100.00").tables["accounts"])
        #expect(amended.column("transfers")?[0] == .money(Money(scaled: 5_000_000)))
        #expect(accounts.column("transfers") == nil)
        // Without the spending, nothing is available to work out: not a budget with nothing spent.
        #expect(try bind("Account,Original Budget", "100-1000-610-101-100-000,4000.00").tables["accounts"]?.column("available") == nil)
    }

    @Test func aMunisLedgerOfOrgAndObjectGetsFunctionAndSiteFromItsOrgCodes() throws {
        // Tyler Munis: the org code 10011000 stands for fund 100, instruction, Riverside (101);
        // 10051000 for debt service at the district office. Function and site come from Org Codes.
        func rows(_ csv: String) -> [[String]] { csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) } }
        let ledger = rows("Post Date,Org,Object,Vendor,Description,Amount\n07/15/2024,10011000,610,School Specialty,Classroom supplies,300.00\n07/31/2024,10051000,110,,Salaries charged to debt service,900.00")
        let orgs = rows("Org,Org Name,Function,Location\n10011000,Riverside instruction,1000,101\n10051000,Debt service,5100,900")
        let binding = WorkbookBinder.bind(RawWorkbook(file: "munis.xlsx", textSheets: [("GL Detail", ledger), ("Org Codes", orgs)]), to: rules)
        #expect(binding.errors.isEmpty, "\(binding.errors)")
        let transactions = try #require(binding.tables["transactions"])
        #expect((0 ..< 2).map { transactions.column("site")?[$0] } == [.code("101"), .code("900")])
        #expect(transactions.workedOut.isSuperset(of: ["function", "site"]))
        let evaluation = RuleRunner.run(rules, on: binding)
        #expect(evaluation.findings.filter { $0.rule == "MG-11" }.map(\.rows) == [[3]], "salaries may not be charged to debt service")
        // Without the org codes, nothing says the org codes are missing but the rules that need a function or site.
        let alone = WorkbookBinder.bind(RawWorkbook(file: "munis.xlsx", textSheets: [("GL Detail", ledger)]), to: rules)
        #expect(!alone.messages.contains { $0.table == "orgs" }, "no rule reads the org codes themselves")
        #expect(alone.tables["transactions"]?.column("site") == nil)
    }

    @Test func anOrgCodesSheetSaysWhatAMunisAccountsOrgIsRatherThanItsParts() throws {
        // A Munis budget's ACCOUNT is ORG.OBJECT: split the NCES way, its second part would be the
        // function and the site would be blank. With the Org codes sheet, both come from there.
        func rows(_ csv: String) -> [[String]] { csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) } }
        let budget = rows("FUND,ORG,OBJ,ACCOUNT,ORIGINAL APPROP,YTD EXPENDED\n100,11011010,610,11011010.610,100.00,50.00\n100,19005110,110,19005110.110,900.00,900.00")
        let orgs = rows("Org,Org Name,Function,Location\n11011010,Riverside instruction,1000,101\n19005110,Debt service,5100,900")
        let binding = WorkbookBinder.bind(RawWorkbook(file: "munis.xlsx", textSheets: [("glytdbud", budget), ("Org Codes", orgs)]), to: rules)
        let accounts = try #require(binding.tables["accounts"])
        #expect((0 ..< 2).map { accounts.column("function")?[$0] } == [.code("1000"), .code("5100")])
        #expect((0 ..< 2).map { accounts.column("site")?[$0] } == [.code("101"), .code("900")])
        #expect(!accounts.isCutSegment("function") && accounts.workedOut.isSuperset(of: ["function", "site"]))
        // Without the sheet, nothing says what the function and site are: missing, with a note,
        // so the rules that need them are not assessed, rather than blank.
        let aloneBinding = WorkbookBinder.bind(RawWorkbook(file: "munis.xlsx", textSheets: [("glytdbud", budget)]), to: rules)
        let alone = try #require(aloneBinding.tables["accounts"])
        #expect(alone.column("function") == nil && alone.column("site") == nil)
        #expect(aloneBinding.messages.contains { $0.kind == .note && $0.message.hasPrefix("No account in column D \"ACCOUNT\" of sheet \"glytdbud\" has a function, site, program or project part (11011010.610;") },
                "\(aloneBinding.messages)")
    }

    @Test func accountsSeparatedByDotsAreSplitByThemAndTheReviewSaysSo() throws {
        // Split by "-", 100.1000.890.101.100.000 would be all fund: the catch-all spending would
        // vanish and MG-3 read 0%, exemplary. A review that looks clean and is wrong.
        let binding = try bind("Posting Date,Account,Amount,Description",
                               "2024-10-01,100.1000.890.101.100.000,1200.00,Assorted items\n2024-10-02,100.1000.610.101.100.000,950.00,Classroom supplies")
        let ledger = try #require(binding.tables["transactions"])
        #expect(ledger.column("object")?[0] == .code("890") && ledger.column("site")?[1] == .code("101"))
        #expect(binding.messages.filter { $0.kind == .note }.map(\.message) == ["The accounts in column B \"Account\" of sheet \"export\" are separated by \".\" (100.1000.890.101.100.000), not by \"-\" as the rules say, so they were split by \".\", and are shown and matched with \"-\"."])
        #expect(ledger.column("account")?[0] == .code("100-1000-890-101-100-000"), "so it matches a budget written with dashes")
        #expect(RuleRunner.run(rules, on: binding).findings.filter { $0.rule == "MG-12" }.map(\.rows) == [[2]])
        // A Munis ORG.OBJECT has two parts, not the six the layout reads: not split by its point.
        let munis = try bind("Posting Date,Account,Amount", "2024-10-01,11011010.610,10.00")
        #expect(munis.tables["transactions"]?.column("fund")?[0] == .code("11011010.610"))
    }

    @Test func anAccountWithoutASitePartLeavesTheSiteRulesNotAssessedAndSaysWhy() throws {
        let binding = try bind("Posting Date,Account,Amount", "2024-10-01,100-1000-890,1200.00")
        let ledger = try #require(binding.tables["transactions"])
        #expect(ledger.column("object")?[0] == .code("890"))
        #expect(ledger.column("site") == nil, "missing, not blank: blank would count every dollar as central spending")
        #expect(binding.messages.first { $0.kind == .note }?.message == "No account in column B \"Account\" of sheet \"export\" has a site, program or project part (100-1000-890; site is read as part 4 split by \"-\"), so the rules that need them are not assessed.")
        let evaluation = RuleRunner.run(rules, on: binding)
        let reason = try #require(evaluation.outcomes.first { $0.rule == "RE-4" }?.reason)
        #expect(reason.contains("sheet \"export\" has no \"Site\" column, and its accounts have no site part"), "\(reason)")
    }

    @Test func aLedgerWhoseAccountsAreNotInTheBudgetSaysSo() throws {
        // Texas accounts cut to fund-function-object in the ledger and written whole in the budget:
        // the closed-account and coding rules would match nothing and look clean.
        let ledger = (0 ..< 12).map { "2024-10-\(String(format: "%02d", $0 + 1)),199-11-6399,10.00" }.joined(separator: "\n")
        let workbook = RawWorkbook(file: "texas.xlsx", textSheets: [
            ("Transactions", ([["Posting Date", "Account", "Amount"]] + ledger.split(separator: "\n").map { $0.split(separator: ",").map(String.init) })),
            ("Accounts", [["Account", "Original Budget", "Status"], ["199-11-6399-00-101-5-11", "100.00", "Inactive"]]),
        ])
        let notes = WorkbookBinder.bind(workbook, to: rules).messages.filter { $0.kind == .note }.map(\.message)
        #expect(notes.contains("Only 0% of the account values of sheet \"Transactions\" are in sheet \"Accounts\" (199-11-6399 is not; 199-11-6399-00-101-5-11 is one that is), so the rules that look them up there find little."), "\(notes)")
    }

    @Test func theReviewDateComesFromTheLedgerNeverFromOwnersOrGoals() throws {
        // A ledger whose date column is headed "Txn Date" is not bound; the owners' training dates
        // are no review date, and taking one made a year-end budget look 57% of the way through.
        let workbook = RawWorkbook(file: "district.xlsx", textSheets: [
            ("Accounts", [["Account", "Original Budget", "YTD Actual"], ["100-1000-610-101-100-000", "100.00", "93.00"]]),
            ("Owners", [["Owner ID", "Active", "Last Finance Training"], ["P101", "Y", "2025-01-26"]]),
        ])
        let evaluation = RuleRunner.run(rules, on: WorkbookBinder.bind(workbook, to: rules))
        #expect(evaluation.asOf == nil)
        #expect(evaluation.outcomes.first { $0.rule == "BO-2" }?.assessed == false)
    }

    @Test func anAccountReadByItsCharactersAsNewYorkWritesIt() throws {
        // NYSED's A2110.120: fund letter, four-digit function, then the object after a point.
        let text = """
            table transactions "Transactions"
              column posted  date  "Date"
              column account code  "Account"
                segments fund 1, function 2-5, object 7-9
              column amount  money "Amount"

            """
        let check = RuleChecker.check([SourceFile(path: "ny.rules", text: text)])
        let checked = try #require(check.ruleSet, "\(check.report.text)")
        #expect(try RuleFormatter.format(SourceFile(path: "ny.rules", text: text)).get() == text, "fmt keeps the characters as written")
        let csv = "Date,Account,Amount\n07/01/2024,A2110.120,10.00\n07/02/2024,F2110.150,5.00\n07/03/2024,A21,1.00\n"
        let ledger = try #require(WorkbookBinder.bind(try CSVReader.read(bytes: Array(csv.utf8), fileName: "ny.csv"), to: checked).tables["transactions"])
        #expect((0 ..< 3).map { ledger.column("fund")?[$0] } == [.code("A"), .code("F"), .code("A")])
        #expect((0 ..< 3).map { ledger.column("function")?[$0] } == [.code("2110"), .code("2110"), .code("21")], "a short account gives what it has")
        #expect((0 ..< 3).map { ledger.column("object")?[$0] } == [.code("120"), .code("150"), .blank])
    }

    @Test func segmentsInColumnsOfTheirOwnAreReviewedAsIfCutFromAnAccount() throws {
        // A GL detail with no account string: the catch-all and the school spending are found as
        // they would be in 100-1000-890-101-100-000.
        let header = "Post Date,Fund,Function,Object,Location,Program,Project,Vendor,Description,Amount"
        let rows = "07/15/2024,100,1000,890,101,100,000,Amazon Business,Assorted items,1250.00\n07/16/2024,100,1000,610,102,100,000,School Specialty,Classroom supplies,300.00"
        let binding = try bind(header, rows)
        #expect(binding.errors.isEmpty, "\(binding.errors)")
        let evaluation = RuleRunner.run(rules, on: binding)
        #expect(evaluation.findings.filter { $0.rule == "MG-12" }.map(\.rows) == [[2]])
        #expect(evaluation.outcomes.first { $0.rule == "MG-11" }?.assessed == true, "object and function rules are assessed")
        // An export with both: a Skyward-style account with a type segment in front, and an Object
        // column of its own, which is read rather than the account's third part.
        let both = try bind("Posting Date,Account,Object,Amount", "07/15/2024,E-100-1000-890-101,890,1250.00")
        #expect(both.tables["transactions"]?.column("object")?[0] == .code("890"))
        #expect(both.tables["transactions"]?.column("fund")?[0] == .code("E"), "segments without a column are still cut from the account")
    }

    @Test func aLedgerWithoutAnAmountIsToldItCouldGiveDebitAndCreditInstead() throws {
        let binding = try bind("Posting Date,Account,Amout", "07/01/2024,100-1000-610-101-100-000,5.00")
        let message = try #require(binding.messages.first { $0.table == "transactions" })
        #expect(message.hint?.contains("It can also be worked out from \"Debit Amount\" and \"Credit Amount\" columns, if the sheet has those.") == true,
                "\(message.hint ?? "")")
    }

    @Test func aSkywardBudgetHasItsActualsAndRevisedBudgetWorkedOut() throws {
        let binding = try bind("Account,OriginalBudget,BudgetAmendment,BeginningBalance,Debit,Credit,Encumbrance",
                               "100-1000-610-101-100-000,100.00,25.00,0.00,80.00,5.00,0.00")
        let accounts = try #require(binding.tables["accounts"])
        #expect(accounts.column("revised")?[0] == .money(Money(scaled: 1_250_000)), "original + transfers")
        #expect(accounts.column("actual")?[0] == .money(Money(scaled: 750_000)), "debit - credit")
        // A budget report that has its revised budget keeps it: the formula is only for sheets without one.
        let munis = try bind("Account,Original Budget,Transfers and Adjustments,Revised Budget", "100-1000-610-101-100-000,100.00,25.00,90.00")
        #expect(munis.tables["accounts"]?.column("revised")?[0] == .money(Money(scaled: 900_000)))
        #expect(munis.tables["accounts"]?.workedOut.isEmpty == true)
    }

    @Test func theSamplesOwnLayoutBindsEveryTable() throws {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0 ..< 3 { url.deleteLastPathComponent() }
        let workbook = try SpreadsheetReader.read(path: url.appendingPathComponent("workbooks/samples/clean-district.xlsx").path)
        let binding = WorkbookBinder.bind(workbook, to: rules)
        #expect(Set(binding.tables.keys) == ["transactions", "accounts", "sites", "owners", "goals", "funds"])
        #expect(binding.messages.isEmpty, "\(binding.messages)")
    }
}

/// The default rubric follows the district's fiscal year, not July's.
@Suite struct FiscalYearTests {
    @Test func theSpringRushIsTheLastTwoMonthsOfTheDistrictsOwnYear() throws {
        // Non-personnel spending of $100 each in June, August and September: for a July year the
        // last two months are May and June ($100 of $300); for an October year, August and
        // September ($200 of $300).
        let ledger = """
            Posting Date,Account,Amount
            2025-06-15,100-1000-610-101-100-000,100.00
            2025-08-15,100-1000-610-101-100-000,100.00
            2025-09-15,100-1000-610-101-100-000,100.00
            """
        let binding = WorkbookBinder.bind(try CSVReader.read(bytes: Array(ledger.utf8), fileName: "ledger.csv"), to: rules)
        func rush(startingIn month: String) throws -> String? {
            let params = ParamValues(rules: rules, workbook: nil, commandLine: ["fiscal_year_start": month])
            #expect(params.problems.isEmpty, "\(params.problems)")
            return RuleRunner.run(rules, on: binding, params: params).indicators.first { $0.indicator == "MG-5" }?.value
        }
        #expect(try rush(startingIn: "7") == "33.33%")
        #expect(try rush(startingIn: "10") == "66.67%")
    }
}
