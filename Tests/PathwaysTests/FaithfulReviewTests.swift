import Foundation
import Testing
@testable import Pathways

/// A folder with a small rule set, for reviews of inputs that are broken on purpose.
private final class Workbench {
    let folder: URL
    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("faithful-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("rules"), withIntermediateDirectories: true)
        try Data("""
            table transactions "Transactions"
              required
              column posted date  "Posting Date"
              column owner  text  "Budget Owner" optional
              column description text "Description" optional
              column amount money "Amount"
            pathway management "Management"
            rule BO-01 "Spending without a budget owner"
              pathway management
              severity error
              for transactions
              when owner is blank
              flag owner
              message "Nobody owns this {amount}."
            rule BO-02 "Large purchase"
              pathway management
              severity warning
              for transactions
              when amount >= $5,000
              flag amount
              message "{amount} needs approval."

            """.utf8).write(to: folder.appendingPathComponent("rules/rules.rules"))
    }
    deinit { try? FileManager.default.removeItem(at: folder) }

    func write(_ name: String, _ bytes: Data) throws { try bytes.write(to: folder.appendingPathComponent(name)) }

    /// Reviews `name`; the outcome, the findings file and the reviewed workbook read by openpyxl.
    func review(_ name: String) throws -> (outcome: CommandOutcome, report: [String: Any], workbook: [String: Any]) {
        var options = RunJob.Options(input: folder.appendingPathComponent(name).path)
        options.rules = folder.appendingPathComponent("rules").path
        let outcome = RunJob.run(options)
        try #require(outcome.exitCode == 0, "\(outcome.standardError)")
        let stem = (name as NSString).deletingPathExtension
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(stem + ".findings.json"))) as? [String: Any])
        return (outcome, report, try readWithOpenpyxl(folder.appendingPathComponent(stem + ".reviewed.xlsx").path))
    }
}

private func findings(_ report: [String: Any]) -> [[String: Any]] { report["findings"] as? [[String: Any]] ?? [] }
private func cells(_ workbook: [String: Any], _ sheet: String) -> [String: [String]] {
    ((workbook["cells"] as? [String: Any])?[sheet] as? [String: [String]]) ?? [:]
}

@Suite(.serialized) struct FaithfulReviewTests {
    @Test func aLineWithAFieldTooManyIsLeftOutAndReportedNeverReadIntoTheWrongColumns() throws {
        let bench = try Workbench()
        // Row 3's description has a comma outside quotation marks: its amount would land in a column of its own.
        try bench.write("ledger.csv", Data("""
            Posting Date,Budget Owner,Description,Amount
            07/01/2024,M. Alvarez,Paper,10.00
            07/02/2024,J. Chen,Paper, pens,9000.00
            07/03/2024,,Toner

            """.utf8))
        let (outcome, report, workbook) = try bench.review("ledger.csv")
        let data = findings(report).filter { $0["rule"] as? String == "DATA" }
        #expect(data.compactMap { ($0["rows"] as? [Int])?.first } == [3, 4], "each line whose fields do not match the header is a DATA finding")
        #expect((data.first?["message"] as? String)?.contains("has 5 fields where the header has 4") == true)
        #expect((data.last?["message"] as? String)?.contains("has 3 fields where the header has 4: the values it has were read into the first 3 columns") == true)
        // " pens" was never read as an amount, nor 9000.00 as nothing: row 3 is not in the review.
        #expect(!findings(report).contains { $0["rule"] as? String == "BO-02" })
        let leftOut = try #require(report["leftOutRows"] as? [[String: Any]])
        #expect(leftOut.map { $0["row"] as? Int } == [3] && leftOut.first?["reason"] as? String == "tooManyFields")
        // The row that is short is read as far as it goes: its owner is blank, so it is flagged.
        #expect(findings(report).contains { $0["rule"] as? String == "BO-01" && ($0["rows"] as? [Int]) == [4] && $0["message"] as? String == "Nobody owns this (blank)." },
                "a blank in a message says so rather than leaving a gap")
        #expect(outcome.standardOutput.contains("Cells that could not be read: 2"))
        let summary = cells(workbook, "Summary").values.map { $0[1] }
        #expect(summary.contains { $0.contains("a line with more fields than the header") })
    }

    @Test func aQuotationMarkNeverClosedIsReportedInTheRunTheFindingsAndTheSummary() throws {
        let bench = try Workbench()
        try bench.write("ledger.csv", Data("""
            Posting Date,Budget Owner,Description,Amount
            07/01/2024,M. Alvarez,Paper,10.00
            07/02/2024,J. Chen,"Paper,20.00
            07/03/2024,J. Chen,Toner,30.00
            07/04/2024,J. Chen,Ink,40.00

            """.utf8))
        let (outcome, report, workbook) = try bench.review("ledger.csv")
        let sentence = "opens a quotation mark that is never closed, so the 2 lines after it were read into this one cell"
        #expect(outcome.standardOutput.contains(sentence))
        let errors = try #require(report["dataErrors"] as? [[String: Any]])
        #expect(errors.contains { ($0["reason"] as? String)?.contains(sentence) == true && ($0["origin"] as? [String: Any])?["cell"] as? String == "C3" })
        #expect(findings(report).contains { $0["rule"] as? String == "DATA" && ($0["message"] as? String)?.contains(sentence) == true })
        #expect(cells(workbook, "Summary").values.contains { $0[1].contains(sentence) })
    }

    @Test func numbersThatReadTwoWaysAreSaidToBeAmbiguousInTheReviewItself() throws {
        let bench = try Workbench()
        try bench.write("ledger.csv", Data("Posting Date;Budget Owner;Description;Amount\n07/01/2024;M. Alvarez;Paper;1,234\n07/02/2024;J. Chen;Pens;2,500\n".utf8))
        let (outcome, report, workbook) = try bench.review("ledger.csv")
        let sentence = "Numbers such as \"1,234\" could be read two ways"
        #expect(outcome.standardOutput.contains("  Check: " + sentence))
        #expect((report["notes"] as? [String])?.contains { $0.hasPrefix(sentence) } == true)
        #expect(cells(workbook, "Summary").values.contains { $0[1] == "Check first" })
        #expect(cells(workbook, "Summary").values.contains { $0[1].hasPrefix(sentence) })
    }

    @Test func aRowOfSixtyFiveThousandFieldsIsCutAtExcelsLastColumnAndReportedNotACrash() throws {
        let bench = try Workbench()
        let wide = "07/02/2024,J. Chen,Paper,20.00" + String(repeating: ",x", count: 65_532)
        try bench.write("ledger.csv", Data("Posting Date,Budget Owner,Description,Amount\n07/01/2024,M. Alvarez,Paper,10.00\n\(wide)\n".utf8))
        let (_, report, workbook) = try bench.review("ledger.csv")
        let messages = findings(report).filter { $0["rule"] as? String == "DATA" }.compactMap { $0["message"] as? String }
        #expect(messages.contains { $0.contains("is a row of 65,536 fields, more than the 16,384 columns Excel allows") })
        #expect(messages.contains { $0.contains("has 16,384 fields where the header has 4") })
        #expect(cells(workbook, "ledger")["A2"]?[1] == "2024-07-01 00:00:00", "the rows around it are written")
    }

    @Test func aFieldLongerThanAnExcelCellIsReportedAndTheCopyShowsItsBeginning() throws {
        let bench = try Workbench()
        let long = String(repeating: "é", count: 40_000)
        try bench.write("ledger.csv", Data("Posting Date,Budget Owner,Description,Amount\n07/01/2024,M. Alvarez,\(long),10.00\n".utf8))
        let (_, report, workbook) = try bench.review("ledger.csv")
        #expect(findings(report).contains { $0["rule"] as? String == "DATA" && ($0["message"] as? String)?.contains("is 40,000 characters long, more than the 32,767 an Excel cell can hold") == true })
        let shown = try #require(cells(workbook, "ledger")["C2"]?[1])
        #expect(shown.count == 32_767 && shown.hasPrefix("éé") && shown.hasSuffix("…"))
        #expect(cells(workbook, "ledger")["D2"]?[1] == "10", "the amount after it is in its own column")
    }

    @Test(arguments: [("district-general-ledger-detail-fy2025.csv", "district-general-ledger-detail-"),
                      ("History.csv", "History (data)"), ("Q1: GL [draft].csv", "Q1_ GL _draft_"), ("Summary.csv", "Summary")])
    func aSheetNameExcelWouldRefuseIsWrittenUnderAValidNameAndLinksFollow(file: String, sheet: String) throws {
        let bench = try Workbench()
        try bench.write(file, Data("Posting Date,Budget Owner,Description,Amount\n07/01/2024,,Paper,10.00\n".utf8))
        let (_, report, workbook) = try bench.review(file)
        let names = try #require(workbook["sheets"] as? [String])
        #expect(names.contains(sheet), "\(names)")
        #expect(cells(workbook, sheet)["C2"]?[1] == "Paper", "the data sheet is there, with its data")
        let links = try #require(workbook["links"] as? [String: String])
        let quoted = "'" + sheet.replacingOccurrences(of: "'", with: "''") + "'"
        #expect(links.values.contains { $0 == "\(quoted)!B2" || $0 == "\(sheet)!B2" }, "the finding's link goes to the copied sheet: \(links)")
        // The findings file keeps the name Pathways read, which is the file's.
        #expect(findings(report).first { $0["rule"] as? String == "BO-01" }?["sheet"] as? String == (file as NSString).deletingPathExtension)
        if sheet != (file as NSString).deletingPathExtension {
            #expect(cells(workbook, "Summary").values.contains { $0[1].contains("is \"\((file as NSString).deletingPathExtension)\" in \(file)") })
        } else {
            #expect(names.contains("Pathways Summary"), "Pathways' own sheet gives way to the district's")
        }
    }

    @Test func aCellWithMoreFindingsThanACommentHoldsGetsACommentThatSaysWhereTheRestAre() throws {
        let bench = try Workbench()
        let long = String(repeating: "This amount needs a closer look by the business office. ", count: 3)
        let rules = (1 ... 250).map { index in
            "rule X-\(index) \"Check \(index)\"\n  pathway management\n  severity info\n  for transactions\n  when amount > $0\n  flag amount\n  message \"\(long)\"\n"
        }.joined(separator: "\n")
        try bench.write("rules/many.rules", Data(rules.utf8))
        try bench.write("ledger.csv", Data("Posting Date,Budget Owner,Description,Amount\n07/01/2024,M. Alvarez,Paper,10.00\n".utf8))
        let (_, report, workbook) = try bench.review("ledger.csv")
        #expect(findings(report).count == 250)
        let comment = try #require(((workbook["comments"] as? [String: Any])?["ledger"] as? [String: String])?["D2"])
        #expect(comment.count <= 32_767 && comment.hasSuffix("… and more: see the Findings sheet."))
    }

    @Test func openEndedDatesInTheYear9999OrTheYear1NeverStopAReview() throws {
        let bench = try Workbench()
        try bench.write("rules/elapsed.rules", Data("""
            rule MG-01 "Posted late in the year"
              pathway management
              severity info
              for transactions
              when FISCALYEAR(posted) > 9000 or ELAPSED() > 50% or WEEKNUM(posted) > 60
              flag posted
              message "{posted} is in fiscal year {FISCALYEAR(posted)}."

            """.utf8))
        try bench.write("ledger.csv", Data("Posting Date,Budget Owner,Description,Amount\n12/31/9999,M. Alvarez,Open-ended,10.00\n01/01/0001,J. Chen,Start,5.00\n03/31/2025,J. Chen,Paper,7.00\n".utf8))
        let (_, report, _) = try bench.review("ledger.csv")
        #expect(report["asOf"] as? String == "2025-03-31", "an open-ended date is not the day the review is as of")
        #expect(findings(report).contains { $0["rule"] as? String == "MG-01" && ($0["message"] as? String)?.contains("fiscal year 10000") == true })
    }
}

/// Runs a python3 script (openpyxl is installed for the tests) with arguments; its standard output.
func python(_ script: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "python3 failed")
    return String(decoding: data, as: UTF8.self)
}

@Suite(.serialized) struct DistrictLookTests {
    @Test func subtotalRowsKeepTheirBoldAndTheDistrictsMoneyFormatIsKept() throws {
        let bench = try Workbench()
        let input = bench.folder.appendingPathComponent("ledger.xlsx").path
        // The district's workbook, made by another program: its own money format, a bold subtotal.
        _ = try python(#"""
            import sys, datetime, openpyxl
            from openpyxl.styles import Font
            wb = openpyxl.Workbook(); ws = wb.active; ws.title = "Transactions"
            ws.append(["Posting Date", "Budget Owner", "Description", "Amount"])
            money = '"$"#,##0.00_);[Red]("$"#,##0.00)'
            for day, owner, amount in [(1, "M. Alvarez", 10), (2, None, 7000)]:
                ws.append([datetime.date(2024, 7, day), owner, "Paper", amount])
                ws.cell(ws.max_row, 1).number_format = "yyyy-mm-dd"
                ws.cell(ws.max_row, 4).number_format = money
            ws.append(["Fund 100 Total", None, None, 7010])
            for cell in ws[ws.max_row]: cell.font = Font(bold=True)
            ws.cell(ws.max_row, 4).number_format = money
            old = wb.create_sheet("Old"); old.append(["Last year's notes"]); old.sheet_state = "hidden"
            wb.save(sys.argv[1])
            """#, [input])
        var options = RunJob.Options(input: input)
        options.rules = bench.folder.appendingPathComponent("rules").path
        let outcome = RunJob.run(options)
        try #require(outcome.exitCode == 0, "\(outcome.standardError)")
        let shown = try python(#"""
            import sys, json, openpyxl
            wb = openpyxl.load_workbook(sys.argv[1]); ws = wb["Transactions"]
            assert wb["Old"].sheet_state == "hidden", "a sheet the district hid stays hidden"
            print(json.dumps({c: [ws[c].number_format, bool(ws[c].font.b), ws[c].value if not hasattr(ws[c].value, "isoformat") else ws[c].value.isoformat()] for c in ["A2", "D2", "D3", "A4", "D4"]}))
            """#, [bench.folder.appendingPathComponent("ledger.reviewed.xlsx").path])
        let cells = try #require(try JSONSerialization.jsonObject(with: Data(shown.utf8)) as? [String: [Any]])
        let money = "\"$\"#,##0.00_);[Red](\"$\"#,##0.00)"
        #expect(cells["D2"]?[0] as? String == money, "an amount in the table keeps the district's format")
        #expect(cells["D3"]?[0] as? String == money, "a flagged amount too")
        #expect(cells["A2"]?[0] as? String == "yyyy-mm-dd" && cells["A2"]?[2] as? String == "2024-07-01T00:00:00")
        #expect(cells["A4"]?[1] as? Bool == true && cells["A4"]?[2] as? String == "Fund 100 Total", "the subtotal row stays bold")
        #expect(cells["D4"]?[0] as? String == money && cells["D4"]?[1] as? Bool == true && (cells["D4"]?[2] as? NSNumber)?.intValue == 7010)
    }
}

@Suite(.serialized) struct LibraryMessageTests {
    /// libxlsxwriter's own `[ERROR] workbook_close(): …` lines never reach a finance officer's
    /// terminal: a full disk (a 40 KB memory disk, which needs root) gets Pathways' sentence alone.
    @Test(.enabled(if: geteuid() == 0)) func aFullDiskIsOneSentenceWithoutTheLibrarysOwnErrors() throws {
        var project = URL(fileURLWithPath: #filePath)
        for _ in 0 ..< 3 { project.deleteLastPathComponent() }
        let disk = FileManager.default.temporaryDirectory.appendingPathComponent("tiny-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: disk, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: disk) }
        func shell(_ arguments: [String]) throws -> (status: Int32, standardError: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: arguments[0])
            process.arguments = Array(arguments.dropFirst())
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let data = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
        try #require(try shell(["/bin/mount", "-t", "tmpfs", "-o", "size=40k", "tmpfs", disk.path]).status == 0, "a memory disk could be mounted")
        defer { _ = try? shell(["/bin/umount", disk.path]) }
        let run = try shell([project.appendingPathComponent(".build/debug/pathways").path, "run",
                             project.appendingPathComponent("workbooks/samples/struggling-district.xlsx").path,
                             "--rules", project.appendingPathComponent("rules").path, "--out", disk.path])
        #expect(run.status == 2)
        #expect(run.standardError == "pathways: The reviewed workbook could not be written: the disk is full.\n")
    }
}
