import Foundation
import SpreadsheetIO
import Tabular
import Testing
@testable import Pathways

/// A district that exports CSV: a ledger, a budget and a list of schools in a folder
/// `springfield/`, with rules that need them together, all in a scratch folder removed afterwards.
final class DistrictFiles: @unchecked Sendable {
    let root: URL
    var folder: URL { root.appendingPathComponent("springfield") }
    var rules: String { root.appendingPathComponent("rules").path }

    static let files: [(name: String, text: String)] = [
        ("ledger.csv", "Posting Date,Account,Site,Amount\n07/01/2024,100-610,101,900.00\n07/02/2024,100-610,101,300.00\n07/03/2024,100-999,102,50.00\n07/04/2024,100-620,109,75.00\n"),
        ("budget.csv", "Account,Revised Budget\n100-610,1000.00\n100-620,500.00\n"),
        ("schools.csv", "Site Code,School Name\n101,Lincoln Elementary\n102,Roosevelt Middle\n"),
    ]

    /// What the rules find in the three files together: each rule reads two of the tables.
    static let findings = [["BO-01", "ledger!B4"], ["BO-03", "budget!B2"], ["BO-02", "ledger!C5"]]

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("district-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("rules"), withIntermediateDirectories: true)
        try """
            table transactions "Transactions"
              required
              column posted  date  "Posting Date"
              column account code  "Account"
              column site    code  "Site"
              column amount  money "Amount"
            table accounts "Budget by account"
              column account code  "Account"
              column revised money "Revised Budget"
            table sites "Schools"
              column site code "Site Code"
              column name text "School Name" optional
            pathway management "Management"
            rule BO-01 "Spending on an account with no budget"
              pathway management
              severity error
              for transactions
              when account not in accounts.account
              flag account
              message "Account {account} has no budget line."
            rule BO-02 "Spending at a site that is not a school"
              pathway management
              severity warning
              for transactions
              when site not in sites.site
              flag site
              message "Site {site} is not on the list of schools."
            rule BO-03 "Account over its budget"
              pathway management
              severity error
              for accounts
              when SUM(transactions.amount where transactions.account = account) > revised
              flag revised
              message "Account {account} is over its budget of {revised}."
            """.write(to: root.appendingPathComponent("rules/district.rules"), atomically: true, encoding: .utf8)
        for (name, text) in DistrictFiles.files { try write(name, text) }
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    func write(_ name: String, _ text: String) throws {
        try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    func options(_ inputs: [String]) -> RunJob.Options {
        var options = RunJob.Options(inputs: inputs)
        options.rules = rules
        return options
    }

    func report(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    /// The district's files zipped (by Python's zipfile, not by Pathways) under `springfield/`, with extra members.
    func zip(to target: URL, extra: [(name: String, text: String)] = []) throws {
        try writeZip(to: target, DistrictFiles.files.map { ("springfield/" + $0.name, $0.text) } + extra)
    }
}

/// A zip written by Python's zipfile, which stores names as given, `../evil.csv` included.
func writeZip(to target: URL, _ members: [(name: String, text: String)]) throws {
    let script = """
        import json, sys, zipfile
        with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
            for name, text in json.loads(sys.argv[2]):
                z.writestr(zipfile.ZipInfo(name, (2025, 7, 1, 0, 0, 0)), text)
        """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script, target.path,
                         String(decoding: try JSONSerialization.data(withJSONObject: members.map { [$0.name, $0.text] }), as: UTF8.self)]
    try process.run()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "python3 could not write \(target.path)")
}

@Suite(.serialized) struct DistrictRunTests {
    private func rulesAndCells(_ report: [String: Any]) -> [[String]] {
        ((report["findings"] as? [[String: Any]]) ?? []).map { [$0["rule"] as? String ?? "", ($0["cells"] as? [String])?.first ?? ""] }
    }

    private func tables(_ report: [String: Any]) -> [[String]] {
        ((report["tables"] as? [[String: Any]]) ?? []).map { [$0["table"] as? String ?? "", $0["file"] as? String ?? "", $0["sheet"] as? String ?? ""] }
    }

    @Test func aLedgerABudgetAndAListOfSchoolsInThreeFilesAreReviewedAsOneDistrict() throws {
        let district = try DistrictFiles()
        let outcome = RunJob.run(district.options(["ledger.csv", "budget.csv", "schools.csv"].map(district.path)))
        #expect(outcome.exitCode == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.hasPrefix("springfield (3 files: ledger.csv, budget.csv, schools.csv), reviewed with 1 rule file as of 2024-07-04"))
        #expect(outcome.standardOutput.contains("transactions from sheet \"ledger\" of ledger.csv (4 rows"))
        // Several files' review is named after their folder and written in it.
        let report = try district.report(district.path("springfield.findings.json"))
        #expect(report["input"] as? String == "springfield")
        #expect((report["inputs"] as? [[String: Any]])?.map { $0["file"] as? String } == ["ledger.csv", "budget.csv", "schools.csv"])
        #expect(tables(report) == [["transactions", "ledger.csv", "ledger"], ["accounts", "budget.csv", "budget"], ["sites", "schools.csv", "schools"]])
        #expect(rulesAndCells(report) == DistrictFiles.findings, "each rule needed two of the files")
        #expect((report["notAssessed"] as? [Any])?.isEmpty == true)

        // The reviewed workbook holds every file's sheet, flagged where the findings are, and its Summary lists the files.
        let workbook = try readWithOpenpyxl(district.path("springfield.reviewed.xlsx"))
        #expect(workbook["sheets"] as? [String] == ["Summary", "Rubric", "Findings", "Charts", "ledger", "budget", "schools"])
        let fills = try #require(workbook["fills"] as? [String: [String]])
        #expect(fills["ledger"] == ["B4", "C5"] && fills["budget"] == ["B2"])
        let summary = try #require((workbook["cells"] as? [String: Any])?["Summary"] as? [String: [String]])
        let filesRow = try #require(summary.first { $0.value[1] == "Files reviewed" }.flatMap { Int($0.key.dropFirst()) })
        #expect((1 ... 3).map { summary["A\(filesRow + $0)"]?[1] } == ["ledger.csv", "budget.csv", "schools.csv"])
        #expect(summary["B\(filesRow + 1)"]?[1] == "Sheet \"ledger\", the Transactions table")
        #expect((workbook["summaryLinks"] as? [String: String])?["A\(filesRow + 2)"] == "budget!A1", "each file leads to its sheet")
    }

    @Test func aFolderIsReviewedAsItsSpreadsheetsAndAnEarlierReviewInItIsNotTakenForData() throws {
        let district = try DistrictFiles()
        // What else a finance office's folder holds: a note, Excel's lock file, a Mac's hidden file.
        try district.write("notes.pdf", "%PDF-1.4")
        try district.write("~$budget.xlsx", "lock")
        try district.write(".DS_Store", "x")
        let first = RunJob.run(district.options([district.folder.path]))
        #expect(first.exitCode == 0, "\(first.standardError)")
        let before = try Data(contentsOf: URL(fileURLWithPath: district.path("springfield.findings.json")))
        // Run again: the folder now holds springfield.reviewed.xlsx and springfield.findings.json too.
        let second = RunJob.run(district.options([district.folder.path]))
        #expect(second.exitCode == 0, "\(second.standardError)")
        #expect(second.standardOutput.hasPrefix("springfield (3 files: budget.csv, ledger.csv, schools.csv), reviewed"), "files in name order, and no earlier output among them")
        let report = try district.report(district.path("springfield.findings.json"))
        #expect(rulesAndCells(report) == DistrictFiles.findings)
        // The same folder gives the same review, which now knows the last one: nothing new, nothing resolved.
        var again = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: district.path("springfield.findings.json")))) as? [String: Any])
        let since = again.removeValue(forKey: "sinceLastReview") as? [String: Any]
        #expect(since?["source"] as? String == "springfield.reviewed.xlsx")
        #expect((since?["new"] as? [String])?.isEmpty == true && (since?["resolved"] as? [String])?.isEmpty == true)
        #expect(NSDictionary(dictionary: again) == NSDictionary(dictionary: try #require(try JSONSerialization.jsonObject(with: before) as? [String: Any])))
        #expect((report["notes"] as? [String])?.contains("The folder springfield also holds notes.pdf, which is not a spreadsheet file (.csv, .xlsx) and was not reviewed.") == true)
        for (name, text) in DistrictFiles.files {
            #expect(try String(contentsOfFile: district.path(name), encoding: .utf8) == text, "\(name) is never changed")
        }
    }

    @Test func sheetsOfOneNameInTwoWorkbooksAreToldApartByTheirFilesAndTheReviewSaysSo() throws {
        let district = try DistrictFiles()
        // Two ERP exports, each a workbook whose only sheet is Sheet1.
        func sheet(_ csv: String) -> [[XLSXWriter.Cell]] {
            csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map { .text(String($0)) } }
        }
        for (name, csv) in [("ledger.xlsx", DistrictFiles.files[0].text), ("budget.xlsx", DistrictFiles.files[1].text)] {
            try XLSXWriter.write([XLSXWriter.Sheet(name: "Sheet1", rows: sheet(csv))], to: district.path(name), created: CalendarDate(year: 2025, month: 7, day: 1)!)
        }
        let outcome = RunJob.run(district.options(["ledger.xlsx", "budget.xlsx", "schools.csv"].map(district.path)))
        #expect(outcome.exitCode == 0, "\(outcome.standardError)")
        let report = try district.report(district.path("springfield.findings.json"))
        #expect(tables(report) == [["transactions", "ledger.xlsx", "Sheet1 (ledger.xlsx)"], ["accounts", "budget.xlsx", "Sheet1 (budget.xlsx)"],
                                   ["sites", "schools.csv", "schools"]])
        #expect(rulesAndCells(report) == [["BO-01", "'Sheet1 (ledger.xlsx)'!B4"], ["BO-03", "'Sheet1 (budget.xlsx)'!B2"], ["BO-02", "'Sheet1 (ledger.xlsx)'!C5"]])
        let note = "A sheet named \"Sheet1\" is in ledger.xlsx and budget.xlsx, so they are reviewed as \"Sheet1 (ledger.xlsx)\" and \"Sheet1 (budget.xlsx)\"."
        #expect((report["notes"] as? [String]) == [note])
        let inputs = try #require(report["inputs"] as? [[String: Any]])
        #expect((inputs[0]["sheets"] as? [[String: String]]) == [["name": "Sheet1", "reviewedAs": "Sheet1 (ledger.xlsx)"]])
        let workbook = try readWithOpenpyxl(district.path("springfield.reviewed.xlsx"))
        #expect(workbook["sheets"] as? [String] == ["Summary", "Rubric", "Findings", "Charts", "Sheet1 (ledger.xlsx)", "Sheet1 (budget.xlsx)", "schools"])
        #expect((workbook["fills"] as? [String: [String]])?["Sheet1 (ledger.xlsx)"] == ["B4", "C5"])
        let summary = try #require((workbook["cells"] as? [String: Any])?["Summary"] as? [String: [String]])
        #expect(summary.values.contains { $0[1] == note }, "the Summary says so before anything else")
        #expect(summary.values.contains { $0[1] == "Sheet \"Sheet1 (ledger.xlsx)\" (\"Sheet1\" in the file), the Transactions table" })
    }

    @Test func aFileOfTheDistrictThatCannotBeReadIsNamedAndNothingIsReviewed() throws {
        let district = try DistrictFiles()
        try district.write("schools.xlsx", "School list, saved as text by mistake")
        let outcome = RunJob.run(district.options([district.folder.path]))
        #expect(outcome.exitCode == 2)
        #expect(outcome.standardError == "pathways: springfield: the file schools.xlsx could not be read, so nothing was reviewed. This file is named .xlsx but is not an Excel workbook; it may be damaged or misnamed. Open it in Excel and save it as .xlsx or .csv.\n")
        #expect(!FileManager.default.fileExists(atPath: district.path("springfield.reviewed.xlsx")))
    }

    @Test func aMissingTableIsLookedForInEveryFileAndAnEmptyOneIsNamedWithItsFile() throws {
        let district = try DistrictFiles()
        try district.write("ledger.csv", "Posting Date,Account,Site,Amount\n")
        let outcome = RunJob.run(district.options(["ledger.csv", "budget.csv"].map(district.path)))
        #expect(outcome.standardOutput.contains("table transactions: Sheet \"ledger\" of ledger.csv has the Transactions table's header but no rows under it"), "\(outcome.standardOutput)")
        try district.write("ledger.csv", DistrictFiles.files[0].text)
        let without = RunJob.run(district.options(["ledger.csv", "budget.csv"].map(district.path)))
        #expect(without.standardOutput.contains("table sites: None of the files has a Schools table"), "\(without.standardOutput)")
    }

    @Test func aZipOfTheExportsIsReviewedAsOneDistrictWithoutExtractingAnything() throws {
        let district = try DistrictFiles()
        let zip = district.root.appendingPathComponent("springfield.zip")
        try district.zip(to: zip, extra: [("springfield/README.txt", "Exported from Munis"), ("__MACOSX/springfield/._ledger.csv", "x")])
        let outcome = RunJob.run(district.options([zip.path]))
        #expect(outcome.exitCode == 0, "\(outcome.standardError)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: district.root.path).sorted()
                == ["rules", "springfield", "springfield.findings.json", "springfield.reviewed.xlsx", "springfield.zip"], "nothing is extracted")
        let report = try district.report(district.root.appendingPathComponent("springfield.findings.json").path)
        #expect(report["input"] as? String == "springfield.zip")
        #expect(tables(report).map { $0[1] } == ["springfield.zip/springfield/ledger.csv", "springfield.zip/springfield/budget.csv", "springfield.zip/springfield/schools.csv"])
        #expect(rulesAndCells(report) == DistrictFiles.findings)
        #expect((report["notes"] as? [String]) == ["springfield.zip also holds README.txt, which is not a spreadsheet file (.csv, .xlsx) and was not reviewed."])
    }

    @Test func aZipWithANameThatClimbsOutOfItIsRefusedWithASentenceAndNothingIsWritten() throws {
        let district = try DistrictFiles()
        let inner = district.root.appendingPathComponent("drop")
        try FileManager.default.createDirectory(at: inner, withIntermediateDirectories: true)
        let zip = inner.appendingPathComponent("springfield.zip")
        try writeZip(to: zip, [("ledger.csv", DistrictFiles.files[0].text), ("../evil.csv", "Posting Date,Account,Site,Amount\n")])
        let outcome = RunJob.run(district.options([zip.path]))
        #expect(outcome.exitCode == 2)
        #expect(outcome.standardError == "pathways: springfield.zip: It holds a file named \"../evil.csv\", a name that points outside the zip's own folders, as a zip made to overwrite files does. Pathways read nothing from it and wrote nothing. Make the zip again from the folder of exports.\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: inner.path) == ["springfield.zip"])
        #expect(!FileManager.default.fileExists(atPath: district.root.appendingPathComponent("evil.csv").path))
    }

    @Test func aFileInsideAZipThatCannotBeReadIsNamedWithTheZip() throws {
        let district = try DistrictFiles()
        let zip = district.root.appendingPathComponent("springfield.zip")
        try district.zip(to: zip, extra: [("springfield/owners.xlsx", "not a workbook")])
        let outcome = RunJob.run(district.options([zip.path]))
        #expect(outcome.exitCode == 2)
        #expect(outcome.standardError.hasPrefix("pathways: springfield.zip: the file springfield.zip/springfield/owners.xlsx could not be read, so nothing was reviewed. This file is named .xlsx but is not an Excel workbook"),
                "\(outcome.standardError)")
    }
}
