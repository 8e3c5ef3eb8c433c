/// Splits a rule file into tokens. Line ends matter (each clause is one line) except inside
/// brackets or after an operator, where a long formula may continue on the next line.
struct Lexer {
    private let bytes: [UInt8]
    private let fileIndex: Int
    private var position: Int
    private let end: Int
    private(set) var diagnostics: [Diagnostic] = []
    private var tokens: [Token] = []
    /// Comments at the ends of lines inside a formula that goes on over the next line: kept
    /// apart, so the formula reads as one, each with the token it follows.
    private var formulaComments: [LineComment] = []
    private var depth = 0
    private var lineIndent = 0
    private var atLineStart = true
    /// The indentation of the line the current clause started on.
    private var clauseIndent = 0
    /// Inside a message's `{…}`, which is itself inside quotes: there a text is written between
    /// doubled quotes, `{IF(done, ""open"", ""closed"")}`.
    private var inTemplate = false

    init(_ file: SourceFile, fileIndex: Int, range: Range<Int>? = nil) {
        bytes = file.bytes
        self.fileIndex = fileIndex
        position = range?.lowerBound ?? 0
        end = range?.upperBound ?? file.bytes.count
    }

    static func tokens(of file: SourceFile, fileIndex: Int) -> (tokens: [Token], diagnostics: [Diagnostic], formulaComments: [LineComment]) {
        var lexer = Lexer(file, fileIndex: fileIndex)
        lexer.run()
        return (lexer.tokens, lexer.diagnostics, lexer.formulaComments)
    }

    /// Tokens of an expression inside a message template's braces.
    static func tokens(of file: SourceFile, fileIndex: Int, range: Range<Int>) -> (tokens: [Token], diagnostics: [Diagnostic]) {
        var lexer = Lexer(file, fileIndex: fileIndex, range: range)
        lexer.depth = 1  // a template expression is one line
        lexer.clauseIndent = -1
        lexer.inTemplate = true
        lexer.run()
        return (lexer.tokens, lexer.diagnostics)
    }

    private func span(_ start: Int, _ stop: Int) -> SourceSpan { SourceSpan(file: fileIndex, start: start, end: stop) }

    private mutating func emit(_ kind: Token.Kind, _ start: Int) {
        if atLineStart { clauseIndent = lineIndent }
        tokens.append(Token(kind: kind, span: span(start, position), startsLine: atLineStart, indent: lineIndent))
        atLineStart = false
    }

    private mutating func error(_ start: Int, _ stop: Int, _ message: String, hint: String? = nil) {
        diagnostics.append(Diagnostic(.error, span(start, stop), message, hint: hint))
    }

    private func peek(_ offset: Int = 0) -> UInt8? { position + offset < end ? bytes[position + offset] : nil }

    /// Whether a line end here continues the clause: inside brackets, or after an operator
    /// (a comment after it aside).
    private var continues: Bool {
        if depth > 0 { return true }
        guard let last = tokens.last(where: { if case .comment = $0.kind { false } else { true } }) else { return false }
        switch last.kind {
        case .symbol(let symbol): return symbol != ")" && symbol != "]"
        case .word(let word): return ["and", "or", "not"].contains(word.lowercased())
        default: return false
        }
    }

    private mutating func run() {
        startLine()
        while position < end {
            let byte = bytes[position]
            switch byte {
            case 0x20, 0x09, 0x0D:
                position += 1
            case 0x0A:
                position += 1
                // A formula may go on over the next line only if that line is indented further:
                // an unclosed bracket must not swallow the clauses below it.
                if continues && nextLineIndent() > clauseIndent {
                    if case .comment(let text) = tokens.last?.kind, tokens.count >= 2 {
                        tokens.removeLast()
                        formulaComments.append(LineComment(text: text, after: tokens[tokens.count - 1].span))
                    }
                    continue
                }
                depth = 0
                if let last = tokens.last, last.kind != .newline && last.kind != .blankLine {
                    emit(.newline, position - 1)
                } else if tokens.last?.kind == .newline, tokens.count >= 2, case .comment = tokens[tokens.count - 2].kind {
                    emit(.blankLine, position - 1)
                }
                startLine()
            case UInt8(ascii: "#"):
                let start = position
                while position < end && bytes[position] != 0x0A { position += 1 }
                var stop = position
                while stop > start && (bytes[stop - 1] == 0x0D || bytes[stop - 1] == 0x20) { stop -= 1 }
                tokens.append(Token(kind: .comment(String(decoding: bytes[start + 1 ..< stop], as: UTF8.self).trimmingSpaces),
                                    span: span(start, stop), startsLine: atLineStart, indent: lineIndent))
            case UInt8(ascii: "|") where atLineStart:
                lexTableRow()
            case UInt8(ascii: "\"") where inTemplate:
                lexTemplateString()
            case UInt8(ascii: "\""):
                lexString(closing: [UInt8(ascii: "\"")], smart: false)
            case 0xE2 where peek(1) == 0x80 && (peek(2) == 0x9C || peek(2) == 0x9D || peek(2) == 0x98 || peek(2) == 0x99):
                lexString(closing: [0xE2, 0x80], smart: true)
            case UInt8(ascii: "["):
                lexHeader()
            case UInt8(ascii: "$"):
                lexMoney()
            case UInt8(ascii: "0") ... UInt8(ascii: "9"):
                lexNumber()
            case UInt8(ascii: "<"), UInt8(ascii: ">"):
                let start = position
                position += 1
                if let next = peek(), next == UInt8(ascii: "=") || (byte == UInt8(ascii: "<") && next == UInt8(ascii: ">")) { position += 1 }
                emit(.symbol(String(decoding: bytes[start ..< position], as: UTF8.self)), start)
            case UInt8(ascii: "("):
                position += 1
                depth += 1
                emit(.symbol("("), position - 1)
            case UInt8(ascii: ")"):
                position += 1
                depth = max(0, depth - 1)
                emit(.symbol(")"), position - 1)
            case UInt8(ascii: ","), UInt8(ascii: "."), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "*"),
                 UInt8(ascii: "/"), UInt8(ascii: "^"), UInt8(ascii: "&"), UInt8(ascii: "="), UInt8(ascii: "{"), UInt8(ascii: "}"),
                 UInt8(ascii: ":"):
                position += 1
                emit(.symbol(String(UnicodeScalar(byte))), position - 1)
            case UInt8(ascii: ";"):
                position += 1
                if depth > 0 {
                    // Excel in much of Europe separates a function's values with `;`.
                    error(position - 1, position, "Values in a formula are separated by commas, not `;`.",
                          hint: "Use a comma here, as in ROUND(amount, 2).")
                    emit(.symbol(","), position - 1)
                } else {
                    error(position - 1, position, "A rule file does not use `;`: each clause ends at the end of its line.",
                          hint: "Remove the `;`.")
                }
            case UInt8(ascii: "!"):
                let start = position
                position += 1
                if peek() == UInt8(ascii: "=") {
                    position += 1
                    error(start, position, "`!=` is not how a formula says \"not equal\".", hint: "Write `<>`, as in Excel: `status <> \"Closed\"`.")
                    emit(.symbol("<>"), start)
                } else {
                    error(start, position, "A formula cannot use `!`.", hint: "Use `not` to turn a condition around: `not (amount > 0)`.")
                }
            default:
                if isWordStart(byte) {
                    let start = position
                    while position < end && isWordPart(bytes[position]) { position += 1 }
                    emit(.word(String(decoding: bytes[start ..< position], as: UTF8.self)), start)
                } else {
                    let start = position
                    position += utf8Length(byte)
                    let character = String(decoding: bytes[start ..< min(position, end)], as: UTF8.self)
                    // A character nobody can see is named, or the message would show nothing.
                    let invisible = character.unicodeScalars.first.flatMap { scalar -> String? in
                        switch scalar.value {
                        case 0xA0: "a non-breaking space"
                        case 0x2000 ... 0x200F, 0x202F, 0x205F, 0x3000, 0xFEFF: "an invisible space (U+\(String(scalar.value, radix: 16, uppercase: true)))"
                        default: nil
                        }
                    }
                    let hint = switch character {
                    case "'": "Text goes in double quotes: \"like this\"."
                    case "%": "A percentage is written with no space before its sign: 10%."
                    default: invisible == nil ? "Remove it, or put it inside quotes if it is part of a text." : "Replace it with an ordinary space; it often comes from copying text out of Word or a web page."
                    }
                    error(start, position, invisible.map { "This line has \($0), which has no meaning in a rule file." } ?? "The character `\(character)` has no meaning in a rule file.",
                          hint: hint)
                }
            }
        }
        if let last = tokens.last, last.kind != .newline { emit(.newline, position) }
        emit(.end, position)
    }

    /// The indentation of the next line that has something on it.
    private func nextLineIndent() -> Int {
        var index = position
        var indent = 0
        while index < end {
            switch bytes[index] {
            case 0x20: indent += 1
            case 0x09: indent += 4
            case 0x0A, 0x0D: indent = 0
            default: return indent
            }
            index += 1
        }
        return 0
    }

    private mutating func startLine() {
        atLineStart = true
        var indent = 0
        var index = position
        while index < end && (bytes[index] == 0x20 || bytes[index] == 0x09) {
            indent += bytes[index] == 0x09 ? 4 : 1
            index += 1
        }
        lineIndent = indent
    }

    private mutating func lexTableRow() {
        let start = position
        while position < end && bytes[position] != 0x0A { position += 1 }
        var stop = position
        while stop > start && (bytes[stop - 1] == 0x0D || bytes[stop - 1] == 0x20) { stop -= 1 }
        var cells: [String] = []
        var spans: [SourceSpan] = []
        var cellStart = start + 1
        for index in start + 1 ... stop where index == stop || bytes[index] == UInt8(ascii: "|") {
            var first = cellStart
            var last = index
            while first < last && bytes[first] == 0x20 { first += 1 }
            while last > first && bytes[last - 1] == 0x20 { last -= 1 }
            if index < stop || first < last {
                cells.append(String(decoding: bytes[first ..< last], as: UTF8.self))
                spans.append(span(first, max(last, first + 1)))
            }
            cellStart = index + 1
        }
        tokens.append(Token(kind: .tableRow(cells, spans), span: span(start, stop), startsLine: true, indent: lineIndent))
        atLineStart = false
    }

    private mutating func lexString(closing: [UInt8], smart: Bool) {
        let start = position
        position += smart ? 3 : 1
        var value: [UInt8] = []
        var closed = false
        while position < end {
            let byte = bytes[position]
            if byte == 0x0A { break }
            if !smart && byte == UInt8(ascii: "\"") {
                if peek(1) == UInt8(ascii: "\"") {
                    value.append(byte)
                    position += 2
                    continue
                }
                position += 1
                closed = true
                break
            }
            if byte == 0xE2 && peek(1) == 0x80, let third = peek(2), [0x9C, 0x9D, 0x98, 0x99].contains(third) {
                position += 3
                if smart {
                    closed = true
                    break
                }
                value.append(contentsOf: [0xE2, 0x80, third])
                continue
            }
            if smart && byte == UInt8(ascii: "\"") {
                position += 1
                closed = true
                break
            }
            value.append(byte)
            position += 1
        }
        if smart {
            error(start, position, "This text is in curly quotes (“ ”), which Word and Outlook put in when text is pasted from them.",
                  hint: "Type straight quotes \" \" instead (in Word, turn off AutoFormat's \"smart quotes\").")
        }
        if !closed {
            error(start, position, "This text has no closing quote.", hint: "End it with \" on the same line.")
        }
        emit(.text(String(decoding: value, as: UTF8.self)), start)
    }

    /// `""text""` inside a message's braces.
    private mutating func lexTemplateString() {
        let start = position
        guard peek(1) == UInt8(ascii: "\"") else {
            position += 1
            error(start, position, "Inside a message's braces, a text goes between doubled quotes: {IF(done, \"\"open\"\", \"\"closed\"\")}.")
            return
        }
        position += 2
        let contentStart = position
        while position + 1 < end && !(bytes[position] == UInt8(ascii: "\"") && bytes[position + 1] == UInt8(ascii: "\"")) { position += 1 }
        let content = String(decoding: bytes[contentStart ..< min(position, end)], as: UTF8.self)
        if position + 1 < end {
            position += 2
        } else {
            position = end
            error(start, position, "This text inside braces has no closing doubled quote.")
        }
        emit(.text(content), start)
    }

    private mutating func lexHeader() {
        let start = position
        position += 1
        while position < end && bytes[position] != UInt8(ascii: "]") && bytes[position] != 0x0A { position += 1 }
        let name = String(decoding: bytes[start + 1 ..< position], as: UTF8.self)
        if position < end && bytes[position] == UInt8(ascii: "]") {
            position += 1
        } else {
            error(start, position, "This column header has no closing `]`.", hint: "Write the header between square brackets: [Budget Owner].")
        }
        emit(.header(name), start)
    }

    private mutating func lexMoney() {
        let start = position
        position += 1
        let digitsStart = position
        while let byte = peek(), isDigit(byte) || (byte == UInt8(ascii: ".") && peek(1).map(isDigit) == true)
                || (byte == UInt8(ascii: ",") && isGroupComma) {
            position += 1
        }
        let written = String(decoding: bytes[digitsStart ..< position], as: UTF8.self)
        if written.isEmpty {
            error(start, position, "A `$` must be followed by an amount, like $5,000.")
            emit(.money("0"), start)
            return
        }
        if let dot = written.firstIndex(of: "."), written[dot...].contains(",") {
            // `$5.000,00`: the European way round, dots between thousands and a comma before the cents.
            let swapped = String(written.map { $0 == "." ? "," : $0 == "," ? "." : $0 })
            error(start, position, "`$\(written)` has a dot between thousands and a comma before the cents; Pathways reads amounts the other way round.",
                  hint: "Write it as $\(swapped).")
            emit(.money(swapped.replacing(",", with: "")), start)
            return
        }
        let plain = written.replacing(",", with: "")
        let groups = written.split(separator: ".", maxSplits: 1)[0].split(separator: ",", omittingEmptySubsequences: false)
        if groups.count > 1 && (groups.dropFirst().contains { $0.count != 3 } || groups[0].isEmpty || groups[0].count > 3) {
            error(start, position, "`$\(written)` has its commas in the wrong places.", hint: "Group digits in threes: $1,234,567.89.")
        }
        emit(.money(plain), start)
    }

    /// Whether the comma here groups an amount's digits rather than separating two values. In
    /// brackets, where commas separate values, only one followed by exactly three digits does,
    /// so `MAX($5,000, amount)` is two values and `MAX($5,000,amount)` too; elsewhere any comma
    /// before a digit does, so `$1,00` is reported as misplaced commas.
    private var isGroupComma: Bool {
        guard let first = peek(1), isDigit(first) else { return false }
        if depth == 0 { return true }
        guard let second = peek(2), let third = peek(3), isDigit(second), isDigit(third) else { return false }
        return !(peek(4).map(isDigit) ?? false)
    }

    private mutating func lexNumber() {
        let start = position
        while let byte = peek(), isDigit(byte) { position += 1 }
        // A date: 2027-06-30.
        if position - start == 4, peek() == UInt8(ascii: "-"), let d1 = peek(1), let d2 = peek(2), isDigit(d1), isDigit(d2),
           peek(3) == UInt8(ascii: "-"), let d3 = peek(4), let d4 = peek(5), isDigit(d3), isDigit(d4), !(peek(6).map(isDigit) ?? false) {
            position += 6
            emit(.date(String(decoding: bytes[start ..< position], as: UTF8.self)), start)
            return
        }
        if peek() == UInt8(ascii: "."), let next = peek(1), isDigit(next) {
            position += 1
            while let byte = peek(), isDigit(byte) { position += 1 }
        }
        var text = String(decoding: bytes[start ..< position], as: UTF8.self)
        // `10,000` in a formula: a comma there separates arguments, so say so rather than misread it.
        if peek() == UInt8(ascii: ","), let a = peek(1), let b = peek(2), let c = peek(3), isDigit(a), isDigit(b), isDigit(c),
           !(peek(4).map(isDigit) ?? false) {
            while peek() == UInt8(ascii: ","), let a = peek(1), let b = peek(2), let c = peek(3), isDigit(a), isDigit(b), isDigit(c),
                  !(peek(4).map(isDigit) ?? false) {
                position += 4
            }
            if peek() == UInt8(ascii: "."), let next = peek(1), isDigit(next) {
                position += 1
                while let byte = peek(), isDigit(byte) { position += 1 }
            }
            let written = String(decoding: bytes[start ..< position], as: UTF8.self)
            text = written.replacing(",", with: "")
            error(start, position, "`\(written)` has a thousands separator, but in a formula a comma separates values.",
                  hint: "Write \(text), or $\(written) if it is an amount of money.")
        }
        if peek() == UInt8(ascii: "%") {
            position += 1
            emit(.percent(text), start)
            return
        }
        emit(.number(text), start)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }
    private func isWordStart(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A || byte == UInt8(ascii: "_") || byte >= 0xC3 && byte < 0xE2
    }
    private func isWordPart(_ byte: UInt8) -> Bool { isWordStart(byte) || isDigit(byte) || (byte >= 0x80 && byte < 0xC0) }
    private func utf8Length(_ byte: UInt8) -> Int { byte < 0x80 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4 }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" || text.last == "\r" { text.removeLast() }
        return String(text)
    }
}
