import Testing
@testable import RulesEngine
import RulesLanguage
import SpreadsheetIO
import Tabular

let tableRules = """
    table transactions "Transactions"
      from sheet "Transactions", "GL Detail"
      required
      column posted  date  "Posting Date", "Post Date"
      column account code  "Account", "GL Account"
        segments fund, function, object, site split by "-"
      column vendor  text  "Vendor", "Payee" optional
      column owner   text  "Budget Owner", "Owner" optional
      column amount  money "Amount", "Net Amount"
    table sites "Schools"
      from sheet "Sites"
      key code
      column code       code    "Site", "Site Code"
      column enrollment number  "Enrollment", "Oct 1 Enrollment"
    """

func checkedRules(_ text: String = tableRules) throws -> CheckedRuleSet {
    let result = RuleChecker.check([SourceFile(path: "rules/tables.rules", text: text)])
    return try #require(result.ruleSet, "\(result.report.text)")
}

/// A workbook of CSV sheets, each named after its file.
func workbook(_ sheets: [(String, String)]) throws -> RawWorkbook {
    let read = try sheets.map { name, text in try CSVReader.read(bytes: Array(text.utf8), fileName: name + ".csv") }
    return RawWorkbook(file: "district.xlsx", sheets: read.flatMap(\.sheets), notes: read[0].notes)
}

let ledger = """
    District GL Detail
    Posted 07/01/2024 to 06/30/2025

    POST DATE,GL account,Payee,budget_owner,Net Amount
    07/01/2024,199-11-6399-001,Acme,M. Alvarez,"1,234.56"
    07/02/2024,199-11-6411-010,Staples,,(12.50)
    07/03/2024,199-35-6341-002,Sysco,J. Chen,12.5O0
    """

@Suite struct BindingTests {
    @Test func findsATableByItsHeadersUnderTitleRowsWhateverTheirCaseAndPunctuation() throws {
        let binding = WorkbookBinder.bind(try workbook([("Export 7", ledger)]), to: try checkedRules())
        let transactions = try #require(binding.tables["transactions"])
        #expect(transactions.sheet == "Export 7")
        #expect(transactions.headerRow == 4)
        #expect(transactions.table.rowCount == 3)
        #expect(transactions.column("amount")?[1] == .money(Money(dollars: -12, cents: -50)))
        #expect(transactions.column("owner")?[1] == .blank)
        #expect(transactions.column("posted")?[0] == .date(CalendarDate(year: 2024, month: 7, day: 1)!))
    }

    @Test func declaredTypesDecideAndUnfitCellsAreDataErrors() throws {
        let binding = WorkbookBinder.bind(try workbook([("Export 7", ledger)]), to: try checkedRules())
        let transactions = try #require(binding.tables["transactions"])
        #expect(transactions.dataErrors.errors.map(\.description) == ["Export 7, row 7, column Net Amount (E7): \"12.5O0\" is not an amount."])
    }

    @Test func codeSegmentsBecomeColumns() throws {
        let binding = WorkbookBinder.bind(try workbook([("Export 7", ledger)]), to: try checkedRules())
        let transactions = try #require(binding.tables["transactions"])
        #expect(transactions.column("object")?[0] == .code("6399"))
        #expect(transactions.column("site")?[1] == .code("010"))
        #expect(transactions.column("fund")?[2] == .code("199"))
    }

    @Test func aSheetNameHintWinsOverHeaders() throws {
        let sites = "Site,Enrollment\n001,412\n002,388\n"
        let binding = WorkbookBinder.bind(try workbook([("Export 7", ledger), ("Sites", sites), ("GL Detail", ledger)]), to: try checkedRules())
        #expect(binding.tables["transactions"]?.sheet == "GL Detail")
        #expect(binding.tables["sites"]?.column("code")?[0] == .code("001"))
        #expect(binding.messages.isEmpty)
    }

    @Test func twoSheetsThatFitEquallyAreAmbiguous() throws {
        let binding = WorkbookBinder.bind(try workbook([("Export 7", ledger), ("Export 8", ledger)]), to: try checkedRules())
        #expect(binding.errors.map(\.description) == [
            "Two sheets could be the Transactions table: \"Export 7\" and \"Export 8\". Add the right sheet's name to the table's `from sheet` line in rules/tables.rules:1, or rename the other sheet.",
        ])
    }

    @Test func aMissingColumnNamesTheSheetWhatWasFoundAndTheFix() throws {
        let text = "Posting Date,Account,Vendor,Amt,Net\n07/01/2024,199-11-6399-001,Acme,5,5\n"
        let binding = WorkbookBinder.bind(try workbook([("Transactions", text)]), to: try checkedRules())
        #expect(binding.tables["transactions"] == nil)
        let message = try #require(binding.messages.first { $0.table == "transactions" })
        #expect(message.kind == .error, "the transactions table is required")
        #expect(message.message == "Sheet \"Transactions\" has no column for `amount` of the Transactions table; found `Amt`, `Net`.")
        #expect(message.hint == "If `Amt` is that column, rename its header to \"Amount\" in the workbook, or add \"Amt\" to the aliases of `amount` in rules/tables.rules:9.")
    }

    @Test func aSheetNamedForATableButMissingAColumnLeavesThatTableOutWithTheReasonAndTheRestIsReviewed() throws {
        let text = "Site,Enrolment\n001,400\n"
        let binding = WorkbookBinder.bind(try workbook([("Export 7", ledger), ("Sites", text)]), to: try checkedRules())
        let sites = try #require(binding.messages.first { $0.table == "sites" })
        #expect(sites.kind == .notAssessed, "the schools are left out, said so, and the ledger is still reviewed")
        #expect(sites.message == "Sheet \"Sites\" has no column for `enrollment` of the Schools table; found `Enrolment`.")
        #expect(binding.errors.isEmpty)
        #expect(binding.tables["transactions"]?.table.rowCount == 3)
    }

    @Test func aSheetWithNoOtherHeadersSaysSoRatherThanListingNothing() throws {
        let binding = WorkbookBinder.bind(try workbook([("Export 7", ledger), ("Sites", "Site\n001\n")]), to: try checkedRules())
        let sites = try #require(binding.messages.first { $0.table == "sites" })
        #expect(sites.message == "Sheet \"Sites\" has no column for `enrollment` of the Schools table; it has no other headers.")
    }

    @Test func aSheetBoundToOneTableIsNeverBoundToAnotherNorFoundByOneGenericHeader() throws {
        let rules = try checkedRules(tableRules + """

            table vendors "Vendors"
              column vendor text "Vendor", "Payee"
              column city   text "City" optional
            table payees "Payees"
              column payee  text "Payee"
            """)
        let binding = WorkbookBinder.bind(try workbook([("Export 7", ledger)]), to: rules)
        #expect(binding.tables["transactions"]?.sheet == "Export 7")
        #expect(binding.tables["vendors"] == nil, "the ledger's Payee column does not make it a vendor list")
        #expect(binding.tables["payees"] == nil, "a sheet that is the ledger is not also the payees table")
        #expect(binding.messages.first { $0.table == "vendors" }?.kind == .notAssessed)
    }

    @Test func twoColumnsWithTheHeaderOfOneColumnAreReportedNotChosenSilently() throws {
        let text = "Posting Date,Account,Amount,Amount\n07/01/2024,199-11-6399-001,5.00,7.00\n"
        let optional = try checkedRules(tableRules.replacingOccurrences(of: "  required\n", with: ""))
        let binding = WorkbookBinder.bind(try workbook([("Transactions", text)]), to: optional)
        #expect(binding.tables["transactions"] == nil)
        let message = try #require(binding.messages.first { $0.table == "transactions" })
        #expect(message.kind == .notAssessed)
        #expect(message.message == "Sheet \"Transactions\" has two columns headed \"Amount\" (C and D), so Pathways cannot tell which is `amount` of the Transactions table.")
    }

    @Test func aTableTheWorkbookDoesNotHaveIsNotAssessedUnlessRequired() throws {
        let binding = WorkbookBinder.bind(try workbook([("Export 7", ledger)]), to: try checkedRules())
        let sites = try #require(binding.messages.first { $0.table == "sites" })
        #expect(sites.kind == .notAssessed)
        #expect(sites.message.hasPrefix("The workbook has no Schools table"))
        #expect(binding.errors.isEmpty)
        let nothing = WorkbookBinder.bind(try workbook([("Notes", "Memo\nhello\n")]), to: try checkedRules())
        #expect(nothing.errors.map(\.table) == ["transactions"])
    }

    @Test func aSheetTakenForItsNameWhileAnotherFitsBetterIsAChoiceTheReviewerIsAskedToCheck() throws {
        let totals = "Posting Date,Account,Amount\n07/31/2024,199-11-6399-001,1222.06\n"
        let binding = WorkbookBinder.bind(try workbook([("GL Detail", totals), ("Export 7", ledger)]), to: try checkedRules())
        #expect(binding.tables["transactions"]?.sheet == "GL Detail", "the name still decides")
        let note = try #require(binding.messages.first { $0.kind == .note })
        #expect(note.message == "Sheet \"GL Detail\" was taken as the Transactions table because of its name, but sheet \"Export 7\" has more of its columns (5 against 3).")
        #expect(binding.errors.isEmpty)
    }

    @Test func aSheetSharingHalfATablesColumnsIsNotOfferedAsItsNearMiss() throws {
        let binding = WorkbookBinder.bind(try workbook([("Export 7", ledger), ("Codes", "Site,Name\n001,Lakeview\n")]), to: try checkedRules())
        let sites = try #require(binding.messages.first { $0.table == "sites" })
        #expect(sites.message.hasPrefix("The workbook has no Schools table"), "\(sites.message)")
    }
}
