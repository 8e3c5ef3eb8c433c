/// A message about a rule file: where, what is wrong, and how to fix it, in words a trainer uses.
public struct Diagnostic: Sendable, Equatable {
    public enum Severity: String, Sendable, Codable { case error, warning }

    public let severity: Severity
    public let span: SourceSpan
    /// One plain sentence.
    public let message: String
    /// What to do, when a fix is likely: "Did you mean `owner`?"
    public let hint: String?

    public init(_ severity: Severity, _ span: SourceSpan, _ message: String, hint: String? = nil) {
        self.severity = severity
        self.span = span
        self.message = message
        self.hint = hint
    }

    public static func == (lhs: Diagnostic, rhs: Diagnostic) -> Bool {
        lhs.severity == rhs.severity && lhs.span.file == rhs.span.file && lhs.span.start == rhs.span.start
            && lhs.span.end == rhs.span.end && lhs.message == rhs.message && lhs.hint == rhs.hint
    }
}

/// Diagnostics with the files they point into, rendered for people or for tools.
public struct DiagnosticReport: Sendable {
    public let files: [SourceFile]
    public let diagnostics: [Diagnostic]

    public init(files: [SourceFile], diagnostics: [Diagnostic]) {
        self.files = files
        self.diagnostics = diagnostics.sorted {
            ($0.span.file, $0.span.start, $0.severity == .error ? 0 : 1) < ($1.span.file, $1.span.start, $1.severity == .error ? 0 : 1)
        }
    }

    public var errorCount: Int { diagnostics.filter { $0.severity == .error }.count }
    public var warningCount: Int { diagnostics.filter { $0.severity == .warning }.count }

    /// Each diagnostic as `file:line:column: error: sentence`, the trainer's line with the span
    /// marked, and the hint.
    public var text: String {
        var output = ""
        for diagnostic in diagnostics {
            let file = files[diagnostic.span.file]
            let (line, column) = file.location(of: diagnostic.span.start)
            let (endLine, endColumn) = file.location(of: max(diagnostic.span.start, diagnostic.span.end))
            output += "\(file.path):\(line):\(column): \(diagnostic.severity.rawValue): \(diagnostic.message)\n"
            let number = String(line)
            let gutter = String(repeating: " ", count: number.count)
            let source = file.line(line)
            output += " \(number) | \(source)\n"
            let width = endLine == line ? max(1, endColumn - column) : max(1, source.count - column + 1)
            output += " \(gutter) | " + String(repeating: " ", count: column - 1) + String(repeating: "^", count: width) + "\n"
            if let hint = diagnostic.hint { output += " \(gutter) = \(hint)\n" }
        }
        return output
    }

    public struct Entry: Codable, Sendable {
        public let file: String
        public let line: Int
        public let column: Int
        public let endLine: Int
        public let endColumn: Int
        public let severity: Diagnostic.Severity
        public let message: String
        public let hint: String?
    }

    public var entries: [Entry] {
        diagnostics.map { diagnostic in
            let file = files[diagnostic.span.file]
            let (line, column) = file.location(of: diagnostic.span.start)
            let (endLine, endColumn) = file.location(of: diagnostic.span.end)
            return Entry(file: file.path, line: line, column: column, endLine: endLine, endColumn: endColumn,
                         severity: diagnostic.severity, message: diagnostic.message, hint: diagnostic.hint)
        }
    }
}

/// A report with errors can be thrown when a file must be correct to go on (as for `fmt`).
extension DiagnosticReport: Error {}
