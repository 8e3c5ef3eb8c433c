/// Reads a rule file into a syntax tree. Each clause is one line; a mistake is reported and the
/// parser carries on at the next line, and a line it cannot place at all sends it on to the next
/// declaration, so one file reports all its mistakes at once.
public struct Parser {
    static let declarationKeywords = ["table", "param", "pathway", "rule", "view", "indicator", "goal", "test"]

    private let file: SourceFile
    private let fileIndex: Int
    private var tokens: [Token]
    private var index = 0
    private(set) var diagnostics: [Diagnostic]
    private var pendingComments: [String] = []

    public static func parse(_ file: SourceFile, fileIndex: Int) -> (RuleFile, [Diagnostic]) {
        var parser = Parser(file: file, fileIndex: fileIndex)
        let tree = parser.parseFile()
        return (tree, parser.diagnostics)
    }

    private init(file: SourceFile, fileIndex: Int) {
        self.file = file
        self.fileIndex = fileIndex
        let (tokens, diagnostics) = Lexer.tokens(of: file, fileIndex: fileIndex)
        self.tokens = tokens
        self.diagnostics = diagnostics
    }

    // MARK: Tokens

    private var current: Token { tokens[index] }
    private var atLineEnd: Bool {
        switch current.kind {
        case .newline, .end, .comment, .blankLine: return true
        default: return false
        }
    }

    @discardableResult
    private mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private mutating func error(_ span: SourceSpan, _ message: String, hint: String? = nil) {
        diagnostics.append(Diagnostic(.error, span, message, hint: hint))
    }

    /// The rest of the line, given up on: a trailing comment is kept.
    private mutating func skipLine() {
        while !atLineEnd { advance() }
    }

    /// Ends a clause: anything left on the line is a mistake; a comment after it is its own.
    private mutating func endClause(_ what: String) -> String? {
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
        var trailing: String?
        if case .comment(let text) = current.kind {
            trailing = text
            advance()
        }
        if current.kind == .newline { advance() }
        return trailing
    }

    /// Blank lines and whole-line comments before the next line, collected as leading comments;
    /// an empty string stands for a blank line after a comment.
    private mutating func skipBlankLines() {
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

    private mutating func takeComments() -> [String] {
        defer { pendingComments = [] }
        return pendingComments
    }

    // MARK: File and declarations

    private mutating func parseFile() -> RuleFile {
        var declarations: [DeclarationNode] = []
        while true {
            skipBlankLines()
            if current.kind == .end { break }
            let token = current
            if token.indent == 0, let keyword = token.word?.lowercased(), Parser.declarationKeywords.contains(keyword) {
                if let node = parseDeclaration(keyword) { declarations.append(node) }
            } else {
                reportStrayLine(token)
                skipToNextDeclaration()
            }
        }
        return RuleFile(declarations: declarations, trailingComments: takeComments())
    }

    private mutating func reportStrayLine(_ token: Token) {
        if token.indent > 0 {
            error(token.span, "This indented line does not belong to any declaration.",
                  hint: "Clauses go under a declaration such as `rule BO-01 \"…\"`; check the line above it.")
        } else if let word = token.word, let close = Suggest.closest(word.lowercased(), among: Parser.declarationKeywords) {
            error(token.span, "`\(word)` does not start a declaration.", hint: "Did you mean `\(close)`?")
        } else {
            error(token.span, "A declaration must start with one of: \(Parser.declarationKeywords.joined(separator: ", ")).",
                  hint: "Clauses of a declaration are indented under its first line.")
        }
    }

    private mutating func skipToNextDeclaration() {
        while current.kind != .end {
            skipLine()
            if case .comment = current.kind { advance() }
            // Every line end is passed, a blank line too: stopping at one would never move on.
            while current.kind == .newline || current.kind == .blankLine { advance() }
            if current.kind == .end { return }
            if current.indent == 0, let word = current.word?.lowercased(), Parser.declarationKeywords.contains(word) { return }
        }
    }

    /// The clause lines under a declaration's first line. A misspelt clause word (`wen`) is
    /// reported and then read as the clause it most likely is, so one slip gives one message.
    private mutating func forEachClause(of declaration: String, allowed: [String], _ body: (inout Parser, Token, String, [String]) -> Void) {
        while true {
            skipBlankLines()
            guard current.kind != .end, current.indent > 0 || !current.startsLine else { return }
            if case .tableRow = current.kind {
                error(current.span, "An example table must follow a `given` line in a test.")
                skipLine()
                _ = endClause("line")
                continue
            }
            guard var word = current.word?.lowercased() else {
                error(current.span, "A clause must start with a word such as `when` or `message`.")
                skipLine()
                _ = endClause("line")
                continue
            }
            let comments = takeComments()
            let token = advance()
            if !allowed.contains(word) {
                guard let corrected = Suggest.closest(word, among: allowed) else {
                    error(token.span, "`\(token.word ?? word)` is not a clause of a \(declaration).",
                          hint: "A \(declaration) can have: \(allowed.joined(separator: ", ")).")
                    skipLine()
                    _ = endClause("line")
                    continue
                }
                error(token.span, "`\(token.word ?? word)` is not a clause of a \(declaration).", hint: "Did you mean `\(corrected)`?")
                word = corrected
            }
            body(&self, token, word, comments)
        }
    }

    private mutating func parseDeclaration(_ keyword: String) -> DeclarationNode? {
        let leading = takeComments()
        let start = advance()
        var clauseComments: [String: Comments] = [:]
        let declaration: Declaration?
        var headerTrailing: String?
        switch keyword {
        case "table":
            guard let name = expectName("a table name", after: start) else { return recover() }
            var table = TableDeclaration(name: name, title: optionalTitle())
            headerTrailing = endClause("line")
            parseTableClauses(&table, record: &clauseComments)
            declaration = .table(table)
        case "param":
            guard let name = expectName("a parameter name", after: start) else { return recover() }
            guard expectSymbol("=", "after the parameter's name", example: "param approval_limit = $5,000") else { return recover() }
            let value = parseExpression()
            let about = optionalTitle()
            headerTrailing = endClause("parameter")
            declaration = .param(ParamDeclaration(name: name, value: value, about: about))
        case "pathway":
            guard let name = expectName("a pathway name", after: start) else { return recover() }
            var pathway = PathwayDeclaration(name: name, title: optionalTitle())
            headerTrailing = endClause("line")
            forEachClause(of: "pathway", allowed: ["about"]) { parser, token, _, leading in
                pathway.about = parser.expectText(after: token)
                Parser.note(&clauseComments, "about", leading, parser.endClause("clause"))
            }
            declaration = .pathway(pathway)
        case "rule":
            guard let id = expectIdentifier("a rule id such as BO-01", after: start) else { return recover() }
            var rule = RuleDeclaration(id: id, title: optionalTitle())
            headerTrailing = endClause("line")
            parseRuleClauses(&rule, record: &clauseComments)
            declaration = .rule(rule)
        case "view":
            guard let name = expectName("a view name", after: start) else { return recover() }
            var view = ViewDeclaration(name: name, title: optionalTitle())
            headerTrailing = endClause("line")
            parseViewClauses(&view, record: &clauseComments)
            declaration = .view(view)
        case "indicator":
            guard let id = expectIdentifier("an indicator id such as RE-1", after: start) else { return recover() }
            var indicator = IndicatorDeclaration(id: id, title: optionalTitle())
            headerTrailing = endClause("line")
            parseIndicatorClauses(&indicator, record: &clauseComments)
            declaration = .indicator(indicator)
        case "goal":
            guard let id = expectIdentifier("a goal id such as G-1", after: start) else { return recover() }
            var goal = GoalDeclaration(id: id, title: optionalTitle())
            headerTrailing = endClause("line")
            parseGoalClauses(&goal, record: &clauseComments)
            declaration = .goal(goal)
        case "test":
            guard case .text(let name) = current.kind else {
                error(current.span, "A test needs a name in quotes.", hint: "For example: test \"a blank owner is an error\"")
                return recover()
            }
            let nameSpan = advance().span
            var test = TestDeclaration(name: name, nameSpan: nameSpan)
            headerTrailing = endClause("line")
            parseTestClauses(&test, record: &clauseComments)
            declaration = .test(test)
        default:
            declaration = nil
        }
        guard let declaration else { return nil }
        let end = tokens[max(0, index - 1)].span
        return DeclarationNode(declaration: declaration, comments: Comments(leading: leading, trailing: headerTrailing),
                               clauseComments: clauseComments, span: start.span.to(end))
    }

    /// Keeps the comments of a single clause, when it has any.
    private static func note(_ comments: inout [String: Comments], _ clause: String, _ leading: [String], _ trailing: String?) {
        if !leading.isEmpty || trailing != nil { comments[clause] = Comments(leading: leading, trailing: trailing) }
    }

    private mutating func recover() -> DeclarationNode? {
        skipToNextDeclaration()
        return nil
    }

    // MARK: Declaration bodies

    private mutating func parseTableClauses(_ table: inout TableDeclaration, record: inout [String: Comments]) {
        let allowed = ["from", "key", "column", "segments", "or", "optional", "required", "about"]
        forEachClause(of: "table", allowed: allowed) { parser, token, word, leading in
            switch word {
            case "from":
                if parser.current.isWord("sheet") || parser.current.isWord("sheets") { parser.advance() }
                table.sheetHints = parser.textList(after: token, example: "from sheet \"Transactions\", \"GL Detail\"")
                Parser.note(&record, "from", leading, parser.endClause("clause"))
            case "key":
                table.keys = parser.nameList("a column name", after: token)
                Parser.note(&record, "key", leading, parser.endClause("clause"))
            case "required":
                table.isRequired = true
                Parser.note(&record, "required", leading, parser.endClause("clause"))
            case "about":
                table.about = parser.expectText(after: token)
                Parser.note(&record, "about", leading, parser.endClause("clause"))
            case "column":
                guard let name = parser.expectName("a column name", after: token) else { parser.skipLine(); _ = parser.endClause("line"); return }
                // A column with a mistaken type is still a column, so the table is not also "empty".
                let (type, typeSpan) = parser.parseTypeName(after: name.span) ?? (.text, name.span)
                var aliases: [String] = []
                if case .text = parser.current.kind { aliases = parser.textList(after: token, example: "") }
                var isOptional = false
                if parser.current.isWord("optional") {
                    parser.advance()
                    isOptional = true
                }
                var column = TableColumn(name: name, type: type, typeSpan: typeSpan, aliases: aliases, isOptional: isOptional,
                                         segments: [], separator: nil)
                column.comments = Comments(leading: leading, trailing: parser.endClause("column"))
                table.columns.append(column)
            case "segments":
                guard !table.columns.isEmpty else {
                    parser.error(token.span, "`segments` must come right under the `column` it splits.")
                    parser.skipLine(); _ = parser.endClause("line"); return
                }
                let names = parser.nameList("a segment name", after: token)
                var separator: String?
                if parser.current.isWord("split") {
                    parser.advance()
                    if parser.current.isWord("by") { parser.advance() }
                    separator = parser.expectText(after: token)
                } else {
                    parser.error(parser.current.span, "Say what separates the segments.", hint: "For example: segments fund, function, object split by \"-\"")
                }
                table.columns[table.columns.count - 1].segments = names
                table.columns[table.columns.count - 1].separator = separator
                let trailing = parser.endClause("clause")
                if !leading.isEmpty || trailing != nil { Parser.note(&record, "segments:\(table.columns.count - 1)", leading, trailing) }
            case "or":
                guard !table.columns.isEmpty else {
                    parser.error(token.span, "`or` must come under the `column` it works out.", hint: "For example, under column amount: or debit - credit")
                    parser.skipLine(); _ = parser.endClause("line"); return
                }
                table.columns[table.columns.count - 1].formula = parser.parseExpression()
                let trailing = parser.endClause("clause")
                if !leading.isEmpty || trailing != nil { Parser.note(&record, "or:\(table.columns.count - 1)", leading, trailing) }
            default:
                break
            }
        }
    }

    private mutating func parseRuleClauses(_ rule: inout RuleDeclaration, record: inout [String: Comments]) {
        let allowed = ["pathway", "severity", "for", "let", "when", "flag", "message", "fix", "about", "source"]
        forEachClause(of: "rule", allowed: allowed) { parser, token, word, leading in
            switch word {
            case "pathway":
                rule.pathway = parser.expectName("a pathway name", after: token)
            case "severity":
                if let word = parser.current.word, let severity = Severity(rawValue: word.lowercased()) {
                    rule.severity = severity
                    rule.severitySpan = parser.advance().span
                } else {
                    let written = parser.current.word
                    let suggestion = written.flatMap { Suggest.closest($0, among: Severity.allCases.map(\.rawValue)) }
                    parser.error(parser.atLineEnd ? token.span : parser.current.span,
                                 written.map { "`\($0)` is not a severity." } ?? "Say how serious a finding of this rule is.",
                                 hint: (suggestion.map { "Did you mean `\($0)`? " } ?? "") + "A severity is error, warning or info.")
                    rule.severitySpan = parser.current.span
                    parser.skipLine()
                }
            case "for":
                rule.table = parser.expectName("a table name", after: token)
                if parser.current.isWord("by") {
                    parser.advance()
                    rule.groupKeys = parser.expressionList()
                }
            case "let":
                guard let name = parser.expectName("a name for the value", after: token) else { parser.skipLine(); break }
                guard parser.expectSymbol("=", "after the name", example: "let spent = SUM(amount)") else { parser.skipLine(); break }
                var binding = LetBinding(name: name, value: parser.parseExpression())
                binding.comments = Comments(leading: leading, trailing: parser.endClause("clause"))
                rule.lets.append(binding)
                return
            case "when":
                rule.condition = parser.parseExpression()
            case "flag":
                rule.flags = parser.expressionList()
            case "message":
                rule.message = parser.parseTemplate(after: token)
            case "fix":
                rule.fix = parser.parseTemplate(after: token)
            case "about":
                rule.about = parser.expectText(after: token)
            case "source":
                rule.source = parser.expectText(after: token)
            default:
                return
            }
            Parser.note(&record, word, leading, parser.endClause("clause"))
        }
    }

    private mutating func parseViewClauses(_ view: inout ViewDeclaration, record: inout [String: Comments]) {
        let allowed = ["from", "where", "column", "show", "about"]
        forEachClause(of: "view", allowed: allowed) { parser, token, word, leading in
            switch word {
            case "from":
                view.table = parser.expectName("a table name", after: token)
                if parser.current.isWord("by") {
                    parser.advance()
                    view.groupKeys = parser.expressionList()
                }
            case "where":
                view.filter = parser.parseExpression()
            case "column":
                guard let name = parser.expectName("a column name", after: token) else { parser.skipLine(); break }
                guard parser.expectSymbol("=", "after the column's name", example: "column spent = SUM(amount)") else { parser.skipLine(); break }
                var column = ViewColumn(name: name, value: parser.parseExpression())
                column.comments = Comments(leading: leading, trailing: parser.endClause("clause"))
                view.columns.append(column)
                return
            case "show":
                view.isShown = true
            case "about":
                view.about = parser.expectText(after: token)
            default:
                return
            }
            Parser.note(&record, word, leading, parser.endClause("clause"))
        }
    }

    private mutating func parseIndicatorClauses(_ indicator: inout IndicatorDeclaration, record: inout [String: Comments]) {
        let levels = Level.allCases.map(\.rawValue)
        let allowed = ["pathway", "measure", "about", "source", "otherwise"] + levels
        forEachClause(of: "indicator", allowed: allowed) { parser, token, word, leading in
            if let level = Level(rawValue: word) {
                guard parser.current.isWord("when") else {
                    parser.error(parser.current.span, "Say when the \(word) level applies.", hint: "For example: \(word) when <= 0.10")
                    parser.skipLine(); _ = parser.endClause("line"); return
                }
                parser.advance()
                guard case .symbol(let comparison) = parser.current.kind, ["<=", "<", ">=", ">", "="].contains(comparison) else {
                    parser.error(parser.current.span, "A level starts with a comparison: <=, <, >= or >.", hint: "For example: \(word) when >= 95%")
                    parser.skipLine(); _ = parser.endClause("line"); return
                }
                parser.advance()
                var band = LevelBand(level: level, levelSpan: token.span, comparison: comparison, threshold: parser.parseExpression())
                band.comments = Comments(leading: leading, trailing: parser.endClause("level"))
                indicator.bands.append(band)
                return
            }
            switch word {
            case "otherwise":
                guard let levelWord = parser.current.word, let level = Level(rawValue: levelWord.lowercased()) else {
                    parser.error(parser.current.span, "`otherwise` names the level for every other value.", hint: "For example: otherwise emerging")
                    parser.skipLine(); _ = parser.endClause("line"); return
                }
                var band = LevelBand(level: level, levelSpan: parser.advance().span, comparison: nil, threshold: nil)
                band.comments = Comments(leading: leading, trailing: parser.endClause("level"))
                indicator.bands.append(band)
                return
            case "pathway": indicator.pathway = parser.expectName("a pathway name", after: token)
            case "measure": indicator.measure = parser.parseExpression()
            case "about": indicator.about = parser.expectText(after: token)
            case "source": indicator.source = parser.expectText(after: token)
            default:
                return
            }
            Parser.note(&record, word, leading, parser.endClause("clause"))
        }
    }

    private mutating func parseGoalClauses(_ goal: inout GoalDeclaration, record: inout [String: Comments]) {
        let allowed = ["indicator", "target", "by", "owner", "about"]
        forEachClause(of: "goal", allowed: allowed) { parser, token, word, leading in
            switch word {
            case "indicator":
                goal.indicator = parser.expectIdentifier("an indicator id", after: token)
            case "target":
                if case .symbol(let comparison) = parser.current.kind, ["<=", "<", ">=", ">", "="].contains(comparison) {
                    goal.comparison = comparison
                    parser.advance()
                } else {
                    parser.error(parser.current.span, "A target starts with a comparison: >=, >, <= or <.", hint: "For example: target >= 100%")
                }
                goal.target = parser.parseExpression()
            case "by":
                goal.deadline = parser.parseExpression()
            case "owner":
                goal.owner = parser.expectText(after: token)
            case "about":
                goal.about = parser.expectText(after: token)
            default:
                return
            }
            Parser.note(&record, word, leading, parser.endClause("clause"))
        }
    }

    private mutating func parseTestClauses(_ test: inout TestDeclaration, record: inout [String: Comments]) {
        let allowed = ["given", "as", "expect"]
        forEachClause(of: "test", allowed: allowed) { parser, token, word, leading in
            switch word {
            case "as":
                if parser.current.isWord("of"), case .date(let text) = parser.tokens[parser.index + 1].kind {
                    parser.advance()
                    parser.advance()
                    test.asOf = text
                } else {
                    parser.error(parser.current.span, "Say the date the example runs on, year-month-day.", hint: "For example: as of 2025-03-31")
                    parser.skipLine()
                }
                Parser.note(&record, "as", leading, parser.endClause("clause"))
            case "given":
                guard let table = parser.expectName("a table name", after: token) else { parser.skipLine(); _ = parser.endClause("line"); return }
                _ = parser.endClause("clause")
                var rows: [[String]] = []
                var headers: [String] = []
                var headerSpans: [SourceSpan] = []
                var span = token.span
                while case .tableRow(let cells, let cellSpans) = parser.current.kind {
                    span = span.to(parser.current.span)
                    if headers.isEmpty {
                        headers = cells
                        headerSpans = cellSpans
                    } else {
                        if cells.count != headers.count {
                            parser.error(parser.current.span, "This example row has \(cells.count) cells but the header row has \(headers.count).",
                                         hint: "Give every row one cell per column, with | between cells; leave a cell empty for a blank.")
                        }
                        rows.append(cells)
                    }
                    parser.advance()
                    if parser.current.kind == .newline || parser.current.kind == .blankLine { parser.advance() }
                }
                if headers.isEmpty {
                    parser.error(token.span, "`given` must be followed by an example table.",
                                 hint: "Put a header row and data rows under it: | Budget Owner | Amount |")
                }
                test.examples.append(ExampleTable(table: table, headers: headers, headerSpans: headerSpans, rows: rows, span: span))
            case "expect":
                guard let id = parser.expectIdentifier("a rule or indicator id", after: token) else { parser.skipLine(); _ = parser.endClause("line"); return }
                let start = token.span
                if parser.current.isWord("flags") {
                    parser.advance()
                    if parser.current.isWord("nothing") {
                        parser.advance()
                        test.expectations.append(Expectation(id: id, outcome: .flagsNothing, span: start.to(id.span)))
                    } else if parser.current.isWord("row"), case .number(let number) = parser.tokens[parser.index + 1].kind, let row = Int(number) {
                        parser.advance()
                        parser.advance()
                        var column: Name?
                        if parser.current.isWord("column") {
                            parser.advance()
                            column = parser.expectName("a column name", after: token)
                        }
                        test.expectations.append(Expectation(id: id, outcome: .flags(row: row, column: column), span: start.to(id.span)))
                    } else {
                        parser.error(parser.current.span, "Say which example row the rule flags.", hint: "For example: expect BO-01 flags row 1 column owner, or: expect BO-01 flags nothing")
                        parser.skipLine()
                    }
                } else if parser.current.isWord("level"), let word = parser.tokens[parser.index + 1].word, let level = Level(rawValue: word.lowercased()) {
                    parser.advance()
                    parser.advance()
                    test.expectations.append(Expectation(id: id, outcome: .level(level), span: start.to(id.span)))
                } else {
                    parser.error(parser.current.span, "An expectation says `flags row N`, `flags nothing` or `level …`.",
                                 hint: "For example: expect BO-01 flags row 1 column owner")
                    parser.skipLine()
                }
                Parser.note(&record, "expect:\(test.expectations.count)", leading, parser.endClause("clause"))
            default:
                break
            }
        }
    }

    // MARK: Small pieces

    private mutating func optionalTitle() -> String? {
        guard case .text(let title) = current.kind else { return nil }
        advance()
        return title
    }

    private mutating func expectText(after token: Token) -> String? {
        guard case .text(let text) = current.kind else {
            error(atLineEnd ? token.span : current.span, "This needs a text in double quotes.", hint: "For example: about \"What this measures, for a board member.\"")
            skipLine()
            return nil
        }
        advance()
        return text
    }

    private mutating func expectSymbol(_ symbol: String, _ place: String, example: String) -> Bool {
        guard current.isSymbol(symbol) else {
            error(current.span, "Expected `\(symbol)` \(place).", hint: "For example: \(example)")
            return false
        }
        advance()
        return true
    }

    private mutating func expectName(_ what: String, after token: Token) -> Name? {
        guard let word = current.word else {
            error(atLineEnd ? token.span : current.span, "Expected \(what) here.")
            return nil
        }
        let name = Name(text: word, span: advance().span)
        return name
    }

    /// An id such as `BO-01`, `RE-1` or `G-1`: words and numbers joined by hyphens, no spaces.
    private mutating func expectIdentifier(_ what: String, after token: Token) -> Name? {
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

    private mutating func nameList(_ what: String, after token: Token) -> [Name] {
        var names: [Name] = []
        repeat {
            if !names.isEmpty { advance() }
            guard let name = expectName(what, after: token) else { return names }
            names.append(name)
        } while current.isSymbol(",")
        return names
    }

    private mutating func textList(after token: Token, example: String) -> [String] {
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

    private mutating func parseTypeName(after span: SourceSpan) -> (ColumnTypeName, SourceSpan)? {
        guard let word = current.word?.lowercased() else {
            error(atLineEnd ? span : current.span, "Say what type the column holds: text, code, number, money, percent, date or yes/no.")
            return nil
        }
        let token = advance()
        if word == "yes", current.isSymbol("/"), tokens[index + 1].isWord("no") {
            advance()
            let no = advance()
            return (.yesNo, token.span.to(no.span))
        }
        if let type = ColumnTypeName(rawValue: word) { return (type, token.span) }
        let aliases = ["amount": "money", "currency": "money", "dollars": "money", "string": "text", "integer": "number",
                       "int": "number", "decimal": "number", "boolean": "yes/no", "bool": "yes/no", "yesno": "yes/no", "datetime": "date"]
        let suggestion = aliases[word] ?? Suggest.closest(word, among: ColumnTypeName.allCases.map(\.rawValue))
        error(token.span, "`\(token.word ?? word)` is not a column type.",
              hint: (suggestion.map { "Did you mean `\($0)`? " } ?? "") + "The types are text, code, number, money, percent, date and yes/no.")
        return nil
    }

    private mutating func expressionList() -> [Expression] {
        var expressions = [parseExpression()]
        while current.isSymbol(",") {
            advance()
            expressions.append(parseExpression())
        }
        return expressions
    }

    // MARK: Templates

    /// A quoted message whose `{…}` parts are expressions.
    private mutating func parseTemplate(after token: Token) -> Template? {
        guard case .text(let value) = current.kind else {
            error(atLineEnd ? token.span : current.span, "This needs a text in double quotes.",
                  hint: "For example: message \"Nobody owns account {account}.\"")
            skipLine()
            return nil
        }
        let stringToken = advance()
        // Expressions are parsed from the file itself, so their spans point at the right place.
        let raw = Array(file.bytes[stringToken.span.start ..< stringToken.span.end])
        guard raw.first == UInt8(ascii: "\"") else { return Template(parts: [.text(value)], span: stringToken.span) }
        var parts: [Template.Part] = []
        var text: [UInt8] = []
        var offset = 1
        let contentEnd = raw.count - (raw.count > 1 && raw.last == UInt8(ascii: "\"") ? 1 : 0)
        while offset < contentEnd {
            let byte = raw[offset]
            if byte == UInt8(ascii: "\"") && offset + 1 < contentEnd && raw[offset + 1] == UInt8(ascii: "\"") {
                text.append(byte)
                offset += 2
                continue
            }
            if byte == UInt8(ascii: "{") {
                guard let close = raw[offset...].firstIndex(of: UInt8(ascii: "}")), close < contentEnd else {
                    error(SourceSpan(file: fileIndex, start: stringToken.span.start + offset, end: stringToken.span.start + offset + 1),
                          "This `{` has no closing `}`.", hint: "Put the value to show between braces: {amount}.")
                    text.append(contentsOf: raw[offset ..< contentEnd])
                    break
                }
                if !text.isEmpty { parts.append(.text(String(decoding: text, as: UTF8.self))) }
                text = []
                let range = stringToken.span.start + offset + 1 ..< stringToken.span.start + close
                parts.append(.expression(parseEmbedded(range)))
                offset = close + 1
                continue
            }
            if byte == UInt8(ascii: "}") {
                error(SourceSpan(file: fileIndex, start: stringToken.span.start + offset, end: stringToken.span.start + offset + 1),
                      "This `}` has no opening `{`.", hint: "Values in a message go between braces: {amount}.")
            }
            text.append(byte)
            offset += 1
        }
        if !text.isEmpty { parts.append(.text(String(decoding: text, as: UTF8.self))) }
        return Template(parts: parts, span: stringToken.span)
    }

    private mutating func parseEmbedded(_ range: Range<Int>) -> Expression {
        let (embedded, lexDiagnostics) = Lexer.tokens(of: file, fileIndex: fileIndex, range: range)
        diagnostics += lexDiagnostics
        let savedTokens = tokens
        let savedIndex = index
        tokens = embedded.filter { $0.kind != .newline }
        if tokens.last?.kind != .end { tokens.append(Token(kind: .end, span: SourceSpan(file: fileIndex, start: range.upperBound, end: range.upperBound), startsLine: false, indent: 0)) }
        index = 0
        var expression: Expression
        if tokens.first?.kind == .end {
            error(SourceSpan(file: fileIndex, start: range.lowerBound - 1, end: range.upperBound + 1), "These braces are empty.", hint: "Put the value to show between them: {amount}.")
            expression = .invalid(SourceSpan(file: fileIndex, start: range.lowerBound, end: range.upperBound))
        } else {
            expression = parseExpression()
            if current.kind != .end {
                error(current.span, "Only one value can go between a pair of braces.", hint: "Use one pair of braces for each value: {vendor} {amount}.")
                expression = .invalid(expression.span)
            }
        }
        tokens = savedTokens
        index = savedIndex
        return expression
    }

    // MARK: Expressions

    /// Operator precedence, loosest first: or; and; not; comparisons (= <> < > <= >=, is blank,
    /// in, between, like); &; + -; * /; ^; unary minus.
    mutating func parseExpression() -> Expression { parseOr() }

    private mutating func parseOr() -> Expression {
        var left = parseAnd()
        while current.isWord("or") {
            advance()
            let right = parseAnd()
            left = .binary("or", left, right, left.span.to(right.span))
        }
        return left
    }

    private mutating func parseAnd() -> Expression {
        var left = parseNot()
        while current.isWord("and") {
            advance()
            let right = parseNot()
            left = .binary("and", left, right, left.span.to(right.span))
        }
        return left
    }

    private mutating func parseNot() -> Expression {
        if current.isWord("not") {
            let start = advance().span
            let operand = parseNot()
            return .unary("not", operand, start.to(operand.span))
        }
        return parseComparison()
    }

    private mutating func parseComparison() -> Expression {
        let left = parseConcatenation()
        if case .symbol(let symbol) = current.kind, ["=", "<>", "<", ">", "<=", ">="].contains(symbol) {
            advance()
            if current.isSymbol("=") && (symbol == "=" ) {
                error(current.span, "`==` is not needed: a single `=` compares, as in Excel.", hint: "Write `status = \"Closed\"`.")
                advance()
            }
            let right = parseConcatenation()
            return .binary(symbol, left, right, left.span.to(right.span))
        }
        var negated = false
        if current.isWord("not"), let next = tokens[index + 1].word?.lowercased(), ["in", "between", "like"].contains(next) {
            advance()
            negated = true
        }
        if current.isWord("is") {
            advance()
            var isNegated = false
            if current.isWord("not") {
                advance()
                isNegated = true
            }
            if current.isWord("blank") || current.isWord("empty") {
                let end = advance().span
                return .isBlank(left, negated: isNegated, left.span.to(end))
            }
            let start = current.span
            let compared = parseConcatenation()
            error(start.to(compared.span), "`is` is only used as `is blank` or `is not blank`.", hint: "To compare values use `=`: owner = \"TBD\".")
            return .invalid(left.span)
        }
        if current.isWord("in") {
            advance()
            let list = parseConcatenation()
            return .isIn(left, list, negated: negated, left.span.to(list.span))
        }
        if current.isWord("between") {
            advance()
            let low = parseConcatenation()
            guard current.isWord("and") else {
                error(current.span, "`between` needs `and` between its two ends.", hint: "For example: amount between $1,000 and $5,000")
                return .invalid(left.span.to(low.span))
            }
            advance()
            let high = parseConcatenation()
            return .between(left, low, high, negated: negated, left.span.to(high.span))
        }
        if current.isWord("like") {
            advance()
            let pattern = parseConcatenation()
            return .like(left, pattern, negated: negated, left.span.to(pattern.span))
        }
        return left
    }

    private mutating func parseConcatenation() -> Expression {
        var left = parseAdditive()
        while current.isSymbol("&") {
            advance()
            let right = parseAdditive()
            left = .binary("&", left, right, left.span.to(right.span))
        }
        return left
    }

    private mutating func parseAdditive() -> Expression {
        var left = parseMultiplicative()
        while case .symbol(let symbol) = current.kind, symbol == "+" || symbol == "-" {
            advance()
            let right = parseMultiplicative()
            left = .binary(symbol, left, right, left.span.to(right.span))
        }
        return left
    }

    private mutating func parseMultiplicative() -> Expression {
        var left = parsePower()
        while case .symbol(let symbol) = current.kind, symbol == "*" || symbol == "/" {
            advance()
            let right = parsePower()
            left = .binary(symbol, left, right, left.span.to(right.span))
        }
        return left
    }

    private mutating func parsePower() -> Expression {
        let base = parseUnary()
        if current.isSymbol("^") {
            advance()
            let exponent = parsePower()
            return .binary("^", base, exponent, base.span.to(exponent.span))
        }
        return base
    }

    private mutating func parseUnary() -> Expression {
        if current.isSymbol("-") {
            let start = advance().span
            let operand = parseUnary()
            return .unary("-", operand, start.to(operand.span))
        }
        if current.isSymbol("+") {
            advance()
            return parseUnary()
        }
        return parsePrimary()
    }

    private mutating func parsePrimary() -> Expression {
        let token = current
        switch token.kind {
        case .number(let text):
            advance()
            return .number(text, token.span)
        case .money(let text):
            advance()
            return .money(text, token.span)
        case .percent(let text):
            advance()
            return .percent(text, token.span)
        case .date(let text):
            advance()
            return .date(text, token.span)
        case .text(let text):
            advance()
            return .text(text, token.span)
        case .header(let header):
            advance()
            return .header(qualifier: nil, header, token.span)
        case .symbol("("):
            advance()
            var items = [parseExpression()]
            while current.isSymbol(",") {
                advance()
                items.append(parseExpression())
            }
            let close = current.span
            if !current.isSymbol(")") {
                // At the line's end, the `(` left open is what to point at; the end says nothing.
                error(atLineEnd ? token.span : current.span, "A `(` here has no matching `)`.", hint: "Close the bracket before the end of the line.")
                return .invalid(token.span.to(items.last?.span ?? token.span))
            }
            advance()
            return items.count == 1 ? items[0] : .list(items, token.span.to(close))
        case .word(let word):
            advance()
            let lowered = word.lowercased()
            if ["yes", "true"].contains(lowered) { return .yesNo(true, token.span) }
            if ["no", "false"].contains(lowered) { return .yesNo(false, token.span) }
            if ["and", "or", "not"].contains(lowered), current.isSymbol("("), current.span.start == token.span.end {
                let call = parseCall(Name(text: word, span: token.span))
                let joined = lowered == "not" ? "Write `not` before the condition: not (amount > 0)."
                    : "Write `\(lowered)` between the conditions, as in: owner is blank \(lowered) amount > 0."
                error(token.span, "Excel's \(word.uppercased())(…) is written differently in a rule.", hint: joined)
                return .invalid(call.span)
            }
            if ["and", "or", "not", "is", "in", "between", "like", "where", "blank"].contains(lowered) {
                error(token.span, "`\(word)` is missing the value before or after it.")
                return .invalid(token.span)
            }
            let name = Name(text: word, span: token.span)
            if current.isSymbol("(") && current.span.start == token.span.end {
                return parseCall(name)
            }
            if current.isSymbol(".") {
                advance()
                if case .header(let header) = current.kind {
                    let end = advance().span
                    return .header(qualifier: name, header, token.span.to(end))
                }
                guard let member = current.word else {
                    error(current.span, "After `\(word).` comes a column name, as in sites.enrollment.")
                    return .invalid(token.span)
                }
                let memberSpan = advance().span
                return .name(qualifier: name, Name(text: member, span: memberSpan))
            }
            return .name(qualifier: nil, name)
        case .newline, .end, .comment, .blankLine:
            error(token.span, "A value is missing at the end of this line.", hint: "Finish the formula, or remove the operator before the line end.")
            return .invalid(token.span)
        default:
            advance()
            error(token.span, "A value was expected here.")
            return .invalid(token.span)
        }
    }

    private mutating func parseCall(_ name: Name) -> Expression {
        let open = advance()
        var arguments: [Expression] = []
        var filter: Expression?
        if !current.isSymbol(")") {
            while true {
                if current.isWord("where") { break }
                arguments.append(parseExpression())
                if current.isSymbol(",") {
                    advance()
                    continue
                }
                break
            }
            if current.isWord("where") {
                advance()
                filter = parseExpression()
            }
        }
        guard current.isSymbol(")") else {
            error(atLineEnd ? name.span.to(open.span) : current.span, "The `(` after \(name.text) has no matching `)`.",
                  hint: "Close the bracket: \(name.text.uppercased())(…).")
            return .invalid(name.span.to(open.span))
        }
        let close = advance()
        return .call(name, arguments, filter: filter, name.span.to(close.span))
    }
}
