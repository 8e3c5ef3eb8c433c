import Tabular

/// Declarations: a first line (`rule BO-01 "…"`) and the clause lines indented under it.
extension Parser {
    /// A param's value: `("61")` in brackets is a list of one, not a bracketed text.
    mutating func parseParamValue() -> Expression {
        let bracketed = current.isSymbol("(")
        let value = parseExpression()
        guard bracketed, Literal.type(value) != nil else { return value }
        if case .list = value { return value }
        return .list([value], value.span)
    }

    mutating func parseDeclaration(_ keyword: DeclarationKeyword) -> DeclarationNode? {
        let leading = takeComments()
        let start = advance()
        var clauseComments: [String: Comments] = [:]
        let declaration: Declaration
        var header = Comments(leading: leading)
        switch keyword {
        case .table:
            guard let name = expectName("a table name", after: start) else { return recover() }
            var table = TableDeclaration(name: name, title: optionalTitle())
            header = endClause("line", leading: leading)
            parseTableClauses(&table, record: &clauseComments)
            declaration = .table(table)
        case .param:
            guard let name = expectName("a parameter name", after: start) else { return recover() }
            guard expectSymbol("=", "after the parameter's name", example: "param approval_limit = $5,000") else { return recover() }
            let value = parseParamValue()
            let about = optionalTitle()
            header = endClause("parameter", leading: leading)
            declaration = .param(ParamDeclaration(name: name, value: value, about: about))
        case .preset:
            guard let name = expectName("a preset name", after: start) else { return recover() }
            var preset = PresetDeclaration(name: name, title: optionalTitle())
            header = endClause("line", leading: leading)
            forEachClause(of: .preset) { parser, token, word, leading in
                switch ClauseKeyword(rawValue: word) {
                case .set:
                    guard let param = parser.expectName("a parameter name", after: token),
                          parser.expectSymbol("=", "after the parameter's name", example: "set personnel_objects = (\"61\")") else {
                        return parser.abandonClause()
                    }
                    var setting = PresetDeclaration.Setting(name: param, value: parser.parseParamValue())
                    setting.comments = parser.endClause("clause", leading: leading)
                    preset.settings.append(setting)
                    return
                case .about: preset.about = parser.expectText(after: token)
                case .source: preset.source = parser.expectText(after: token)
                default: return
                }
                Parser.note(&clauseComments, word, parser.endClause("clause", leading: leading))
            }
            declaration = .preset(preset)
        case .pathway:
            guard let name = expectName("a pathway name", after: start) else { return recover() }
            var pathway = PathwayDeclaration(name: name, title: optionalTitle())
            header = endClause("line", leading: leading)
            forEachClause(of: .pathway) { parser, token, word, leading in
                pathway.about = parser.expectText(after: token)
                Parser.note(&clauseComments, word, parser.endClause("clause", leading: leading))
            }
            declaration = .pathway(pathway)
        case .rule:
            guard let id = expectIdentifier("a rule id such as BO-01", after: start) else { return recover() }
            var rule = RuleDeclaration(id: id, title: optionalTitle())
            header = endClause("line", leading: leading)
            parseRuleClauses(&rule, record: &clauseComments)
            declaration = .rule(rule)
        case .view:
            guard let name = expectName("a view name", after: start) else { return recover() }
            var view = ViewDeclaration(name: name, title: optionalTitle())
            header = endClause("line", leading: leading)
            parseViewClauses(&view, record: &clauseComments)
            declaration = .view(view)
        case .indicator:
            guard let id = expectIdentifier("an indicator id such as RE-1", after: start) else { return recover() }
            var indicator = IndicatorDeclaration(id: id, title: optionalTitle())
            header = endClause("line", leading: leading)
            parseIndicatorClauses(&indicator, record: &clauseComments)
            declaration = .indicator(indicator)
        case .goal:
            guard let id = expectIdentifier("a goal id such as G-1", after: start) else { return recover() }
            var goal = GoalDeclaration(id: id, title: optionalTitle())
            header = endClause("line", leading: leading)
            parseGoalClauses(&goal, record: &clauseComments)
            declaration = .goal(goal)
        case .test:
            guard case .text(let name) = current.kind else {
                error(current.span, "A test needs a name in quotes.", hint: "For example: test \"a blank owner is an error\"")
                return recover()
            }
            let nameSpan = advance().span
            var test = TestDeclaration(name: name, nameSpan: nameSpan)
            header = endClause("line", leading: leading)
            parseTestClauses(&test, record: &clauseComments)
            declaration = .test(test)
        }
        // It ends with its last clause: the comment lines read past to find its end are the next one's.
        var last = max(0, index - 1)
        while last > 0, tokens[last].kind == .newline || tokens[last].kind == .blankLine || tokens[last].isLineComment { last -= 1 }
        let end = tokens[last].span
        return DeclarationNode(declaration: declaration, comments: header, clauseComments: clauseComments, span: start.span.to(end))
    }

    /// Keeps the comments of a single clause, when it has any.
    static func note(_ record: inout [String: Comments], _ clause: String, _ comments: Comments) {
        if !comments.isEmpty { record[clause] = comments }
    }

    private mutating func recover() -> DeclarationNode? {
        skipToNextDeclaration()
        return nil
    }

    // MARK: Declaration bodies

    private mutating func parseTableClauses(_ table: inout TableDeclaration, record: inout [String: Comments]) {
        forEachClause(of: .table) { parser, token, word, leading in
            switch ClauseKeyword(rawValue: word) {
            case .from:
                if parser.current.isWord("sheet") || parser.current.isWord("sheets") { parser.advance() }
                table.sheetHints = parser.textList(after: token, example: "from sheet \"Transactions\", \"GL Detail\"")
            case .key:
                table.keys = parser.nameList("a column name", after: token)
            case .required:
                table.isRequired = true
            case .about:
                table.about = parser.expectText(after: token)
            case .column:
                guard let name = parser.expectName("a column name", after: token) else { return parser.abandonClause() }
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
                column.comments = parser.endClause("column", leading: leading)
                table.columns.append(column)
                return
            case .segments:
                guard !table.columns.isEmpty else {
                    parser.error(token.span, "`segments` must come right under the `column` it splits.")
                    return parser.abandonClause()
                }
                // Each name, and for an account read by position its characters: `function 2-5`.
                var names: [Name] = []
                var positions: [ClosedRange<Int>] = []
                repeat {
                    if !names.isEmpty { parser.advance() }
                    guard let name = parser.expectName("a segment name", after: token) else { break }
                    names.append(name)
                    if case .number(let first) = parser.current.kind, let start = Int(first) {
                        parser.advance()
                        var end = start
                        if parser.current.isSymbol("-"), case .number(let last) = parser.tokens[parser.index + 1].kind, let through = Int(last) {
                            parser.advance()
                            parser.advance()
                            end = through
                        }
                        if start >= 1 && end >= start {
                            positions.append(start ... end)
                        } else {
                            parser.error(name.span.to(parser.tokens[parser.index - 1].span), "Characters are counted from 1, the first before the last.",
                                         hint: "For example: segments fund 1, function 2-5, object 7-9")
                        }
                    }
                } while parser.current.isSymbol(",")
                var separator: String?
                if parser.current.isWord("split") {
                    parser.advance()
                    if parser.current.isWord("by") { parser.advance() }
                    separator = parser.expectText(after: token)
                    if !positions.isEmpty {
                        parser.error(token.span, "Segments are either split by a separator or read by their characters, not both.",
                                     hint: "For example: segments fund, function, object split by \"-\", or: segments fund 1, function 2-5, object 7-9")
                    }
                } else if positions.isEmpty {
                    parser.error(parser.current.span, "Say what separates the segments, or which characters each one is.",
                                 hint: "For example: segments fund, function, object split by \"-\", or: segments fund 1, function 2-5, object 7-9")
                } else if positions.count != names.count {
                    parser.error(token.span, "Say which characters each segment is, or split them all by a separator.",
                                 hint: "For example: segments fund 1, function 2-5, object 7-9")
                }
                table.columns[table.columns.count - 1].segments = names
                table.columns[table.columns.count - 1].separator = separator
                table.columns[table.columns.count - 1].segmentPositions = positions.count == names.count ? positions : []
                Parser.note(&record, "segments:\(table.columns.count - 1)", parser.endClause("clause", leading: leading))
                return
            case .or:
                guard !table.columns.isEmpty else {
                    parser.error(token.span, "`or` must come under the `column` it works out.", hint: "For example, under column amount: or debit - credit")
                    return parser.abandonClause()
                }
                table.columns[table.columns.count - 1].formula = parser.parseExpression()
                Parser.note(&record, "or:\(table.columns.count - 1)", parser.endClause("clause", leading: leading))
                return
            default:
                return
            }
            Parser.note(&record, word, parser.endClause("clause", leading: leading))
        }
    }

    private mutating func parseTypeName(after span: SourceSpan) -> (ColumnType, SourceSpan)? {
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
        if let type = ColumnType(rawValue: word) { return (type, token.span) }
        let aliases = ["amount": "money", "currency": "money", "dollars": "money", "string": "text", "integer": "number",
                       "int": "number", "decimal": "number", "boolean": "yes/no", "bool": "yes/no", "yesno": "yes/no", "datetime": "date"]
        let suggestion = aliases[word] ?? Suggest.closest(word, among: ColumnType.allCases.map(\.rawValue))
        error(token.span, "`\(token.word ?? word)` is not a column type.",
              hint: (suggestion.map { "Did you mean `\($0)`? " } ?? "") + "The types are text, code, number, money, percent, date and yes/no.")
        return nil
    }

    private mutating func parseRuleClauses(_ rule: inout RuleDeclaration, record: inout [String: Comments]) {
        forEachClause(of: .rule) { parser, token, word, leading in
            switch ClauseKeyword(rawValue: word) {
            case .pathway:
                rule.pathway = parser.expectName("a pathway name", after: token)
            case .compliance:
                rule.isCompliance = true
            case .severity:
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
            case .for:
                rule.table = parser.expectName("a table name", after: token)
                if parser.current.isWord("by") {
                    parser.advance()
                    rule.groupKeys = parser.expressionList()
                }
                if parser.current.isWord("within") { rule.window = parser.parseWindow() }
            case .where:
                rule.filter = parser.parseExpression()
            case .let:
                if let binding = parser.parseLet(after: token, leading: leading) { rule.lets.append(binding) }
                return
            case .when:
                rule.condition = parser.parseExpression()
            case .flag:
                rule.flags = parser.expressionList()
            case .message:
                rule.message = parser.parseTemplate(after: token)
            case .fix:
                rule.fix = parser.parseTemplate(after: token)
            case .about:
                rule.about = parser.expectText(after: token)
            case .source:
                rule.source = parser.expectText(after: token)
            default:
                return
            }
            Parser.note(&record, word, parser.endClause("clause", leading: leading))
        }
    }

    /// `within 14 days of posted`, after a grouped rule's keys.
    private mutating func parseWindow() -> GroupWindow? {
        let within = advance()
        let example = "for transactions by vendor within 14 days of posted"
        let days = parseExpression()
        guard current.isWord("days") || current.isWord("day") else {
            error(atLineEnd ? days.span : current.span, "Say how many days a window spans, then the date: `within 14 days of posted`.", hint: "For example: \(example)")
            skipLine()
            return nil
        }
        advance()
        guard current.isWord("of") else {
            error(atLineEnd ? days.span : current.span, "Say which date places a row in a window, after `of`.", hint: "For example: \(example)")
            skipLine()
            return nil
        }
        advance()
        let date = parseExpression()
        return GroupWindow(days: days, date: date, span: within.span.to(date.span))
    }

    /// `let spent = SUM(amount)`: a named value the lines below can use.
    private mutating func parseLet(after token: Token, leading: [String]) -> LetBinding? {
        guard let name = expectName("a name for the value", after: token),
              expectSymbol("=", "after the name", example: "let spent = SUM(amount)") else {
            abandonClause()
            return nil
        }
        var binding = LetBinding(name: name, value: parseExpression())
        binding.comments = endClause("clause", leading: leading)
        return binding
    }

    private mutating func parseViewClauses(_ view: inout ViewDeclaration, record: inout [String: Comments]) {
        forEachClause(of: .view) { parser, token, word, leading in
            switch ClauseKeyword(rawValue: word) {
            case .from:
                view.table = parser.expectName("a table name", after: token)
                if parser.current.isWord("by") {
                    parser.advance()
                    view.groupKeys = parser.expressionList()
                }
            case .let:
                if let binding = parser.parseLet(after: token, leading: leading) { view.lets.append(binding) }
                return
            case .where:
                view.filter = parser.parseExpression()
            case .column:
                guard let name = parser.expectName("a column name", after: token) else { return parser.abandonClause() }
                var title: String?
                if case .text(let text) = parser.current.kind {
                    title = text
                    parser.advance()
                }
                guard parser.expectSymbol("=", "after the column's name", example: "column spent = SUM(amount)") else {
                    return parser.abandonClause()
                }
                var column = ViewColumn(name: name, value: parser.parseExpression())
                column.title = title
                column.comments = parser.endClause("clause", leading: leading)
                view.columns.append(column)
                return
            case .order:
                guard parser.current.isWord("by") else {
                    parser.error(parser.atLineEnd ? token.span : parser.current.span, "Say which columns the rows are listed in order of, after `order by`.",
                                 hint: "For example: order by digit")
                    return parser.abandonClause()
                }
                parser.advance()
                view.order = parser.nameList("a column of the view", after: token)
            case .show:
                view.isShown = true
            case .about:
                view.about = parser.expectText(after: token)
            default:
                return
            }
            Parser.note(&record, word, parser.endClause("clause", leading: leading))
        }
    }

    private mutating func parseIndicatorClauses(_ indicator: inout IndicatorDeclaration, record: inout [String: Comments]) {
        forEachClause(of: .indicator, levelLines: true) { parser, token, word, leading in
            if let level = Level(rawValue: word) {
                guard parser.current.isWord("when") else {
                    parser.error(parser.current.span, "Say when the \(word) level applies.", hint: "For example: \(word) when <= 0.10")
                    return parser.abandonClause()
                }
                parser.advance()
                guard case .symbol(let comparison) = parser.current.kind, ["<=", "<", ">=", ">", "="].contains(comparison) else {
                    parser.error(parser.current.span, "A level starts with a comparison: <=, <, >= or >.", hint: "For example: \(word) when >= 95%")
                    return parser.abandonClause()
                }
                parser.advance()
                var band = LevelBand(level: level, levelSpan: token.span, comparison: comparison, threshold: parser.parseExpression())
                band.comments = parser.endClause("level", leading: leading)
                indicator.bands.append(band)
                return
            }
            switch ClauseKeyword(rawValue: word) {
            case .otherwise:
                guard parser.current.word != nil else {
                    parser.error(parser.current.span, "`otherwise` names the level for every other value.", hint: "For example: otherwise emerging")
                    return parser.abandonClause()
                }
                let levelToken = parser.advance()
                guard let level = parser.level(named: levelToken) else { return parser.abandonClause() }
                var band = LevelBand(level: level, levelSpan: levelToken.span, comparison: nil, threshold: nil)
                band.comments = parser.endClause("level", leading: leading)
                indicator.bands.append(band)
                return
            case .pathway: indicator.pathway = parser.expectName("a pathway name", after: token)
            case .per: indicator.per = parser.expectName("a column, such as site", after: token)
            case .let:
                if let binding = parser.parseLet(after: token, leading: leading) { indicator.lets.append(binding) }
                return
            case .measure: indicator.measure = parser.parseExpression()
            case .about: indicator.about = parser.expectText(after: token)
            case .source: indicator.source = parser.expectText(after: token)
            default:
                return
            }
            Parser.note(&record, word, parser.endClause("clause", leading: leading))
        }
    }

    private mutating func parseGoalClauses(_ goal: inout GoalDeclaration, record: inout [String: Comments]) {
        forEachClause(of: .goal) { parser, token, word, leading in
            switch ClauseKeyword(rawValue: word) {
            case .indicator:
                goal.indicator = parser.expectIdentifier("an indicator id", after: token)
            case .target:
                if case .symbol(let comparison) = parser.current.kind, ["<=", "<", ">=", ">", "="].contains(comparison) {
                    goal.comparison = comparison
                    parser.advance()
                } else {
                    parser.error(parser.current.span, "A target starts with a comparison: >=, >, <= or <.", hint: "For example: target >= 100%")
                }
                goal.target = parser.parseExpression()
            case .by:
                goal.deadline = parser.parseExpression()
            case .owner:
                goal.owner = parser.expectText(after: token)
            case .about:
                goal.about = parser.expectText(after: token)
            default:
                return
            }
            Parser.note(&record, word, parser.endClause("clause", leading: leading))
        }
    }
}
