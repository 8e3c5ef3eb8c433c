import Foundation
import Testing
@testable import Pathways

private let rulesFolder: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0 ..< 3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("rules").path
}()

/// A folder with these rule files, removed afterwards.
private final class RuleFolder {
    let path: String
    init(_ files: [String: String]) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("rules-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: path + "/" + name, atomically: true, encoding: .utf8) }
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func read(_ name: String) throws -> String { try String(contentsOfFile: path + "/" + name, encoding: .utf8) }
}

@Suite struct RuleCommandsTests {
    @Test func checkPassesTheDefaultRules() {
        let outcome = RuleCommands.check(folder: rulesFolder, format: .text)
        #expect(outcome.exitCode == 0)
        #expect(outcome.standardOutput.hasSuffix("rule files: no mistakes.\n"))
    }

    @Test func checkReportsMistakesAndExitsOne() throws {
        let folder = try RuleFolder(["bad.rules": "table t \"T\"\n  column a nmber \"A\"\n"])
        let outcome = RuleCommands.check(folder: folder.path, format: .text)
        #expect(outcome.exitCode == 1)
        #expect(outcome.standardOutput.contains("bad.rules:2:12: error: `nmber` is not a column type."))
        #expect(outcome.standardOutput.contains("= Did you mean `number`?"))
        #expect(outcome.standardOutput.hasSuffix("Checked 1 rule file: 1 mistake to fix.\n"))
    }

    @Test func checkSpeaksJSONToTools() throws {
        let folder = try RuleFolder(["bad.rules": "table t \"T\"\n  column a nmber \"A\"\n"])
        let outcome = RuleCommands.check(folder: folder.path, format: .json)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [[String: Any]])
        #expect(entries.count == 1)
        #expect(entries.first?["line"] as? Int == 2)
        #expect(entries.first?["column"] as? Int == 12)
        #expect(entries.first?["severity"] as? String == "error")
        #expect((entries.first?["file"] as? String)?.hasSuffix("bad.rules") == true)
    }

    @Test func checkSaysWhenThereIsNoRuleFolder() {
        let outcome = RuleCommands.check(folder: "/no/such/folder", format: .text)
        #expect(outcome.exitCode == 2)
        #expect(outcome.standardError.contains("There is no folder of rules at /no/such/folder."))
    }

    @Test func fmtRewritesInPlaceAndCheckModeOnlyReports() throws {
        let messy = "pathway   management \"Management\"\n"
        let folder = try RuleFolder(["a.rules": messy])
        let report = RuleCommands.format(paths: [folder.path], checkOnly: true)
        #expect(report.exitCode == 1)
        #expect(report.standardOutput.contains("a.rules is not laid out the standard way"))
        #expect(try folder.read("a.rules") == messy, "--check changes nothing")
        let formatted = RuleCommands.format(paths: [folder.path + "/a.rules"], checkOnly: false)
        #expect(formatted.exitCode == 0)
        #expect(try folder.read("a.rules") == "pathway management \"Management\"\n")
        #expect(RuleCommands.format(paths: [folder.path], checkOnly: true).exitCode == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["a.rules"], "no temporary file is left behind")
    }

    @Test func fmtLeavesAFileWithMistakesAlone() throws {
        let broken = "rule R-1 \"r\"\n  when (amount\n"
        let folder = try RuleFolder(["a.rules": broken])
        let outcome = RuleCommands.format(paths: [folder.path], checkOnly: false)
        #expect(outcome.exitCode == 1)
        #expect(outcome.standardError.contains("was left as it is"))
        #expect(try folder.read("a.rules") == broken)
    }

    @Test func functionsListsTheCatalogue() {
        let output = RuleCommands.functions().standardOutput
        for name in ["SUM(values [where condition])", "WEEKNUM(date)", "LOOKUP(column, key)", "SHARE(condition [where condition])"] {
            #expect(output.contains(name), "\(name)")
        }
    }
}
