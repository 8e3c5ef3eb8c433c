import Foundation
import RulesLanguage
import Testing

private let project: URL = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0 ..< 3 { url.deleteLastPathComponent() }
    return url
}()

/// The TextMate grammar editors colour rule files with, tried on every default rule file by a
/// small TextMate matcher (the earliest match on a line wins, ties to the first pattern): every
/// declaration word, clause word, comment, string and function call is coloured as what it is.
struct GrammarTests {
    static let grammar = project.appendingPathComponent("editors/vscode/syntaxes/pathways-rules.tmLanguage.json")

    @Test func theGrammarNamesEveryFunctionOfTheCatalogue() throws {
        let grammar = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.grammar)) as? [String: Any])
        let patterns = try #require(grammar["patterns"] as? [[String: Any]])
        let match = try #require(patterns.first { $0["name"] as? String == "support.function.pathways" }?["match"] as? String)
        // `\b(?:SUM|COUNT|…)(?=\s*\()`: the names between the group's parentheses.
        let names = try #require(match.range(of: #"\(\?:[A-Z0-9|]+\)"#, options: .regularExpression).map { match[$0].dropFirst(3).dropLast() })
        let listed = Set(names.split(separator: "|").map(String.init))
        #expect(listed == Set(FunctionCatalogue.all.map(\.name)), "the grammar's functions are the catalogue's")
    }

    @Test func everyDefaultRuleFileIsColouredAsItReads() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: project.appendingPathComponent("rules").path).filter { $0.hasSuffix(".rules") }
        #expect(files.count >= 8)
        let script = #"""
            import json, re, sys
            grammar = json.load(open(sys.argv[1]))
            patterns = [(re.compile(p["match"]), p) for p in grammar["patterns"]]
            def tokens(line):
                position, found = 0, []
                while position < len(line):
                    best = None
                    for regex, pattern in patterns:
                        match = regex.search(line, position)
                        if match and match.end() > match.start() and (best is None or match.start() < best[0].start()):
                            best = (match, pattern)
                    if best is None: break
                    match, pattern = best
                    if "name" in pattern: found.append((match.group(0), pattern["name"]))
                    for group, capture in pattern.get("captures", {}).items():
                        if match.group(int(group)) is not None: found.append((match.group(int(group)), capture["name"]))
                    position = match.end()
                return found
            declarations = ("table", "param", "preset", "pathway", "rule", "view", "indicator", "goal", "test")
            problems, counts = [], {"declarations": 0, "clauses": 0, "comments": 0, "strings": 0, "functions": 0}
            for path in sys.argv[2:]:
                for number, line in enumerate(open(path, encoding="utf-8"), 1):
                    line = line.rstrip("\n")
                    found = tokens(line)
                    scopes = {}
                    for text, scope in found: scopes.setdefault(scope.split(".")[0] + "." + scope.split(".")[1], []).append(text)
                    first = line.split(" ")[0]
                    where = f"{path.split('/')[-1]}:{number}"
                    if line.startswith("#"):
                        counts["comments"] += 1
                        if found[:1] != [(line, "comment.line.number-sign.pathways")]: problems.append(f"{where} comment {found[:1]}")
                    elif first in declarations:
                        counts["declarations"] += 1
                        if (first, "keyword.declaration.pathways") not in found: problems.append(f"{where} declaration {found[:2]}")
                    elif re.match(r"^\s+[a-z]+\b", line) and not line.strip().startswith("|"):
                        word = line.split()[0]
                        if word in ("pathway", "severity", "for", "when", "flag", "message", "fix", "measure", "from", "column", "let", "where", "about", "source", "per", "given", "expect", "show", "otherwise"):
                            counts["clauses"] += 1
                            if (word, "keyword.control.clause.pathways") not in found: problems.append(f"{where} clause {word} {found[:2]}")
                    # Every quoted text outside a comment is a string, and every call a function.
                    code = line if line.lstrip().startswith("|") else line.split(" #")[0]
                    for quoted in re.findall(r'"(?:[^"]|"")*"', code if not code.startswith("#") else ""):
                        counts["strings"] += 1
                        if (quoted, "string.quoted.double.pathways") not in found: problems.append(f"{where} string {quoted[:30]}")
                    outside = re.sub(r'"(?:[^"]|"")*"', '""', code if not code.startswith("#") else "")
                    for call in re.findall(r"\b([A-Z][A-Z0-9]+)\s*\(", outside):
                        counts["functions"] += 1
                        if (call, "support.function.pathways") not in found: problems.append(f"{where} function {call}")
            print(json.dumps({"problems": problems[:20], "counts": counts}))
            """#
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, Self.grammar.path] + files.sorted().map { project.appendingPathComponent("rules/\($0)").path }
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let result = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect((result["problems"] as? [String])?.isEmpty == true, "\(result["problems"] ?? "")")
        let counts = try #require(result["counts"] as? [String: Int])
        #expect(counts.values.allSatisfy { $0 > 20 }, "each kind of word was met on the default rules: \(counts)")
    }
}
