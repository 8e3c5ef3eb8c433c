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
    private(set) var diagnostics: [Diagnostic] = []
    /// Names used, to report the unused ones.
    private(set) var usedParams: Set<String> = []
    private(set) var usedBindings: Set<String> = []
    private(set) var usedTables: Set<String> = []

    init(tables: [String: TableSymbol], params: [String: (index: Int, type: ValueType, value: Expression)]) {
        self.tables = tables
        self.params = params
    }

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

    private func conditionHint(for expression: Expression, type: ValueType) -> String {
        switch type {
        case .money, .number, .percent: "Compare it with something, for example `\(shortText(expression)) > 0`."
        case .text, .code: "Compare it with something, for example `\(shortText(expression)) = \"TBD\"`, or test `\(shortText(expression)) is blank`."
        case .date: "Compare it with a date, for example `\(shortText(expression)) < 2025-07-01`."
        default: "Use a comparison such as `amount > 0` or a test such as `owner is blank`."
        }
    }

    private func shortText(_ expression: Expression) -> String {
        switch expression {
        case .name(let qualifier, let name): (qualifier.map { $0.text + "." } ?? "") + name.text
        case .header(let qualifier, let header, _): (qualifier.map { $0.text + "." } ?? "") + "[\(header)]"
        default: "value"
        }
    }

    private func invalid(_ span: SourceSpan) -> CheckedExpression { CheckedExpression(.invalid, .unknown, span) }

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
        case .number, .money, .percent, .text, .yesNo:
            let value = Literal.value(expression)
            return CheckedExpression(.literal(value ?? .blank), Literal.type(expression) ?? .unknown, span)
        case .date(let text, _):
            guard let value = Literal.value(expression) else {
                error(span, "`\(text)` is not a date that exists.", hint: "Dates are written year-month-day: 2027-06-30.")
                return invalid(span)
            }
            return CheckedExpression(.literal(value), .date, span)
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
        case .call(let name, let arguments, let filter, _):
            return checkCall(name, arguments, filter: filter, span: span, in: scope)
        }
    }

    private func isPlainName(_ expression: Expression) -> Bool {
        if case .name(nil, _) = expression { return true }
        return false
    }

    /// What follows `in`: a list written out, a list param, or a table's column.
    private mutating func checkMembers(_ list: Expression, in scope: Scope) -> (CheckedExpression.Members?, ValueType?) {
        switch list {
        case .list(let items, _):
            var values: [Value] = []
            var element: ValueType?
            for item in items {
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

    private mutating func checkBinary(_ op: String, _ left: Expression, _ right: Expression, _ span: SourceSpan, in scope: Scope) -> CheckedExpression {
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
            error(number.span, "\(subject), so \(formatNumber(value)) here means \(formatNumber(value * 100))%.",
                  hint: "Write it with a percent sign: \(formatNumber(value))%.")
        case .param(let index):
            guard let (name, param) = params.first(where: { $0.value.index == index }),
                  case .number(let text, _) = param.value, let value = Double(text), value >= 2 else { return }
            error(param.value.span, "The parameter \(name) is compared with a percentage, so \(text) means \(formatNumber(value * 100))%.",
                  hint: "Write it with a percent sign: param \(name) = \(text)%.")
        default:
            break
        }
    }

    private func comparisonHint(_ left: Expression, _ leftType: ValueType, _ right: Expression, _ rightType: ValueType) -> String? {
        for (side, otherType) in [(right, leftType), (left, rightType)] {
            guard case .text(let text, _) = side else { continue }
            if otherType == .date, QuotedValue.isDateLike(text) {
                return "Write the date without quotes: \(QuotedValue.isoDate(text) ?? text)."
            }
            if otherType == .money || otherType == .number || otherType == .percent, let number = QuotedValue.numberLike(text) {
                return "Write the \(otherType == .money ? "amount" : "number") without quotes: \(otherType == .money ? "$" : "")\(number)."
            }
        }
        return "Compare like with like: amounts with amounts, dates with dates, text with text."
    }

    // MARK: Names

    private mutating func resolve(qualifier: Name?, name: Name, in scope: Scope) -> CheckedExpression {
        let key = name.text.lowercased()
        let span = qualifier.map { $0.span.to(name.span) } ?? name.span
        if let qualifier {
            guard let table = tables[qualifier.text.lowercased()] else {
                if params[qualifier.text.lowercased()] != nil || scope.table?.column(qualifier.text) != nil {
                    error(qualifier.span, "`\(qualifier.text).\(name.text)`: only tables and views have columns after a dot.")
                } else {
                    let hint = Suggest.closest(qualifier.text, among: tables.values.map(\.name)).map { "Did you mean `\($0)`?" }
                        ?? "The tables and views are: \(nameList(tables.values.map(\.name).sorted()))."
                    error(qualifier.span, "There is no table or view named `\(qualifier.text)`.", hint: hint)
                }
                return invalid(span)
            }
            usedTables.insert(table.name.lowercased())
            guard let column = table.column(name.text) else {
                unknownColumn(name, in: table)
                return invalid(span)
            }
            return rowValue(column, of: table, span: span, written: "\(qualifier.text).\(name.text)", in: scope)
        }
        if let binding = scope.bindings[key] {
            usedBindings.insert(key)
            let value = CheckedExpression(.binding(binding.slot), binding.type, span)
            guard scope.aggregateRange != nil else { return value }
            if scope.totalsNamedTable { return CheckedExpression(.outer(value), binding.type, span) }
            if scope.isGrouped {
                error(span, "`\(name.text)` is worked out once per group, so it cannot be used inside a total over the group's rows.",
                      hint: "Use it outside the total, or write its formula inside instead.")
                return invalid(span)
            }
            return value
        }
        if let range = scope.aggregateRange {
            // Inside a total: a name alone is a column of the totalled rows, unless the total names
            // its table, when it is the outer row's (`SUM(sites.x where sites.level = level)`).
            if !scope.totalsNamedTable || scope.table == nil, let column = range.column(name.text) {
                return CheckedExpression(.column(column.name.lowercased()), column.type, span)
            }
            if scope.totalsNamedTable, scope.table != nil, params[key] == nil {
                let outer = resolve(qualifier: nil, name: name, in: scope.outside)
                if case .invalid = outer.node, range.column(name.text) != nil {
                    // The last diagnostic is about the outer row; say what was probably meant.
                    diagnostics.removeLast()
                    error(name.span, "Inside a total over \(range.name), a name without `\(range.name).` in front is this row's, and \(scope.owner) has no `\(name.text)` of its own.",
                          hint: "To use the totalled rows' value, write \(range.name).\(name.text).")
                }
                return outerValue(outer)
            }
        }
        // Otherwise it belongs to the row or group the formula is about.
        if let table = scope.table, let column = table.column(name.text) {
            if scope.isGrouped {
                if let position = scope.groupKeys.firstIndex(where: { if case .name(nil, let keyName) = $0 { keyName.text.lowercased() == key } else { false } }) {
                    return CheckedExpression(.groupKey(position), column.type, span)
                }
                error(name.span, "In \(scope.owner), `\(name.text)` has many values in each group.",
                      hint: "Use a total such as SUM(\(name.text)), MAX(\(name.text)) or COUNT(\(name.text)), or add \(name.text) to `by`.")
                return invalid(span)
            }
            return CheckedExpression(.column(column.name.lowercased()), column.type, span)
        }
        if let param = params[key] {
            usedParams.insert(key)
            if case .list = param.type {
                error(name.span, "`\(name.text)` is a list; a list can only follow `in`.", hint: "For example: object in \(name.text)")
                return invalid(span)
            }
            return CheckedExpression(.param(param.index), param.type, span)
        }
        unknownName(name, in: scope)
        return invalid(span)
    }

    private func outerValue(_ value: CheckedExpression) -> CheckedExpression {
        if case .invalid = value.node { return value }
        if case .param = value.node { return value }
        return CheckedExpression(.outer(value), value.type, value.span)
    }

    /// A column's value: fine inside a total over its rows or in its own row; elsewhere a
    /// column has many values, and the message says what to write instead.
    private mutating func rowValue(_ column: TableSymbol.Column, of table: TableSymbol, span: SourceSpan, written: String, in scope: Scope) -> CheckedExpression {
        let value = CheckedExpression(.column(column.name.lowercased()), column.type, span)
        if let range = scope.aggregateRange {
            if range.name == table.name { return value }
            if scope.table?.name == table.name {
                // The outer row's own column, inside a total over another table.
                return outerValue(rowValue(column, of: table, span: span, written: written, in: scope.outside))
            }
        } else if scope.table?.name == table.name && !scope.isGrouped && scope.allowsRowValues {
            return value
        }
        if scope.aggregateRange == nil && scope.isGrouped && scope.table?.name == table.name {
            error(span, "In \(scope.owner), `\(written)` has many values in each group.",
                  hint: "Use a total such as SUM(\(written)), MAX(\(written)) or COUNT(\(written)), or add \(written) to `by`.")
            return invalid(span)
        }
        if !scope.allowsRowValues && scope.aggregateRange == nil {
            error(span, "`\(written)` has one value per row; \(scope.owner) needs a single value.",
                  hint: "Wrap it in a total such as SUM(\(written)), AVERAGE(\(written)) or SHARE(…).")
            return invalid(span)
        }
        if let range = scope.aggregateRange {
            error(span, "A total runs over one table's rows, and this one totals \(range.name), so it cannot also read `\(written)`.",
                  hint: table.keys.first.map { "To take the value from the matching row, write LOOKUP(\(written), \($0))." } ?? "Work it out in a view first.")
            return invalid(span)
        }
        let key = table.keys.first
        error(span, "`\(written)` is a column of another \(table.kindName), which has many rows.",
              hint: key.map { "To take the value from the matching row, write LOOKUP(\(written), \($0))." }
                ?? "Use it inside a total such as SUM(\(written) where …).")
        return invalid(span)
    }

    private mutating func resolveHeader(qualifier: Name?, header: String, span: SourceSpan, in scope: Scope) -> CheckedExpression {
        let table: TableSymbol?
        if let qualifier {
            table = tables[qualifier.text.lowercased()]
            if table == nil {
                error(qualifier.span, "There is no table or view named `\(qualifier.text)`.")
                return invalid(span)
            }
        } else {
            table = scope.totalsNamedTable ? scope.table : scope.aggregateRange ?? scope.table
        }
        guard let table else {
            error(span, "`[\(header)]` names a column by its header, but \(scope.owner) has no table.",
                  hint: "Qualify it with its table: transactions.[\(header)].")
            return invalid(span)
        }
        guard let column = table.column(header: header) else {
            let suggestion = Suggest.closest(header, among: table.allHeaders)
            error(span, "\(table.kindTitle) \(table.name) has no column with the header `\(header)`.",
                  hint: (suggestion.map { "Did you mean [\($0)]? " } ?? "") + "Its headers are: \(nameList(table.allHeaders)).")
            return invalid(span)
        }
        // `[Budget Owner]` is the column whose header it is: resolved as if written by name.
        let named = Name(text: column.name, span: span)
        return resolve(qualifier: qualifier.map { Name(text: $0.text, span: $0.span) }, name: named, in: scope)
    }

    private mutating func unknownColumn(_ name: Name, in table: TableSymbol) {
        let suggestion = Suggest.closest(name.text, among: table.columns.map(\.name))
        error(name.span, "\(table.kindTitle) \(table.name) has no column `\(name.text)`.",
              hint: (suggestion.map { "Did you mean `\($0)`? " } ?? "") + "Its columns are: \(nameList(table.columns.map(\.name))).")
    }

    private mutating func unknownName(_ name: Name, in scope: Scope) {
        var candidates = Array(scope.bindings.keys) + Array(params.keys)
        if let table = scope.aggregateRange ?? scope.table { candidates += table.columns.map(\.name) }
        if let suggestion = Suggest.closest(name.text, among: candidates) {
            error(name.span, "There is no column or value named `\(name.text)` in \(scope.owner).", hint: "Did you mean `\(suggestion)`?")
            return
        }
        if tables[name.text.lowercased()] != nil {
            error(name.span, "`\(name.text)` is a table; a formula needs one of its columns.", hint: "Write \(name.text).column, for example inside SUM(…).")
            return
        }
        // A column of another table, used as if it were this row's: point at LOOKUP, with the
        // key this row shares with that table when there is one.
        if let table = scope.table, scope.aggregateRange == nil,
           let other = tables.values.sorted(by: { ($0.isView ? 1 : 0, $0.name) < ($1.isView ? 1 : 0, $1.name) }).first(where: { $0.name != table.name && !$0.keys.isEmpty && $0.column(name.text) != nil }) {
            let lookup = table.column(other.keys[0]) != nil ? "LOOKUP(\(other.name).\(name.text), \(other.keys[0]))"
                : "LOOKUP(\(other.name).\(name.text), column), naming this row's column that holds the \(other.name) \(other.keys[0])"
            error(name.span, "`\(name.text)` is a column of \(other.name), not of \(table.name), so \(scope.owner) cannot use it directly.",
                  hint: "To use the value from this row's \(other.name) row, write \(lookup).")
            return
        }
        if let table = scope.table {
            error(name.span, "There is no column or value named `\(name.text)` in \(scope.owner).",
                  hint: "\(table.kindTitle) \(table.name) has: \(nameList(table.columns.map(\.name))).")
        } else {
            error(name.span, "There is no value named `\(name.text)` in \(scope.owner).",
                  hint: "Columns must be qualified here, as in transactions.amount, inside a total such as SUM(…).")
        }
    }

    // MARK: Functions

    private static let excelEquivalents: [String: String] = [
        "VLOOKUP": "Use LOOKUP(table.column, key), for example LOOKUP(sites.enrollment, site).",
        "HLOOKUP": "Use LOOKUP(table.column, key), for example LOOKUP(sites.enrollment, site).",
        "XLOOKUP": "Use LOOKUP(table.column, key), for example LOOKUP(sites.enrollment, site).",
        "SUMIF": "Use SUM with `where`: SUM(amount where vendor = \"Acme\").",
        "SUMIFS": "Use SUM with `where`: SUM(amount where vendor = \"Acme\" and amount > 0).",
        "COUNTIF": "Use COUNT with `where`: COUNT(where amount > $1,000).",
        "COUNTIFS": "Use COUNT with `where`: COUNT(where amount > $1,000 and owner is blank).",
        "AVERAGEIF": "Use AVERAGE with `where`: AVERAGE(amount where object = \"6411\").",
        "ISBLANK": "Write `owner is blank` (or `owner is not blank`).",
        "NOW": "Use TODAY(), the run's as-of date.",
        "CONCATENATE": "Join texts with `&`: vendor & \" \" & account.",
        "CONCAT": "Join texts with `&`: vendor & \" \" & account.",
        "AND": "Write `and` between the conditions: amount > 0 and owner is blank.",
        "OR": "Write `or` between the conditions: status = \"Closed\" or status = \"Void\".",
        "NOT": "Write `not` before the condition: not (amount > 0).",
        "IFERROR": "Pathways never shows formula errors: a division by zero or blank gives a blank, which `is blank` can test.",
        "STDEV.S": "Use STDEV(values).",
        "STDEV.P": "Use STDEVP(values).",
        "AVG": "Use AVERAGE(values).",
        "MEAN": "Use AVERAGE(values).",
        "ROUNDUP": "Use ROUND(value, digits), which rounds to the nearest, halves away from zero.",
        "ROUNDDOWN": "Use ROUND(value, digits), which rounds to the nearest, halves away from zero.",
        "INT": "Use ROUND(value, 0), which rounds to the nearest whole number.",
        "COUNTA": "Use COUNT(column), which counts the rows where the column is not blank.",
    ]

    private mutating func checkCall(_ name: Name, _ arguments: [Expression], filter: Expression?, span: SourceSpan, in scope: Scope) -> CheckedExpression {
        guard let spec = FunctionCatalogue.named(name.text) else {
            let upper = name.text.uppercased()
            if let hint = ExpressionChecker.excelEquivalents[upper] {
                error(name.span, "Pathways has no \(upper) function.", hint: hint)
            } else if let suggestion = Suggest.closest(upper, among: FunctionCatalogue.all.map(\.name)) {
                error(name.span, "There is no function `\(name.text)`.", hint: "Did you mean \(suggestion)? `pathways functions` lists them all.")
            } else {
                error(name.span, "There is no function `\(name.text)`.", hint: "`pathways functions` lists the functions a formula can use.")
            }
            // Its values are not checked: what they should be depends on the function meant.
            return invalid(span)
        }
        guard spec.arity.contains(arguments.count) else {
            let expected = spec.arity.lowerBound == spec.arity.upperBound ? "\(spec.arity.lowerBound)" :
                spec.arity.upperBound == 255 ? "at least \(spec.arity.lowerBound)" : "\(spec.arity.lowerBound) or \(spec.arity.upperBound)"
            error(span, "\(spec.name) takes \(expected) value\(expected == "1" ? "" : "s"), but \(arguments.count) \(arguments.count == 1 ? "was" : "were") given.",
                  hint: "Write it as \(spec.usage).")
            return invalid(span)
        }
        if spec.function == .lookup { return checkLookup(arguments, span: span, in: scope) }
        // MIN and MAX of several values compare them; of one, they total over rows.
        let totals = spec.totalsRows(given: arguments.count)
        var inner = scope
        var range = CheckedExpression.Total.Range.ownRows
        if totals {
            if scope.aggregateRange != nil {
                error(name.span, "\(spec.name) cannot go inside another total.", hint: "Compute the inner total in a `view` and total that view's column.")
                return invalid(span)
            }
            if let named = firstQualifiedTable(arguments + (filter.map { [$0] } ?? [])) {
                inner.aggregateRange = named
                inner.totalsNamedTable = true
                range = .table(named.name.lowercased())
            } else if let own = scope.table {
                inner.aggregateRange = own
            } else {
                let example = spec.function == .share ? "SHARE(transactions.owner is blank)" : spec.function == .count ? "COUNT(where transactions.amount > 0)"
                    : "\(spec.name)(transactions.amount)"
                error(span, "\(spec.name) needs to know which rows to total, and \(scope.owner) has no table.",
                      hint: "Name the table in front of each column: \(example).")
                return invalid(span)
            }
            usedTables.insert(inner.aggregateRange!.name.lowercased())
        } else if filter != nil {
            error(filter!.span, "Only totals such as SUM and COUNT take `where`; \(spec.name) works on one value.")
        }
        var checkedArguments: [CheckedExpression] = []
        var argumentsFit = true
        for (position, argument) in arguments.enumerated() {
            let checked = check(argument, in: inner)
            checkedArguments.append(checked)
            let parameter = spec.arguments[min(position, spec.arguments.count - 1)]
            if !parameter.accepts.accepts(checked.type) {
                error(argument.span, "\(spec.name)'s \(parameter.name) must be \(parameter.accepts.description), but this is \(checked.type).",
                      hint: "Write it as \(spec.usage).")
                argumentsFit = false
            }
        }
        if !argumentsFit { return invalid(span) }
        let types = checkedArguments.map(\.type)
        // A condition is yes or no, never blank, so COUNT of one counts every row.
        if spec.function == .count, let argument = arguments.first, types.first == .yesNo {
            let condition = RuleFormatter.text(argument)
            error(argument.span, "COUNT(\(condition)) counts every row: COUNT counts values that are not blank, and a condition is never blank.",
                  hint: "To count the rows where it holds, write COUNT(where \(filter.map { "(\(condition)) and (\(RuleFormatter.text($0)))" } ?? condition)).")
        }
        let checkedFilter = filter.map { checkCondition($0, in: inner, what: "The `where` of \(spec.name)") }
        if spec.function == .if, types.count == 3, !types[1].isComparable(with: types[2]) {
            error(span, "IF gives \(types[1]) in one case and \(types[2]) in the other; both must be the same kind of value.")
        }
        if (spec.function == .min || spec.function == .max), let first = types.first, let odd = types.first(where: { !$0.isComparable(with: first) }) {
            error(span, "\(spec.name) compares \(first) with \(odd); they must be the same kind of value.")
        }
        let type: ValueType
        switch spec.result {
        case .fixed(let fixed): type = fixed
        case .sameAs(let position): type = position < types.count ? types[position] : .unknown
        }
        guard totals else { return CheckedExpression(.call(spec.function, checkedArguments), type, span) }
        if case .table(let table) = range, scope.table != nil {
            checkTotalReadsItsRows(spec, arguments: zip(arguments, checkedArguments), filter: filter.map { ($0, checkedFilter!) }, table: table)
        }
        let total = CheckedExpression.Total(function: spec.function, arguments: checkedArguments, filter: checkedFilter, range: range,
                                            written: .call(name, arguments, filter: filter, span))
        return CheckedExpression(.total(total), type, span)
    }

    /// In a total that names its table, a name without it is the outer row's. Adding up the outer
    /// row's value, or a `where` that never looks at the totalled rows, is then surely a mistake:
    /// `AVERAGE(sites.x where level = "ES")` keeps every row or none.
    private mutating func checkTotalReadsItsRows(_ spec: FunctionSpec, arguments: some Sequence<(Expression, CheckedExpression)>,
                                                 filter: (Expression, CheckedExpression)?, table: String) {
        let tableName = tables[table]?.name ?? table
        for (written, checked) in arguments where checked.readsOuter {
            let example = if case .name(nil, let name) = written { "\(tableName).\(name.text)" } else { "\(tableName).column" }
            error(written.span, "\(spec.name)'s values come from the rows of \(tableName) it totals, but this reads the row outside the total.",
                  hint: "A name without `\(tableName).` in front is this row's here, because the total names columns of \(tableName); to total the rows, write \(example).")
        }
        guard let (_, condition) = filter else { return }
        for part in condition.conjuncts where part.readsOuter && !part.readsTotalledRows {
            error(part.span, "This condition looks only at the row outside the total, not at the rows of \(tableName) it totals, so it keeps all of them or none.",
                  hint: "To test the totalled rows, write \(tableName). in front of their columns.")
        }
    }

    /// The table a total's values name (`transactions.amount`): the rows it runs over.
    private func firstQualifiedTable(_ expressions: [Expression]) -> TableSymbol? {
        for expression in expressions {
            if let table = qualifiedTable(in: expression) { return table }
        }
        return nil
    }

    private func qualifiedTable(in expression: Expression) -> TableSymbol? {
        switch expression {
        case .name(let qualifier?, _), .header(let qualifier?, _, _): return tables[qualifier.text.lowercased()]
        // LOOKUP's first value names its own table; `in sites.site` a whole column.
        case .call(let name, let arguments, _, _) where name.text.uppercased() == "LOOKUP" && arguments.count == 2: return qualifiedTable(in: arguments[1])
        case .isIn(let value, .name(_?, _), _, _): return qualifiedTable(in: value)
        default: return expression.parts.lazy.compactMap { qualifiedTable(in: $0) }.first
        }
    }

    private mutating func checkLookup(_ arguments: [Expression], span: SourceSpan, in scope: Scope) -> CheckedExpression {
        var target: (TableSymbol, TableSymbol.Column)?
        switch arguments[0] {
        case .name(let qualifier?, let name):
            if let table = tables[qualifier.text.lowercased()] {
                usedTables.insert(table.name.lowercased())
                if let column = table.column(name.text) { target = (table, column) } else { unknownColumn(name, in: table) }
            } else {
                error(qualifier.span, "There is no table or view named `\(qualifier.text)`.")
            }
        case .header(let qualifier?, let header, let headerSpan):
            if let table = tables[qualifier.text.lowercased()], let column = table.column(header: header) {
                usedTables.insert(table.name.lowercased())
                target = (table, column)
            } else {
                error(headerSpan, "There is no column [\(header)] in `\(qualifier.text)`.")
            }
        default:
            error(arguments[0].span, "LOOKUP's first value names the column to fetch, with its table: LOOKUP(sites.enrollment, site).")
        }
        let key = check(arguments[1], in: scope)
        guard let (table, column) = target else { return invalid(span) }
        guard let keyName = table.keys.first, let keyColumn = table.column(keyName) else {
            error(arguments[0].span, "LOOKUP needs \(table.name) to have a key column to match on.",
                  hint: "Add a `key` line to \(table.kindName) \(table.name), for example: key site.")
            return invalid(span)
        }
        if !key.type.isComparable(with: keyColumn.type) {
            error(arguments[1].span, "This is matched against \(table.name).\(keyName), which is \(keyColumn.type), but it is \(key.type).")
        }
        return CheckedExpression(.lookup(table: table.name.lowercased(), column: column.name.lowercased(), keyColumn: keyColumn.name.lowercased(), key: key),
                                 column.type, span)
    }
}

extension CheckedExpression {
    /// The formulas directly inside this one.
    public var parts: [CheckedExpression] {
        switch node {
        case .unary(_, let operand), .isBlank(let operand, _), .isIn(let operand, _, _): [operand]
        case .binary(_, let left, let right, _), .like(let left, let right, _): [left, right]
        case .between(let value, let low, let high, _): [value, low, high]
        case .call(_, let arguments): arguments
        case .lookup(_, _, _, let key): [key]
        case .total(let total): total.arguments + (total.filter.map { [$0] } ?? [])
        default: []
        }
    }

    /// Whether it reads the row or group outside a total (an `outer` value).
    public var readsOuter: Bool {
        if case .outer = node { return true }
        return parts.contains { $0.readsOuter }
    }

    /// Whether it reads a column of the rows it is evaluated on (outside any `outer` value).
    public var readsTotalledRows: Bool {
        if case .column = node { return true }
        if case .outer = node { return false }
        return parts.contains { $0.readsTotalledRows }
    }

    /// The conditions joined by `and`.
    public var conjuncts: [CheckedExpression] {
        if case .binary(.and, let left, let right, _) = node { return left.conjuncts + right.conjuncts }
        return [self]
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

extension CheckedExpression {
    /// The totals (SUM, COUNT, …) a formula uses, outermost first, each once.
    var totals: [CheckedExpression] {
        var found: [CheckedExpression] = []
        func collect(_ expression: CheckedExpression) {
            if case .total(let total) = expression.node {
                if !found.contains(where: { if case .total(let other) = $0.node { other.text == total.text } else { false } }) { found.append(expression) }
                return
            }
            expression.parts.forEach(collect)
        }
        collect(self)
        return found
    }
}
