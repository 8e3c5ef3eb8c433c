/// Formulas: `amount > approval_limit and owner is blank`, with Excel's operators and functions.
extension Parser {
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

    mutating func expressionList() -> [Expression] {
        var expressions = [parseExpression()]
        while current.isSymbol(",") {
            advance()
            expressions.append(parseExpression())
        }
        return expressions
    }
}
