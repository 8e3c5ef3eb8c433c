import Foundation
import RulesLanguage

/// What the server answers about a rule file: each answer worked out from the checker's analysis
/// of the whole rule set, so completion, hover and definition know what the checker knows.
enum Features {
    // MARK: Positions and diagnostics

    static func range(_ span: SourceSpan, in file: SourceFile) -> [String: Any] {
        let start = file.editorPosition(of: span.start), end = file.editorPosition(of: max(span.start, span.end))
        return ["start": ["line": start.line, "character": start.character], "end": ["line": end.line, "character": end.character]]
    }

    /// The checker's sentence, and its hint on the next line, as the editor shows it.
    static func diagnostic(_ diagnostic: Diagnostic, in file: SourceFile) -> [String: Any] {
        ["range": range(diagnostic.span, in: file), "severity": diagnostic.severity == .error ? 1 : 2, "source": "pathways",
         "message": diagnostic.message + (diagnostic.hint.map { "\n" + $0 } ?? "")]
    }

    // MARK: Where the cursor is

    /// The declaration the offset is in (or, on a line after it, the last one before it).
    static func enclosing(_ analysis: RuleChecker.Analysis, index: Int, offset: Int) -> DeclarationNode? {
        let own = analysis.declarations.filter { $0.span.file == index }
        return own.first { $0.span.start <= offset && offset <= $0.span.end } ?? own.last { $0.span.start <= offset }
    }

    /// The table or view a declaration's formulas are about: a rule's `for`, a view's `from`.
    static func table(of node: DeclarationNode?) -> String? {
        switch node?.declaration {
        case .rule(let rule)?: rule.table?.text.lowercased()
        case .view(let view)?: view.table?.text.lowercased()
        default: nil
        }
    }

    static func lets(of node: DeclarationNode?) -> [LetBinding] {
        switch node?.declaration {
        case .rule(let rule)?: rule.lets
        case .view(let view)?: view.lets
        case .indicator(let indicator)?: indicator.lets
        default: []
        }
    }

    static func kind(of node: DeclarationNode?) -> String? {
        switch node?.declaration {
        case .table?: "table"
        case .param?: "param"
        case .preset?: "preset"
        case .pathway?: "pathway"
        case .rule?: "rule"
        case .view?: "view"
        case .indicator?: "indicator"
        case .goal?: "goal"
        case .test?: "test"
        case nil: nil
        }
    }

    /// The name under the offset, with what is written before a `.` in front of it: `transactions.amount`.
    static func word(in file: SourceFile, at offset: Int) -> (qualifier: String?, name: String, span: SourceSpan)? {
        let bytes = file.bytes
        func isNamePart(_ byte: UInt8) -> Bool { byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || (byte >= 48 && byte <= 57) || ((byte | 32) >= 97 && (byte | 32) <= 122) }
        var start = min(offset, bytes.count), end = min(offset, bytes.count)
        while start > 0, isNamePart(bytes[start - 1]) { start -= 1 }
        while end < bytes.count, isNamePart(bytes[end]) { end += 1 }
        guard start < end else { return nil }
        let name = String(decoding: bytes[start ..< end], as: UTF8.self)
        var qualifier: String?
        if start > 1, bytes[start - 1] == UInt8(ascii: ".") {
            var before = start - 1
            while before > 0, isNamePart(bytes[before - 1]) { before -= 1 }
            if before < start - 1 { qualifier = String(decoding: bytes[before ..< start - 1], as: UTF8.self) }
        }
        return (qualifier, name, SourceSpan(file: 0, start: start, end: end))
    }

    // MARK: Completion

    static func completions(in analysis: RuleChecker.Analysis, file: SourceFile, index: Int, at offset: Int) -> [[String: Any]] {
        let position = file.editorPosition(of: offset)
        let line = file.line(position.line + 1)
        let prefix = String(String(line.utf16.prefix(position.character)) ?? line)
        let node = enclosing(analysis, index: index, offset: offset)
        // `transactions.` lists the table's columns.
        if let match = prefix.range(of: #"([A-Za-z_][A-Za-z0-9_]*)\.[A-Za-z0-9_]*$"#, options: .regularExpression) {
            let qualifier = prefix[match].split(separator: ".").first.map(String.init) ?? ""
            return columns(of: qualifier, in: analysis)
        }
        // Nothing to complete in a comment or inside a text in quotes, but for a value `{…}` in a
        // message or fix, which is a formula like any other.
        let quoted = prefix.split(separator: "\"", omittingEmptySubsequences: false)
        let inQuotes = quoted.count % 2 == 0
        let valueOpen = quoted.last.flatMap { text in text.lastIndex(of: "{").map { !text[$0...].contains("}") } } ?? false
        let inTemplateValue = inQuotes && valueOpen && prefix.range(of: #"^[ \t]+(message|fix)[ \t]"#, options: .regularExpression) != nil
        if !inTemplateValue && (prefix.contains("#") || inQuotes) { return [] }
        // After a clause word that takes a name: the names it can take.
        if let clause = prefix.range(of: #"^[ \t]+(for|from|severity|pathway|per)[ \t]+[A-Za-z_]*$"#, options: .regularExpression).map({ prefix[$0].split(separator: " ").first.map(String.init) ?? "" }) {
            switch clause {
            case "severity": return ["error", "warning", "info"].map { ["label": $0, "kind": 12] }
            case "pathway":
                return analysis.declarations.compactMap { if case .pathway(let pathway) = $0.declaration { ["label": pathway.name.text, "kind": 12, "detail": pathway.title ?? ""] } else { nil } }
            case "per":
                return Array(Set(analysis.symbols.values.flatMap { $0.columns.map(\.name) })).sorted().map { ["label": $0, "kind": 5] }
            default:
                // A rule or view reads a table or view, never the findings, which come after rules.
                return analysis.symbols.values.filter { $0.name != RuleChecker.findingsTable || kind(of: node) == "view" }
                    .sorted { $0.name < $1.name }.map { ["label": $0.name, "kind": 22, "detail": $0.isView ? "view" : "table"] }
            }
        }
        // A line's first word: a clause under a declaration, or a new declaration at the left edge.
        if prefix.range(of: #"^[ \t]*[A-Za-z]*$"#, options: .regularExpression) != nil {
            if prefix.first == " " || prefix.first == "\t" {
                if let kind = kind(of: node) { return clauses(of: kind) }
            } else {
                return skeletons
            }
        }
        var items: [[String: Any]] = []
        if let table = table(of: node) { items += columns(of: table, in: analysis) }
        for binding in lets(of: node) {
            items.append(["label": binding.name.text, "kind": 6, "detail": "let \(binding.name.text) = \(RuleFormatter.text(binding.value))"])
        }
        for spec in FunctionCatalogue.all {
            let examples: String = spec.examples.map { "`\($0)`" }.joined(separator: "  \n")
            let documentation: [String: Any] = ["kind": "markdown", "value": spec.summary + "\n\n" + examples]
            items.append(["label": spec.name, "kind": 3, "detail": signature(spec), "documentation": documentation,
                          "insertText": spec.name + (spec.arguments.isEmpty ? "()" : "($1)"), "insertTextFormat": 2])
        }
        for param in params(analysis) {
            items.append(["label": param.name.text, "kind": 21, "detail": "param = \(RuleFormatter.text(param.value))", "documentation": param.about ?? ""])
        }
        for symbol in analysis.symbols.values.sorted(by: { $0.name < $1.name }) where symbol.name != RuleChecker.findingsTable || kind(of: node) != "rule" {
            items.append(["label": symbol.name, "kind": 22, "detail": symbol.isView ? "view" : "table"])
        }
        for word in ["and", "or", "not", "where", "is blank", "is not blank", "in", "not in", "starts with any of", "does not start with any of",
                     "between", "like", "yes", "no"] {
            items.append(["label": word, "kind": 14])
        }
        return items
    }

    static func columns(of table: String, in analysis: RuleChecker.Analysis) -> [[String: Any]] {
        guard let symbol = analysis.symbols[table.lowercased()] else { return [] }
        // A segment that may also have a column of its own is one name, offered once.
        var seen: Set<String> = []
        return symbol.columns.filter { seen.insert($0.name.lowercased()).inserted }.map { column in
            ["label": column.name, "kind": 5, "detail": "\(column.type)", "documentation": columnDocumentation(column, of: symbol)]
        }
    }

    static func columnDocumentation(_ column: TableSymbol.Column, of symbol: TableSymbol) -> String {
        if let whole = column.segmentOf { return "A segment of \(symbol.name).\(whole), cut from the account string." }
        if symbol.isView { return "A column of the view \(symbol.name)." }
        return column.aliases.isEmpty ? "A column of \(symbol.name)." : "Read from the column headed " + column.aliases.map { "\"\($0)\"" }.joined(separator: ", ") + "."
    }

    /// `SUM(values where condition)`: a function's values as a trainer writes them.
    static func signature(_ spec: FunctionSpec) -> String {
        let arguments = spec.arguments.map { argument in
            argument.isOptional ? "[\(argument.name)]" : argument.name + (argument.repeats ? ", …" : "")
        }
        return "\(spec.name)(\(arguments.joined(separator: ", ")))" + (spec.isAggregate ? " — totals rows; add `where condition` to choose them" : "")
    }

    static func clauses(of kind: String) -> [[String: Any]] {
        let snippets: [String: String] = [
            "pathway": "pathway ${1:management}", "severity": "severity ${1|error,warning,info|}", "compliance": "compliance",
            "for": "for ${1:transactions}", "where": "where ${1:condition}", "let": "let ${1:name} = ${2:formula}", "when": "when ${1:condition}",
            "flag": "flag ${1:column}", "message": "message \"${1:What is wrong, with {column\\} values}\"", "fix": "fix \"${1:What to do}\"",
            "about": "about \"${1:What it means, for a board member}\"", "source": "source \"${1:Where the threshold comes from}\"",
            "measure": "measure ${1:formula}", "otherwise": "otherwise ${1|emerging,developing,established,exemplary|}", "per": "per ${1:site}",
            "from": kind == "table" ? "from sheet \"${1:Sheet}\"" : "from ${1:transactions} by ${2:site}", "column": kind == "table" ? "column ${1:name} ${2|text,code,number,money,percent,date,yesno|} \"${3:Header}\"" : "column ${1:name} = ${2:formula}",
            "order": "order by ${1:column}", "show": "show", "key": "key ${1:column}", "required": "required", "set": "set ${1:param} = ${2:value}",
            "given": "given ${1:transactions}\n    | ${2:Header} |\n    | ${3:value} |", "expect": "expect ${1:RULE-1} flags row ${2:1}", "as": "as of ${1:2025-06-30}",
            "indicator": "indicator ${1:MG-1}", "target": "target ${1:>= 90%}", "by": "by ${1:2026-06-30}", "owner": "owner ${1:O001}",
            "segments": "segments ${1:fund, function, object, site, program, project} split by \"${2:-}\"", "or": "or ${1:formula}",
        ]
        var items = LanguageWords.clauses(of: kind).map { word -> [String: Any] in
            ["label": word, "kind": 14, "insertText": snippets[word] ?? word, "insertTextFormat": 2]
        }
        if kind == "indicator" {
            for level in ["exemplary", "established", "developing", "emerging"] {
                items.append(["label": level, "kind": 14, "detail": "a level", "insertText": "\(level) when ${1|>=,<=|} ${2:value}", "insertTextFormat": 2])
            }
        }
        return items
    }

    static var skeletons: [[String: Any]] { skeletonTexts.map { label, body in
        ["label": label, "kind": 15, "detail": "a new \(label)", "insertText": body, "insertTextFormat": 2]
    } }

    static let skeletonTexts: [(String, String)] = [
        ("rule", "rule ${1:XX-1} \"${2:Title}\"\n  pathway ${3:management}\n  severity ${4|error,warning,info|}\n  for ${5:transactions}\n  when ${6:condition}\n  flag ${7:column}\n  message \"${8:What is wrong}\"\n  fix \"${9:What to do}\"\n"),
        ("indicator", "indicator ${1:XX-1} \"${2:Title}\"\n  pathway ${3:management}\n  measure ${4:formula}\n  exemplary   when >= ${5:90%}\n  established when >= ${6:75%}\n  developing  when >= ${7:50%}\n  otherwise emerging\n  about \"${8:What it measures}\"\n"),
        ("view", "view ${1:name} \"${2:Title}\"\n  from ${3:transactions} by ${4:site}\n  column ${5:spent} = ${6:SUM(amount)}\n  show\n"),
        ("test", "test \"${1:what it shows}\"\n  given ${2:transactions}\n    | ${3:Header} |\n    | ${4:value} |\n  expect ${5:XX-1} flags row ${6:1}\n"),
        ("param", "param ${1:name} = ${2:value} \"${3:What it means}\"\n"),
        ("table", "table ${1:name} \"${2:Title}\"\n  from sheet \"${3:Sheet}\"\n  column ${4:name} ${5|text,code,number,money,percent,date,yesno|} \"${6:Header}\"\n"),
        ("goal", "goal ${1:G-1} \"${2:Title}\"\n  indicator ${3:MG-1}\n  target ${4:>= 90%}\n  by ${5:2026-06-30}\n"),
    ]

    static func params(_ analysis: RuleChecker.Analysis) -> [ParamDeclaration] {
        analysis.declarations.compactMap { if case .param(let param) = $0.declaration { param } else { nil } }
    }

    // MARK: Signature help

    /// Inside a function's parentheses, its values as Excel shows them, the one being typed marked.
    static func signatureHelp(file: SourceFile, at offset: Int) -> [String: Any]? {
        let bytes = file.bytes[..<min(offset, file.bytes.count)]
        var depth = 0, commas = 0, position = bytes.count - 1
        var inString = false
        // Back to the innermost parenthesis not yet closed, counting the commas at its level.
        while position >= 0 {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") { inString.toggle() }
            else if !inString {
                if byte == UInt8(ascii: "\n") { return nil }
                if byte == UInt8(ascii: ")") { depth += 1 }
                else if byte == UInt8(ascii: "(") {
                    if depth == 0 { break }
                    depth -= 1
                } else if byte == UInt8(ascii: ","), depth == 0 { commas += 1 }
            }
            position -= 1
        }
        guard position > 0 else { return nil }
        var start = position
        while start > 0, (bytes[start - 1] >= 65 && bytes[start - 1] <= 90) || (bytes[start - 1] >= 48 && bytes[start - 1] <= 57) { start -= 1 }
        guard let spec = FunctionCatalogue.named(String(decoding: bytes[start ..< position], as: UTF8.self)) else { return nil }
        let names = spec.arguments.map { $0.isOptional ? "[\($0.name)]" : $0.name }
        let label = "\(spec.name)(\(names.joined(separator: ", ")))"
        let last = max(0, spec.arguments.count - 1)
        let active = spec.arguments.last?.repeats == true ? min(commas, last) : commas
        return ["signatures": [["label": label, "documentation": spec.summary, "parameters": names.map { ["label": $0] }] as [String: Any]],
                "activeSignature": 0, "activeParameter": active]
    }

    // MARK: Hover and definition

    /// What the name under the cursor is, and where it is declared.
    static func lookUp(_ analysis: RuleChecker.Analysis, file: SourceFile, index: Int, at offset: Int,
                       review: LastReview? = nil) -> (text: String, declared: SourceSpan?)? {
        guard let word = word(in: file, at: offset) else { return nil }
        let node = enclosing(analysis, index: index, offset: offset)
        let lower = word.name.lowercased()
        if let qualifier = word.qualifier?.lowercased(), let symbol = analysis.symbols[qualifier], let column = symbol.column(word.name) {
            return (columnHover(column, of: symbol, review: review), columnSpan(column.name, of: qualifier, in: analysis))
        }
        // A function is written before its `(`.
        let after = file.bytes.dropFirst(word.span.end).first { $0 != UInt8(ascii: " ") }
        if after == UInt8(ascii: "("), let spec = FunctionCatalogue.named(word.name) {
            return ("**\(signature(spec))**\n\n\(spec.summary)\n\n" + spec.examples.map { "`\($0)`" }.joined(separator: "  \n"), nil)
        }
        // A column where its table or view declares it.
        let declaring: String? = switch node?.declaration {
        case .table(let table)?: table.name.text.lowercased()
        case .view(let view)?: view.name.text.lowercased()
        default: nil
        }
        if word.qualifier == nil, let declaring, let symbol = analysis.symbols[declaring], let column = symbol.column(word.name),
           let span = columnSpan(column.name, of: declaring, in: analysis), span.file == index, span.start <= offset, offset <= span.end {
            return (columnHover(column, of: symbol, review: review), span)
        }
        if let binding = lets(of: node).first(where: { $0.name.text.lowercased() == lower }) {
            return ("**let \(binding.name.text)** = `\(RuleFormatter.text(binding.value))`", binding.name.span)
        }
        for declaration in analysis.declarations {
            switch declaration.declaration {
            case .param(let param) where param.name.text.lowercased() == lower:
                return ("**param \(param.name.text)** = `\(RuleFormatter.text(param.value))`\n\n\(param.about ?? "")" + (review?.param(param.name.text) ?? ""), param.name.span)
            case .table(let table) where table.name.text.lowercased() == lower:
                return ("**table \(table.name.text)** \(table.title.map { "\"\($0)\"" } ?? "")\n\n\(table.about ?? "")\n\nColumns: "
                        + (analysis.symbols[lower]?.columns.map(\.name).joined(separator: ", ") ?? ""), table.name.span)
            case .view(let view) where view.name.text.lowercased() == lower:
                return ("**view \(view.name.text)** \(view.title.map { "\"\($0)\"" } ?? "")\n\nColumns: "
                        + (analysis.symbols[lower]?.columns.map(\.name).joined(separator: ", ") ?? ""), view.name.span)
            case .rule(let rule) where rule.id.text.lowercased() == lower:
                return ("**rule \(rule.id.text)** \(rule.title ?? "")\n\n\(rule.about ?? "")", rule.id.span)
            case .indicator(let indicator) where indicator.id.text.lowercased() == lower:
                return ("**indicator \(indicator.id.text)** \(indicator.title ?? "")\n\n\(indicator.about ?? "")" + (review?.indicator(indicator.id.text) ?? ""), indicator.id.span)
            case .pathway(let pathway) where pathway.name.text.lowercased() == lower:
                return ("**pathway \(pathway.name.text)** \(pathway.title ?? "")\n\n\(pathway.about ?? "")", pathway.name.span)
            case .goal(let goal) where goal.id.text.lowercased() == lower:
                return ("**goal \(goal.id.text)** \(goal.title ?? "")", goal.id.span)
            default: continue
            }
        }
        if let table = table(of: node), let symbol = analysis.symbols[table], let column = symbol.column(word.name) {
            return (columnHover(column, of: symbol, bare: true, review: review), columnSpan(column.name, of: table, in: analysis))
        }
        return nil
    }

    /// A column's type, where it is read from, and where the review found it. `bare`: written
    /// without its table's name, in a rule on that table.
    static func columnHover(_ column: TableSymbol.Column, of symbol: TableSymbol, bare: Bool = false, review: LastReview?) -> String {
        (bare ? "**\(column.name)** (of \(symbol.name))" : "**\(symbol.name).\(column.name)**") + ": \(column.type)\n\n\(columnDocumentation(column, of: symbol))"
            // A review's workbook has tables; a view is worked out, not found in it.
            + (symbol.isView ? "" : review?.column(column.name, of: symbol.name) ?? "")
    }

    /// Where a table's or view's column is declared.
    static func columnSpan(_ column: String, of table: String, in analysis: RuleChecker.Analysis) -> SourceSpan? {
        let wanted = column.lowercased()
        for node in analysis.declarations {
            switch node.declaration {
            case .table(let declared) where declared.name.text.lowercased() == table:
                return declared.columns.first { $0.name.text.lowercased() == wanted }?.name.span
                    ?? declared.columns.flatMap(\.segments).first { $0.text.lowercased() == wanted }?.span
            case .view(let declared) where declared.name.text.lowercased() == table:
                return declared.columns.first { $0.name.text.lowercased() == wanted }?.name.span
            default: continue
            }
        }
        return nil
    }

    static func hover(in analysis: RuleChecker.Analysis, file: SourceFile, index: Int, at offset: Int, review: LastReview?) -> [String: Any]? {
        lookUp(analysis, file: file, index: index, at: offset, review: review).map { ["contents": ["kind": "markdown", "value": $0.text]] }
    }

    static func definition(in analysis: RuleChecker.Analysis, file: SourceFile, index: Int, at offset: Int) -> SourceSpan? {
        lookUp(analysis, file: file, index: index, at: offset)?.declared
    }

    // MARK: Quick fixes and formatting

    /// The checker's hints that say exactly what to write: "Did you mean `owner`?", `==` for `=`,
    /// a `;` for a comma or nothing.
    static func quickFixes(in analysis: RuleChecker.Analysis, uri: String, index: Int, file: SourceFile, range: [String: Any]) -> [[String: Any]] {
        func offset(_ key: String) -> Int {
            let position = range[key] as? [String: Any]
            return file.offset(line: position?["line"] as? Int ?? 0, character: position?["character"] as? Int ?? 0)
        }
        let (start, end) = (offset("start"), offset("end"))
        return analysis.report.diagnostics.filter { $0.span.file == index && $0.span.start <= end && start <= $0.span.end }.compactMap { diagnostic in
            let replacement: (title: String, text: String)?
            let hint = diagnostic.hint ?? ""
            if let match = hint.range(of: #"Did you mean `?[A-Za-z_][A-Za-z0-9_.-]*"#, options: .regularExpression) {
                let suggestion = String(hint[match].dropFirst("Did you mean ".count).drop { $0 == "`" })
                replacement = ("Change to \(suggestion)", suggestion)
            } else if diagnostic.message.hasPrefix("`==` is not needed") {
                // The mistake is the second `=`: taking it out leaves the one that compares.
                replacement = ("Write = instead of ==", "")
            } else if diagnostic.message.hasPrefix("Values in a formula are separated by commas") {
                replacement = ("Write a comma", ",")
            } else if hint == "Remove the `;`." {
                replacement = ("Remove the ;", "")
            } else {
                replacement = nil
            }
            guard let replacement else { return nil }
            let edit: [String: Any] = ["range": self.range(diagnostic.span, in: file), "newText": replacement.text]
            return ["title": replacement.title, "kind": "quickfix", "diagnostics": [self.diagnostic(diagnostic, in: file)],
                    "edit": ["changes": [uri: [edit]]]]
        }
    }

    /// The file as `pathways fmt` lays it out; nothing when it cannot be read or is already so.
    static func formatting(of file: SourceFile) -> [[String: Any]]? {
        guard case .success(let formatted) = RuleFormatter.format(file), formatted != file.text else { return [] }
        let whole = SourceSpan(file: 0, start: 0, end: file.byteCount)
        return [["range": range(whole, in: file), "newText": formatted]]
    }
}
