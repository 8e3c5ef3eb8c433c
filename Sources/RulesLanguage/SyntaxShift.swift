/// Syntax moved along its file: a declaration parsed once keeps its tree when text is typed above
/// it, its places moved by the bytes typed. `IncrementalChecker` relies on every place of the tree
/// being moved here; `IncrementalCheckerTests` compares its trees with a fresh parse after edits.
extension SourceSpan {
    func shifted(by delta: Int) -> SourceSpan { SourceSpan(file: file, start: start + delta, end: end + delta) }
}

extension Name {
    func shifted(by delta: Int) -> Name { Name(text: text, span: span.shifted(by: delta)) }
}

extension Comments {
    func shifted(by delta: Int) -> Comments {
        Comments(leading: leading, trailing: trailing, within: within.map { LineComment(text: $0.text, after: $0.after.shifted(by: delta)) })
    }
}

extension Expression {
    func shifted(by delta: Int) -> Expression {
        func move(_ expression: Expression) -> Expression { expression.shifted(by: delta) }
        func moveName(_ name: Name?) -> Name? { name.map { $0.shifted(by: delta) } }
        switch self {
        case .number(let text, let span): return .number(text, span.shifted(by: delta))
        case .money(let text, let span): return .money(text, span.shifted(by: delta))
        case .percent(let text, let span): return .percent(text, span.shifted(by: delta))
        case .date(let text, let span): return .date(text, span.shifted(by: delta))
        case .text(let text, let span): return .text(text, span.shifted(by: delta))
        case .yesNo(let value, let span): return .yesNo(value, span.shifted(by: delta))
        case .name(let qualifier, let name): return .name(qualifier: moveName(qualifier), name.shifted(by: delta))
        case .header(let qualifier, let header, let span): return .header(qualifier: moveName(qualifier), header, span.shifted(by: delta))
        case .unary(let op, let operand, let span): return .unary(op, move(operand), span.shifted(by: delta))
        case .binary(let op, let left, let right, let span): return .binary(op, move(left), move(right), span.shifted(by: delta))
        case .call(let name, let arguments, let filter, let span):
            return .call(name.shifted(by: delta), arguments.map(move), filter: filter.map(move), span.shifted(by: delta))
        case .list(let items, let span): return .list(items.map(move), span.shifted(by: delta))
        case .isBlank(let operand, let negated, let span): return .isBlank(move(operand), negated: negated, span.shifted(by: delta))
        case .isIn(let value, let list, let negated, let span): return .isIn(move(value), move(list), negated: negated, span.shifted(by: delta))
        case .between(let value, let low, let high, let negated, let span):
            return .between(move(value), move(low), move(high), negated: negated, span.shifted(by: delta))
        case .like(let value, let pattern, let negated, let span): return .like(move(value), move(pattern), negated: negated, span.shifted(by: delta))
        case .startsWith(let value, let prefix, let anyOf, let negated, let span):
            return .startsWith(move(value), move(prefix), anyOf: anyOf, negated: negated, span.shifted(by: delta))
        case .invalid(let span): return .invalid(span.shifted(by: delta))
        }
    }
}

extension Template {
    func shifted(by delta: Int) -> Template {
        Template(parts: parts.map { part in
            if case .expression(let expression) = part { .expression(expression.shifted(by: delta)) } else { part }
        }, span: span.shifted(by: delta))
    }
}

extension LetBinding {
    func shifted(by delta: Int) -> LetBinding { LetBinding(name: name.shifted(by: delta), value: value.shifted(by: delta), comments: comments.shifted(by: delta)) }
}

extension Declaration {
    func shifted(by delta: Int) -> Declaration {
        func name(_ name: Name) -> Name { name.shifted(by: delta) }
        func expression(_ expression: Expression) -> Expression { expression.shifted(by: delta) }
        switch self {
        case .table(var table):
            table.name = name(table.name)
            table.keys = table.keys.map(name)
            table.columns = table.columns.map { column in
                var column = column
                column.name = name(column.name)
                column.typeSpan = column.typeSpan.shifted(by: delta)
                column.segments = column.segments.map(name)
                column.comments = column.comments.shifted(by: delta)
                column.formula = column.formula.map(expression)
                return column
            }
            return .table(table)
        case .param(var param):
            param.name = name(param.name)
            param.value = expression(param.value)
            return .param(param)
        case .preset(var preset):
            preset.name = name(preset.name)
            preset.settings = preset.settings.map { .init(name: name($0.name), value: expression($0.value), comments: $0.comments.shifted(by: delta)) }
            return .preset(preset)
        case .pathway(var pathway):
            pathway.name = name(pathway.name)
            return .pathway(pathway)
        case .rule(var rule):
            rule.id = name(rule.id)
            rule.pathway = rule.pathway.map(name)
            rule.severitySpan = rule.severitySpan?.shifted(by: delta)
            rule.table = rule.table.map(name)
            rule.groupKeys = rule.groupKeys.map(expression)
            rule.window = rule.window.map { GroupWindow(days: expression($0.days), date: expression($0.date), span: $0.span.shifted(by: delta)) }
            rule.filter = rule.filter.map(expression)
            rule.lets = rule.lets.map { $0.shifted(by: delta) }
            rule.condition = rule.condition.map(expression)
            rule.flags = rule.flags.map(expression)
            rule.message = rule.message?.shifted(by: delta)
            rule.fix = rule.fix?.shifted(by: delta)
            return .rule(rule)
        case .view(var view):
            view.name = name(view.name)
            view.table = view.table.map(name)
            view.groupKeys = view.groupKeys.map(expression)
            view.filter = view.filter.map(expression)
            view.lets = view.lets.map { $0.shifted(by: delta) }
            view.columns = view.columns.map { ViewColumn(name: name($0.name), title: $0.title, value: expression($0.value), comments: $0.comments.shifted(by: delta)) }
            view.order = view.order.map(name)
            return .view(view)
        case .indicator(var indicator):
            indicator.id = name(indicator.id)
            indicator.pathway = indicator.pathway.map(name)
            indicator.per = indicator.per.map(name)
            indicator.lets = indicator.lets.map { $0.shifted(by: delta) }
            indicator.measure = indicator.measure.map(expression)
            indicator.bands = indicator.bands.map { band in
                LevelBand(level: band.level, levelSpan: band.levelSpan.shifted(by: delta), comparison: band.comparison,
                          threshold: band.threshold.map(expression), comments: band.comments.shifted(by: delta))
            }
            return .indicator(indicator)
        case .goal(var goal):
            goal.id = name(goal.id)
            goal.indicator = goal.indicator.map(name)
            goal.target = goal.target.map(expression)
            goal.deadline = goal.deadline.map(expression)
            return .goal(goal)
        case .test(var test):
            test.nameSpan = test.nameSpan.shifted(by: delta)
            test.examples = test.examples.map { example in
                ExampleTable(table: name(example.table), headers: example.headers, headerSpans: example.headerSpans.map { $0.shifted(by: delta) },
                             rows: example.rows, span: example.span.shifted(by: delta))
            }
            test.expectations = test.expectations.map { expectation in
                var outcome = expectation.outcome
                switch outcome {
                case .flags(let row, let column): outcome = .flags(row: row, column: column.map(name))
                case .value(let row, let column, let value): outcome = .value(row: row, column: name(column), expression(value))
                case .flagsNothing, .says, .level, .notAssessed, .status: break
                }
                return Expectation(id: name(expectation.id), outcome: outcome, span: expectation.span.shifted(by: delta))
            }
            return .test(test)
        }
    }
}

extension DeclarationNode {
    func shifted(by delta: Int) -> DeclarationNode {
        DeclarationNode(declaration: declaration.shifted(by: delta), comments: comments.shifted(by: delta),
                        clauseComments: clauseComments.mapValues { $0.shifted(by: delta) }, span: span.shifted(by: delta))
    }
}

extension Diagnostic {
    func shifted(by delta: Int) -> Diagnostic { Diagnostic(severity, span.shifted(by: delta), message, hint: hint) }
}
