import Foundation
import Testing
@testable import Pathways

/// The reviewed workbook, read back by openpyxl: an independent reader, as a reviewer's Excel is.
func readWithOpenpyxl(_ path: String) throws -> [String: Any] {
    let script = #"""
    import json, sys, zipfile, openpyxl
    wb = openpyxl.load_workbook(sys.argv[1])
    out = {"sheets": [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"],
           "hidden": [ws.title for ws in wb.worksheets if ws.sheet_state != "visible"],
           "active": wb.active.title, "cells": {}, "fills": {}, "striped": {}, "comments": {}}
    for ws in wb.worksheets:
        fills, striped, comments, cells = [], [], {}, {}
        for row in ws.iter_rows():
            for c in row:
                ref = ws.title + "!" + c.coordinate
                if c.fill is not None and c.fill.fill_type == "solid":
                    fills.append(c.coordinate)
                if c.fill is not None and c.fill.fill_type == "lightUp":
                    striped.append(c.coordinate)
                if c.comment is not None:
                    comments[c.coordinate] = c.comment.text
                if c.value is not None:
                    v = c.value
                    cells[c.coordinate] = [type(v).__name__, str(v), c.number_format]
        out["fills"][ws.title] = sorted(fills)
        out["striped"][ws.title] = sorted(striped)
        out["comments"][ws.title] = comments
        out["cells"][ws.title] = cells
    f = wb["Findings"]
    out["links"] = {c.coordinate: c.hyperlink.location for c in f["F"] if c.hyperlink is not None}
    out["summaryLinks"] = {c.coordinate: c.hyperlink.location for c in wb.worksheets[0]["A"] if c.hyperlink is not None}
    out["validation"] = [dv.formula1 for dv in f.data_validations.dataValidation]
    out["tables"] = {name: f.tables[name].ref for name in f.tables.keys()}
    out["freeze"] = {ws.title: ws.freeze_panes for ws in wb.worksheets}
    out["widths"] = {ws.title: {k: d.width for k, d in ws.column_dimensions.items() if d.width} for ws in wb.worksheets}
    out["printTitles"] = {ws.title: ws.print_title_rows for ws in wb.worksheets if ws.print_title_rows}
    out["print"] = {ws.title: {"orientation": ws.page_setup.orientation, "scale": ws.page_setup.scale, "paper": ws.page_setup.paperSize,
                               "fitToPage": bool(ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage),
                               "fitToWidth": ws.page_setup.fitToWidth, "fitToHeight": ws.page_setup.fitToHeight,
                               "titleColumns": ws.print_title_cols, "header": ws.oddHeader.left.text, "tab": ws.sheet_properties.tabColor.rgb if ws.sheet_properties.tabColor else None,
                               "width": sum((0 if ws.column_dimensions[openpyxl.utils.get_column_letter(c)].hidden else (ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width or 8.43) * 7 + 5) * 0.75
                                            for c in range(1, ws.max_column + 1)),
                               "height": sum(ws.row_dimensions[r].height or 15 for r in range(1, ws.max_row + 1))} for ws in wb.worksheets}
    # openpyxl does not load charts; their parts are counted in the package itself.
    out["charts"] = sorted(n for n in zipfile.ZipFile(sys.argv[1]).namelist() if n.startswith("xl/charts/chart"))
    print(json.dumps(out))
    """#
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script, path]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "python3 with openpyxl could not read \(path)")
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
}

/// A one-rule rule set for tests about the workbook's layout rather than the rubric.
private let ownerRule = """
table transactions "Transactions"
  column posted date   "Posting Date"
  column account code  "Account"
  column owner  text   "Budget Owner" optional
  column amount money  "Amount"

pathway management "Management"

rule BO-01 "Spending without a budget owner"
  pathway management
  severity error
  for transactions
  when owner is blank
  flag owner
  message "Nobody owns account {account}."

"""

@Suite(.serialized) struct ReviewedWorkbookTests {
    /// Runs the default rules on the struggling district's workbook and returns the reviewed workbook and findings.
    private func review(_ sample: String = "struggling-district", commentLimit: Int = 10_000) throws
        -> (workbook: [String: Any], findings: [[String: Any]], folder: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("reviewed-\(UUID().uuidString)")
        var options = sampleOptions("\(sample).xlsx", output: folder)
        options.commentLimit = commentLimit
        let outcome = RunJob.run(options)
        try #require(outcome.exitCode == 0, "\(outcome.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("\(sample).findings.json"))) as? [String: Any])
        let workbook = try readWithOpenpyxl(folder.appendingPathComponent("\(sample).reviewed.xlsx").path)
        return (workbook, try #require(report["findings"] as? [[String: Any]]), folder)
    }

    @Test func sheetsComeInOrderWithTheSummaryOpen() throws {
        let (workbook, _, folder) = try review()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(workbook["sheets"] as? [String] == ["Summary", "Rubric", "Findings", "Charts", "Transactions", "Accounts", "Sites", "Owners", "Goals",
                                                   "Fund Summary", "Spending by goal", "First digits of payments", "Spending by school",
                                                   "Equity within each school level", "Schools", "Owner scorecards", "Goal progress"])
        #expect(workbook["hidden"] as? [String] == ["Pathways review"], "the mark a review given back is known by")
        #expect(workbook["active"] as? String == "Summary")
        #expect((workbook["freeze"] as? [String: Any])?["Transactions"] as? String == "A2", "the header row stays in view")
        let printTitles = try #require(workbook["printTitles"] as? [String: String])
        #expect(["Transactions", "Findings", "Rubric", "Spending by school"].allSatisfy { printTitles[$0] == "$1:$1" }, "and heads every printed page: \(printTitles)")
        #expect(workbook["charts"] as? [String] == ["xl/charts/chart1.xml", "xl/charts/chart2.xml"], "pathway levels and findings by rule")
    }

    @Test func aPathwayLevelRestingOnFewIndicatorsIsStripedAndSaysSo() throws {
        // The Munis budget export has no ledger and no dates: most indicators cannot be measured.
        let (workbook, _, folder) = try review("munis-budget-export")
        defer { try? FileManager.default.removeItem(at: folder) }
        let summary = try #require((workbook["cells"] as? [String: Any])?["Summary"] as? [String: [String]])
        let striped = (workbook["striped"] as? [String: [String]])?["Summary"] ?? []
        let tentative = summary.filter { $0.value[1].contains("striped: it rests on few indicators") }.map(\.key)
        #expect(!tentative.isEmpty, "\(summary)")
        let legend = try #require(summary.first { $0.value[1] == "Striped" }?.key)
        #expect(Set(striped) == Set(tentative + [legend]), "exactly the levels that say so are striped, and the legend explains it")
        let (full, _, fullFolder) = try review()
        defer { try? FileManager.default.removeItem(at: fullFolder) }
        let fullSummary = try #require((full["cells"] as? [String: Any])?["Summary"] as? [String: [String]])
        #expect(!fullSummary.values.contains { $0[1].contains("striped") }, "the struggling district's levels rest on most of their indicators")
    }

    @Test func inputCellsKeepTheirValuesAndTypes() throws {
        let (workbook, _, folder) = try review()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cells = try #require((workbook["cells"] as? [String: Any])?["Transactions"] as? [String: [String]])
        #expect(cells["B2"] == ["datetime", "2024-07-01 00:00:00", "m/d/yyyy"], "dates stay dates, in the format the export used")
        #expect(cells["G2"]?.prefix(2) == ["str", "100-1000-610-101-100-000"], "account strings stay text")
        #expect(cells["I2"]?.prefix(2) == ["float", "48.9"], "amounts stay numbers")
        #expect(cells["I2"]?.last?.contains("#,##0.00") == true, "with an accounting format")
        #expect(cells["N1"]?[1] == "Findings")
        let sites = try #require((workbook["cells"] as? [String: Any])?["Sites"] as? [String: [String]])
        #expect(sites["F2"]?.prefix(2) == ["float", "0.82"], "shares stay numbers")
        #expect(sites["F2"]?.last == "0.0%", "shown as percentages")
        let goals = try #require((workbook["cells"] as? [String: Any])?["Goals"] as? [String: [String]])
        #expect(goals["I2"]?.prefix(2) == ["str", "101"], "project codes stay text")
        let owners = try #require((workbook["cells"] as? [String: Any])?["Owners"] as? [String: [String]])
        let activeColumn = try #require(owners.first { $0.value[1] == "Active" }?.key.prefix { $0.isLetter })
        #expect(owners["\(activeColumn)2"]?.prefix(2) == ["str", "Y"], "a yes/no stays as the district wrote it")
    }

    @Test func exactlyTheFlaggedCellsAreFilledAndCommented() throws {
        let (workbook, findings, folder) = try review()
        defer { try? FileManager.default.removeItem(at: folder) }
        for sheet in ["Transactions", "Accounts", "Sites", "Owners", "Goals"] {
            let flagged = Set(findings.flatMap { $0["cells"] as? [String] ?? [] }.filter { $0.hasPrefix(sheet + "!") }.map { String($0.dropFirst(sheet.count + 1)) })
            let fills = Set((workbook["fills"] as? [String: [String]])?[sheet] ?? [])
            #expect(!flagged.isEmpty, "\(sheet)")
            #expect(fills == flagged, "\(sheet)")
            let comments = (workbook["comments"] as? [String: [String: String]])?[sheet] ?? [:]
            #expect(Set(comments.keys) == flagged, "\(sheet)")
        }
        let duplicate = try #require(findings.first { $0["rule"] as? String == "BO-6" })
        let cell = try #require((duplicate["cells"] as? [String])?.first).dropFirst("Transactions!".count)
        let comment = (workbook["comments"] as? [String: [String: String]])?["Transactions"]?[String(cell)]
        #expect(comment?.hasPrefix("BO-6 Duplicate payment: \(duplicate["message"] as? String ?? "")") == true)
        #expect(comment?.contains("\nFix: Ask the vendor for a refund or a credit") == true)
    }

    @Test func theFindingsSheetLinksToEachCellAndOffersAStatus() throws {
        let (workbook, findings, folder) = try review()
        defer { try? FileManager.default.removeItem(at: folder) }
        let links = try #require(workbook["links"] as? [String: String])
        #expect(links.count == findings.count, "every finding links to its cell, on an input sheet or a view")
        let firstOnASheet = try #require(findings.firstIndex { !($0["cells"] as? [String] ?? []).isEmpty })
        #expect(links["F\(firstOnASheet + 2)"] == (findings[firstOnASheet]["cells"] as? [String])?.first)
        #expect(links["F2"] == "'Spending by goal'!G4", "goal G3, the third row of the view, has nothing spent")
        let findingsSheet = try #require((workbook["cells"] as? [String: Any])?["Findings"] as? [String: [String]])
        #expect(findingsSheet["G2"]?[1] == "4", "the Row column is the row the link goes to")
        let summaryLinks = try #require(workbook["summaryLinks"] as? [String: String])
        // Worst first, then the most money: the $1.6 million budget line nobody owns leads.
        #expect(summaryLinks.values.contains("Accounts!D155"), "the most serious findings link to their cells")
        #expect(summaryLinks.values.contains("Transactions!A2183"), "and so do the rows left out")
        #expect(workbook["validation"] as? [String] == ["\"Open,Explained,Fixed,Not an issue\""])
        #expect((workbook["tables"] as? [String: String])?.values.first == "A1:Q\(findings.count + 1)")
        let rubric = try #require((workbook["cells"] as? [String: Any])?["Rubric"] as? [String: [String]])
        #expect(rubric["B2"]?[1] == "AL-1")
        #expect(rubric["E2"]?[1] == "Emerging")
        #expect(rubric["D2"]?.first == "float" && rubric["D2"]?.last == "0.00%", "a measured value is a number a reviewer can sort: \(rubric["D2"] ?? [])")
        // At full precision, as the findings file's number: the display's two decimals are only its format.
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("struggling-district.findings.json"))) as? [String: Any])
        let al1 = try #require((report["indicators"] as? [[String: Any]])?.first { $0["indicator"] as? String == "AL-1" }?["number"] as? Double)
        // (Excel keeps 15 significant digits, libxlsxwriter writes 16.)
        #expect(rubric["D2"].flatMap { Double($0[1]) }.map { abs($0 - al1) < 1e-14 } == true && al1 != (al1 * 10_000).rounded() / 10_000,
                "\(rubric["D2"] ?? []) against \(al1)")
        #expect(rubric["H2"]?[1].hasPrefix("The share of discretionary spending") == true)
        let summary = try #require((workbook["cells"] as? [String: Any])?["Summary"] as? [String: [String]])
        #expect(summary["A5"]?[1] == "Rule set fingerprint")
        #expect(summary["B5"]?[1].count == 16)
        #expect(summary.values.contains { $0[1] == "Rows left out of the review" })
        // The findings-by-rule chart's data, on the Charts sheet: each rule with its title, most findings first.
        let charts = try #require((workbook["cells"] as? [String: Any])?["Charts"] as? [String: [String]])
        let chartHeader = try #require(charts.first { $0.value[1] == "Rule" && $0.key.hasPrefix("A") }?.key.dropFirst())
        let chartRows = (1 ... 40).compactMap { offset -> (String, Double)? in
            let row = Int(chartHeader)! + offset
            guard let label = charts["A\(row)"]?[1], let count = charts["B\(row)"].flatMap({ Double($0[1]) }) else { return nil }
            return (label, count)
        }
        #expect(chartRows.first?.0 == "MG-12 Spending on a catch-all object")
        #expect(chartRows.count > 10 && zip(chartRows, chartRows.dropFirst()).allSatisfy { $0.1 >= $1.1 }, "\(chartRows)")
    }

    /// Printed, no sheet's type shrinks below three quarters of its 11 points (8.25): a sheet one
    /// page wide at that scale is fitted to the page's width, a wider one prints at 75% across
    /// pages with its header and first columns on each; the Summary fits one page.
    @Test(arguments: ["struggling-district", "clean-district", "munis-budget-export"]) func everySheetPrintsLegibly(_ sample: String) throws {
        let (workbook, _, folder) = try review(sample)
        defer { try? FileManager.default.removeItem(at: folder) }
        let setups = try #require(workbook["print"] as? [String: [String: Any]])
        for sheet in try #require(workbook["sheets"] as? [String]) {
            let setup = try #require(setups[sheet])
            let landscape = setup["orientation"] as? String == "landscape"
            // Letter, within Excel's default margins.
            let (pageWidth, pageHeight) = landscape ? (9.6 * 72, 7 * 72) : (7.1 * 72, 9.5 * 72)
            let width = try #require(setup["width"] as? Double)
            #expect(setup["paper"] as? Int == 1, "\(sheet) prints on Letter")
            let scale: Double
            if setup["fitToPage"] as? Bool == true {
                // Excel's default for both, left out of the file, is one page.
                #expect(setup["fitToWidth"] as? Int ?? 1 == 1, "\(sheet)")
                let tall = setup["fitToHeight"] as? Int ?? 1 == 1 ? pageHeight / (setup["height"] as! Double) : 1
                scale = min(1, pageWidth / width, tall)
            } else {
                scale = Double(setup["scale"] as? Int ?? 100) / 100
                #expect(width * scale > pageWidth, "\(sheet) spreads across pages only when it is too wide for one")
                #expect(setup["titleColumns"] != nil || sheet != "Findings", "the Findings' severity, rule and title head every page")
            }
            #expect(scale >= 0.75, "\(sheet) prints at \(scale) of its size")
            #expect(!landscape || width * 0.9 > 7.1 * 72, "\(sheet) is landscape only when it is too wide for portrait")
        }
        // The samples' Summaries fit one page; the Munis report's lists of rows left out and of what
        // it could not assess run on to a second.
        let summary = try #require(setups["Summary"])
        #expect(summary["orientation"] as? String == "portrait")
        #expect(summary["fitToHeight"] as? Int ?? 1 == (sample == "munis-budget-export" ? 0 : 1), "the Summary fits one page: \(summary)")
        #expect(setups["Findings"]?["titleColumns"] as? String == "$A:$C")
        // Pathways' own sheets say they are worked out, on screen (a tab of their own) and on paper.
        for sheet in ["Summary", "Rubric", "Findings", "Charts"] + (sample == "munis-budget-export" ? [] : ["Owner scorecards"]) {
            #expect(setups[sheet]?["header"] as? String == "Worked out by Pathways", "\(sheet)")
            #expect(setups[sheet]?["tab"] as? String == "FF2C7FB8", "\(sheet)")
        }
        #expect(setups["Accounts"]?["header"] as? String == nil && setups["Accounts"]?["tab"] as? String == nil, "the district's own sheets are as they were")
    }

    /// The pathway chart lists the pathways as the Summary does, each bar named by its level, and
    /// one with no level says why rather than showing an empty bar.
    @Test func thePathwayChartNamesEachLevelInTheSummarysOrder() throws {
        let (_, _, folder) = try review()
        defer { try? FileManager.default.removeItem(at: folder) }
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("struggling-district.findings.json"))) as? [String: Any])
        let workbook = folder.appendingPathComponent("struggling-district.reviewed.xlsx").path
        let pathways = try #require(report["pathways"] as? [[String: Any]])
        // Pathways of rules only have no level to chart; the Summary says so.
        let expected = pathways.filter { $0["indicators"] as? Int != 0 }.map { ($0["level"] as? String)?.capitalized ?? "Not assessed" }
        let chart = try python(#"""
            import sys, zipfile, re
            xml = zipfile.ZipFile(sys.argv[1]).read("xl/charts/chart1.xml").decode()
            print(re.search(r"<c:cat>.*?<c:f>(.*?)</c:f>", xml, re.S).group(1))
            print("|".join(re.findall(r"<c:dLbl>.*?<a:t>(.*?)</a:t>", xml, re.S)))
            print("reversed" if '<c:orientation val="maxMin"/>' in xml else "in order")
            """#, [workbook])
        let lines = chart.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("Charts!$A$") == true, "the chart's data is on the Charts sheet: \(lines)")
        #expect(lines.dropFirst().first == expected.joined(separator: "|"), "\(lines)")
        #expect(lines.last == "reversed", "the first pathway at the top, as in the Summary")
    }

    @Test func theSummarySaysHowManyMoreRowsWereLeftOutThanItLists() throws {
        // The Munis report has sixteen total rows; the Summary lists ten and says there are six more.
        let (workbook, _, folder) = try review("munis-budget-export")
        defer { try? FileManager.default.removeItem(at: folder) }
        let summary = try #require((workbook["cells"] as? [String: Any])?["Summary"] as? [String: [String]])
        #expect(summary.values.contains { $0[1] == "16 in all" })
        #expect(summary.values.contains { $0[1] == "and 6 more, each still in its sheet as it was." })
    }

    @Test func shownViewsAreSheetsOfTheirOwn() throws {
        let (workbook, _, folder) = try review()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cells = try #require((workbook["cells"] as? [String: Any])?["Spending by school"] as? [String: [String]])
        #expect(["A1", "B1", "C1", "D1"].map { cells[$0]?[1] } == ["Site", "School", "Spent", "State and local"], "names read as words, or as their titles")
        #expect(cells["C2"]?.last?.contains("#,##0.00") == true, "spending is shown as money")
        let needWeighted = try #require(cells.first { $0.key.hasSuffix("1") && $0.value[1] == "Need-weighted pupils" }?.key.dropLast())
        #expect(cells["\(needWeighted)2"]?.last == "#,##0.00", "a worked-out figure is shown to the cent, not as 1016.392")
        #expect(try #require(workbook["widths"] as? [String: [String: Double]])["Spending by school"]?["B"] ?? 0 >= Double("Maple Grove Elementary".count),
                "school names are not cut off")
        #expect(cells.keys.filter { $0.hasPrefix("A") }.count == 13, "a header and one row for each of the twelve schools")
        let headers = Set(cells.filter { Int($0.key.drop { $0.isLetter }) == 1 }.map { $0.value[1] })
        #expect(headers.isSuperset(of: ["Per pupil", "ESSA per pupil, state and local", "Title I"]), "a column reads as its title, or as its name in words: \(headers)")
        // Flagged cells of a view are commented like the input sheets', and a Findings column lists the rules.
        let comments = (workbook["comments"] as? [String: [String: String]])?["Spending by school"] ?? [:]
        #expect(comments.values.contains { $0.hasPrefix("RE-4 Title I school below comparability (a screen on actual spending): Title I school Maple Grove Elementary spends") })
        #expect(Set(comments.keys).subtracting(["A1"]) == Set((workbook["fills"] as? [String: [String]])?["Spending by school"] ?? []))
        #expect(comments["A1"]?.hasPrefix("Worked out by Pathways by the rules' view site_spending") == true, "a computed sheet says so: \(comments["A1"] ?? "")")
        let findingsHeader = try #require(cells.first { $0.key.hasSuffix("1") && $0.value[1] == "Findings" }?.key)
        let column = findingsHeader.dropLast()
        #expect(Set(cells.filter { $0.key.hasPrefix(column) && $0.key != findingsHeader }.map { $0.value[1] }) == ["RE-4", "TR-9", "TR-9F"])
    }

    @Test func commentsStopAtTheLimitButFillsGoOn() throws {
        let (workbook, findings, folder) = try review(commentLimit: 5)
        defer { try? FileManager.default.removeItem(at: folder) }
        let comments = (workbook["comments"] as? [String: [String: String]])?["Transactions"] ?? [:]
        let fills = (workbook["fills"] as? [String: [String]])?["Transactions"] ?? []
        #expect(comments.count == 5)
        #expect(fills.count == Set(findings.flatMap { $0["cells"] as? [String] ?? [] }.filter { $0.hasPrefix("Transactions!") }).count)
    }

    @Test func aSheetPastTheRowLimitGoesOnInTheNextAndLinksFollow() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("reviewed-split-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // Ten lines; the sixth (sheet row 7) has no owner. A one-rule rule set flags it.
        let lines = (1 ... 10).map { "07/0\($0 % 9 + 1)/2024,100-1000-610-101-100-000,\($0 == 6 ? "" : "J. Chen"),\($0).00" }
        try ("Posting Date,Account,Budget Owner,Amount\n" + lines.joined(separator: "\n") + "\n")
            .write(to: folder.appendingPathComponent("ledger.csv"), atomically: true, encoding: .utf8)
        let rules = folder.appendingPathComponent("rules")
        try FileManager.default.createDirectory(at: rules, withIntermediateDirectories: true)
        try ownerRule.write(to: rules.appendingPathComponent("owner.rules"), atomically: true, encoding: .utf8)
        var options = RunJob.Options(input: folder.appendingPathComponent("ledger.csv").path)
        options.rules = rules.path
        options.outputFormats = ["xlsx"]
        options.rowsPerSheet = 4
        let outcome = RunJob.run(options)
        try #require(outcome.exitCode == 0, "\(outcome.standardError)")
        let workbook = try readWithOpenpyxl(folder.appendingPathComponent("ledger.reviewed.xlsx").path)
        #expect(workbook["sheets"] as? [String] == ["Summary", "Rubric", "Findings", "Charts", "ledger", "ledger (2)", "ledger (3)"])
        let cells = try #require(workbook["cells"] as? [String: [String: [String]]])
        #expect(cells["ledger"]?["D4"]?[1] == "3", "rows 1 to 4 stay on the first sheet")
        #expect(cells["ledger (2)"]?["D1"]?[1] == "4", "row 5 is the next sheet's first")
        #expect(cells["ledger (3)"]?["D3"]?[1] == "10")
        #expect((workbook["fills"] as? [String: [String]])?["ledger (2)"] == ["C3"], "the ownerless line, sheet row 7")
        #expect((workbook["links"] as? [String: String])?["F2"] == "'ledger (2)'!C3")
    }

    @Test func findingsAndViewsPastTheRowLimitGoOnUnderTheirHeaderAndViewFindingsLink() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("reviewed-pages-\(UUID().uuidString)")
        let rules = folder.appendingPathComponent("rules")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(at: project.appendingPathComponent("rules"), to: rules)
        try """
        rule EQ-T "Spending at a school"
          pathway resource_equity
          severity info
          for site_spending
          when spent > 0
          flag spent
          message "{site} spent {spent}."

        """.write(to: rules.appendingPathComponent("view-check.rules"), atomically: true, encoding: .utf8)
        var options = RunJob.Options(input: project.appendingPathComponent("workbooks/samples/struggling-district.xlsx").path)
        options.rules = rules.path
        options.output = folder.path
        options.rowsPerSheet = 4
        let outcome = RunJob.run(options)
        try #require(outcome.exitCode == 0, "\(outcome.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("struggling-district.findings.json"))) as? [String: Any])
        let findings = try #require(report["findings"] as? [[String: Any]])
        let workbook = try readWithOpenpyxl(folder.appendingPathComponent("struggling-district.reviewed.xlsx").path)
        let sheets = try #require(workbook["sheets"] as? [String])
        let cells = try #require(workbook["cells"] as? [String: [String: [String]]])
        // Three findings a page under a repeated header, so every finding is on one of the pages.
        let findingPages = sheets.filter { $0 == "Findings" || $0.hasPrefix("Findings (") }
        #expect(findingPages.count == (findings.count + 2) / 3)
        #expect(findingPages.allSatisfy { cells[$0]?["A1"]?[1] == "Severity" })
        let listed = findingPages.flatMap { page in (2 ... 4).compactMap { cells[page]?["B\($0)"]?[1] } }
        #expect(listed == findings.map { $0["rule"] as? String ?? "" })
        // Twelve schools, three a page on "Spending by school" to "Spending by school (4)", each
        // filled where the view's rule flagged it, and linked from the findings.
        #expect(sheets.suffix(8) == ["Spending by school", "Spending by school (2)", "Spending by school (3)", "Spending by school (4)",
                                      "Equity within each school level", "Schools", "Owner scorecards", "Goal progress"])
        #expect(cells["Spending by school (4)"]?["A1"]?[1] == "Site")
        #expect(cells["Spending by school (4)"]?.keys.filter { $0.hasPrefix("A") }.count == 4)
        for page in ["Spending by school", "Spending by school (2)", "Spending by school (3)", "Spending by school (4)"] {
            #expect(Set(["C2", "C3", "C4"]).isSubset(of: (workbook["fills"] as? [String: [String]])?[page] ?? []), "\(page)")
        }
        let viewFindings = findings.enumerated().filter { $0.element["rule"] as? String == "EQ-T" }
        let last = try #require(viewFindings.last)
        let (page, row) = (last.offset / 3, last.offset % 3 + 2)
        let pageName = page == 0 ? "Findings" : "Findings (\(page + 1))"
        #expect(cells[pageName]?["F\(row)"]?[1] == "'Spending by school (4)'!C4")
        #expect(cells[pageName]?["E\(row)"]?[1] == "Spending by school (4)")
    }

    @Test func theSameInputGivesTheSameWorkbook() throws {
        let first = try review(), second = try review()
        defer {
            try? FileManager.default.removeItem(at: first.folder)
            try? FileManager.default.removeItem(at: second.folder)
        }
        let a = try Data(contentsOf: first.folder.appendingPathComponent("struggling-district.reviewed.xlsx"))
        let b = try Data(contentsOf: second.folder.appendingPathComponent("struggling-district.reviewed.xlsx"))
        #expect(a == b)
    }

    @Test func aCSVInputIsReviewedToo() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("reviewed-csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = "Posting Date,Account,Description,Amount\n07/01/2024,100-1000-610-101-100-000,=1+2,=HYPERLINK(\"x\")\n"
            + "07/02/2024,100-1000-610-102-100-000,Classroom supplies for grade 3,\"1,200.00\"\n"
        try csv.write(to: folder.appendingPathComponent("ledger.csv"), atomically: true, encoding: .utf8)
        var options = RunJob.Options(input: folder.appendingPathComponent("ledger.csv").path)
        options.rules = project.appendingPathComponent("rules").path
        options.outputFormats = ["xlsx"]
        let outcome = RunJob.run(options)
        try #require(outcome.exitCode == 0, "\(outcome.standardError)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("ledger.findings.json").path))
        let workbook = try readWithOpenpyxl(folder.appendingPathComponent("ledger.reviewed.xlsx").path)
        // Without a Schools table the per-school view cannot be worked out, so it has no sheet.
        #expect(workbook["sheets"] as? [String] == ["Summary", "Rubric", "Findings", "Charts", "ledger", "Schools"])
        let cells = try #require((workbook["cells"] as? [String: Any])?["ledger"] as? [String: [String]])
        #expect(cells["D2"] == ["str", "=HYPERLINK(\"x\")", "General"], "text that looks like a formula stays text")
        #expect(cells["C2"] == ["str", "=1+2", "General"])
        #expect(cells["D3"]?[1] == "1200", "the amount is a number, not the text \"1,200.00\"")
        #expect(cells["D3"]?.last?.contains("#,##0.00") == true)
        #expect((workbook["fills"] as? [String: [String]])?["ledger"]?.contains("C2") == true, "a description too short to understand")
        let summary = try #require((workbook["cells"] as? [String: Any])?["Summary"] as? [String: [String]])
        #expect(summary.values.contains { $0[1] == "Cells that could not be read" })
        #expect(summary.values.contains { $0[1] == "ledger!D2" })
    }

    @Test func aDataWarningComesBeforeAnInfoFindingInTheFileAndTheFindingsSheet() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("reviewed-order-\(UUID().uuidString)")
        let rules = folder.appendingPathComponent("rules")
        try FileManager.default.createDirectory(at: rules, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try """
        table transactions "Transactions"
          column posted date   "Posting Date"
          column amount money  "Amount"
        pathway management "Management"
        rule AA-1 "Any spending"
          pathway management
          severity info
          for transactions
          when amount > $0
          flag amount
          message "{amount} was spent."

        """.write(to: rules.appendingPathComponent("order.rules"), atomically: true, encoding: .utf8)
        // The first line's amount is read; the second's is not, and is a DATA warning.
        try "Posting Date,Amount\n07/01/2024,100.00\n07/02/2024,12O.00\n".write(to: folder.appendingPathComponent("ledger.csv"), atomically: true, encoding: .utf8)
        var options = RunJob.Options(input: folder.appendingPathComponent("ledger.csv").path)
        options.rules = rules.path
        let outcome = RunJob.run(options)
        try #require(outcome.exitCode == 0, "\(outcome.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("ledger.findings.json"))) as? [String: Any])
        let findings = try #require(report["findings"] as? [[String: Any]])
        #expect(findings.map { "\($0["severity"] ?? "") \($0["rule"] ?? "")" } == ["warning DATA", "info AA-1"], "worst first, though AA-1 sorts before DATA by name")
        let workbook = try readWithOpenpyxl(folder.appendingPathComponent("ledger.reviewed.xlsx").path)
        let sheet = try #require((workbook["cells"] as? [String: Any])?["Findings"] as? [String: [String]])
        #expect([sheet["A2"]?[1], sheet["B2"]?[1], sheet["A3"]?[1], sheet["B3"]?[1]] == ["Warning", "DATA", "Info", "AA-1"])
        #expect(outcome.standardOutput.contains("    warning DATA ledger!B3: \"12O.00\" is not an amount.\n    info AA-1 ledger!B2"), "\(outcome.standardOutput)")
    }
}
