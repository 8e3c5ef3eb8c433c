import Foundation
import RulesLanguage
import Tabular

/// `pathways explain`: one rule's arithmetic on one row (or the group of rows it belongs to),
/// value by value, as a trainer would check it by hand.
public enum RuleExplainer {
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// The explanation's lines. `sheetRow`: the row as the sheet numbers it (a view's rows from 1).
    public static func explain(rule id: String, sheetRow: Int, rules: CheckedRuleSet, binding: WorkbookBinding, params: ParamValues,
                               asOf: CalendarDate? = nil) throws(Problem) -> [String] {
        guard let rule = rules.rules.first(where: { $0.id.lowercased() == id.lowercased() }) else {
            if let indicator = rules.indicators.first(where: { $0.id.lowercased() == id.lowercased() }) {
                throw Problem(description: "\(indicator.id) is an indicator, measured over the whole district: the Rubric sheet shows its value. explain works a rule out on one row.")
            }
            throw Problem(description: "There is no rule \(id). The rules are: \(rules.rules.map(\.id).joined(separator: ", ")).")
        }
        let evaluator = RuleRunner.evaluatorBeforeRules(rules, on: binding, params: params, asOf: asOf).0
        guard let table = evaluator.sources[rule.table] else {
            throw Problem(description: "Rule \(rule.id) checks \(rule.table), which this workbook does not have.")
        }
        // The row as the table holds it: a sheet's row number, or a view's row from 1.
        let row: Int
        if let bound = table.bound {
            guard let found = bound.table.sourceRows.firstIndex(of: Int32(sheetRow)) else {
                throw Problem(description: "Row \(sheetRow) of sheet \(bound.sheet) is not one of the \(rule.table) table's rows: it is its header, a total, a blank row or past its end.")
            }
            row = found
        } else {
            // A view's sheet has its header in row 1, its rows from row 2.
            guard sheetRow >= 2, sheetRow <= table.rowCount + 1 else {
                throw Problem(description: "The \(title(of: rule.table, in: rules)) sheet has its rows from row 2 to row \(table.rowCount + 1); there is no row \(sheetRow) to explain.")
            }
            row = sheetRow - 2
        }
        let where_ = table.bound.map { "\($0.sheet) row \(sheetRow)" } ?? "\(title(of: rule.table, in: rules)) row \(sheetRow)"
        var lines = ["Rule \(rule.id) \"\(rule.title)\" on \(where_):"]
        // A view's row is known by its keys: the school, the goal.
        if table.bound == nil, let view = rules.views.first(where: { $0.name.lowercased() == rule.table }) {
            let keys = view.keyColumns.compactMap { key in table.column(key.name).map { "\(key.name) = \(shownValue($0.value(row)))" } }
            if !keys.isEmpty { lines.append("  the row of \(keys.joined(separator: ", "))") }
        }
        do {
            func listParam(_ slot: Int) -> String? {
                guard slot < rules.params.count else { return nil }
                let name = rules.params[slot].name.text
                return params.settings.first { $0.name.lowercased() == name.lowercased() }.map { "\(name) = \($0.value)" }
            }
            // A formula written over several lines is shown on one.
            func written(_ expression: CheckedExpression) -> String {
                balanced(rules.files[expression.span.file].slice(expression.span).split(whereSeparator: \.isNewline)
                    .map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " "))
            }
            let one = RowSource(filtering: table, rows: [row])
            if let filter = rule.filter {
                let kept = try evaluator.evaluate(filter, in: Frame(source: one)).value(0)
                lines.append("  where \(written(filter))")
                lines += steps(filter, in: Frame(source: one), evaluator: evaluator, written: written, list: listParam, depth: 2)
                lines.append("    → \(kept)")
                guard kept == .yesNo(true) else {
                    lines.append("  The rule's `where` leaves this row out, so the rule does not look at it.")
                    return lines
                }
            }
            // The rows the rule works on: this row, or all the rows of its group.
            var frame = Frame(source: one)
            // The row's place among the rows the rule works on.
            var position = 0
            if !rule.groupKeys.isEmpty {
                var kept = Array(0 ..< table.rowCount)
                if let filter = rule.filter, case .flags(let flags) = try evaluator.evaluate(filter, in: Frame(source: table)) {
                    kept = flags.indices.filter { flags[$0] == 1 }
                }
                let source = RowSource(filtering: table, rows: kept)
                let keys = try rule.groupKeys.map { try evaluator.evaluate($0, in: Frame(source: source)) }
                guard let keptAt = kept.firstIndex(of: row) else { return lines }
                let mine = keys.map { $0.value(keptAt) }
                let members = kept.indices.filter { index in keys.indices.allSatisfy { keys[$0].value(index) == mine[$0] } }.map { kept[$0] }
                position = members.firstIndex(of: row) ?? 0
                let group = RowSource(filtering: table, rows: members)
                frame = Frame(source: group)
                frame.keyVectors = try rule.groupKeys.map { try evaluator.evaluate($0, in: frame) }
                frame.grouping = Grouping(keys: frame.keyVectors, rowCount: group.rowCount)
                let shown = members.prefix(12).map { index in table.bound.map { String($0.table.sourceRows[index]) } ?? String(index + 1) }
                lines.append("  its group (\(zip(rule.groupKeyTexts, mine).map { "\($0) = \(shownValue($1))" }.joined(separator: ", "))): \(members.count) row\(members.count == 1 ? "" : "s")"
                             + ", row\(members.count == 1 ? "" : "s") \(shown.joined(separator: ", "))\(members.count > 12 ? ", …" : "")")
            }
            // A rule on windows of days judges each window of the group that holds this row.
            var at = 0
            var what = rule.groupKeys.isEmpty ? "this row" : "this group"
            if let window = rule.window, frame.grouping != nil {
                let windows = try Windows(of: frame.grouping!, window, in: frame, evaluator: evaluator)
                frame.grouping = windows.grouping
                try frame.bind(rule.lets, with: evaluator)
                guard case .flags(let flags) = try evaluator.evaluate(rule.condition, in: frame) else { return lines }
                let mine = (0 ..< windows.grouping.count).filter { windows.grouping.groups.rows($0).contains(Int32(position)) }
                let days = try evaluator.evaluate(window.days, in: Frame(source: RowSource(view: "window", rowCount: 1, columns: [:]))).value(0)
                let dates = try evaluator.evaluate(window.date, in: Frame(source: frame.source))
                lines.append("  windows of \(days) days by \(written(window.date)) that hold this row: \(mine.count)")
                for index in mine {
                    let rows = windows.grouping.groups.rows(index).map(Int.init)
                    let first = rows.map { dates.value($0) }.filter { $0 != .blank }.min { Value.isOrderedBefore($0, $1) }
                    lines.append("    from \(first.map { "\($0)" } ?? "?"): \(rows.count) row\(rows.count == 1 ? "" : "s") → \(flags[index] == 1 ? "Yes" : "No")")
                }
                at = mine.first { flags[$0] == 1 } ?? mine.first ?? 0
                what = "this window"
                lines.append("  the \(mine.contains { flags[$0] == 1 } ? "first window that holds" : "first window"), worked out:")
            } else {
                try frame.bind(rule.lets, with: evaluator)
            }
            for (slot, value) in rule.lets.enumerated() {
                lines.append("  let \(slot < rule.letNames.count ? rule.letNames[slot] : "value") = \(written(value)) = \(try evaluator.evaluate(value, in: frame).value(at))")
            }
            lines.append("  when \(written(rule.condition))")
            lines += steps(rule.condition, in: frame, at: at, evaluator: evaluator, written: written, list: listParam, depth: 2)
            let holds = try evaluator.evaluate(rule.condition, in: frame).value(at)
            lines.append("    → \(holds)")
            if holds == .yesNo(true) {
                lines.append("  So \(rule.id) flags \(what): " + (try TemplateValues(rule.message, in: frame, evaluator: evaluator).text(at: at)))
            } else {
                lines.append("  So \(rule.id) does not flag \(what).")
            }
        } catch let problem as NotAssessed {
            lines.append("  It could not be worked out: \(problem.sentence)")
        } catch {
            lines.append("  It could not be worked out: \(error)")
        }
        return lines
    }

    /// A view's sheet title, or a table's name.
    static func title(of table: String, in rules: CheckedRuleSet) -> String {
        rules.views.first { $0.name.lowercased() == table }?.title ?? table
    }

    /// A formula's text as written, with the parenthesis its span may leave out at either end
    /// (`actual + encumbrance) / revised` is `(actual + encumbrance) / revised`).
    static func balanced(_ text: String) -> String {
        var depth = 0, unopened = 0
        var quoted = false
        for character in text {
            if character == "\"" { quoted.toggle() }
            guard !quoted else { continue }
            if character == "(" { depth += 1 } else if character == ")" { if depth == 0 { unopened += 1 } else { depth -= 1 } }
        }
        return String(repeating: "(", count: unopened) + text + String(repeating: ")", count: depth)
    }

    /// Each part of a formula with its value, outermost first, one level of indent a level of
    /// the formula: a total, a lookup, a column or a `let` is a value of its own, not taken apart.
    /// `list`: a list param's name and value, by its position, for `starts with any of catch_all`.
    static func steps(_ expression: CheckedExpression, in frame: Frame, at index: Int = 0, evaluator: Evaluator,
                      written: (CheckedExpression) -> String, list: (Int) -> String? = { _ in nil }, depth: Int) -> [String] {
        var lines: [String] = []
        var seen: Set<String> = []
        func visit(_ node: CheckedExpression, _ depth: Int) {
            if case .literal = node.node { return }
            let text = written(node)
            if !seen.insert(text).inserted { return }
            let value = (try? evaluator.evaluate(node, in: frame).value(index)).map(shownValue) ?? "(not worked out)"
            lines.append(String(repeating: "  ", count: depth) + "\(text) = \(value)")
            // The list a value is tested against, when a param holds it.
            switch node.node {
            case .startsWith(_, .param(let slot), _), .isIn(_, .param(let slot), _):
                if let shown = list(slot), seen.insert(shown).inserted { lines.append(String(repeating: "  ", count: depth + 1) + shown) }
            default: break
            }
            guard !isLeaf(node) else { return }
            for part in node.parts { visit(part, depth + 1) }
        }
        for part in expression.parts { visit(part, depth) }
        if expression.parts.isEmpty { visit(expression, depth) }
        return lines
    }

    /// A value as the explanation shows it: a blank said in words.
    static func shownValue(_ value: Value) -> String { value == .blank ? "(blank)" : "\(value)" }

    static func isLeaf(_ node: CheckedExpression) -> Bool {
        switch node.node {
        case .column, .groupKey, .binding, .outer, .lookup, .total, .literal, .param, .invalid: true
        case .call(let function, _): FunctionCatalogue.spec(function).isAggregate
        default: false
        }
    }
}
