/// A `test` block: example tables (`given`), the date it runs on (`as of`) and what the rules
/// must find (`expect`).
extension Parser {
    mutating func parseTestClauses(_ test: inout TestDeclaration, record: inout [String: Comments]) {
        forEachClause(of: .test) { parser, token, word, leading in
            switch ClauseKeyword(rawValue: word) {
            case .as:
                if parser.current.isWord("of"), case .date(let text) = parser.tokens[parser.index + 1].kind {
                    parser.advance()
                    parser.advance()
                    test.asOf = text
                } else {
                    parser.error(parser.current.span, "Say the date the example runs on, year-month-day.", hint: "For example: as of 2025-03-31")
                    parser.skipLine()
                }
                Parser.note(&record, word, parser.endClause("clause", leading: leading))
            case .given:
                guard let table = parser.expectName("a table name", after: token) else { return parser.abandonClause() }
                Parser.note(&record, "given:\(test.examples.count)", parser.endClause("clause", leading: leading))
                test.examples.append(parser.parseExampleTable(table, after: token))
            case .expect:
                guard let id = parser.expectIdentifier("a rule, indicator, goal or view", after: token) else { return parser.abandonClause() }
                if let outcome = parser.parseOutcome() {
                    test.expectations.append(Expectation(id: id, outcome: outcome, span: token.span.to(id.span)))
                }
                Parser.note(&record, "expect:\(test.expectations.count)", parser.endClause("clause", leading: leading))
            default:
                break
            }
        }
    }

    /// The `| a | b |` rows under a `given` line: a header row, then one row per example.
    private mutating func parseExampleTable(_ table: Name, after token: Token) -> ExampleTable {
        var rows: [[String]] = []
        var headers: [String] = []
        var headerSpans: [SourceSpan] = []
        var span = token.span
        while case .tableRow(let cells, let cellSpans) = current.kind {
            span = span.to(current.span)
            if headers.isEmpty {
                headers = cells
                headerSpans = cellSpans
            } else {
                if cells.count != headers.count {
                    error(current.span, "This example row has \(cells.count) cells but the header row has \(headers.count).",
                          hint: "Give every row one cell per column, with | between cells; leave a cell empty for a blank.")
                }
                rows.append(cells)
            }
            advance()
            if current.kind == .newline || current.kind == .blankLine { advance() }
        }
        if headers.isEmpty {
            error(token.span, "`given` must be followed by an example table.", hint: "Put a header row and data rows under it: | Budget Owner | Amount |")
        }
        return ExampleTable(table: table, headers: headers, headerSpans: headerSpans, rows: rows, span: span)
    }

    /// What an `expect` line says the rule, indicator, goal or view does: `flags row 1 column
    /// owner`, `flags nothing`, `says "…"`, `level exemplary`, `not assessed`, `status met`, `row 2 per_pupil = $3,000`.
    private mutating func parseOutcome() -> Expectation.Outcome? {
        if current.isWord("flags") {
            advance()
            if current.isWord("nothing") {
                advance()
                return .flagsNothing
            }
            if current.isWord("row"), case .number(let number) = tokens[index + 1].kind, let row = Int(number) {
                advance()
                advance()
                var column: Name?
                if current.isWord("column") {
                    let columnToken = advance()
                    column = expectName("a column name", after: columnToken)
                }
                return .flags(row: row, column: column)
            }
            error(current.span, "Say which example row the rule flags.",
                  hint: "For example: expect BO-01 flags row 1 column owner, or: expect BO-01 flags nothing")
            skipLine()
            return nil
        }
        if current.isWord("says"), case .text(let text) = tokens[index + 1].kind {
            advance()
            advance()
            return .says(text)
        }
        if current.isWord("level"), tokens[index + 1].word != nil {
            advance()
            return level(named: advance()).map { .level($0) }
        }
        if current.isWord("not"), tokens[index + 1].isWord("assessed") {
            advance()
            advance()
            return .notAssessed
        }
        if current.isWord("status") {
            let statusToken = advance()
            var words: [String] = []
            var span = statusToken.span
            while let word = current.word {
                words.append(word.lowercased())
                span = span.to(advance().span)
            }
            if let status = GoalStatus(rawValue: words.joined(separator: " ")) { return .status(status) }
            error(words.isEmpty ? statusToken.span : span, "A goal's status is met, not yet met, missed or not assessed.",
                  hint: "For example: expect G-1 status not yet met")
            skipLine()
            return nil
        }
        if current.isWord("row"), case .number(let number) = tokens[index + 1].kind, let row = Int(number) {
            advance()
            var rowToken = advance()
            // `row 2 column per_pupil = …`, written as `flags row 1 column owner` is.
            if current.isWord("column"), tokens[index + 1].word != nil, tokens[index + 2].isSymbol("=") { rowToken = advance() }
            guard let column = expectName("a column of the view", after: rowToken) else {
                skipLine()
                return nil
            }
            guard current.isSymbol("=") else {
                error(current.span, "Say what the view's \(column.text) should be, after `=`.", hint: "For example: expect site_spending row 1 per_pupil = $3,000")
                skipLine()
                return nil
            }
            advance()
            return .value(row: row, column: column, parseExpression())
        }
        error(current.span, "An expectation says `flags row N`, `flags nothing`, `level …`, `not assessed`, `status …` or, for a view, `row N column = value`.",
              hint: "For example: expect BO-01 flags row 1 column owner")
        skipLine()
        return nil
    }
}
