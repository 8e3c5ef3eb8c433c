import Foundation
import RulesLanguage

/// The rules folder as the editor sees it: the files on disk, with the text of those open in the
/// editor in their place, checked together after every change (the whole default rule set checks
/// in a few milliseconds).
struct Workspace {
    /// The folder whose `.rules` files make the rule set; nil until the editor names one.
    var folder: URL?
    /// The text of each open document, by its URI.
    var open: [String: String] = [:]
    private(set) var uris: [String] = []
    /// The review hover tells of, when the editor named one.
    var review: LastReview?
    private(set) var analysis = RuleChecker.analyze([])

    /// Applies an editor's changes to an open document: each replaces a range (lines and UTF-16
    /// characters from 0) with its text, or, without a range, the whole text.
    mutating func apply(_ changes: [[String: Any]], to uri: String) {
        var text = open[uri] ?? ""
        for change in changes {
            let replacement = change["text"] as? String ?? ""
            guard let range = change["range"] as? [String: Any], let start = range["start"] as? [String: Int], let end = range["end"] as? [String: Int] else {
                text = replacement
                continue
            }
            let file = SourceFile(path: uri, text: text)
            var bytes = Array(text.utf8)
            let from = file.offset(line: start["line"] ?? 0, character: start["character"] ?? 0)
            let to = max(from, file.offset(line: end["line"] ?? 0, character: end["character"] ?? 0))
            bytes.replaceSubrange(from ..< min(to, bytes.count), with: Array(replacement.utf8))
            text = String(decoding: bytes, as: UTF8.self)
        }
        open[uri] = text
    }

    /// Checks the rule set again: every file of the folder, and every open rule file.
    mutating func refresh() {
        var documents: [(uri: String, path: String, text: String)] = []
        if let folder, let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) {
            for name in names.sorted() where name.hasSuffix(".rules") {
                let url = folder.appendingPathComponent(name)
                let uri = url.absoluteString
                guard let text = open[uri] ?? (try? String(contentsOf: url, encoding: .utf8)) else { continue }
                documents.append((uri, Workspace.shownPath(url), text))
            }
        }
        for (uri, text) in open.sorted(by: { $0.key < $1.key }) where !documents.contains(where: { $0.uri == uri }) {
            documents.append((uri, URL(string: uri).map(Workspace.shownPath) ?? uri, text))
        }
        uris = documents.map(\.uri)
        analysis = RuleChecker.analyze(documents.map { SourceFile(path: $0.path, text: $0.text) })
    }

    /// `rules/management.rules`: the file's folder and name, as the checker's messages name it.
    static func shownPath(_ url: URL) -> String {
        url.deletingLastPathComponent().lastPathComponent + "/" + url.lastPathComponent
    }

    func fileIndex(of uri: String) -> Int? { uris.firstIndex(of: uri) }

    func file(_ uri: String) -> (index: Int, file: SourceFile)? {
        fileIndex(of: uri).map { ($0, analysis.report.files[$0]) }
    }

    /// The folder of rule files for an editor's workspace: the folder itself when it holds rule
    /// files, or its `rules/` folder.
    static func rulesFolder(in root: URL) -> URL {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        if names.contains(where: { $0.hasSuffix(".rules") }) { return root }
        return root.appendingPathComponent("rules")
    }
}
