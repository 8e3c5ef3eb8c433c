import Foundation
import RulesLanguage

/// `pathways lsp`: a Language Server Protocol server for rule files over standard input and
/// output. It checks the rules folder as the trainer types and answers the editor's questions:
/// diagnostics (the checker's own sentences), completion, hover, go to definition, quick fixes
/// from the checker's hints, and formatting as `pathways fmt` lays a file out.
/// It runs on the one thread that calls `run()`; handing it to that thread is its only crossing.
public final class LanguageServer: @unchecked Sendable {
    private let transport: Transport
    private var workspace = Workspace()
    /// Files that had diagnostics last time, so a file put right gets an empty list.
    private var published: Set<String> = []
    private var shuttingDown = false
    /// Changes not yet checked: a burst of typing is checked once, when it pauses.
    private var changed = false

    /// `rules`: the folder of rule files; by default the workspace's (or its `rules/` folder).
    /// `review`: a review's findings file (`*.findings.json`), whose tables, params and indicators
    /// hover shows beside the rules; the editor may name another in its initialization options.
    public init(input: FileHandle = .standardInput, output: FileHandle = .standardOutput, rules: String? = nil, review: String? = nil) {
        transport = Transport(input: input, output: output)
        workspace.folder = rules.map { URL(fileURLWithPath: $0) }
        workspace.review = review.flatMap(LastReview.init(path:))
        if let review, workspace.review == nil { unreadableReview = review }
    }

    /// A review named that could not be read, to say so when the editor is ready.
    private var unreadableReview: String?

    /// Answers messages until the editor says exit or closes the input; the exit status.
    public func run() -> Int32 {
        while let message = transport.read(idle: { if changed { refresh() } }) {
            let method = message["method"] as? String ?? ""
            if method == "exit" { return shuttingDown ? 0 : 1 }
            handle(method, id: message["id"], params: message["params"] as? [String: Any] ?? [:])
        }
        return shuttingDown ? 0 : 1
    }

    private func handle(_ method: String, id: Any?, params: [String: Any]) {
        // After shutdown only exit is expected: a request is refused, as the protocol says.
        if shuttingDown, let id {
            transport.send(["id": id, "error": ["code": -32600, "message": "Pathways is shutting down; it answers nothing more."] as [String: Any]])
            return
        }
        func reply(_ result: Any?) {
            guard let id else { return }
            transport.send(["id": id, "result": result ?? NSNull()])
        }
        func document() -> (uri: String, index: Int, file: SourceFile, offset: Int)? {
            // A question is answered on the text as it is now.
            if changed { refresh() }
            guard let textDocument = params["textDocument"] as? [String: Any], let uri = textDocument["uri"] as? String,
                  let (index, file) = workspace.file(uri) else { return nil }
            let position = params["position"] as? [String: Any]
            let offset = file.offset(line: position?["line"] as? Int ?? 0, character: position?["character"] as? Int ?? 0)
            return (uri, index, file, offset)
        }
        switch method {
        case "initialize":
            if workspace.folder == nil {
                let root = (params["rootUri"] as? String).flatMap(URL.init(string:))
                    ?? ((params["workspaceFolders"] as? [[String: Any]])?.first?["uri"] as? String).flatMap(URL.init(string:))
                workspace.folder = root.map(Workspace.rulesFolder)
            }
            if let path = (params["initializationOptions"] as? [String: Any])?["review"] as? String, !path.isEmpty {
                workspace.review = LastReview(path: path)
                if workspace.review == nil { unreadableReview = path }
            }
            reply(["capabilities": [
                "textDocumentSync": ["openClose": true, "change": 2, "save": ["includeText": false]],
                "completionProvider": ["triggerCharacters": [".", "("]],
                "signatureHelpProvider": ["triggerCharacters": ["(", ","]],
                "hoverProvider": true,
                "definitionProvider": true,
                "codeActionProvider": true,
                "documentFormattingProvider": true,
            ] as [String: Any], "serverInfo": ["name": "pathways"]])
        case "initialized":
            // A review named but unreadable is said once, so hover's silence is not a mystery.
            if let path = unreadableReview {
                transport.send(["method": "window/showMessage", "params": ["type": 2, "message": "Pathways could not read the review \(path): hover shows the rules without it. Name a findings file (*.findings.json) written by pathways run."] as [String: Any]])
            }
            refresh()
        case "textDocument/didOpen":
            if let document = params["textDocument"] as? [String: Any], let uri = document["uri"] as? String {
                workspace.open(uri, text: document["text"] as? String ?? "")
                changed = true
            }
        case "textDocument/didChange":
            // Incremental changes (only what was typed crosses the pipe), or a whole new text.
            if let uri = (params["textDocument"] as? [String: Any])?["uri"] as? String,
               let changes = params["contentChanges"] as? [[String: Any]] {
                workspace.apply(changes, to: uri)
                changed = true
            }
        case "textDocument/didClose":
            if let uri = (params["textDocument"] as? [String: Any])?["uri"] as? String {
                workspace.close(uri)
                changed = true
            }
        case "textDocument/didSave", "workspace/didChangeWatchedFiles":
            changed = true
        case "textDocument/completion":
            reply(document().map { Features.completions(in: workspace.analysis, file: $0.file, index: $0.index, at: $0.offset) } ?? [])
        case "textDocument/signatureHelp":
            reply(document().flatMap { Features.signatureHelp(file: $0.file, at: $0.offset) })
        case "textDocument/hover":
            reply(document().flatMap { Features.hover(in: workspace.analysis, file: $0.file, index: $0.index, at: $0.offset, review: workspace.review) })
        case "textDocument/definition":
            reply(document().flatMap { found in
                Features.definition(in: workspace.analysis, file: found.file, index: found.index, at: found.offset).map { span in
                    location(span)
                }
            })
        case "textDocument/codeAction":
            guard let found = document(), let range = params["range"] as? [String: Any] else { return reply([]) }
            reply(Features.quickFixes(in: workspace.analysis, uri: found.uri, index: found.index, file: found.file, range: range))
        case "textDocument/formatting":
            reply(document().flatMap { Features.formatting(of: $0.file) })
        case "shutdown":
            shuttingDown = true
            reply(nil)
        default:
            // A request this server does not answer gets the protocol's "method not found".
            if let id, !method.hasPrefix("$/") {
                transport.send(["id": id, "error": ["code": -32601, "message": "Pathways does not answer \(method)."]])
            }
        }
    }

    private func location(_ span: SourceSpan) -> [String: Any] {
        let file = workspace.analysis.report.files[span.file]
        return ["uri": workspace.uris[span.file], "range": Features.range(span, in: file)]
    }

    /// Checks the rules again and publishes every file's diagnostics.
    private func refresh() {
        changed = false
        workspace.refresh()
        var byFile: [Int: [[String: Any]]] = [:]
        for diagnostic in workspace.analysis.report.diagnostics {
            byFile[diagnostic.span.file, default: []].append(Features.diagnostic(diagnostic, in: workspace.analysis.report.files[diagnostic.span.file]))
        }
        var now: Set<String> = []
        for (index, uri) in workspace.uris.enumerated() {
            let diagnostics = byFile[index] ?? []
            if !diagnostics.isEmpty { now.insert(uri) }
            guard !diagnostics.isEmpty || published.contains(uri) || workspace.open[uri] != nil else { continue }
            transport.send(["method": "textDocument/publishDiagnostics", "params": ["uri": uri, "diagnostics": diagnostics] as [String: Any]])
        }
        // A file that is gone (deleted, or closed and not in the folder) keeps no diagnostics.
        for uri in published.subtracting(workspace.uris) {
            transport.send(["method": "textDocument/publishDiagnostics", "params": ["uri": uri, "diagnostics": [] as [Any]] as [String: Any]])
        }
        published = now
        workspace.forgetPrevious()
    }
}
