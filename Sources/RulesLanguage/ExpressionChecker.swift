import Tabular

/// Where a formula is being checked: which rows its names refer to, and what else is in scope.
struct Scope {
    /// What the formula is part of, for messages: "rule BO-05".
    var owner: String
    /// The table or view whose row a bare column name means.
    var table: TableSymbol?
    /// Group keys of a grouped rule or view: outside totals only these (and lets) may be used.
    var groupKeys: [Expression] = []
    /// Names bound by `let` or by a view's earlier columns: their slot and type.
    var bindings: [String: (slot: Int, type: ValueType)] = [:]
    /// Inside a total: the rows it runs over.
    var aggregateRange: TableSymbol?
    /// Inside a total that names its table (`SUM(sites.enrollment where …)`): names without a
    /// table in front are the outer row's or group's, not the totalled row's.
    var totalsNamedTable = false
    /// Whether row values may appear outside a total (false in an indicator's measure).
    var allowsRowValues = true

    var isGrouped: Bool { !groupKeys.isEmpty }

    /// The scope outside the total being checked.
    var outside: Scope {
        var scope = self
        scope.aggregateRange = nil
        scope.totalsNamedTable = false
        return scope
    }
}

/// Type-checks formulas and resolves their names, giving each its checked form.
struct ExpressionChecker {
    /// Tables and views known so far (views are added as they are checked).
    var tables: [String: TableSymbol]
    /// Each param's position among the rule set's params, type and value as written.
    let params: [String: (index: Int, type: ValueType, value: Expression)]
    var diagnostics: [Diagnostic] = []
    /// Names used, to report the unused ones.
    var usedParams: Set<String> = []
    var usedBindings: Set<String> = []
    var usedTables: Set<String> = []

    /// The rule files, to quote what a trainer wrote.
    let files: [SourceFile]

    init(tables: [String: TableSymbol], params: [String: (index: Int, type: ValueType, value: Expression)], files: [SourceFile]) {
        self.tables = tables
        self.params = params
        self.files = files
    }

    /// A formula or value exactly as the trainer wrote it.
    func written(_ span: SourceSpan) -> String { files[span.file].slice(span) }

    mutating func error(_ span: SourceSpan, _ message: String, hint: String? = nil) {
        diagnostics.append(Diagnostic(.error, span, message, hint: hint))
    }

    /// Checks that a formula is a condition.
    mutating func checkCondition(_ expression: Expression, in scope: Scope, what: String) -> CheckedExpression {
        let checked = check(expression, in: scope)
        if checked.type != .yesNo && checked.type != .unknown {
            error(expression.span, "\(what) must be a condition (yes or no), but this is \(checked.type).",
                  hint: conditionHint(for: expression, type: checked.type))
        }
        return checked
    }

    func conditionHint(for expression: Expression, type: ValueType) -> String {
        switch type {
        case .money, .number, .percent: "Compare it with something, for example `\(shortText(expression)) > 0`."
        case .text, .code: "Compare it with something, for example `\(shortText(expression)) = \"TBD\"`, or test `\(shortText(expression)) is blank`."
        case .date: "Compare it with a date, for example `\(shortText(expression)) < 2025-07-01`."
        default: "Use a comparison such as `amount > 0` or a test such as `owner is blank`."
        }
    }

    func shortText(_ expression: Expression) -> String {
        switch expression {
        case .name(let qualifier, let name): (qualifier.map { $0.text + "." } ?? "") + name.text
        case .header(let qualifier, let header, _): (qualifier.map { $0.text + "." } ?? "") + "[\(header)]"
        default: "value"
        }
    }

    func invalid(_ span: SourceSpan) -> CheckedExpression { CheckedExpression(.invalid, .unknown, span) }

    // MARK: Expressions

    mutating func check(_ expression: Expression, in scope: Scope) -> CheckedExpression {
        if scope.isGrouped && scope.aggregateRange == nil, let position = scope.groupKeys.firstIndex(of: expression), !isPlainName(expression) {
            // A key written out again (`WEEKNUM(posted)`) has one value per group.
            var rowScope = scope
            rowScope.groupKeys = []
            return CheckedExpression(.groupKey(position), check(expression, in: rowScope).type, expression.span)
        }
        let span = expression.span
        switch expression {
        case .number, .money, .percent, .date, .text, .yesNo:
            // A value that cannot be read is a mistake here, never a blank at run time.
            guard let value = Literal.value(expression), let type = Literal.type(expression) else {
                let (message, hint) = Literal.problem(expression, as: written(span)) ?? ("This value cannot be read.", "")
                error(span, message, hint: hint)
                return invalid(span)
            }
            return CheckedExpression(.literal(value), type, span)
        case .invalid:
            return invalid(span)
        case .name(let qualifier, let name):
            return resolve(qualifier: qualifier, name: name, in: scope)
        case .header(let qualifier, let header, let headerSpan):
            return resolveHeader(qualifier: qualifier, header: header, span: headerSpan, in: scope)
        case .list(let items, _):
            error(span, "A list in brackets can only follow `in`, as in object in (\"890\", \"899\").",
                  hint: "To compare with one value, use `=`.")
            _ = items.map { check($0, in: scope) }
            return invalid(span)
        case .unary(let op, let operand, _):
            let inner = check(operand, in: scope)
            if op == "not" {
                if inner.type != .yesNo && inner.type != .unknown {
                    error(span, "`not` turns a condition around, but this is \(inner.type).", hint: conditionHint(for: operand, type: inner.type))
                }
                return CheckedExpression(.unary(.not, inner), .yesNo, span)
            }
            if !inner.type.isNumeric {
                error(span, "Only numbers and amounts can be negative; this is \(inner.type).")
                return invalid(span)
            }
            if case .literal(let value) = inner.node, let negated = Literal.negated(value) {
                return CheckedExpression(.literal(negated), inner.type, span)
            }
            return CheckedExpression(.unary(.negate, inner), inner.type, span)
        case .binary(let op, let left, let right, _):
            return checkBinary(op, left, right, span, in: scope)
        case .isBlank(let operand, let negated, _):
            // A list param is blank when it lists nothing: `catch_all is not blank` asks whether
            // the chart of accounts has a catch-all at all (New York's has none).
            if case .name(nil, let name) = operand, scope.bindings[name.text.lowercased()] == nil, scope.table?.column(name.text) == nil,
               let param = params[name.text.lowercased()], case .list = param.type {
                usedParams.insert(name.text.lowercased())
                return CheckedExpression(.isBlank(CheckedExpression(.param(param.index), param.type, operand.span), negated: negated), .yesNo, span)
            }
            return CheckedExpression(.isBlank(check(operand, in: scope), negated: negated), .yesNo, span)
        case .isIn(let value, let list, let negated, _):
            let checkedValue = check(value, in: scope)
            let (members, element) = checkMembers(list, in: scope)
            if let element, !checkedValue.type.isComparable(with: element) {
                error(span, "This checks whether \(checkedValue.type) is in a list of \(element.plural), which can never be.",
                      hint: "Compare like with like: codes with codes, amounts with amounts.")
            }
            guard let members else { return invalid(span) }
            return CheckedExpression(.isIn(checkedValue, members, negated: negated), .yesNo, span)
        case .between(let value, let low, let high, let negated, _):
            let parts = [check(value, in: scope), check(low, in: scope), check(high, in: scope)]
            let types = parts.map(\.type)
            if !(types[0].isComparable(with: types[1]) && types[0].isComparable(with: types[2])) {
                error(span, "`between` compares \(types[0]) with \(types[1]) and \(types[2]); they must be the same kind of value.")
            } else if types[0] == .text || types[0] == .yesNo {
                error(span, "`between` needs numbers, amounts, percentages or dates, not \(types[0]).")
            } else if case .literal(let lowest) = parts[1].node, case .literal(let highest) = parts[2].node, Literal.isAfter(lowest, highest) {
                error(span, "Nothing is between \(written(low.span)) and \(written(high.span)): the lower value comes first.",
                      hint: "Write it as between \(written(high.span)) and \(written(low.span)).")
            }
            return CheckedExpression(.between(parts[0], parts[1], parts[2], negated: negated), .yesNo, span)
        case .like(let value, let pattern, let negated, _):
            let checkedValue = check(value, in: scope)
            let checkedPattern = check(pattern, in: scope)
            if !checkedValue.type.isTextual {
                error(value.span, "`like` matches text, but this is \(checkedValue.type).", hint: "Use `like` with codes and text, for example object like \"63*\".")
            }
            if !checkedPattern.type.isTextual {
                error(pattern.span, "The pattern after `like` must be a text in quotes, such as \"63*\".")
            }
            return CheckedExpression(.like(checkedValue, checkedPattern, negated: negated), .yesNo, span)
        case .startsWith(let value, let prefixes, let anyOf, let negated, _):
            let checkedValue = check(value, in: scope)
            if !checkedValue.type.isTextual {
                error(value.span, "`starts with` looks at the start of a code or text, but this is \(checkedValue.type).",
                      hint: "Use it with codes, for example object starts with any of personnel_objects.")
            }
            // One text is a list of one: `starts with "61"`.
            let list: Expression = if case .text = prefixes, !anyOf { .list([prefixes], prefixes.span) } else { prefixes }
            let (members, element) = checkMembers(list, in: scope)
            if let element, !element.isTextual {
                error(prefixes.span, "A code starts with codes or texts, but these are \(element.plural).",
                      hint: "Write the starts in quotes: object starts with any of (\"61\", \"62\").")
            }
            guard let members else { return invalid(span) }
            return CheckedExpression(.startsWith(checkedValue, members, negated: negated), .yesNo, span)
        case .call(let name, let arguments, let filter, _):
            return checkCall(name, arguments, filter: filter, span: span, in: scope)
        }
    }

    func isPlainName(_ expression: Expression) -> Bool {
        if case .name(nil, _) = expression { return true }
        return false
    }

    /// What follows `in`: a list written out, a list param, or a table's column.
    mutating func checkMembers(_ list: Expression, in scope: Scope) -> (CheckedExpression.Members?, ValueType?) {
        switch list {
        case .list(let items, _):
            var values: [Value] = []
            var element: ValueType?
            for item in items {
                if let (message, hint) = Literal.problem(item, as: written(item.span)) {
                    error(item.span, message, hint: hint)
                    return (nil, nil)
                }
                guard let value = Literal.value(item), let type = Literal.type(item) else {
                    error(item.span, "A list after `in` is written out: numbers, amounts, dates or texts in quotes.",
                          hint: "To test against another table's values, write `in sites.site`.")
                    return (nil, nil)
                }
                if let first = element, !type.isComparable(with: first) {
                    error(item.span, "A list must hold one kind of value, but this is \(type) among \(first.plural).")
                    return (nil, nil)
                }
                element = element == .code ? .code : type
                values.append(value)
            }
            return (.values(values), element)
        case .name(let qualifier?, let name):
            // `in sites.site`: every value of another table's column.
            guard let table = tables[qualifier.text.lowercased()] else {
                _ = resolve(qualifier: qualifier, name: name, in: scope)
                return (nil, nil)
            }
            usedTables.insert(table.name.lowercased())
            guard let column = table.column(name.text) else {
                unknownColumn(name, in: table)
                return (nil, nil)
            }
            return (.column(table: table.name.lowercased(), column: column.name.lowercased()), column.type)
        case .name(nil, let name) where scope.bindings[name.text.lowercased()] == nil && params[name.text.lowercased()] != nil:
            let param = params[name.text.lowercased()]!
            usedParams.insert(name.text.lowercased())
            guard case .list(let element) = param.type else {
                error(list.span, "`in` needs a list, such as (\"890\", \"6399\"), a list parameter, or another table's column, but \(name.text) is \(param.type).",
                      hint: "To compare with one value, use `=`.")
                return (nil, nil)
            }
            return (.param(param.index), element)
        default:
            let checked = check(list, in: scope)
            if checked.type != .unknown {
                error(list.span, "`in` needs a list, such as (\"890\", \"6399\"), a list parameter, or another table's column, but this is \(checked.type).",
                      hint: "To compare with one value, use `=`.")
            }
            return (nil, nil)
        }
    }

    mutating func checkBinary(_ op: String, _ left: Expression, _ right: Expression, _ span: SourceSpan, in scope: Scope) -> CheckedExpression {
        let lhs = check(left, in: scope)
        let rhs = check(right, in: scope)
        guard let operation = BinaryOperator(rawValue: op) else { return invalid(span) }
        func result(_ type: ValueType) -> CheckedExpression {
            CheckedExpression(.binary(operation, lhs, rhs, blankIsZero: (lhs.isCellValue, rhs.isCellValue)), type, span)
        }
        let leftType = lhs.type, rightType = rhs.type
        if leftType == .unknown || rightType == .unknown {
            switch operation {
            case .and, .or, .equal, .notEqual, .less, .greater, .lessOrEqual, .greaterOrEqual: return result(.yesNo)
            case .concatenate: return result(.text)
            // A product or quotient's type depends on both sides: money / money is a ratio.
            case .multiply, .divide, .power: return result(.unknown)
            default: return result(leftType == .unknown ? rightType : leftType)
            }
        }
        switch operation {
        case .and, .or:
            for (side, type) in [(left, leftType), (right, rightType)] where type != .yesNo {
                error(side.span, "`\(op)` joins conditions, but this is \(type).", hint: conditionHint(for: side, type: type))
            }
            return result(.yesNo)
        case .equal, .notEqual, .less, .greater, .lessOrEqual, .greaterOrEqual:
            if !leftType.isComparable(with: rightType) {
                error(span, "This compares \(leftType) with \(rightType), which can never match.",
                      hint: comparisonHint(left, leftType, right, rightType))
            } else if operation != .equal && operation != .notEqual && (leftType == .yesNo || leftType.isList) {
                error(span, "Only numbers, amounts, percentages, dates and text can be put in order with `\(op)`.")
            } else {
                checkPercentWrittenAsNumber(lhs, against: rhs)
                checkPercentWrittenAsNumber(rhs, against: lhs)
            }
            return result(.yesNo)
        case .concatenate:
            return result(.text)
        case .add, .subtract, .multiply, .divide, .power:
            if let type = OperatorCatalogue.result(of: operation, leftType, rightType) { return result(type) }
            switch operation {
            case .add, .subtract:
                error(span, "\(leftType.capitalized) and \(rightType) cannot be \(operation == .add ? "added" : "subtracted").",
                      hint: leftType.isTextual || rightType.isTextual ? "To join texts use `&`: vendor & \" \" & account." : nil)
            case .multiply where leftType == .money && rightType == .money:
                error(span, "Multiplying two amounts of money gives no meaningful amount.", hint: "Multiply an amount by a number or a percentage.")
            case .multiply:
                error(span, "\(leftType.capitalized) and \(rightType) cannot be multiplied.")
            case .divide:
                error(span, "\(leftType.capitalized) cannot be divided by \(rightType).")
            default:
                error(span, "Only numbers can be raised to a power, not \(leftType == .number ? rightType : leftType).")
            }
            return invalid(span)
        }
    }

    /// A percentage compared with a whole number of 2 or more written without `%` (95 for 95%)
    /// would compare with 9,500%: said at the number, or at the param's value.
    mutating func checkPercentWrittenAsNumber(_ number: CheckedExpression, against other: CheckedExpression,
                                              subject: String = "This is compared with a percentage") {
        guard other.type == .percent, number.type == .number else { return }
        switch number.node {
        case .literal(.number(let value)) where value >= 2:
            error(number.span, "\(subject), so \(formatNumber(value)) here means \(grouped(value * 100))%.",
                  hint: "Write it with a percent sign: \(formatNumber(value))%.")
        case .param(let index):
            guard let (name, param) = params.first(where: { $0.value.index == index }),
                  case .number(let text, _) = param.value, let value = Double(text), value >= 2 else { return }
            error(param.value.span, "The parameter \(name) is compared with a percentage, so \(text) means \(grouped(value * 100))%.",
                  hint: "Write it with a percent sign: param \(name) = \(text)%.")
        default:
            break
        }
    }

    /// A number as a finance officer writes it: 9,500.
    func grouped(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? formatCount(Int(number)) : formatNumber(number)
    }

    func comparisonHint(_ left: Expression, _ leftType: ValueType, _ right: Expression, _ rightType: ValueType) -> String? {
        for (side, otherType) in [(right, leftType), (left, rightType)] {
            guard case .text(let text, _) = side else { continue }
            if otherType == .date, QuotedValue.isDateLike(text) {
                return "Write the date without quotes: \(QuotedValue.isoDate(text) ?? text)."
            }
            if otherType == .yesNo, ["yes", "no", "true", "false", "y", "n"].contains(text.lowercased()) {
                return "Write \(["yes", "true", "y"].contains(text.lowercased()) ? "yes" : "no") without quotes."
            }
            if otherType == .money || otherType == .number || otherType == .percent, let number = QuotedValue.numberLike(text) {
                return "Write the \(otherType == .money ? "amount" : "number") without quotes: \(otherType == .money ? "$" : "")\(number)."
            }
        }
        return "Compare like with like: amounts with amounts, dates with dates, text with text."
    }
}

extension ValueType {
    var isList: Bool { if case .list = self { true } else { false } }
    var capitalized: String { description.prefix(1).uppercased() + description.dropFirst() }
}

/// Recognising values a trainer put in quotes by mistake.
enum QuotedValue {
    static func isDateLike(_ text: String) -> Bool { isoDate(text) != nil }

    /// `"2025-07-01"` or `"07/01/2025"` as 2025-07-01.
    static func isoDate(_ text: String) -> String? {
        let trimmed = text.trimmingSpaces
        let dashed = trimmed.split(separator: "-")
        if dashed.count == 3, dashed[0].count == 4, dashed.allSatisfy({ Int($0) != nil }) { return trimmed }
        let slashed = trimmed.split(separator: "/")
        if slashed.count == 3, let month = Int(slashed[0]), let day = Int(slashed[1]), let year = Int(slashed[2]), year > 999 {
            return "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
        }
        return nil
    }

    /// `"$5,000"` or `"5000"` as 5,000.
    static func numberLike(_ text: String) -> String? {
        let stripped = text.trimmingSpaces.filter { $0 != "$" }
        guard !stripped.isEmpty, stripped.allSatisfy({ $0.isNumber || $0 == "," || $0 == "." }) else { return nil }
        return stripped
    }
}
