import Foundation
import RulesEngine
import RulesLanguage
import Samples
import SpreadsheetIO
import Tabular
import Testing

private let samples = project.appendingPathComponent("workbooks/samples")

/// The default rules on every sample workbook find exactly what the generator planted, and the
/// rubric levels are the ones the generator's own oracle worked out.
@Suite struct SampleAnswerKeyTests {
    private static let rules: CheckedRuleSet = {
        let files = try! RuleSetFolder.load(project.appendingPathComponent("rules").path)
        return RuleChecker.check(files).ruleSet!
    }()

    /// What the engine found in a sample, in the answer key's terms.
    private func review(_ file: SampleFile) throws -> AnswerKey {
        try reviewAsAnswerKey(try SpreadsheetReader.read(path: samples.appendingPathComponent(file.fileName).path), named: file.fileName, rules: Self.rules)
    }

    private func answerKey(_ file: SampleFile) throws -> AnswerKey {
        try JSONDecoder().decode(AnswerKey.self, from: Data(contentsOf: samples.appendingPathComponent(file.answerKeyName)))
    }

    @Test(arguments: SampleFile.allCases)
    func theDefaultRulesFindWhatWasPlanted(_ file: SampleFile) throws {
        let expected = try answerKey(file), found = try review(file)
        #expect(found.asOf == expected.asOf)
        let missing = expected.findings.filter { !found.findings.contains($0) }
        let extra = found.findings.filter { !expected.findings.contains($0) }
        #expect(missing.isEmpty, "planted but not found: \(missing)")
        #expect(extra.isEmpty, "found but not planted: \(extra)")
        #expect(found.findings == expected.findings)
        for (indicator, level) in expected.indicators.sorted(by: { $0.key < $1.key }) {
            #expect(found.indicators[indicator] == level, "\(indicator)")
        }
        #expect(found.leftOutRows == expected.leftOutRows)
        #expect(found.unreadableCells == expected.unreadableCells)
    }

    @Test func theCheckedInSamplesAreWhatTheGeneratorWrites() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("samples-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try SampleWriter.writeAll(to: folder.path)
        for file in SampleFile.allCases {
            for name in [file.fileName, file.answerKeyName] {
                let fresh = try Data(contentsOf: folder.appendingPathComponent(name))
                let checkedIn = try Data(contentsOf: samples.appendingPathComponent(name))
                #expect(fresh == checkedIn, "\(name) differs from what `pathways sample` writes; run it and check in the result")
            }
        }
    }

    /// Samples shaped like real districts, read by openpyxl rather than by Pathways: personnel near
    /// 80–85% of spending and current spending of $12,000–16,000 a pupil, as NCES finance surveys
    /// show for US districts.
    @Test(arguments: [SampleFile.clean, .struggling])
    func theSamplesSpendLikeRealDistricts(_ file: SampleFile) throws {
        let script = """
            import sys, openpyxl
            book = openpyxl.load_workbook(sys.argv[1], read_only=True)
            rows = list(book["Transactions"].iter_rows(values_only=True))
            account, amount = rows[0].index("Account"), rows[0].index("Amount")
            non_current = {"3300", "4000", "4100", "4200", "4300", "4400", "4500", "4600", "4700", "4900", "5000", "5100"}
            total = personnel = current = 0
            for row in rows[1:]:
                if not row[account]: continue
                fund, function, obj = row[account].split("-")[:3]
                total += row[amount]
                personnel += row[amount] if obj[0] in "12" else 0
                current += row[amount] if function not in non_current else 0
            pupils = sum(row[3] for row in list(book["Sites"].iter_rows(values_only=True))[1:] if row[2] != "CENTRAL")
            print(personnel / total, current / pupils)
            """
        let figures = try python(script, [samples.appendingPathComponent(file.fileName).path]).split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        try #require(figures.count == 2)
        #expect((0.80 ... 0.85).contains(figures[0]), "personnel is \(figures[0]) of spending")
        #expect((12_000 ... 16_000).contains(figures[1]), "current spending is $\(figures[1]) a pupil")
    }

    @Test func theSamplesStayUnderTwoMegabytes() throws {
        for file in SampleFile.allCases {
            let size = try FileManager.default.attributesOfItem(atPath: samples.appendingPathComponent(file.fileName).path)[.size] as? Int ?? 0
            #expect(size > 0 && size < 2_000_000, "\(file.fileName) is \(size) bytes")
        }
    }
}
