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
            printer.declaration(node.declaration, headerComment: node.comments.trailing)
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

    mutating func line(_ text: String, indent: Int = 2, comments: Comments? = nil) {
        let pad = String(repeating: " ", count: indent)
        for comment in comments?.leading ?? [] { lines.append(commentLine(comment, pad: pad)) }
        lines.append(pad + text + (comments?.trailing.map { "  # \($0)".trimmingTrailing } ?? ""))
    }

    mutating func clause(_ keyword: String, _ text: String, indent: Int = 2) {
        line(text, indent: indent, comments: comments[keyword])
    }

    /// Lines are kept to about this many characters where a formula can be broken.
    static let lineLength = 100

    /// A clause whose formula is `head` + `value`: one line if it fits, else broken after each
    /// top-level `and` (or `or`), the rest indented four more, as a trainer would write it; an
    /// `and` part of an `or` that is still too long is broken the same way, four further in.
    mutating func formula(_ head: String, _ value: Expression, indent: Int = 2, comments: Comments?) {
        let pad = String(repeating: " ", count: indent)
        for comment in comments?.leading ?? [] { lines.append(commentLine(comment, pad: pad)) }
        var broken = brokenLines(value, first: head, rest: "    ", width: Printer.lineLength - indent)
        broken[broken.count - 1] += comments?.trailing.map { "  # \($0)".trimmingTrailing } ?? ""
        lines += broken.map { pad + $0 }
    }

    /// `value` as lines no wider than `width` where it can be broken: the first starting with
    /// `first`, the others with `rest`, each but the last ending with its `and` or `or`.
    private func brokenLines(_ value: Expression, first: String, rest: String, width: Int) -> [String] {
        let whole = first + expression(value)
        let joiner: String
        switch value {
        case .binary("or", _, _, _): joiner = "or"
        case .binary("and", _, _, _): joiner = "and"
        default: joiner = ""
        }
        guard whole.count > width, !joiner.isEmpty else { return [whole] }
        // The chain's operands, left to right: `a and b and c` is ((a and b) and c).
        var operands: [Expression] = []
        var remaining = value
        while case .binary(joiner, let left, let right, _) = remaining {
            operands.insert(right, at: 0)
            remaining = left
        }
        operands.insert(remaining, at: 0)
        var result: [String] = []
        for (index, operand) in operands.enumerated() {
            let lead = index == 0 ? first : rest
            let part: [String]
            if joiner == "or", case .binary("and", _, _, _) = operand {
                part = brokenLines(operand, first: lead, rest: rest + "    ", width: width)
            } else {
                part = [lead + expression(operand, needs: Printer.precedence(value) + 1)]
            }
            result += index == operands.count - 1 ? part : part.dropLast() + [part.last! + " " + joiner]
        }
        return result
    }

    mutating func declaration(_ declaration: Declaration, headerComment: String?) {
        func header(_ text: String) {
            lines.append(text + (headerComment.map { "  # \($0)".trimmingTrailing } ?? ""))
        }
        switch declaration {
        case .table(let table):
            header("table \(table.name.text)" + title(table.title))
            if let about = table.about { clause("about", "about \(quote(about))") }
            if !table.sheetHints.isEmpty { clause("from", "from sheet " + table.sheetHints.map(quote).joined(separator: ", ")) }
            if table.isRequired { clause("required", "required") }
            if !table.keys.isEmpty { clause("key", "key " + table.keys.map(\.text).joined(separator: ", ")) }
            let nameWidth = table.columns.map(\.name.text.count).max() ?? 0
            let typeWidth = table.columns.map(\.type.rawValue.count).max() ?? 0
            for (index, column) in table.columns.enumerated() {
                var text = "column " + padded(column.name.text, nameWidth) + " " + padded(column.type.rawValue, typeWidth)
                if !column.aliases.isEmpty { text += " " + column.aliases.map(quote).joined(separator: ", ") }
                if column.isOptional { text += " optional" }
                line(trimmedRight(text), comments: column.comments)
                if !column.segments.isEmpty {
                    let segments = "segments " + column.segments.map(\.text).joined(separator: ", ")
                        + (column.separator.map { " split by \(quote($0))" } ?? "")
                    clause("segments:\(index)", segments, indent: 4)
                }
                if let formula = column.formula { clause("or:\(index)", "or \(expression(formula))", indent: 4) }
            }
        case .param(let param):
            header("param \(param.name.text) = \(expression(param.value))" + (param.about.map { " " + quote($0) } ?? ""))
        case .pathway(let pathway):
            header("pathway \(pathway.name.text)" + title(pathway.title))
            if let about = pathway.about { clause("about", "about \(quote(about))") }
        case .rule(let rule):
            header("rule \(rule.id.text)" + title(rule.title))
            if let pathway = rule.pathway { clause("pathway", "pathway \(pathway.text)") }
            if let severity = rule.severity { clause("severity", "severity \(severity.rawValue)") }
            if let table = rule.table {
                clause("for", "for \(table.text)" + (rule.groupKeys.isEmpty ? "" : " by " + rule.groupKeys.map { expression($0) }.joined(separator: ", ")))
            }
            for binding in rule.lets { formula("let \(binding.name.text) = ", binding.value, comments: binding.comments) }
            if let condition = rule.condition { formula("when ", condition, comments: comments["when"]) }
            if !rule.flags.isEmpty { clause("flag", "flag " + rule.flags.map { expression($0) }.joined(separator: ", ")) }
            if let message = rule.message { clause("message", "message \(template(message))") }
            if let fix = rule.fix { clause("fix", "fix \(template(fix))") }
            if let about = rule.about { clause("about", "about \(quote(about))") }
            if let source = rule.source { clause("source", "source \(quote(source))") }
        case .view(let view):
            header("view \(view.name.text)" + title(view.title))
            if let table = view.table {
                clause("from", "from \(table.text)" + (view.groupKeys.isEmpty ? "" : " by " + view.groupKeys.map { expression($0) }.joined(separator: ", ")))
            }
            if let filter = view.filter { formula("where ", filter, comments: comments["where"]) }
            let width = view.columns.map(\.name.text.count).max() ?? 0
            for column in view.columns {
                line("column \(padded(column.name.text, width)) = \(expression(column.value))", comments: column.comments)
            }
            if view.isShown { clause("show", "show") }
            if let about = view.about { clause("about", "about \(quote(about))") }
        case .indicator(let indicator):
            header("indicator \(indicator.id.text)" + title(indicator.title))
            if let pathway = indicator.pathway { clause("pathway", "pathway \(pathway.text)") }
            if let measure = indicator.measure { formula("measure ", measure, comments: comments["measure"]) }
            let width = indicator.bands.filter { $0.comparison != nil }.map(\.level.rawValue.count).max() ?? 0
            for band in indicator.bands {
                if let comparison = band.comparison, let threshold = band.threshold {
                    line("\(padded(band.level.rawValue, width)) when \(comparison) \(expression(threshold))", comments: band.comments)
                } else {
                    line("otherwise \(band.level.rawValue)", comments: band.comments)
                }
            }
            if let about = indicator.about { clause("about", "about \(quote(about))") }
            if let source = indicator.source { clause("source", "source \(quote(source))") }
        case .goal(let goal):
            header("goal \(goal.id.text)" + title(goal.title))
            if let indicator = goal.indicator { clause("indicator", "indicator \(indicator.text)") }
            if let target = goal.target { clause("target", "target \(goal.comparison.map { $0 + " " } ?? "")\(expression(target))") }
            if let deadline = goal.deadline { clause("by", "by \(expression(deadline))") }
            if let owner = goal.owner { clause("owner", "owner \(quote(owner))") }
            if let about = goal.about { clause("about", "about \(quote(about))") }
        case .test(let test):
            header("test \(quote(test.name))")
            for example in test.examples {
                line("given \(example.table.text)")
                let rows = [example.headers] + example.rows
                let widths = (0 ..< (rows.map(\.count).max() ?? 0)).map { column in
                    rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
                }
                for row in rows {
                    let cells = row.enumerated().map { padded($0.element, widths[$0.offset]) }
                    line(trimmedRight("| " + cells.joined(separator: " | ") + " |"), indent: 4)
                }
            }
            if let asOf = test.asOf { clause("as", "as of \(asOf)") }
            for (index, expectation) in test.expectations.enumerated() {
                var text = "expect \(expectation.id.text) "
                switch expectation.outcome {
                case .flags(let row, let column): text += "flags row \(row)" + (column.map { " column \($0.text)" } ?? "")
                case .flagsNothing: text += "flags nothing"
                case .level(let level): text += "level \(level.rawValue)"
                }
                clause("expect:\(index + 1)", text)
            }
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
             .binary("<=", _, _, _), .binary(">=", _, _, _), .isBlank, .isIn, .between, .like: 4
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
