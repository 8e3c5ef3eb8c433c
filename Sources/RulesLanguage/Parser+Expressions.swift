/// What one formula may hold before Pathways stops reading it, so that no rule file, however
/// written, can overflow the stack of the parser or of anything that later walks the tree.
struct FormulaBudget {
    /// Brackets (a function's too), signs, `not`s and powers may each nest this deep.
    static let nestingLimit = 100
    /// Operators in one formula (the message says "1,000"); a long chain of them is a deep tree too.
    static let operatorLimit = 1_000

    enum Nesting {
        case bracket, sign, not, power

        var tooDeep: (message: String, hint: String) {
            let limit = FormulaBudget.nestingLimit
            return switch self {
            case .bracket: ("This formula nests brackets more than \(limit) deep; Pathways stops there.",
                            "Split it: work out an inner part first with a `let` line, and use its name here.")
            case .sign: ("This formula has more than \(limit) signs in a row; Pathways stops there.",
                         "Write one sign before a value, as in -amount.")
            case .not: ("This formula has more than \(limit) `not`s in a row; Pathways stops there.",
                        "Two `not`s cancel out: remove them in pairs.")
            case .power: ("This formula raises to a power more than \(limit) times in a row; Pathways stops there.",
                          "Split it: work out part of it first with a `let` line.")
            }
        }
    }

    private var brackets = 0, signs = 0, nots = 0, powers = 0
    var operators = 0
    /// The formula was given up on: the rest of its line is skipped and nothing more is reported.
    var isExceeded = false

    /// How deep this kind of nesting is where the parser is now.
    subscript(_ kind: Nesting) -> Int {
        get {
            switch kind {
            case .bracket: brackets
            case .sign: signs
            case .not: nots
            case .power: powers
            }
        }
        set {
            switch kind {
            case .bracket: brackets = newValue
            case .sign: signs = newValue
            case .not: nots = newValue
            case .power: powers = newValue
            }
        }
    }
}

/// Formulas: `amount > approval_limit and owner is blank`, with Excel's operators and functions.
extension Parser {
    /// A whole formula. Operator precedence, loosest first: or; and; not; comparisons (= <> < >
    /// <= >=, is blank, in, between, like); &; + -; * /; ^; unary minus.
    mutating func parseExpression() -> Expression {
        budget = FormulaBudget()
        defer { budget = FormulaBudget() }
        return parseOr()
    }

    /// Goes one level deeper, or, past the limit, says so once, gives up on the rest of the
    /// formula and returns false.
    private mutating func deeper(_ kind: FormulaBudget.Nesting, at span: SourceSpan) -> Bool {
        guard !budget.isExceeded else { return false }
        guard budget[kind] < FormulaBudget.nestingLimit else {
            giveUp(at: span, kind.tooDeep)
            return false
        }
        budget[kind] += 1
        return true
    }

    private mutating func shallower(_ kind: FormulaBudget.Nesting) { budget[kind] -= 1 }

    /// Counts one operator of the formula, giving up on it past the limit.
    private mutating func countOperator(at span: SourceSpan) {
        budget.operators += 1
        if budget.operators > FormulaBudget.operatorLimit && !budget.isExceeded {
            giveUp(at: span, ("This formula has more than 1,000 operators; Pathways stops there.",
                              "Split it into parts with `let` lines, each with a name, and combine the names."))
        }
    }

    private mutating func giveUp(at span: SourceSpan, _ sentence: (message: String, hint: String)) {
        error(span, sentence.message, hint: sentence.hint)
        budget.isExceeded = true
        skipLine()
    }

    private mutating func parseOr() -> Expression {
        var left = parseAnd()
        while current.isWord("or") {
            countOperator(at: advance().span)
            let right = parseAnd()
            left = .binary("or", left, right, left.span.to(right.span))
        }
        return left
    }

    private mutating func parseAnd() -> Expression {
        var left = parseNot()
        while current.isWord("and") {
            countOperator(at: advance().span)
            let right = parseNot()
            left = .binary("and", left, right, left.span.to(right.span))
        }
        return left
    }

    private mutating func parseNot() -> Expression {
        if current.isWord("not") {
            guard deeper(.not, at: current.span) else { return .invalid(current.span) }
            defer { shallower(.not) }
            let start = advance().span
            let operand = parseNot()
            return .unary("not", operand, start.to(operand.span))
        }
        return parseComparison()
    }

    private mutating func parseComparison() -> Expression {
        let left = parseConcatenation()
        if case .symbol(let symbol) = current.kind, ["=", "<>", "<", ">", "<=", ">="].contains(symbol) {
            countOperator(at: advance().span)
            if current.isSymbol("=") && (symbol == "=" ) {
                error(current.span, "`==` is not needed: a single `=` compares, as in Excel.", hint: "Write `status = \"Closed\"`.")
                advance()
            }
            // `=>` and `=<`: the two signs the other way round, read as meant once said.
            var operation = symbol
            if symbol == "=", current.isSymbol(">") || current.isSymbol("<"), let sign = current.isSymbol(">") ? ">" : "<" as String? {
                error(current.span, "`=\(sign)` is written `\(sign)=`, as in Excel.", hint: "Put the `\(sign)` first: amount \(sign)= $5,000.")
                advance()
                operation = sign + "="
            }
            let right = parseConcatenation()
            return .binary(operation, left, right, left.span.to(right.span))
        }
        var negated = false
        if current.isWord("not"), let next = tokens[index + 1].word?.lowercased(), ["in", "between", "like"].contains(next) {
            advance()
            negated = true
        }
        if current.isWord("is") {
            countOperator(at: advance().span)
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
            countOperator(at: advance().span)
            let list = parseConcatenation()
            return .isIn(left, list, negated: negated, left.span.to(list.span))
        }
        if current.isWord("between") {
            countOperator(at: advance().span)
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
            countOperator(at: advance().span)
            let pattern = parseConcatenation()
            return .like(left, pattern, negated: negated, left.span.to(pattern.span))
        }
        // `starts with "61"`, `starts with any of personnel_objects`, `does not start with …`.
        let startsWith = current.isWord("starts") && tokens[index + 1].isWord("with")
        let doesNotStart = current.isWord("does") && tokens[index + 1].isWord("not") && tokens[index + 2].isWord("start") && tokens[index + 3].isWord("with")
        if startsWith || doesNotStart {
            countOperator(at: advance().span)
            for _ in 0 ..< (doesNotStart ? 3 : 1) { advance() }
            let anyOf = current.isWord("any") && tokens[index + 1].isWord("of")
            if anyOf {
                advance()
                advance()
            } else if current.isWord("any"), tokens[index + 1].word != nil {
                error(current.span, "Write `any of` before the list: starts with any of \(tokens[index + 1].word ?? "personnel_objects").",
                      hint: "For example: object starts with any of personnel_objects")
                advance()
            }
            let prefixes = parseConcatenation()
            return .startsWith(left, prefixes, anyOf: anyOf, negated: doesNotStart, left.span.to(prefixes.span))
        }
        return left
    }

    private mutating func parseConcatenation() -> Expression {
        var left = parseAdditive()
        while current.isSymbol("&") {
            countOperator(at: advance().span)
            let right = parseAdditive()
            left = .binary("&", left, right, left.span.to(right.span))
        }
        return left
    }

    private mutating func parseAdditive() -> Expression {
        var left = parseMultiplicative()
        while case .symbol(let symbol) = current.kind, symbol == "+" || symbol == "-" {
            countOperator(at: advance().span)
            let right = parseMultiplicative()
            left = .binary(symbol, left, right, left.span.to(right.span))
        }
        return left
    }

    private mutating func parseMultiplicative() -> Expression {
        var left = parsePower()
        while case .symbol(let symbol) = current.kind, symbol == "*" || symbol == "/" {
            countOperator(at: advance().span)
            let right = parsePower()
            left = .binary(symbol, left, right, left.span.to(right.span))
        }
        return left
    }

    private mutating func parsePower() -> Expression {
        let base = parseUnary()
        if current.isSymbol("^") {
            guard deeper(.power, at: current.span) else { return .invalid(base.span) }
            defer { shallower(.power) }
            advance()
            let exponent = parsePower()
            return .binary("^", base, exponent, base.span.to(exponent.span))
        }
        return base
    }

    private mutating func parseUnary() -> Expression {
        if current.isSymbol("-") || current.isSymbol("+") {
            guard deeper(.sign, at: current.span) else { return .invalid(current.span) }
            defer { shallower(.sign) }
            let sign = advance()
            let operand = parseUnary()
            return sign.isSymbol("-") ? .unary("-", operand, sign.span.to(operand.span)) : operand
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
            guard deeper(.bracket, at: token.span) else { return .invalid(token.span) }
            defer { shallower(.bracket) }
            advance()
            // `()`: an empty list, for a list param that names nothing (no federal funds).
            if current.isSymbol(")") {
                return .list([], token.span.to(advance().span))
            }
            var items = [parseOr()]
            while current.isSymbol(",") {
                advance()
                items.append(parseOr())
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
                // `STDEV.P(…)`: an Excel function with a dot, which the checker names and answers.
                if current.isSymbol("(") && current.span.start == memberSpan.end {
                    return parseCall(Name(text: "\(word).\(member)", span: token.span.to(memberSpan)))
                }
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
        guard deeper(.bracket, at: name.span.to(current.span)) else { return .invalid(name.span) }
        defer { shallower(.bracket) }
        let open = advance()
        var arguments: [Expression] = []
        var filter: Expression?
        if !current.isSymbol(")") {
            while true {
                if current.isWord("where") { break }
                arguments.append(parseOr())
                if current.isSymbol(",") {
                    advance()
                    continue
                }
                break
            }
            if current.isWord("where") {
                advance()
                filter = parseOr()
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

    mutating func expressionList() -> [Expression] {
        var expressions = [parseExpression()]
        while current.isSymbol(",") {
            advance()
            expressions.append(parseExpression())
        }
        return expressions
    }
}
