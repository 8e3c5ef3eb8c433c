/// A `message` or `fix` text: quoted, with formulas between braces, `{amount}`.
extension Parser {
    /// A quoted message whose `{…}` parts are expressions.
    mutating func parseTemplate(after token: Token) -> Template? {
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
}
