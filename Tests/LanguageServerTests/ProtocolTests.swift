import Foundation
import Testing

private let project: URL = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0 ..< 3 { url.deleteLastPathComponent() }
    return url
}()

/// An editor's side of the conversation: `pathways lsp` started as VS Code starts it, spoken to
/// over its standard input and output.
final class EditorSession: @unchecked Sendable {
    let process = Process()
    private let input = Pipe(), output = Pipe()
    private let lock = NSLock()
    private var received: [[String: Any]] = []
    private var buffer = Data()
    private var nextID = 0
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("lsp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: project.appendingPathComponent("rules"), to: folder.appendingPathComponent("rules"))
        process.executableURL = project.appendingPathComponent(".build/debug/pathways")
        process.arguments = ["lsp"]
        process.standardInput = input
        process.standardOutput = output
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in self?.take(handle.availableData) }
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(at: folder)
    }

    func uri(_ file: String) -> String { folder.appendingPathComponent("rules/\(file)").absoluteString }

    func text(_ file: String) throws -> String { try String(contentsOf: folder.appendingPathComponent("rules/\(file)"), encoding: .utf8) }

    private func take(_ data: Data) {
        lock.lock()
        defer { lock.unlock() }
        buffer.append(data)
        while let end = buffer.range(of: Data("\r\n\r\n".utf8)) {
            let header = String(decoding: buffer[buffer.startIndex ..< end.lowerBound], as: UTF8.self)
            let length = Int(header.replacingOccurrences(of: "Content-Length:", with: "").trimmingCharacters(in: .whitespaces)) ?? 0
            guard buffer.distance(from: end.upperBound, to: buffer.endIndex) >= length else { return }
            let bodyEnd = buffer.index(end.upperBound, offsetBy: length)
            if let message = try? JSONSerialization.jsonObject(with: buffer[end.upperBound ..< bodyEnd]) as? [String: Any] { received.append(message) }
            buffer = Data(buffer[bodyEnd...])
        }
    }

    func send(_ message: [String: Any]) {
        var object = message
        object["jsonrpc"] = "2.0"
        let body = try! JSONSerialization.data(withJSONObject: object)
        input.fileHandleForWriting.write(Data("Content-Length: \(body.count)\r\n\r\n".utf8) + body)
    }

    func notify(_ method: String, _ params: [String: Any]) { send(["method": method, "params": params]) }

    /// A framed body exactly as given, JSON or not.
    func sendRaw(_ body: String) {
        input.fileHandleForWriting.write(Data("Content-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8))
    }

    /// Sends a request and waits (up to ten seconds) for its answer.
    func request(_ method: String, _ params: [String: Any]) throws -> Any? {
        nextID += 1
        let id = nextID
        send(["id": id, "method": method, "params": params])
        let answer = try wait { $0["id"] as? Int == id && $0["method"] == nil }
        return answer["result"]
    }

    /// The first message received that `matches`, removed from those waiting.
    func wait(_ matches: ([String: Any]) -> Bool) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            lock.lock()
            if let index = received.firstIndex(where: matches) {
                let message = received.remove(at: index)
                lock.unlock()
                return message
            }
            lock.unlock()
            Thread.sleep(forTimeInterval: 0.01)
        }
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "no answer from pathways lsp in 10 s"])
    }

    func diagnostics(for uri: String) throws -> [[String: Any]] {
        let message = try wait { $0["method"] as? String == "textDocument/publishDiagnostics" && ($0["params"] as? [String: Any])?["uri"] as? String == uri }
        return (message["params"] as? [String: Any])?["diagnostics"] as? [[String: Any]] ?? []
    }

    func open(_ file: String, text: String) {
        notify("textDocument/didOpen", ["textDocument": ["uri": uri(file), "languageId": "pathways-rules", "version": 1, "text": text]])
    }

    func change(_ file: String, text: String, version: Int) {
        notify("textDocument/didChange", ["textDocument": ["uri": uri(file), "version": version], "contentChanges": [["text": text]]])
    }

    func start(review: String? = nil) throws {
        let result = try request("initialize", ["processId": NSNull(), "rootUri": folder.absoluteString, "capabilities": [:],
                                                "initializationOptions": ["review": review ?? ""]]) as? [String: Any]
        #expect((result?["capabilities"] as? [String: Any])?["definitionProvider"] as? Bool == true)
        notify("initialized", [:])
    }
}

/// Where `needle` is in `text`, as an editor's position (lines and UTF-16 characters from 0).
func position(of needle: String, in text: String, after marker: String = "") -> [String: Int] {
    let from = marker.isEmpty ? text.startIndex : text.range(of: marker)!.upperBound
    let found = text.range(of: needle, range: from ..< text.endIndex)!
    let before = text[text.startIndex ..< found.lowerBound]
    let line = before.filter { $0 == "\n" }.count
    let lineStart = before.lastIndex(of: "\n").map { text.index(after: $0) } ?? text.startIndex
    return ["line": line, "character": text[lineStart ..< found.lowerBound].utf16.count]
}

@Suite(.serialized) struct ProtocolTests {
    @Test func aMistakeIsReportedAsItIsTypedAndItsQuickFixPutsItRight() throws {
        let session = try EditorSession()
        try session.start()
        let original = try session.text("management.rules")
        let typo = original.replacingOccurrences(of: "accounts.owner is not blank and LOOKUP", with: "accounts.ownr is not blank and LOOKUP")
        session.open("management.rules", text: typo)
        let diagnostics = try session.diagnostics(for: session.uri("management.rules"))
        let mistake = try #require(diagnostics.first { ($0["message"] as? String)?.contains("ownr") == true }, "\(diagnostics)")
        // The checker's own sentence and hint, on the misspelt name.
        #expect((mistake["message"] as? String)?.contains("Did you mean `owner`?") == true, "\(mistake)")
        let range = try #require(mistake["range"] as? [String: [String: Int]])
        #expect(range["start"] == position(of: "ownr", in: typo))
        #expect(mistake["severity"] as? Int == 1)
        // The quick fix writes the name the hint suggests.
        let actions = try #require(try session.request("textDocument/codeAction", [
            "textDocument": ["uri": session.uri("management.rules")], "range": range, "context": ["diagnostics": [mistake]],
        ]) as? [[String: Any]])
        let edit = try #require(((actions.first?["edit"] as? [String: Any])?["changes"] as? [String: [[String: Any]]])?[session.uri("management.rules")]?.first)
        #expect(edit["newText"] as? String == "owner" && (edit["range"] as? [String: [String: Int]]) == range)
        // Put right, the file's diagnostics are cleared.
        session.change("management.rules", text: original, version: 2)
        #expect(try session.diagnostics(for: session.uri("management.rules")).isEmpty)
        _ = try session.request("shutdown", [:])
        session.notify("exit", [:])
        session.process.waitUntilExit()
        #expect(session.process.terminationStatus == 0)
    }

    @Test func completionKnowsTablesColumnsClausesAndFunctions() throws {
        let session = try EditorSession()
        try session.start()
        let text = try session.text("management.rules") + "\nrule MG-99 \"Test\"\n  pathway management\n  for accounts\n  when accounts.\n  \n"
        session.open("management.rules", text: text)
        _ = try session.diagnostics(for: session.uri("management.rules"))
        func labels(at position: [String: Int]) throws -> [String: [String: Any]] {
            let items = try #require(try session.request("textDocument/completion", ["textDocument": ["uri": session.uri("management.rules")], "position": position]) as? [[String: Any]])
            return Dictionary(items.map { ($0["label"] as! String, $0) }, uniquingKeysWith: { first, _ in first })
        }
        var after = position(of: "accounts.", in: text, after: "rule MG-99")
        after["character"]! += "accounts.".utf16.count
        let columns = try labels(at: after)
        #expect(columns["revised"]?["detail"] as? String == "an amount of money", "\(columns.keys.sorted())")
        #expect(columns["site"]?["documentation"] as? String == "A segment of accounts.account, cut from the account string.")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let clauses = try labels(at: ["line": lines.count - 2, "character": 2])
        #expect(clauses["severity"] != nil && clauses["message"] != nil && clauses["measure"] == nil, "a rule's clauses: \(clauses.keys.sorted())")
        let formula = try labels(at: ["line": lines.count - 3, "character": 7])
        #expect((formula["SUM"]?["detail"] as? String)?.hasPrefix("SUM(values)") == true)
        #expect(formula["approval_limit"]?["detail"] as? String == "param = $5,000")
        #expect(formula["revised"] != nil, "the rule's own table's columns")
        let declarations = try labels(at: ["line": lines.count - 1, "character": 0])
        #expect(Set(declarations.keys) == ["rule", "indicator", "view", "test", "param", "table", "goal"])
    }

    @Test func hoverAndDefinitionFindParamsColumnsAndLets() throws {
        let session = try EditorSession()
        try session.start()
        let text = try session.text("accountability.rules")
        session.open("accountability.rules", text: text)
        let use = position(of: "approval_limit)", in: text, after: "IFBLANK(LOOKUP(owners.approval_limit, approved_by), ")
        let hover = try #require(try session.request("textDocument/hover", ["textDocument": ["uri": session.uri("accountability.rules")], "position": use]) as? [String: Any])
        #expect(((hover["contents"] as? [String: Any])?["value"] as? String)?.hasPrefix("**param approval_limit** = `$5,000`") == true, "\(hover)")
        let definition = try #require(try session.request("textDocument/definition", ["textDocument": ["uri": session.uri("accountability.rules")], "position": use]) as? [String: Any])
        #expect(definition["uri"] as? String == session.uri("accountability.rules"))
        #expect((definition["range"] as? [String: [String: Int]])?["start"] == position(of: "approval_limit", in: text, after: "param "))
        // A column of another table, through its qualifier: where the table declares it.
        var column = position(of: "owners.approval_limit", in: text)
        column["character"]! += "owners.".utf16.count
        let found = try #require(try session.request("textDocument/definition", ["textDocument": ["uri": session.uri("accountability.rules")], "position": column]) as? [String: Any])
        #expect(found["uri"] as? String == session.uri("tables.rules"))
        let tables = try session.text("tables.rules")
        #expect((found["range"] as? [String: [String: Int]])?["start"] == position(of: "approval_limit", in: tables, after: "table owners"))
    }

    @Test func formattingLaysTheFileOutAsPathwaysFmtDoes() throws {
        let session = try EditorSession()
        try session.start()
        let messy = "param  small_amount=$25   \"Below this, nothing.\"\n\nrule MG-98 \"Tiny lines\"\n    pathway   management\n  severity info\n  for transactions\n  when amount<small_amount\n  flag amount\n  message \"Small.\"\n"
        try messy.write(to: session.folder.appendingPathComponent("rules/extra.rules"), atomically: true, encoding: .utf8)
        session.open("extra.rules", text: messy)
        let edits = try #require(try session.request("textDocument/formatting", ["textDocument": ["uri": session.uri("extra.rules")], "options": ["tabSize": 2, "insertSpaces": true]]) as? [[String: Any]])
        // The oracle: the command a trainer runs.
        let fmt = Process()
        fmt.executableURL = project.appendingPathComponent(".build/debug/pathways")
        fmt.arguments = ["fmt", "--rules", session.folder.appendingPathComponent("rules").path, session.folder.appendingPathComponent("rules/extra.rules").path]
        fmt.standardOutput = Pipe()
        try fmt.run()
        fmt.waitUntilExit()
        let formatted = try session.text("extra.rules")
        #expect(formatted != messy && edits.count == 1 && edits.first?["newText"] as? String == formatted)
        #expect((edits.first?["range"] as? [String: [String: Int]])?["start"] == ["line": 0, "character": 0])
    }

    /// With a review named, hover tells where a column was found in it and an indicator's value there.
    @Test func hoverTellsWhatTheLastReviewFound() throws {
        let session = try EditorSession()
        let run = Process()
        run.executableURL = project.appendingPathComponent(".build/debug/pathways")
        run.arguments = ["run", project.appendingPathComponent("workbooks/samples/struggling-district.xlsx").path, "--rules", project.appendingPathComponent("rules").path,
                         "--out", session.folder.path, "--output-format", "json"]
        run.standardOutput = Pipe()
        try run.run()
        run.waitUntilExit()
        try session.start(review: session.folder.appendingPathComponent("struggling-district.findings.json").path)
        let text = try session.text("management.rules")
        session.open("management.rules", text: text)
        func hover(_ needle: String, after marker: String, offset: Int = 0) throws -> String {
            var at = position(of: needle, in: text, after: marker)
            at["character"]! += offset
            let answer = try session.request("textDocument/hover", ["textDocument": ["uri": session.uri("management.rules")], "position": at]) as? [String: Any]
            return (answer?["contents"] as? [String: Any])?["value"] as? String ?? ""
        }
        let revised = try hover("accounts.revised", after: "indicator MG-1", offset: "accounts.".utf16.count)
        #expect(revised.contains("*In the review of struggling-district.xlsx as of 2025-06-30:* sheet Accounts of struggling-district.xlsx, \"Revised Budget\" (column H)."), "\(revised)")
        let indicator = try hover("MG-1", after: "indicator ")
        #expect(indicator.contains("98.34%, established"), "\(indicator)")
    }

    /// Inside a function's parentheses, its values as Excel shows them, the one being typed marked.
    @Test func signatureHelpMarksTheValueBeingTyped() throws {
        let session = try EditorSession()
        try session.start()
        let text = try session.text("management.rules") + "\nrule MG-97 \"Test\"\n  pathway management\n  for transactions\n  when ROUND(amount, \n"
        session.open("management.rules", text: text)
        var at = position(of: "ROUND(amount, ", in: text, after: "rule MG-97")
        at["character"]! += "ROUND(amount, ".utf16.count
        let help = try #require(try session.request("textDocument/signatureHelp", ["textDocument": ["uri": session.uri("management.rules")], "position": at]) as? [String: Any])
        let signature = try #require((help["signatures"] as? [[String: Any]])?.first)
        #expect((signature["label"] as? String)?.hasPrefix("ROUND(") == true && help["activeParameter"] as? Int == 1, "\(help)")
    }

    /// An editor sends only what was typed: the server applies it where it was typed.
    @Test func incrementalChangesAreAppliedWhereTheyWereTyped() throws {
        let session = try EditorSession()
        try session.start()
        let text = try session.text("management.rules")
        session.open("management.rules", text: text)
        let at = position(of: "accounts.owner is not blank and LOOKUP", in: text)
        var end = at
        end["character"]! += "accounts.owner".utf16.count
        session.notify("textDocument/didChange", ["textDocument": ["uri": session.uri("management.rules"), "version": 2],
                                                  "contentChanges": [["range": ["start": at, "end": end], "text": "accounts.ownr"]]])
        var diagnostics = try session.diagnostics(for: session.uri("management.rules"))
        if diagnostics.isEmpty { diagnostics = try session.diagnostics(for: session.uri("management.rules")) }
        let mistake = try #require(diagnostics.first { ($0["message"] as? String)?.contains("ownr") == true }, "\(diagnostics)")
        var column = at
        column["character"]! += "accounts.".utf16.count
        #expect((mistake["range"] as? [String: [String: Int]])?["start"] == column)
    }

    /// From a trainer's trial: `==` put right by its quick fix, names offered where a clause wants
    /// one, nothing offered in a comment, each column once, and a burst of typing answered at once.
    @Test func quickFixesAndCompletionFitWhereTheCursorIs() throws {
        let session = try EditorSession()
        try session.start()
        let base = try session.text("management.rules")
        let text = base + "\nrule MG-96 \"Test\"\n  pathway management\n  severity \n  for transactions\n  when amount == 0\n  flag amount\n  message \"Zero {amount} at {\"\n# a comment \n"
        session.open("management.rules", text: text)
        let diagnostics = try session.diagnostics(for: session.uri("management.rules"))
        let equals = try #require(diagnostics.first { ($0["message"] as? String)?.hasPrefix("`==` is not needed") == true }, "\(diagnostics)")
        let actions = try #require(try session.request("textDocument/codeAction", ["textDocument": ["uri": session.uri("management.rules")],
                                                                                  "range": equals["range"]!, "context": ["diagnostics": [equals]]]) as? [[String: Any]])
        let edit = try #require(((actions.first?["edit"] as? [String: Any])?["changes"] as? [String: [[String: Any]]])?[session.uri("management.rules")]?.first)
        // Applied, the line compares with one `=`.
        let range = try #require(edit["range"] as? [String: [String: Int]])
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let line = lines[range["start"]!["line"]!]
        let start = line.utf16.index(line.utf16.startIndex, offsetBy: range["start"]!["character"]!)
        let end = line.utf16.index(line.utf16.startIndex, offsetBy: range["end"]!["character"]!)
        #expect(String(line[..<start]) + (edit["newText"] as! String) + String(line[end...]) == "  when amount = 0")
        func labels(line: Int, character: Int) throws -> [String] {
            let items = try #require(try session.request("textDocument/completion", ["textDocument": ["uri": session.uri("management.rules")],
                                                                                        "position": ["line": line, "character": character]]) as? [[String: Any]])
            return items.compactMap { $0["label"] as? String }
        }
        let severityLine = lines.firstIndex(of: "  severity ")!
        #expect(try labels(line: severityLine, character: 11) == ["error", "warning", "info"])
        #expect(try labels(line: lines.count - 2, character: 11).isEmpty, "nothing in a comment")
        // In a message: nothing in its words, the rule's columns and functions in a value `{…}`.
        let messageLine = lines.firstIndex(of: "  message \"Zero {amount} at {\"")!
        #expect(try labels(line: messageLine, character: 14).isEmpty, "nothing in a message's words")
        let inValue = try labels(line: messageLine, character: 29)
        #expect(inValue.contains("vendor") && inValue.contains("ROUND") && !inValue.contains("message"), "\(inValue)")
        let forLine = lines.firstIndex(of: "  for transactions")!
        let tables = try labels(line: forLine, character: 6)
        #expect(tables.contains("transactions") && !tables.contains("findings"), "a rule reads a table, never the findings: \(tables)")
        var accounts = try labels(line: lines.firstIndex(of: "  when amount == 0")!, character: 7)
        accounts = accounts.filter { $0 == "site" }
        #expect(accounts.count == 1, "a column offered once")
        // A burst of changes, then a question: answered on the last text, at once.
        for version in 2 ..< 32 {
            session.change("management.rules", text: text + "\nparam burst_\(version) = \(version) \"Typed.\"\n", version: version)
        }
        let hover = try session.request("textDocument/hover", ["textDocument": ["uri": session.uri("management.rules")],
                                                               "position": ["line": lines.count, "character": 7]]) as? [String: Any]
        #expect(((hover?["contents"] as? [String: Any])?["value"] as? String)?.contains("burst_31") == true, "\(hover ?? [:])")
    }

    /// A message that is not JSON gets the protocol's parse error, and a request after shutdown is refused.
    @Test func aBadMessageAndARequestAfterShutdownAreAnsweredWithErrors() throws {
        let session = try EditorSession()
        try session.start()
        session.sendRaw("{not json")
        let parseError = try session.wait { ($0["error"] as? [String: Any])?["code"] as? Int == -32700 }
        #expect(parseError["id"] is NSNull)
        _ = try session.request("shutdown", [:])
        session.send(["id": 99, "method": "textDocument/hover", "params": ["textDocument": ["uri": session.uri("management.rules")], "position": ["line": 0, "character": 0]]])
        let refused = try session.wait { $0["id"] as? Int == 99 }
        #expect((refused["error"] as? [String: Any])?["code"] as? Int == -32600)
        session.notify("exit", [:])
        session.process.waitUntilExit()
        #expect(session.process.terminationStatus == 0)
    }

    /// Hover on a column where its table declares it: its type and the headers it is read from.
    @Test func hoverOnAColumnsDeclaration() throws {
        let session = try EditorSession()
        try session.start()
        let text = try session.text("tables.rules")
        session.open("tables.rules", text: text)
        let at = position(of: "amount", in: text, after: "table transactions")
        let hover = try session.request("textDocument/hover", ["textDocument": ["uri": session.uri("tables.rules")], "position": at]) as? [String: Any]
        let value = (hover?["contents"] as? [String: Any])?["value"] as? String ?? ""
        #expect(value.hasPrefix("**transactions.amount**: an amount of money") && value.contains("\"Amount\""), "\(value)")
    }
}

