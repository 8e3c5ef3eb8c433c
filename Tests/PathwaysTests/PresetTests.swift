import Foundation
import Pathways
import RulesEngine
import RulesLanguage
import SpreadsheetIO
import Testing

private let rulesFolder: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0 ..< 3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("rules").path
}()

/// A state's code meanings chosen once, as a Texas finance officer would: the default rules read
/// a Texas ledger right only with the Texas preset.
@Suite struct PresetTests {
    private static let rules: CheckedRuleSet = {
        guard case .success(let rules) = RunJob.loadRules(rulesFolder) else { preconditionFailure("the default rules have mistakes") }
        return rules
    }()

    /// A Texas ledger, accounts as FASRG writes them: fund-function-object-…; 6499 is the catch-all,
    /// 6119 teacher pay, 71 debt service and 211 the Title I fund.
    private static let texasLedger = """
        Posting Date,Account,Amount,Vendor Name,Description
        2024-10-01,199-11-6399-00-001-5-11,1200.00,School Specialty,Classroom supplies for grade 3
        2024-10-02,199-11-6499-00-001-5-11,950.00,Amazon Business,Assorted items for the school
        2024-10-03,199-71-6119-00-001-5-11,4000.00,,Teacher salaries charged to debt service
        2024-10-04,211-11-6119-00-001-5-30,3000.00,,Title I reading teacher
        """

    private func review(preset: String?, params: [(String, String)] = []) -> (Evaluation, ParamValues) {
        var sheets = [(name: "Transactions", rows: Self.texasLedger.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) })]
        if !params.isEmpty { sheets.append((name: "Params", rows: [["Name", "Value"]] + params.map { [$0.0, $0.1] })) }
        let workbook = RawWorkbook(file: "texas.csv", textSheets: sheets)
        let values = ParamValues(rules: Self.rules, workbook: workbook, commandLine: [:], preset: preset)
        return (RuleRunner.run(Self.rules, on: WorkbookBinder.bind(workbook, to: Self.rules), params: values), values)
    }

    private func flagged(_ evaluation: Evaluation, _ rule: String) -> [[Int]] {
        evaluation.findings.filter { $0.rule == rule }.map(\.rows)
    }

    @Test func theTexasPresetReadsATexasLedger() {
        let (texas, values) = review(preset: "texas")
        #expect(values.problems.isEmpty)
        #expect(values.preset == "texas")
        #expect(flagged(texas, "MG-12") == [[3]], "6499 is Texas' catch-all")
        #expect(flagged(texas, "MG-11") == [[4]], "salaries may not be charged to debt service, function 71")
        let personnel = values.settings.first { $0.name == "personnel_objects" }
        #expect(personnel?.value == "(\"61\")" && personnel?.source == .preset, "\(String(describing: personnel))")
        // With the NCES meanings the same ledger looks clean: the worst failure, a review that looks clean and is wrong.
        let (nces, _) = review(preset: nil)
        #expect(flagged(nces, "MG-12").isEmpty && flagged(nces, "MG-11").isEmpty)
    }

    @Test func theTexasPresetLaysOutATexasAccount() throws {
        // 199-11-6119-00-001-5-11: the organization (the campus) is the fifth part, program intent the seventh.
        let workbook = RawWorkbook(file: "texas.csv", textSheets: [(name: "Transactions", rows: Self.texasLedger.split(separator: "\n")
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) })])
        let texas = try #require(WorkbookBinder.bind(workbook, to: Self.rules,
                                                     params: ParamValues(rules: Self.rules, workbook: nil, commandLine: [:], preset: "texas")).tables["transactions"])
        #expect(texas.column("site")?[0] == .code("001"))
        #expect(texas.column("program")?[0] == .code("11"))
        #expect(texas.column("project")?[0] == .blank, "a Texas account has no project part: blank, not missing")
        let nces = try #require(WorkbookBinder.bind(workbook, to: Self.rules).tables["transactions"])
        #expect(nces.column("site")?[0] == .code("00"), "read the NCES way, the sub-object lands in site")
        // inspect --preset texas shows the same split to a trainer.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("layout-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("texas.csv")
        try Self.texasLedger.write(to: file, atomically: true, encoding: .utf8)
        let inspection = try Inspection.inspect(paths: [file.path], rules: Self.rules, preset: "texas")
        #expect(inspection.accountSplits.first?.segments.first { $0.name == "site" }?.part == 5)
        // A misspelt preset is said, not silently replaced by the rules' own split.
        let misspelt = try Inspection.inspect(paths: [file.path], rules: Self.rules, preset: "texsa")
        #expect(misspelt.paramProblems.first?.hasSuffix("Did you mean texas?") == true)
        #expect(misspelt.text.contains("  Not as asked: --preset texsa: there is no preset named texsa."))
    }

    @Test func theNewYorkPresetReadsItsAccountsByTheirCharacters() throws {
        // A2110.120-101: the fund letter, the function, the object after the point, the location after the dash.
        let csv = "Posting Date,Account,Amount\n2024-10-01,A2110.120-101,10.00\n2024-10-02,F2110.150-102,5.00\n2024-10-03,A1310.400,1.00\n"
        let workbook = try CSVReader.read(bytes: Array(csv.utf8), fileName: "ny.csv")
        let newYork = try #require(WorkbookBinder.bind(workbook, to: Self.rules,
                                                       params: ParamValues(rules: Self.rules, workbook: nil, commandLine: [:], preset: "new_york")).tables["transactions"])
        #expect((0 ..< 3).map { newYork.column("fund")?[$0] } == [.code("A"), .code("F"), .code("A")])
        #expect((0 ..< 3).map { newYork.column("object")?[$0] } == [.code("120"), .code("150"), .code("400")])
        #expect((0 ..< 3).map { newYork.column("site")?[$0] } == [.code("101"), .code("102"), .blank], "no location: blank")
        // A district that writes its location elsewhere says so in its Params sheet; a layout that
        // cannot be read is refused with the reason, and the preset's stands.
        let moved = ParamValues(rules: Self.rules, workbook: RawWorkbook(file: "ny.xlsx", textSheets: [(name: "Params", rows: [["account_layout", "fund 1, site 2-4"]])]),
                                commandLine: [:], preset: "new_york")
        #expect(moved.problems.isEmpty, "\(moved.problems)")
        #expect(moved.accountLayout?.place(of: "site") == .characters(2 ... 4))
        let backwards = ParamValues(rules: Self.rules, workbook: nil, commandLine: ["account_layout": "fund 1, object 9-7"], preset: "new_york")
        #expect(backwards.problems == ["--param account_layout=fund 1, object 9-7: account_layout's \"object 9-7\" is neither a segment name nor a segment with its characters, such as \"object 7-9\"."])
        #expect(backwards.accountLayout?.place(of: "object") == .characters(7 ... 9))
        let unknown = ParamValues(rules: Self.rules, workbook: nil, commandLine: ["account_layout": "fund, objet"])
        #expect(unknown.problems.first?.contains("account_layout names objet, which is not a segment of any table") == true, "\(unknown.problems)")
    }

    @Test func aChartWithoutACatchAllObjectLeavesItsShareNotAssessedRatherThanPerfect() throws {
        let csv = "Posting Date,Account,Amount\n2024-10-01,A2110.450-101,970.00\n2024-10-02,A2110.120-101,5000.00\n"
        let workbook = try CSVReader.read(bytes: Array(csv.utf8), fileName: "ny.csv")
        let values = ParamValues(rules: Self.rules, workbook: workbook, commandLine: [:], preset: "new_york")
        let evaluation = RuleRunner.run(Self.rules, on: WorkbookBinder.bind(workbook, to: Self.rules, params: values), params: values)
        let share = try #require(evaluation.indicators.first { $0.indicator == "MG-3" })
        #expect(!share.assessed)
        #expect(share.reason?.contains("catch_all lists nothing") == true, "\(share.reason ?? "")")
        // With a catch-all named in the Params sheet, it is measured again.
        let named = ParamValues(rules: Self.rules, workbook: workbook, commandLine: ["catch_all": "499"], preset: "new_york")
        #expect(RuleRunner.run(Self.rules, on: WorkbookBinder.bind(workbook, to: Self.rules, params: named), params: named)
            .indicators.first { $0.indicator == "MG-3" }?.level == .exemplary)
    }

    @Test func aParamsSheetChoosesThePresetAndCanStillChangeOneOfItsValues() {
        let (evaluation, values) = review(preset: nil, params: [("Preset", "Texas"), ("catch_all", "6399")])
        #expect(values.problems.isEmpty, "\(values.problems)")
        #expect(values.preset == "texas")
        #expect(flagged(evaluation, "MG-12") == [[2]], "the sheet's catch_all wins over the preset's")
        #expect(values.settings.first { $0.name == "catch_all" }?.source == .paramsSheet)
        // --preset on the command line wins over the sheet's choice.
        #expect(review(preset: "ohio", params: [("preset", "texas")]).1.preset == "ohio")
    }

    @Test func anUnknownPresetIsRefusedWithTheOnesThereAre() {
        let (_, values) = review(preset: "texsa")
        #expect(values.problems == ["--preset texsa: there is no preset named texsa. The presets are: texas, california, new_york, illinois, florida, ohio. Did you mean texas?"])
        let fromSheet = review(preset: nil, params: [("preset", "Utopia")]).1
        #expect(fromSheet.problems.first?.hasPrefix("the Params sheet, row 2: there is no preset named Utopia.") == true, "\(fromSheet.problems)")
    }

    @Test func theReviewSaysWhichPresetItUsed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("preset-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let ledger = folder.appendingPathComponent("texas.csv")
        try Self.texasLedger.write(to: ledger, atomically: true, encoding: .utf8)
        var options = RunJob.Options(input: ledger.path)
        options.rules = rulesFolder
        options.preset = "texas"
        let outcome = RunJob.run(options)
        #expect(outcome.exitCode == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("  Preset: texas, the code meanings of its state's chart of accounts (13 parameters;"))
        #expect(!outcome.standardOutput.contains("Parameters set for this run"), "the preset's codes are not listed one by one")
        #expect(!outcome.standardOutput.contains("Most object codes have four digits"))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("texas.findings.json"))) as? [String: Any])
        #expect(report["preset"] as? String == "texas")
        let summary = try #require((readWithOpenpyxl(folder.appendingPathComponent("texas.reviewed.xlsx").path)["cells"] as? [String: Any])?["Summary"] as? [String: [String]])
        #expect(summary.values.contains { $0[1] == "The texas preset (its state's chart of accounts)" }, "the reviewer sees which codes were meant")
        // Without the preset, the review says the codes do not look like the meanings it used.
        options.preset = nil
        let unsure = RunJob.run(options)
        #expect(unsure.standardOutput.contains("  Check: Most object codes have four digits or more (6119, 6399), but they were read with the rules' own meanings"),
                "\(unsure.standardOutput)")
    }

    @Test func presetsAreListedForATrainer() {
        let outcome = RuleCommands.presets(folder: rulesFolder)
        #expect(outcome.exitCode == 0)
        for name in ["texas: Texas (FASRG)", "california: California (SACS)", "new_york:", "illinois:", "florida:", "ohio: Ohio (USAS)"] {
            #expect(outcome.standardOutput.contains("\n" + name), "\(name)")
        }
        #expect(outcome.standardOutput.contains("  personnel_objects = (\"61\")\n"))
    }
}
