import Foundation
import RulesLanguage

/// The rules folder as the editor sees it: the files on disk, with the text of those open in the
/// editor in their place, checked together after every change (again only where the change
/// reached: a declaration untouched is not parsed or checked again).
struct Workspace {
    /// The folder whose `.rules` files make the rule set; nil until the editor names one.
    var folder: URL?
    /// Each open document as the editor has it, by its URI.
    private(set) var open: [String: SourceFile] = [:]
    private(set) var uris: [String] = []
    /// The review hover tells of, when the editor named one.
    var review: LastReview?
    private(set) var analysis = RuleChecker.analyze([])
    private let checker = IncrementalChecker()
    /// The analysis before the last, let go once the editor has its diagnostics: freeing a large
    /// rule set's trees takes a while, and the trainer is waiting for the new ones.
    private var previous: RuleChecker.Analysis?

    mutating func open(_ uri: String, text: String) {
        open[uri] = SourceFile(path: Workspace.shownPath(uri), text: text)
    }

    mutating func close(_ uri: String) { open[uri] = nil }

    /// Applies an editor's changes to an open document: each replaces a range (lines and UTF-16
    /// characters from 0) with its text, or, without a range, the whole text.
    mutating func apply(_ changes: [[String: Any]], to uri: String) {
        var file = open[uri] ?? SourceFile(path: Workspace.shownPath(uri), text: "")
        for change in changes {
            let replacement = change["text"] as? String ?? ""
            guard let range = change["range"] as? [String: Any], let start = range["start"] as? [String: Int], let end = range["end"] as? [String: Int] else {
                file = SourceFile(path: file.path, text: replacement)
                continue
            }
            var bytes = file.bytes
            let from = file.offset(line: start["line"] ?? 0, character: start["character"] ?? 0)
            let to = max(from, file.offset(line: end["line"] ?? 0, character: end["character"] ?? 0))
            bytes.replaceSubrange(from ..< min(to, bytes.count), with: Array(replacement.utf8))
            file = SourceFile(path: file.path, bytes: bytes)
        }
        open[uri] = file
    }

    /// Checks the rule set again: every file of the folder, and every open rule file.
    mutating func refresh() {
        var documents: [(uri: String, file: SourceFile)] = []
        if let folder, let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) {
            for name in names.sorted() where name.hasSuffix(".rules") {
                let url = folder.appendingPathComponent(name)
                let uri = url.absoluteString
                guard let file = open[uri] ?? (try? String(contentsOf: url, encoding: .utf8)).map({ SourceFile(path: Workspace.shownPath(uri), text: $0) }) else { continue }
                documents.append((uri, file))
            }
        }
        for (uri, file) in open.sorted(by: { $0.key < $1.key }) where !documents.contains(where: { $0.uri == uri }) {
            documents.append((uri, file))
        }
        uris = documents.map(\.uri)
        previous = analysis
        analysis = checker.analyze(documents.map(\.file))
    }

    mutating func forgetPrevious() { previous = nil }

    /// `rules/management.rules`: the file's folder and name, as the checker's messages name it.
    static func shownPath(_ uri: String) -> String {
        guard let url = URL(string: uri) else { return uri }
        return url.deletingLastPathComponent().lastPathComponent + "/" + url.lastPathComponent
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
