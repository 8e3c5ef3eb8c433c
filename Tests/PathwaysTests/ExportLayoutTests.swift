import Foundation
import RulesEngine
import RulesLanguage
import SpreadsheetIO
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

    @Test func theSamplesOwnLayoutBindsEveryTable() throws {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0 ..< 3 { url.deleteLastPathComponent() }
        let workbook = try SpreadsheetReader.read(path: url.appendingPathComponent("workbooks/samples/clean-district.xlsx").path)
        let binding = WorkbookBinder.bind(workbook, to: rules)
        #expect(Set(binding.tables.keys) == ["transactions", "accounts", "sites", "owners", "goals"])
        #expect(binding.messages.isEmpty, "\(binding.messages)")
    }
}
