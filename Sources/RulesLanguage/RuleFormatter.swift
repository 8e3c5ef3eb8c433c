/// Lays a rule file out the one standard way: declarations apart by a blank line, clauses in
/// a fixed order two spaces in, columns and levels aligned, function names in capitals, amounts
/// with thousands separators, comments kept where they were. It never changes what a file
/// means: the syntax tree of the result equals the original's.
public enum RuleFormatter {
    /// The formatted text, or the file's mistakes if it does not parse.
    public static func format(_ file: SourceFile) -> Result<String, DiagnosticReport> {
        let (tree, diagnostics) = Parser.parse(file, fileIndex: 0)
        if diagnostics.contains(where: { $0.severity == .error }) {
            return .failure(DiagnosticReport(files: [file], diagnostics: diagnostics))
        }
        return .success(render(tree))
    }

    /// A formula written the standard way, as in a rule file.
    public static func text(_ expression: Expression) -> String {
        Printer(comments: [:]).expression(expression)
    }

    static func render(_ tree: RuleFile) -> String {
        var text = ""
        var previous: Declaration?
        for node in tree.declarations {
            var printer = Printer(comments: node.clauseComments)
            for comment in node.comments.leading { printer.lines.append(commentLine(comment, pad: "")) }
            printer.declaration(node.declaration, header: node.comments)
            // Parameters are one line each and read best as a block.
            if case .param = node.declaration, case .param = previous, node.comments.leading.isEmpty {
                text += "\n"
            } else if previous != nil {
                text += "\n\n"
            }
            text += printer.lines.joined(separator: "\n")
            previous = node.declaration
        }
        if !tree.trailingComments.isEmpty {
            text += (text.isEmpty ? "" : "\n\n") + tree.trailingComments.map { commentLine($0, pad: "") }.joined(separator: "\n")
        }
        return text.isEmpty ? "" : text + "\n"
    }
}

/// A comment as its own line; an empty one stands for a blank line.
private func commentLine(_ comment: String, pad: String) -> String {
    comment.isEmpty ? "" : (pad + "# " + comment).trimmingTrailing
}

private struct Printer {
    var lines: [String] = []
    let comments: [String: Comments]

    init(comments: [String: Comments]) { self.comments = comments }

    /// A line of a clause, its formula perhaps broken over several, with where in the file the
    /// part it begins with was written, so a comment inside the formula finds its line again.
    private struct BrokenLine {
        var text: String
        var start: Int
    }

    mutating func line(_ text: String, indent: Int = 2, comments: Comments? = nil) {
        write([BrokenLine(text: text, start: .min)], indent: indent, comments: comments)
    }

    /// Lines are kept to about this many characters where a formula can be broken.
    static let lineLength = 100

    /// A clause whose formula is `head` + `value`: one line if it fits, else broken after each
    /// top-level `and` (or `or`), the rest indented four more, as a trainer would write it; an
    /// `and` part of an `or` that is still too long is broken the same way, four further in. A
    /// comment the trainer wrote inside the formula, at the end of one of its lines, stays at
    /// the end of the line of the part it followed, so the formula is broken at every top-level
    /// `and` (or `or`) when that keeps it off the last line.
    mutating func formula(_ head: String, _ value: Expression, indent: Int = 2, comments: Comments?) {
        let width = Printer.lineLength - indent
        var broken = brokenLines(value, first: head, from: .min, rest: "    ", width: width, everywhere: false)
        if let within = comments?.within, !within.isEmpty {
            let apart = brokenLines(value, first: head, from: .min, rest: "    ", width: width, everywhere: true)
            if within.contains(where: { Printer.lineIndex(of: $0, in: apart) < apart.count - 1 }) { broken = apart }
        }
        write(broken, indent: indent, comments: comments)
    }

    /// Writes a clause's lines with its comments: those above it, then at the end of each line
    /// the comment written inside the formula after the part that line holds, and the clause's
    /// own comment at the end of the last. A line that would end in two keeps the first (the
    /// last line, the clause's own); the others go above the clause, so none is lost.
    private mutating func write(_ broken: [BrokenLine], indent: Int, comments: Comments?) {
        let pad = String(repeating: " ", count: indent)
        guard let within = comments?.within, !within.isEmpty else {
            for comment in comments?.leading ?? [] { lines.append(commentLine(comment, pad: pad)) }
            for line in broken.dropLast() { lines.append(pad + line.text) }
            lines.append(pad + broken[broken.count - 1].text + (comments?.trailing.map { "  # \($0)".trimmingTrailing } ?? ""))
            return
        }
        var ends = Array(repeating: [String](), count: broken.count)
        for comment in within { ends[Printer.lineIndex(of: comment, in: broken)].append(comment.text) }
        if let trailing = comments?.trailing { ends[broken.count - 1].insert(trailing, at: 0) }
        for comment in comments?.leading ?? [] { lines.append(commentLine(comment, pad: pad)) }
        for comment in ends.flatMap({ $0.dropFirst() }) { lines.append((pad + "# " + comment).trimmingTrailing) }
        for (line, end) in zip(broken, ends) {
            lines.append(pad + line.text + (end.first.map { "  # \($0)".trimmingTrailing } ?? ""))
        }
    }

    private static func lineIndex(of comment: LineComment, in broken: [BrokenLine]) -> Int {
        broken.lastIndex { $0.start <= comment.after.start } ?? 0
    }

    /// `value` as lines no wider than `width` where it can be broken (or at every top-level
    /// `and`/`or`, `everywhere`): the first starting with `first`, the others with `rest`, each
    /// but the last ending with its `and` or `or`; the first holds what was written from `from`.
    private func brokenLines(_ value: Expression, first: String, from start: Int, rest: String, width: Int, everywhere: Bool) -> [BrokenLine] {
        let whole = first + expression(value)
        let joiner: String
        switch value {
        case .binary("or", _, _, _): joiner = "or"
        case .binary("and", _, _, _): joiner = "and"
        default: joiner = ""
        }
        guard whole.count > width || everywhere, !joiner.isEmpty else { return [BrokenLine(text: whole, start: start)] }
        // The chain's operands, left to right: `a and b and c` is ((a and b) and c).
        var operands: [Expression] = []
        var remaining = value
        while case .binary(joiner, let left, let right, _) = remaining {
            operands.insert(right, at: 0)
            remaining = left
        }
        operands.insert(remaining, at: 0)
        var result: [BrokenLine] = []
        for (index, operand) in operands.enumerated() {
            let lead = index == 0 ? first : rest
            let from = index == 0 ? start : operand.span.start
            var part: [BrokenLine]
            if joiner == "or", case .binary("and", _, _, _) = operand {
                part = brokenLines(operand, first: lead, from: from, rest: rest + "    ", width: width, everywhere: false)
            } else {
                part = [BrokenLine(text: lead + expression(operand, needs: Printer.precedence(value) + 1), start: from)]
            }
            if index < operands.count - 1 { part[part.count - 1].text += " " + joiner }
            result += part
        }
        return result
    }

    /// The declaration; `header` holds the comments after its first line (and, for a
    /// parameter, inside its formula), those above it being written already.
    mutating func declaration(_ declaration: Declaration, header comments: Comments) {
        func header(_ keyword: DeclarationKeyword, _ text: String) {
            line(keyword.rawValue + " " + text, indent: 0, comments: Comments(trailing: comments.trailing, within: comments.within))
        }
        switch declaration {
        case .table(let table):
            header(.table, table.name.text + title(table.title))
            for keyword in DeclarationKeyword.table.clauses { tableClause(keyword, table) }
        case .param(let param):
            header(.param, "\(param.name.text) = \(expression(param.value))" + (param.about.map { " " + quote($0) } ?? ""))
        case .preset(let preset):
            header(.preset, preset.name.text + title(preset.title))
            let width = preset.settings.map(\.name.text.count).max() ?? 0
            for setting in preset.settings {
                line("\(ClauseKeyword.set.rawValue) \(padded(setting.name.text, width)) = \(expression(setting.value))", comments: setting.comments)
            }
            if let about = preset.about { clause(.about, quote(about)) }
            if let source = preset.source { clause(.source, quote(source)) }
        case .pathway(let pathway):
            header(.pathway, pathway.name.text + title(pathway.title))
            if let about = pathway.about { clause(.about, quote(about)) }
        case .rule(let rule):
            header(.rule, rule.id.text + title(rule.title))
            for keyword in DeclarationKeyword.rule.clauses { ruleClause(keyword, rule) }
        case .view(let view):
            header(.view, view.name.text + title(view.title))
            for keyword in DeclarationKeyword.view.clauses { viewClause(keyword, view) }
        case .indicator(let indicator):
            header(.indicator, indicator.id.text + title(indicator.title))
            for keyword in DeclarationKeyword.indicator.clauses { indicatorClause(keyword, indicator) }
        case .goal(let goal):
            header(.goal, goal.id.text + title(goal.title))
            for keyword in DeclarationKeyword.goal.clauses { goalClause(keyword, goal) }
        case .test(let test):
            header(.test, quote(test.name))
            for keyword in DeclarationKeyword.test.clauses { testClause(keyword, test) }
        }
    }

    /// A one-line clause: its keyword, then `text`, with the comments kept for it.
    private mutating func clause(_ keyword: ClauseKeyword, _ text: String, key: String? = nil, indent: Int = 2) {
        line(keyword.rawValue + (text.isEmpty ? "" : " " + text), indent: indent, comments: comments[key ?? keyword.rawValue])
    }

    private mutating func tableClause(_ keyword: ClauseKeyword, _ table: TableDeclaration) {
        switch keyword {
        case .about: if let about = table.about { clause(.about, quote(about)) }
        case .from: if !table.sheetHints.isEmpty { clause(.from, "sheet " + table.sheetHints.map(quote).joined(separator: ", ")) }
        case .required: if table.isRequired { clause(.required, "") }
        case .key: if !table.keys.isEmpty { clause(.key, table.keys.map(\.text).joined(separator: ", ")) }
        case .column:
            // Each column is followed by its own `segments` and `or` lines.
            let nameWidth = table.columns.map(\.name.text.count).max() ?? 0
            let typeWidth = table.columns.map(\.type.rawValue.count).max() ?? 0
            for (index, column) in table.columns.enumerated() {
                var text = ClauseKeyword.column.rawValue + " " + padded(column.name.text, nameWidth) + " " + padded(column.type.rawValue, typeWidth)
                if !column.aliases.isEmpty { text += " " + column.aliases.map(quote).joined(separator: ", ") }
                if column.isOptional { text += " optional" }
                line(trimmedRight(text), comments: column.comments)
                if !column.segments.isEmpty {
                    let named = column.segments.enumerated().map { index, name in
                        guard index < column.segmentPositions.count else { return name.text }
                        let range = column.segmentPositions[index]
                        return name.text + " " + (range.count == 1 ? "\(range.lowerBound)" : "\(range.lowerBound)-\(range.upperBound)")
                    }
                    let segments = named.joined(separator: ", ") + (column.separator.map { " split by \(quote($0))" } ?? "")
                    clause(.segments, segments, key: "segments:\(index)", indent: 4)
                }
                if let formula = column.formula { clause(.or, expression(formula), key: "or:\(index)", indent: 4) }
            }
        default: break
        }
    }

    private mutating func ruleClause(_ keyword: ClauseKeyword, _ rule: RuleDeclaration) {
        switch keyword {
        case .pathway: if let pathway = rule.pathway { clause(.pathway, pathway.text) }
        case .severity: if let severity = rule.severity { clause(.severity, severity.rawValue) }
        case .compliance: if rule.isCompliance { clause(.compliance, "") }
        case .for:
            if let table = rule.table {
                let window = rule.window.map { " within \(expression($0.days)) days of \(expression($0.date))" } ?? ""
                clause(.for, table.text + (rule.groupKeys.isEmpty ? "" : " by " + rule.groupKeys.map { expression($0) }.joined(separator: ", ")) + window)
            }
        case .where: if let filter = rule.filter { formula(.where, filter) }
        case .let: lets(rule.lets)
        case .when: if let condition = rule.condition { formula(.when, condition) }
        case .flag: if !rule.flags.isEmpty { clause(.flag, rule.flags.map { expression($0) }.joined(separator: ", ")) }
        case .message: if let message = rule.message { clause(.message, template(message)) }
        case .fix: if let fix = rule.fix { clause(.fix, template(fix)) }
        case .about: if let about = rule.about { clause(.about, quote(about)) }
        case .source: if let source = rule.source { clause(.source, quote(source)) }
        default: break
        }
    }

    /// A clause that is its keyword and a formula, such as `when …`, with the clause's comments.
    private mutating func formula(_ keyword: ClauseKeyword, _ value: Expression) {
        formula(keyword.rawValue + " ", value, comments: comments[keyword.rawValue])
    }

    private mutating func lets(_ bindings: [LetBinding]) {
        for binding in bindings { formula("\(ClauseKeyword.let.rawValue) \(binding.name.text) = ", binding.value, comments: binding.comments) }
    }

    private mutating func viewClause(_ keyword: ClauseKeyword, _ view: ViewDeclaration) {
        switch keyword {
        case .from:
            if let table = view.table {
                clause(.from, table.text + (view.groupKeys.isEmpty ? "" : " by " + view.groupKeys.map { expression($0) }.joined(separator: ", ")))
            }
        case .let: lets(view.lets)
        case .where: if let filter = view.filter { formula(.where, filter) }
        case .column:
            let width = view.columns.map(\.name.text.count).max() ?? 0
            // Titles get a column of their own, so the `=` signs still line up.
            let titleWidth = view.columns.compactMap { $0.title.map { quote($0).count + 1 } }.max() ?? 0
            for column in view.columns {
                let title = padded(column.title.map { " " + quote($0) } ?? "", titleWidth)
                line("\(ClauseKeyword.column.rawValue) \(padded(column.name.text, width))\(title) = \(expression(column.value))", comments: column.comments)
            }
        case .order: if !view.order.isEmpty { clause(.order, "by " + view.order.map(\.text).joined(separator: ", ")) }
        case .show: if view.isShown { clause(.show, "") }
        case .about: if let about = view.about { clause(.about, quote(about)) }
        default: break
        }
    }

    private mutating func indicatorClause(_ keyword: ClauseKeyword, _ indicator: IndicatorDeclaration) {
        switch keyword {
        case .pathway: if let pathway = indicator.pathway { clause(.pathway, pathway.text) }
        case .per: if let per = indicator.per { clause(.per, per.text) }
        case .let: lets(indicator.lets)
        case .measure: if let measure = indicator.measure { formula(.measure, measure) }
        case .otherwise:
            // The level lines, in the order written, `otherwise` among them.
            let width = indicator.bands.filter { $0.comparison != nil }.map(\.level.rawValue.count).max() ?? 0
            for band in indicator.bands {
                if let comparison = band.comparison, let threshold = band.threshold {
                    line("\(padded(band.level.rawValue, width)) when \(comparison) \(expression(threshold))", comments: band.comments)
                } else {
                    line("\(ClauseKeyword.otherwise.rawValue) \(band.level.rawValue)", comments: band.comments)
                }
            }
        case .about: if let about = indicator.about { clause(.about, quote(about)) }
        case .source: if let source = indicator.source { clause(.source, quote(source)) }
        default: break
        }
    }

    private mutating func goalClause(_ keyword: ClauseKeyword, _ goal: GoalDeclaration) {
        switch keyword {
        case .indicator: if let indicator = goal.indicator { clause(.indicator, indicator.text) }
        case .target: if let target = goal.target { clause(.target, (goal.comparison.map { $0 + " " } ?? "") + expression(target)) }
        case .by: if let deadline = goal.deadline { clause(.by, expression(deadline)) }
        case .owner: if let owner = goal.owner { clause(.owner, quote(owner)) }
        case .about: if let about = goal.about { clause(.about, quote(about)) }
        default: break
        }
    }

    private mutating func testClause(_ keyword: ClauseKeyword, _ test: TestDeclaration) {
        switch keyword {
        case .given:
            for (index, example) in test.examples.enumerated() {
                clause(.given, example.table.text, key: "given:\(index)")
                let rows = [example.headers] + example.rows
                let widths = (0 ..< (rows.map(\.count).max() ?? 0)).map { column in
                    rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
                }
                for row in rows {
                    let cells = row.enumerated().map { padded($0.element, widths[$0.offset]) }
                    line(trimmedRight("| " + cells.joined(separator: " | ") + " |"), indent: 4)
                }
            }
        case .as: if let asOf = test.asOf { clause(.as, "of \(asOf)") }
        case .expect:
            for (index, expectation) in test.expectations.enumerated() {
                var text = expectation.id.text + " "
                switch expectation.outcome {
                case .flags(let row, let column): text += "flags row \(row)" + (column.map { " column \($0.text)" } ?? "")
                case .flagsNothing: text += "flags nothing"
                case .says(let said): text += "says " + quote(said)
                case .level(let level): text += "level \(level.rawValue)"
                case .notAssessed: text += "not assessed"
                case .status(let status): text += "status \(status.rawValue)"
                case .value(let row, let column, let value): text += "row \(row) \(column.text) = \(RuleFormatter.text(value))"
                }
                clause(.expect, text, key: "expect:\(index + 1)")
            }
        default: break
        }
    }

    private func title(_ title: String?) -> String { title.map { " " + quote($0) } ?? "" }
    private func padded(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
    private func trimmedRight(_ text: String) -> String { text.trimmingTrailing }

    func quote(_ text: String) -> String { "\"" + text.replacing("\"", with: "\"\"") + "\"" }

    func template(_ template: Template) -> String {
        var text = "\""
        for part in template.parts {
            switch part {
            case .text(let literal): text += literal.replacing("\"", with: "\"\"")
            case .expression(let value): text += "{" + expression(value).replacing("\"", with: "\"\"") + "}"
            }
        }
        return text + "\""
    }

    // MARK: Expressions

    private static func precedence(_ expression: Expression) -> Int {
        switch expression {
        case .binary("or", _, _, _): 1
        case .binary("and", _, _, _): 2
        case .unary("not", _, _): 3
        case .binary("=", _, _, _), .binary("<>", _, _, _), .binary("<", _, _, _), .binary(">", _, _, _),
             .binary("<=", _, _, _), .binary(">=", _, _, _), .isBlank, .isIn, .between, .like, .startsWith: 4
        case .binary("&", _, _, _): 5
        case .binary("+", _, _, _), .binary("-", _, _, _): 6
        case .binary("*", _, _, _), .binary("/", _, _, _): 7
        case .binary("^", _, _, _): 8
        case .unary: 9
        default: 10
        }
    }

    func expression(_ value: Expression, needs minimum: Int = 0) -> String {
        let own = Printer.precedence(value)
        let text: String
        switch value {
        case .number(let number, _): text = number
        case .money(let amount, _): text = "$" + groupedAmount(amount)
        case .percent(let number, _): text = number + "%"
        case .date(let date, _): text = date
        case .text(let literal, _): text = quote(literal)
        case .yesNo(let flag, _): text = flag ? "yes" : "no"
        case .name(let qualifier, let name): text = (qualifier.map { $0.text + "." } ?? "") + name.text
        case .header(let qualifier, let header, _): text = (qualifier.map { $0.text + "." } ?? "") + "[\(header)]"
        case .unary(let op, let operand, _):
            text = op == "not" ? "not " + expression(operand, needs: own) : "-" + expression(operand, needs: own)
        case .binary(let op, let left, let right, _):
            let rightAssociative = op == "^"
            let comparison = own == 4
            text = expression(left, needs: rightAssociative || comparison ? own + 1 : own) + " \(op) "
                + expression(right, needs: rightAssociative ? own : own + 1)
        case .call(let name, let arguments, let filter, _):
            var inside = arguments.map { expression($0) }.joined(separator: ", ")
            if let filter { inside += (inside.isEmpty ? "" : " ") + "where " + expression(filter) }
            text = name.text.uppercased() + "(" + inside + ")"
        case .list(let items, _):
            text = "(" + items.map { expression($0) }.joined(separator: ", ") + ")"
        case .isBlank(let operand, let negated, _):
            text = expression(operand, needs: own + 1) + (negated ? " is not blank" : " is blank")
        case .isIn(let operand, let list, let negated, _):
            text = expression(operand, needs: own + 1) + (negated ? " not in " : " in ") + expression(list, needs: own + 1)
        case .between(let operand, let low, let high, let negated, _):
            text = expression(operand, needs: own + 1) + (negated ? " not between " : " between ")
                + expression(low, needs: own + 1) + " and " + expression(high, needs: own + 1)
        case .like(let operand, let pattern, let negated, _):
            text = expression(operand, needs: own + 1) + (negated ? " not like " : " like ") + expression(pattern, needs: own + 1)
        case .startsWith(let operand, let prefixes, let anyOf, let negated, _):
            text = expression(operand, needs: own + 1) + (negated ? " does not start with " : " starts with ") + (anyOf ? "any of " : "")
                + expression(prefixes, needs: own + 1)
        case .invalid: text = ""
        }
        return own < minimum ? "(" + text + ")" : text
    }

    /// `5000.5` as `5,000.5`.
    private func groupedAmount(_ amount: String) -> String {
        let parts = amount.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = String(parts[0])
        var grouped = ""
        for (index, character) in whole.enumerated() {
            if index > 0 && (whole.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(character)
        }
        return parts.count > 1 ? grouped + "." + parts[1] : grouped
    }
}

extension String {
    var trimmingTrailing: String {
        var text = Substring(self)
        while text.last == " " { text.removeLast() }
        return String(text)
    }

}
