/// A word, number, symbol or line end of a rule file.
struct Token: Equatable {
    enum Kind: Equatable {
        case word(String)           // names and keywords: `rule`, `owner`, `SUM`
        case number(String)         // `12`, `0.10`
        case money(String)          // `$5,000.00`, kept as written
        case percent(String)        // `12.5%`, the number before the sign
        case date(String)           // `2027-06-30`
        case text(String)           // "…", with doubled quotes undone
        case header(String)         // `[Budget Owner]`: a column by its header text
        case symbol(String)         // ( ) , . + - * / ^ & = <> < > <= >=
        case tableRow([String], [SourceSpan])  // `| a | b |` in a test's example table, with each cell's place
        case comment(String)        // `# …`, kept for the formatter
        case newline
        /// An empty line: kept only so a comment block's separation from what follows survives `fmt`.
        case blankLine
        case end
    }

    var kind: Kind
    var span: SourceSpan
    /// The token is the first on its line; `indent` is that line's indentation in spaces.
    var startsLine: Bool
    var indent: Int

    var word: String? { if case .word(let word) = kind { word } else { nil } }

    /// A comment on a line of its own, not after a clause.
    var isLineComment: Bool { if case .comment = kind { startsLine } else { false } }

    /// A keyword, matched without regard to case.
    func isWord(_ keyword: String) -> Bool {
        guard case .word(let word) = kind else { return false }
        return word.lowercased() == keyword
    }

    func isSymbol(_ symbol: String) -> Bool { kind == .symbol(symbol) }
}
