/// Reads a rule file into a syntax tree. Each clause is one line; a mistake is reported and the
/// parser carries on at the next line, and a line it cannot place at all sends it on to the next
/// declaration, so one file reports all its mistakes at once.
///
/// The parser is split by what it reads: declarations and their clauses
/// (`Parser+Declarations.swift`), test blocks (`Parser+TestBlocks.swift`), formulas
/// (`Parser+Expressions.swift`) and message templates (`Parser+Templates.swift`). The words it
/// accepts are in `Keywords.swift`, shared with `RuleFormatter`.
public struct Parser {
    let file: SourceFile
    let fileIndex: Int
    var tokens: [Token]
    var index = 0
    var diagnostics: [Diagnostic]
    var pendingComments: [String] = []
    /// Comments at the ends of the inner lines of formulas that go on over several lines, in
    /// file order; each clause takes those it passed over when it ends.
    let formulaComments: [LineComment]
    var nextFormulaComment = 0
    /// How deep the formula being read nests, so a pathological one is refused, not a crash.
    var budget = FormulaBudget()

    public static func parse(_ file: SourceFile, fileIndex: Int) -> (RuleFile, [Diagnostic]) {
        var parser = Parser(file: file, fileIndex: fileIndex)
        let tree = parser.parseFile()
        return (tree, parser.diagnostics)
    }

    private init(file: SourceFile, fileIndex: Int) {
        self.file = file
        self.fileIndex = fileIndex
        (tokens, diagnostics, formulaComments) = Lexer.tokens(of: file, fileIndex: fileIndex)
    }

    // MARK: Tokens

    var current: Token { tokens[index] }
    var atLineEnd: Bool {
        switch current.kind {
        case .newline, .end, .comment, .blankLine: return true
        default: return false
        }
    }

    @discardableResult
    mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    /// Reports a mistake, unless the formula being read was already given up on as too deep.
    mutating func error(_ span: SourceSpan, _ message: String, hint: String? = nil) {
        if budget.isExceeded { return }
        diagnostics.append(Diagnostic(.error, span, message, hint: hint))
    }

    /// The rest of the line, given up on: a trailing comment is kept.
    mutating func skipLine() {
        while !atLineEnd { advance() }
    }

    /// Ends a clause: anything left on the line is a mistake. Returns the clause's comments:
    /// `leading` (the lines above it), the one after it, and those inside a formula that went
    /// on over several lines.
    mutating func endClause(_ what: String, leading: [String] = []) -> Comments {
        if !atLineEnd {
            let start = current.span
            let isStrayBracket = current.isSymbol(")")
            let isStrayWhere = current.isWord("where")
            var last = start
            while !atLineEnd { last = advance().span }
            if isStrayBracket {
                error(start, "This `)` closes a bracket that was never opened.", hint: "Remove it, or add the `(` it belongs to.")
            } else if isStrayWhere {
                error(start.to(last), "`where` goes inside the brackets of the total it filters.",
                      hint: "Move the closing bracket to the end, as in SUM(amount where vendor is blank).")
            } else {
                error(start.to(last), "There is something after the end of this \(what) that Pathways does not understand.",
                      hint: "Each clause goes on a line of its own; check for a missing operator or an extra word.")
            }
        }
        var comments = Comments(leading: leading)
        while nextFormulaComment < formulaComments.count && formulaComments[nextFormulaComment].after.start < current.span.start {
            comments.within.append(formulaComments[nextFormulaComment])
            nextFormulaComment += 1
        }
        if case .comment(let text) = current.kind {
            comments.trailing = text
            advance()
        }
        if current.kind == .newline { advance() }
        return comments
    }

    /// Blank lines and whole-line comments before the next line, collected as leading comments;
    /// an empty string stands for a blank line after a comment.
    mutating func skipBlankLines() {
        while true {
            switch current.kind {
            case .newline: advance()
            case .blankLine:
                if !pendingComments.isEmpty && pendingComments.last != "" { pendingComments.append("") }
                advance()
            case .comment(let text):
                pendingComments.append(text)
                advance()
            default: return
            }
        }
    }

    mutating func takeComments() -> [String] {
        defer { pendingComments = [] }
        return pendingComments
    }

    // MARK: File

    private mutating func parseFile() -> RuleFile {
        var declarations: [DeclarationNode] = []
        while true {
            skipBlankLines()
            if current.kind == .end { break }
            let token = current
            if let keyword = token.word.flatMap({ DeclarationKeyword(rawValue: $0.lowercased()) }) {
                if token.indent > 0 {
                    let word = token.word ?? keyword.rawValue
                    error(token.span, "\(keyword.named.capitalizedFirst) starts at the left edge of the line, with no spaces before `\(word)`.",
                          hint: "Remove the spaces before `\(word)`; only the lines under it are indented.")
                }
                if let node = parseDeclaration(keyword) { declarations.append(node) }
            } else {
                reportStrayLine(token)
                skipToNextDeclaration()
            }
        }
        return RuleFile(declarations: declarations, trailingComments: takeComments())
    }

    private mutating func reportStrayLine(_ token: Token) {
        let keywords = DeclarationKeyword.allCases.map(\.rawValue)
        if token.indent > 0 {
            error(token.span, "This indented line does not belong to any declaration.",
                  hint: "Clauses go under a declaration such as `rule BO-01 \"…\"`; check the line above it.")
        } else if let word = token.word, let close = Suggest.closest(word.lowercased(), among: keywords) {
            error(token.span, "`\(word)` does not start a declaration.", hint: "Did you mean `\(close)`?")
        } else {
            error(token.span, "A declaration must start with one of: \(keywords.joined(separator: ", ")).",
                  hint: "Clauses of a declaration are indented under its first line.")
        }
    }

    /// Whether the current token starts a declaration: its keyword first on a line, at the left
    /// edge, or indented if the word cannot start a clause (`rule` can't; `pathway` can, in a rule).
    private var atDeclaration: Bool {
        guard current.startsLine, let keyword = current.word.flatMap({ DeclarationKeyword(rawValue: $0.lowercased()) }) else { return false }
        return current.indent == 0 || ClauseKeyword(rawValue: keyword.rawValue) == nil
    }

    /// Passes over lines that cannot be read, to the next declaration. The comment lines right
    /// above it are its own, as always; those above a line passed over go with it.
    mutating func skipToNextDeclaration() {
        pendingComments = []
        while current.kind != .end {
            skipLine()
            if case .comment = current.kind { advance() }
            // Every line end is passed, a blank line too: stopping at one would never move on.
            while current.kind == .newline || current.kind == .blankLine { advance() }
            skipBlankLines()
            if current.kind == .end || atDeclaration { return }
            pendingComments = []
        }
    }

    /// The clause lines under a declaration's first line. A misspelt clause word (`wen`) is
    /// reported and then read as the clause it most likely is, so one slip gives one message.
    /// The body is given the clause word's token, the word, and the comment lines above it.
    /// An indicator's level lines (`exemplary when >= 95%`) are clauses too, when `levelLines`.
    mutating func forEachClause(of declaration: DeclarationKeyword, levelLines: Bool = false,
                                _ body: (inout Parser, Token, String, [String]) -> Void) {
        let clauses = declaration.clauses
        func isAllowed(_ word: String) -> Bool {
            ClauseKeyword(rawValue: word).map(clauses.contains) ?? (levelLines && Level(rawValue: word) != nil)
        }
        // Only a mistake needs the words spelled out.
        var allowed: [String] { clauses.map(\.rawValue) + (levelLines ? Level.allCases.map(\.rawValue) : []) }
        while true {
            skipBlankLines()
            guard current.kind != .end, current.indent > 0 || !current.startsLine else { return }
            if case .tableRow = current.kind {
                error(current.span, "An example table must follow a `given` line in a test.")
                abandonClause()
                continue
            }
            guard var word = current.word?.lowercased() else {
                error(current.span, "A clause must start with a word such as `when` or `message`.")
                abandonClause()
                continue
            }
            // A declaration indented by mistake ends this one; `parseFile` reports it and reads it.
            if current.startsLine && !isAllowed(word) && DeclarationKeyword(rawValue: word) != nil { return }
            let comments = takeComments()
            let token = advance()
            // A misspelt level is said to be one, pointing at it: `exemplery when >= 95%`.
            if levelLines && !isAllowed(word)
                && (current.isWord("when") || Suggest.closest(word, among: Level.allCases.map(\.rawValue)) != nil) {
                guard let level = level(named: token) else {
                    abandonClause()
                    continue
                }
                word = level.rawValue
            }
            if !isAllowed(word) {
                let allowed = allowed
                guard let corrected = Suggest.closest(word, among: allowed) else {
                    error(token.span, "`\(token.word ?? word)` is not a clause of \(declaration.named).",
                          hint: "\(declaration.named.capitalizedFirst) can have: \(allowed.joined(separator: ", ")).")
                    abandonClause()
                    continue
                }
                error(token.span, "`\(token.word ?? word)` is not a clause of \(declaration.named).", hint: "Did you mean `\(corrected)`?")
                word = corrected
            }
            body(&self, token, word, comments)
        }
    }

    // MARK: Small pieces

    /// A clause that cannot be read at all: the rest of its line is passed over.
    mutating func abandonClause() {
        skipLine()
        _ = endClause("line")
    }

    /// The level a word names, or, misspelt, the level it most likely is, after saying so.
    mutating func level(named token: Token) -> Level? {
        guard let word = token.word else { return nil }
        if let level = Level(rawValue: word.lowercased()) { return level }
        let names = Level.allCases.map(\.rawValue)
        let suggestion = Suggest.closest(word, among: names)
        error(token.span, "`\(word)` is not a level.",
              hint: (suggestion.map { "Did you mean `\($0)`? " } ?? "") + "The levels are \(names.dropLast().joined(separator: ", ")) and \(names.last!).")
        return suggestion.flatMap(Level.init(rawValue:))
    }

    mutating func optionalTitle() -> String? {
        guard case .text(let title) = current.kind else { return nil }
        advance()
        return title
    }

    mutating func expectText(after token: Token) -> String? {
        guard case .text(let text) = current.kind else {
            error(atLineEnd ? token.span : current.span, "This needs a text in double quotes.", hint: "For example: about \"What this measures, for a board member.\"")
            skipLine()
            return nil
        }
        advance()
        return text
    }

    mutating func expectSymbol(_ symbol: String, _ place: String, example: String) -> Bool {
        guard current.isSymbol(symbol) else {
            error(current.span, "Expected `\(symbol)` \(place).", hint: "For example: \(example)")
            return false
        }
        advance()
        return true
    }

    mutating func expectName(_ what: String, after token: Token) -> Name? {
        guard let word = current.word else {
            error(atLineEnd ? token.span : current.span, "Expected \(what) here.")
            return nil
        }
        return Name(text: word, span: advance().span)
    }

    /// An id such as `BO-01`, `RE-1` or `G-1`: words and numbers joined by hyphens, no spaces.
    mutating func expectIdentifier(_ what: String, after token: Token) -> Name? {
        guard current.word != nil || { if case .number = current.kind { return true } else { return false } }() else {
            error(atLineEnd ? token.span : current.span, "Expected \(what) here.")
            return nil
        }
        var text = ""
        var span = current.span
        var previousEnd = current.span.start
        while previousEnd == current.span.start {
            switch current.kind {
            case .word(let word): text += word
            case .number(let number): text += number
            case .symbol("-") where !text.isEmpty: text += "-"
            default: return Name(text: text, span: span)
            }
            span = span.to(current.span)
            previousEnd = advance().span.end
        }
        return Name(text: text, span: span)
    }

    mutating func nameList(_ what: String, after token: Token) -> [Name] {
        var names: [Name] = []
        repeat {
            if !names.isEmpty { advance() }
            guard let name = expectName(what, after: token) else { return names }
            names.append(name)
        } while current.isSymbol(",")
        return names
    }

    mutating func textList(after token: Token, example: String) -> [String] {
        var texts: [String] = []
        repeat {
            if !texts.isEmpty { advance() }
            guard case .text(let text) = current.kind else {
                error(atLineEnd ? token.span : current.span, "Expected a name in double quotes here.",
                      hint: example.isEmpty ? "Separate names with commas: \"Amount\", \"Net Amount\"" : "For example: \(example)")
                return texts
            }
            advance()
            texts.append(text)
        } while current.isSymbol(",")
        return texts
    }
}

extension Comments {
    var isEmpty: Bool { leading.isEmpty && trailing == nil && within.isEmpty }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
