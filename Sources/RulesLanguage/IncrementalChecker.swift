#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Checks a rule set again and again as a trainer types, reusing what an edit did not touch: each
/// declaration is parsed again only when its own text changed (moved along when text above it
/// did), and a rule is checked again only when it, or what it uses, changed. Its diagnostics,
/// declarations and columns are those `RuleChecker.analyze` gives; `IncrementalCheckerTests`
/// compares the two after edits.
public final class IncrementalChecker {
    /// Each stretch of a file parsed, by the file and its text, with its place when last used.
    private var parsed: [Stretch: Parsed] = [:]
    private let ruleMemo = RuleCheckMemo()

    private struct Stretch: Hashable {
        let file: Int
        let text: SourceText
    }

    private struct Parsed {
        var start: Int
        var declarations: [DeclarationNode]
        var diagnostics: [Diagnostic]
    }

    public init() {}

    /// The analysis `RuleChecker.analyze` gives, but for an editor: no rule set comes with it
    /// (the rules reused keep no checked form), so it is nil even when there is no error.
    public func analyze(_ files: [SourceFile]) -> RuleChecker.Analysis {
        var diagnostics: [Diagnostic] = []
        var nodes: [DeclarationNode] = []
        var kept: [Stretch: Parsed] = [:]
        kept.reserveCapacity(parsed.count)
        nodes.reserveCapacity(parsed.count)
        for (index, file) in files.enumerated() {
            for range in Self.stretches(of: file.bytes) {
                let key = Stretch(file: index, text: SourceText(file.bytes[range]))
                var stretch = parsed[key] ?? Self.parse(file, range, index)
                if stretch.start != range.lowerBound {
                    let delta = range.lowerBound - stretch.start
                    stretch = Parsed(start: range.lowerBound, declarations: stretch.declarations.map { $0.shifted(by: delta) },
                                     diagnostics: stretch.diagnostics.map { $0.shifted(by: delta) })
                }
                kept[key] = stretch
                nodes += stretch.declarations
                diagnostics += stretch.diagnostics
            }
        }
        parsed = kept
        var checker = DeclarationChecker(nodes: nodes, files: files)
        checker.ruleMemo = ruleMemo
        checker.run()
        diagnostics += checker.diagnostics
        return RuleChecker.Analysis(report: DiagnosticReport(files: files, diagnostics: diagnostics), ruleSet: nil, declarations: nodes, symbols: checker.symbols)
    }

    private static func parse(_ file: SourceFile, _ range: Range<Int>, _ index: Int) -> Parsed {
        let (tree, diagnostics) = Parser.parse(SourceFile(path: file.path, text: String(decoding: file.bytes[range], as: UTF8.self)), fileIndex: index)
        return Parsed(start: 0, declarations: tree.declarations, diagnostics: diagnostics)
    }

    /// A file cut where a declaration starts: at a line with a declaration's word at its left
    /// edge, taking the blank and comment lines above it (its leading comments). The parser ends
    /// a declaration at any line at the left edge and a formula never goes on over one, so each
    /// piece parses alone as it does in the file. A declaration with an indented comment line
    /// above it stays with the one before, whose formula that comment line may go on.
    static func stretches(of bytes: [UInt8]) -> [Range<Int>] {
        var starts = [0]
        var lineStart = 0
        // Where the run of blank and left-edge comment lines above the current line began.
        var runStart: Int?
        var afterIndentedComment = false
        while lineStart < bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != 10 { lineEnd += 1 }
            var firstMark = lineStart
            while firstMark < lineEnd && (bytes[firstMark] == 32 || bytes[firstMark] == 9 || bytes[firstMark] == 13) { firstMark += 1 }
            if firstMark == lineEnd {
                runStart = runStart ?? lineStart
            } else if firstMark > lineStart {
                afterIndentedComment = bytes[firstMark] == UInt8(ascii: "#")
                runStart = nil
            } else if bytes[firstMark] == UInt8(ascii: "#") {
                runStart = runStart ?? lineStart
            } else {
                if lineStart > 0 && !afterIndentedComment && startsDeclaration(bytes[lineStart ..< lineEnd]) {
                    starts.append(runStart ?? lineStart)
                }
                afterIndentedComment = false
                runStart = nil
            }
            lineStart = lineEnd + 1
        }
        return zip(starts, starts.dropFirst() + [bytes.count]).map { $0 ..< $1 }
    }

    private static func startsDeclaration(_ line: ArraySlice<UInt8>) -> Bool {
        let word = line.prefix { byte in (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) }
        return DeclarationKeyword(rawValue: String(decoding: word, as: UTF8.self).lowercased()) != nil
    }
}

/// What each rule checked without a mistake used, so it is checked again only when its text or
/// what it reads changes. Everything a rule's check reads beyond its own text is in `Environment`,
/// or is a param of a name it mentions.
final class RuleCheckMemo {
    struct Environment: Equatable {
        let symbols: [String: TableSymbol]
        let pathways: [String]
        let viewsOfFindings: Set<String>

        init(checker: DeclarationChecker) {
            symbols = checker.symbols
            pathways = checker.pathways.map { $0.name.text.lowercased() }
            viewsOfFindings = checker.viewsOfFindings
        }
    }

    typealias Params = [String: (index: Int, type: ValueType, value: Expression)]

    /// The pathways, params and tables a rule uses, kept once for all the rules that use the
    /// same: a check adds each such set to what the rule set uses only the first time it comes.
    final class Uses: Hashable {
        let pathways: Set<String>
        let params: Set<String>
        let tables: Set<String>

        init(pathways: Set<String>, params: Set<String>, tables: Set<String>) {
            self.pathways = pathways
            self.params = params
            self.tables = tables
        }

        static func == (lhs: Uses, rhs: Uses) -> Bool { lhs.pathways == rhs.pathways && lhs.params == rhs.params && lhs.tables == rhs.tables }
        func hash(into hasher: inout Hasher) {
            hasher.combine(pathways)
            hasher.combine(params)
            hasher.combine(tables)
        }
    }

    private struct Entry {
        let uses: Uses
        /// Every name the rule's formulas use: a param of one of them changing changes the rule.
        let mentioned: Set<String>
    }

    private var environment: Environment?
    private var params: [String: (type: ValueType, value: Expression)] = [:]
    /// Params added, removed or changed since the last check.
    private var changedParams: Set<String> = []
    private var entries: [SourceText: Entry] = [:]
    /// The entries still good in this check, which are all the next one keeps.
    private var kept: [SourceText: Entry] = [:]
    private var distinctUses: Set<Uses> = []

    /// Starts a check: what was kept holds only if nothing a rule can read has changed since.
    func start(_ environment: Environment, params now: Params) {
        entries = environment == self.environment ? kept : [:]
        if entries.isEmpty { distinctUses = [] }
        kept = [:]
        kept.reserveCapacity(entries.count)
        self.environment = environment
        changedParams = Set(params.keys).symmetricDifference(now.keys)
        for (name, param) in now where params[name].map({ $0.type != param.type || $0.value != param.value }) == true {
            changedParams.insert(name)
        }
        params = now.mapValues { ($0.type, $0.value) }
    }

    func uses(of text: SourceText) -> Uses? {
        guard let entry = entries[text], changedParams.isEmpty || entry.mentioned.isDisjoint(with: changedParams) else { return nil }
        kept[text] = entry
        return entry.uses
    }

    func remember(_ text: SourceText, _ rule: RuleDeclaration, pathways: Set<String>, params: Set<String>, tables: Set<String>) {
        let uses = Uses(pathways: pathways, params: params, tables: tables)
        kept[text] = Entry(uses: distinctUses.insert(uses).memberAfterInsert, mentioned: Self.names(in: rule))
    }

    /// Every name the rule's formulas use, lower case: those a param could stand for.
    static func names(in rule: RuleDeclaration) -> Set<String> {
        var names: Set<String> = []
        func collect(_ expression: Expression) {
            switch expression {
            case .name(let qualifier, let name):
                names.insert(name.text.lowercased())
                if let qualifier { names.insert(qualifier.text.lowercased()) }
            case .header(let qualifier?, _, _): names.insert(qualifier.text.lowercased())
            default: expression.parts.forEach(collect)
            }
        }
        let templates = [rule.message, rule.fix].compactMap { $0 }.flatMap(\.parts).compactMap { part -> Expression? in
            if case .expression(let expression) = part { expression } else { nil }
        }
        let formulas = rule.groupKeys + rule.lets.map(\.value) + [rule.filter, rule.condition, rule.window?.days, rule.window?.date].compactMap { $0 }
        (formulas + rule.flags + templates).forEach(collect)
        return names
    }
}

/// A stretch of a rule file's text as a dictionary key, hashed once: hashing the whole text
/// for each lookup took longer than the rest of checking again.
struct SourceText: Hashable {
    let bytes: ArraySlice<UInt8>
    private let hash: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        var hasher = Hasher()
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        hash = hasher.finalize()
    }

    static func == (lhs: SourceText, rhs: SourceText) -> Bool {
        lhs.hash == rhs.hash && lhs.bytes.count == rhs.bytes.count
            && lhs.bytes.withUnsafeBytes { left in rhs.bytes.withUnsafeBytes { right in left.isEmpty || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0 } }
    }
    func hash(into hasher: inout Hasher) { hasher.combine(hash) }
}
