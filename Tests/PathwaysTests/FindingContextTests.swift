import Foundation
import RulesEngine
import RulesLanguage
import Testing
@testable import Pathways

/// Each finding names who answers for it, its school, the dollars at stake and its budget line,
/// worked out through its row, its account or its site, so a principal can filter to their own.
@Suite struct FindingContextTests {
    /// A scratch folder holding a copy of the struggling district, reviewed with `rules` (the
    /// default rules unless given) into the same folder.
    private func reviewStruggling(_ name: String, rules: URL? = nil, options edit: (inout RunJob.Options) -> Void = { _ in })
        throws -> (review: Review, folder: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let input = folder.appendingPathComponent("struggling-district.xlsx")
        try FileManager.default.copyItem(at: project.appendingPathComponent("workbooks/samples/struggling-district.xlsx"), to: input)
        let loaded = try RunJob.loadRules((rules ?? project.appendingPathComponent("rules")).path).get()
        var options = RunJob.Options(input: input.path)
        edit(&options)
        guard case .reviewed(let review) = RunJob.review(options, rules: loaded) else { throw CocoaError(.fileReadUnknown) }
        return (review, folder)
    }
    @Test func findingsSayWhoseTheyAreWhereAndHowMuch() throws {
        let (review, folder) = try reviewStruggling("context")
        defer { try? FileManager.default.removeItem(at: folder) }
        let findings = review.report.findings
        func first(_ rule: String, _ school: String? = nil) throws -> RulesEngine.Finding {
            try #require(findings.first { $0.rule == rule && (school == nil || $0.school?.hasPrefix(school!) == true) })
        }
        // An overspent supply line: its owner and school from the budget line, the overspend at stake.
        let overspent = try first("BO-1", "102")
        #expect(overspent.owner == "P102" && overspent.school == "102 Hillcrest Elementary")
        #expect(overspent.amount == 1_423.88 && overspent.accountDescription == "Instructional supplies")
        // An invoice paid twice: the ledger lines' owner through their account, both payments at stake.
        let twice = try first("BO-6", "104")
        #expect(twice.rows.count == 2 && twice.owner == "P104" && twice.accountDescription == "Library and textbooks")
        // A budget line nobody owns says so by having no owner; a school without a principal too.
        #expect(try first("BO-10", "910").owner == nil)
        #expect(try first("SA-10").school == "108 Lakeview Elementary" && (try first("SA-10")).owner == nil)
        // A school-level finding reaches its principal; a view's per-pupil figure is no dollars at stake.
        let comparability = try first("RE-4")
        #expect(comparability.owner == "P103" && comparability.school == "103 Maple Grove Elementary" && comparability.amount == nil)
        // The Findings sheet has them, so a filter on Owner gives a principal their findings.
        let shown = try python(#"""
            import sys, openpyxl
            sheet = openpyxl.load_workbook(sys.argv[1])["Findings"]
            header = [cell.value for cell in sheet[1]]
            rows = [row for row in sheet.iter_rows(min_row=2, values_only=True)]
            print(sorted(row[1] for row in rows if row[header.index("Owner")] == "P104"))
            print([row[header.index("Amount")] for row in rows if row[1] == "BO-1"][:1])
            print(sorted(set(row[header.index("Status")] for row in rows)))
            print([row[header.index("Row")] for row in rows if row[1] == "BO-6"][:1])
            summary = {row[0]: row[1] for row in openpyxl.load_workbook(sys.argv[1])["Summary"].iter_rows(values_only=True) if row[0]}
            print(summary["Open"], summary["Fixed"])
            """#, [folder.appendingPathComponent("struggling-district.reviewed.xlsx").path])
        let p104 = findings.filter { $0.owner == "P104" }.map(\.rule).sorted()
        // Every finding starts Open, and the Summary counts statuses with formulas that follow the reviewer's changes.
        // A duplicate payment's finding names both its rows.
        let duplicateRows = try #require(findings.first { $0.rule == "BO-6" }).rows.map(String.init).joined(separator: ", ")
        #expect(shown == "[" + p104.map { "'\($0)'" }.joined(separator: ", ") + "]\n[1423.88]\n['Open']\n['\(duplicateRows)']\n"
                + "=COUNTIF('Findings'!O:O,\"Open\") =COUNTIF('Findings'!O:O,\"Fixed\")\n")
    }

    @Test func eachBudgetOwnerHasAScorecard() throws {
        let (review, folder) = try reviewStruggling("owners") { $0.outputFormats = ["xlsx"] }
        defer { try? FileManager.default.removeItem(at: folder) }
        let p104 = review.report.findings.filter { $0.owner == "P104" }
        let cards = try python(#"""
            import sys, openpyxl
            rows = {row[0]: row for row in openpyxl.load_workbook(sys.argv[1])["Owner scorecards"].iter_rows(values_only=True)}
            header = rows["Owner"]
            def show(owner, *columns): print(owner, *[rows[owner][header.index(column)] for column in columns], sep="|")
            show("P104", "Name", "Last finance training", "Over budget", "Errors", "Warnings", "For information", "Year gone")
            show("D930", "Active")
            show("M900", "Goals owned")
            """#, [folder.appendingPathComponent("struggling-district.reviewed.xlsx").path])
        let count = { (severity: RulesLanguage.Severity) in p104.filter { $0.severity == severity }.count }
        // Lincoln's principal: a closed account overspent by $845.20, overdue training, and the findings on their lines.
        #expect(cards == "P104|Robert Alvarez|2023-08-15|845.2|\(count(.error))|\(count(.warning))|\(count(.info))|1\n"
                + "D930|No, has left\nM900|G1, G2, G3, G4\n")
    }

    /// A trainer's own scorecard totals the findings in a view, by owner, without copying any
    /// rule's logic; an indicator can measure them too; a rule cannot, as they come after it.
    @Test func viewsAndIndicatorsTotalTheFindings() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("findings-view-\(UUID().uuidString)")
        let rulesFolder = scratch.appendingPathComponent("rules")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.copyItem(at: project.appendingPathComponent("rules"), to: rulesFolder)
        try """
            view owner_findings "Findings by owner"
              from findings by owner
              column errors        = COUNT(where severity = "error")
              column warnings      = COUNT(where severity = "warning")
              column at_stake      = SUM(amount)
              column rules_broken  = COUNT()
              show

            view busiest_owner "Owners with 3 or more findings"
              from owner_findings by owner
              where rules_broken >= 3
              column findings = SUM(rules_broken)
              show

            indicator BO-90 "Few errors left unowned"
              pathway accountability
              measure COUNT(where findings.severity = "error" and findings.owner is blank) / COUNT(where findings.severity = "error")
              exemplary   when <= 10%
              established when <= 25%
              developing  when <= 50%
              otherwise emerging

            """.write(to: rulesFolder.appendingPathComponent("scorecard.rules"), atomically: true, encoding: .utf8)
        let (review, folder) = try reviewStruggling("findings-view", rules: rulesFolder)
        defer { try? FileManager.default.removeItem(at: folder) }
        // The oracle: the findings themselves, counted here.
        let ruleFindings = review.report.findings.filter { $0.rule != "DATA" }
        let byOwner = Dictionary(grouping: ruleFindings, by: { $0.owner ?? "" })
        let sheet = try python(#"""
            import sys, openpyxl
            rows = list(openpyxl.load_workbook(sys.argv[1])["Findings by owner"].iter_rows(values_only=True))
            print(rows[0][:5])
            for row in rows[1:]: print(row[0] or "", row[1], row[2], f"{row[3] or 0:.2f}", row[4], sep="|")
            """#, [folder.appendingPathComponent("struggling-district.reviewed.xlsx").path])
        var lines = sheet.split(separator: "\n").map(String.init)
        #expect(lines.removeFirst() == "('Owner', 'Errors', 'Warnings', 'At stake', 'Rules broken')")
        #expect(lines.count == byOwner.count, "a row for each owner and one for findings nobody owns: \(lines)")
        for (owner, findings) in byOwner {
            let cents = findings.compactMap(\.amount).reduce(0) { $0 + ($1 * 100).rounded() } / 100
            let expected = [owner, "\(findings.filter { $0.severity == .error }.count)", "\(findings.filter { $0.severity == .warning }.count)",
                            String(format: "%.2f", cents), "\(findings.count)"].joined(separator: "|")
            #expect(lines.contains(expected), "\(expected) in \(lines)")
        }
        // A view on that view, and an indicator on the findings.
        let busy = try #require(review.report.indicators.first { $0.indicator == "BO-90" })
        let errors = ruleFindings.filter { $0.severity == .error }
        #expect(busy.number.map { abs($0 - Double(errors.filter { $0.owner == nil }.count) / Double(errors.count)) < 1e-9 } == true, "\(busy)")
        #expect(review.written.contains { $0.hasSuffix(".reviewed.xlsx") })
        let busiest = try python(#"""
            import sys, openpyxl
            print(sorted((row[0] or "") for row in list(openpyxl.load_workbook(sys.argv[1])["Owners with 3 or more findings"].iter_rows(values_only=True))[1:]))
            """#, [folder.appendingPathComponent("struggling-district.reviewed.xlsx").path])
        #expect(busiest.trimmingCharacters(in: .whitespacesAndNewlines) == "\(byOwner.filter { $0.value.count >= 3 }.keys.sorted())".replacingOccurrences(of: "\"", with: "'"))
    }

    /// Indicators marked `per site` are measured for each school on its own rows: MG-2's
    /// overspending and MG-1's owned budget, worked out here from the Accounts sheet by openpyxl,
    /// agree with the Schools sheet, whose levels are words in the rubric's colours.
    @Test func eachSchoolHasItsOwnIndicators() throws {
        let (review, folder) = try reviewStruggling("schools")
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("struggling-district.xlsx")
        #expect(review.report.indicatorsPerSite.first?.values.count == 15, "every site of the Schools table, central offices too")
        let compared = try python(#"""
            import sys, openpyxl
            data = openpyxl.load_workbook(sys.argv[1], data_only=True)
            accounts = list(data["Accounts"].iter_rows(values_only=True))
            header = accounts[0]
            active = {row[0]: row[6] for row in list(data["Owners"].iter_rows(values_only=True))[1:]}
            by_site = {}
            for row in accounts[1:]:
                if not row[0]: continue
                record = dict(zip(header, row))
                site = record["Account"].split("-")[3]
                totals = by_site.setdefault(site, [0.0, 0.0, 0.0])
                totals[0] += record["Revised Budget"] or 0
                totals[1] += -(record["Available"] or 0) if (record["Available"] or 0) < 0 else 0
                owner = record["Budget Owner"]
                if owner and str(active.get(owner, "")).upper() in ("Y", "YES", "TRUE", "ACTIVE"): totals[2] += record["Revised Budget"] or 0
            sheet = list(openpyxl.load_workbook(sys.argv[2])["Schools"].iter_rows(values_only=True))
            # The table ends at the blank row before the reasons for what was not assessed.
            sheet = sheet[:next(index for index, row in enumerate(sheet) if row[0] is None)]
            head = list(sheet[0])
            mg1, mg2 = head.index("MG-1 Every budget dollar has an active owner"), head.index("MG-2 Little or no overspending")
            levels = {"MG-2": head.index("MG-2 level")}
            for row in sheet[2:]:
                if row[0] not in by_site:
                    # A site with no budget lines has nothing to measure, and says so.
                    print(row[0], row[mg1] is None, row[mg2] is None, row[levels["MG-2"]] == "Not assessed", sep="|")
                    continue
                revised, over, owned = by_site[row[0]]
                ok1 = abs(row[mg1] - owned / revised) < 1e-9
                ok2 = abs(row[mg2] - over / revised) < 1e-9
                share = over / revised
                level = "Exemplary" if share <= 0 else "Established" if share <= 0.005 else "Developing" if share <= 0.02 else "Emerging"
                print(row[0], ok1, ok2, row[levels["MG-2"]] == level, sep="|")
            book = openpyxl.load_workbook(sys.argv[2])["Schools"]
            print("fills", all(book.cell(row, levels["MG-2"] + 1).fill.fill_type == "solid" for row in range(2, len(sheet) + 1) if book.cell(row, levels["MG-2"] + 1).value != "Not assessed"))
            """#, [input.path, folder.appendingPathComponent("struggling-district.reviewed.xlsx").path])
        let lines = compared.split(separator: "\n").map(String.init)
        #expect(lines.count == 16 && lines.dropLast().allSatisfy { $0.hasSuffix("|True|True|True") }, "\(lines)")
        #expect(lines.last == "fills True")
    }

    /// `--packets` writes each budget owner a workbook of their own: their scorecard, every
    /// finding that is theirs and only theirs, and the budget lines the input's Accounts sheet
    /// gives them (read here by openpyxl); the drop folder files them in outbox/owners/.
    @Test func eachBudgetOwnerGetsAPacket() throws {
        let (review, folder) = try reviewStruggling("packets") { $0.packets = true }
        defer { try? FileManager.default.removeItem(at: folder) }
        let packets = folder.appendingPathComponent("owners/struggling-district")
        let files = try FileManager.default.contentsOfDirectory(atPath: packets.path).sorted()
        let expected = review.report.ownerScorecards.filter { $0.lines > 0 || $0.findingCount > 0 }
        // And one for the business office, of the findings no owner answers for.
        #expect(files.count == expected.count + 1 && files.contains("P104 Robert Alvarez.xlsx") && files.contains("No owner (business office).xlsx"), "\(files)")
        let read = try python(#"""
            import sys, openpyxl
            packet = openpyxl.load_workbook(sys.argv[1])
            print(packet["Scorecard"]["A1"].value)
            print(sorted(row[-1] for row in list(packet["Findings"].iter_rows(values_only=True))[1:]))
            print(sorted({row[3] for row in list(packet["Findings"].iter_rows(values_only=True))[1:]}))
            lines = list(packet["Budget lines"].iter_rows(values_only=True))[1:]
            source = [row for row in list(openpyxl.load_workbook(sys.argv[2])["Accounts"].iter_rows(values_only=True))[1:] if row[3] == "P104"]
            print(sorted(row[0] for row in lines) == sorted(row[0] for row in source), round(sum(row[2] for row in lines), 2) == round(sum(row[7] for row in source), 2))
            """#, [packets.appendingPathComponent("P104 Robert Alvarez.xlsx").path, folder.appendingPathComponent("struggling-district.xlsx").path])
        let lines = read.split(separator: "\n").map(String.init)
        #expect(lines.first == "Budget owner packet: Robert Alvarez, P104")
        let ids = review.report.findings.filter { $0.owner == "P104" }.compactMap(\.id).sorted()
        #expect(lines.dropFirst().first == "\(ids)".replacingOccurrences(of: "\"", with: "'"), "only P104's findings, each of them")
        #expect(lines.dropFirst(2).first?.contains("site_spending") == false, "a view's finding names its sheet as the reviewer sees it: \(lines)")
        #expect(lines.last == "True True", "the lines P104 owns, with their budgets")
        // A budget line nobody owns is nobody's, not its school's principal's.
        #expect(review.report.findings.filter { $0.rule == "BO-10" }.allSatisfy { $0.owner == nil })
        let unowned = try python(#"""
            import sys, openpyxl
            print(sorted(row[1] for row in list(openpyxl.load_workbook(sys.argv[1])["Findings"].iter_rows(values_only=True))[1:]))
            """#, [packets.appendingPathComponent("No owner (business office).xlsx").path])
        #expect(unowned.trimmingCharacters(in: .whitespacesAndNewlines) == "\(review.report.findings.filter { $0.owner == nil }.map(\.rule).sorted())".replacingOccurrences(of: "\"", with: "'"))

        let scratch = try DropScratch()
        try FileManager.default.copyItem(at: project.appendingPathComponent("workbooks/samples/struggling-district.xlsx"), to: scratch.url("inbox/struggling-district.xlsx"))
        _ = try DropFolderTests().watchOnce(scratch, packets: true)
        let filed = try FileManager.default.contentsOfDirectory(atPath: scratch.url("outbox/owners/struggling-district").path)
        #expect(filed.count == expected.count + 1, "\(filed)")
        #expect(FileManager.default.fileExists(atPath: scratch.url("outbox/struggling-district.reviewed.xlsx").path))
    }
}

