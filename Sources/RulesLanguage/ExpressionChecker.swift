/// Where a formula is being checked: which rows its names refer to, and what else is in scope.
struct Scope {
    /// What the formula is part of, for messages: "rule BO-05".
    var owner: String
    /// The table or view whose row a bare column name means.
    var table: TableSymbol?
    /// Group keys of a grouped rule or view: outside aggregates only these (and lets) may be used.
    var groupKeys: [Expression] = []
    /// Names bound by `let` or by a view's earlier columns, one value per row or group.
    var bindings: [String: ValueType] = [:]
    /// Inside an aggregate: the rows it runs over.
    var aggregateRange: TableSymbol?
    /// Whether row values may appear outside an aggregate (false in an indicator's measure).
    var allowsRowValues = true

    var isGrouped: Bool { !groupKeys.isEmpty }
}

/// Type-checks formulas and resolves their names.
struct ExpressionChecker {
    /// Tables and views known so far (views are added as they are checked).
    var tables: [String: TableSymbol]
    let params: [String: ValueType]
    private(set) var diagnostics: [Diagnostic] = []
    /// Names used, to report the unused ones.
    private(set) var usedParams: Set<String> = []
    private(set) var usedBindings: Set<String> = []
    private(set) var usedTables: Set<String> = []

    init(tables: [String: TableSymbol], params: [String: ValueType]) {
        self.tables = tables
        self.params = params
    }

    mutating func error(_ span: SourceSpan, _ message: String, hint: String? = nil) {
        diagnostics.append(Diagnostic(.error, span, message, hint: hint))
    }

    /// Checks that a formula is a condition.
    mutating func checkCondition(_ expression: Expression, in scope: Scope, what: String) {
        let type = check(expression, in: scope)
        if type != .yesNo && type != .unknown {
            error(expression.span, "\(what) must be a condition (yes or no), but this is \(type).",
                  hint: conditionHint(for: expression, type: type))
        }
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

    // MARK: Expressions

    mutating func check(_ expression: Expression, in scope: Scope) -> ValueType {
        if !scope.groupKeys.isEmpty && scope.aggregateRange == nil, let key = scope.groupKeys.first(where: { $0 == expression }),
           !isPlainName(key) {
            // A key written out again (`WEEKNUM(posted)`) has one value per group.
            var rowScope = scope
            rowScope.groupKeys = []
            return check(key, in: rowScope)
        }
        switch expression {
        case .number: return .number
        case .money: return .money
        case .percent: return .percent
        case .date(let text, let span):
            if !isValidDate(text) { error(span, "`\(text)` is not a date that exists.", hint: "Dates are written year-month-day: 2027-06-30.") }
            return .date
        case .text: return .text
        case .yesNo: return .yesNo
        case .invalid: return .unknown
        case .name(let qualifier, let name):
            return resolve(qualifier: qualifier, name: name, in: scope)
        case .header(let qualifier, let header, let span):
            return resolveHeader(qualifier: qualifier, header: header, span: span, in: scope)
        case .list(let items, let span):
            let types = items.map { check($0, in: scope) }
            let known = types.filter { $0 != .unknown }
            guard let first = known.first else { return .list(.unknown) }
            if let odd = zip(items, types).first(where: { !$0.1.isComparable(with: first) }) {
                error(odd.0.span, "A list must hold one kind of value, but this is \(odd.1) among \(first.plural).")
                return .list(.unknown)
            }
            _ = span
            return .list(first == .code || known.contains(.code) ? .code : first)
        case .unary(let op, let operand, let span):
            let type = check(operand, in: scope)
            if op == "not" {
                if type != .yesNo && type != .unknown {
                    error(span, "`not` turns a condition around, but this is \(type).", hint: conditionHint(for: operand, type: type))
                }
                return .yesNo
            }
            if !type.isNumeric {
                error(span, "Only numbers and amounts can be negative; this is \(type).")
                return .unknown
            }
            return type
        case .binary(let op, let left, let right, let span):
            return checkBinary(op, left, right, span, in: scope)
        case .isBlank(let operand, _, _):
            _ = check(operand, in: scope)
            return .yesNo
        case .isIn(let value, let list, _, let span):
            let valueType = check(value, in: scope)
            let listType = checkListOperand(list, in: scope)
            if case .list(let element) = listType, !valueType.isComparable(with: element) {
                error(span, "This checks whether \(valueType) is in \(listType), which can never be.",
                      hint: "Compare like with like: codes with codes, amounts with amounts.")
            }
            return .yesNo
        case .between(let value, let low, let high, _, let span):
            let types = [check(value, in: scope), check(low, in: scope), check(high, in: scope)]
            if !(types[0].isComparable(with: types[1]) && types[0].isComparable(with: types[2])) {
                error(span, "`between` compares \(types[0]) with \(types[1]) and \(types[2]); they must be the same kind of value.")
            } else if types[0] == .text || types[0] == .yesNo {
                error(span, "`between` needs numbers, amounts, percentages or dates, not \(types[0]).")
            }
            return .yesNo
        case .like(let value, let pattern, _, let span):
            let valueType = check(value, in: scope)
            let patternType = check(pattern, in: scope)
            if !valueType.isTextual {
                error(value.span, "`like` matches text, but this is \(valueType).", hint: "Use `like` with codes and text, for example object like \"63*\".")
            }
            if !patternType.isTextual {
                error(pattern.span, "The pattern after `like` must be a text in quotes, such as \"63*\".")
            }
            _ = span
            return .yesNo
        case .call(let name, let arguments, let filter, let span):
            return checkCall(name, arguments, filter: filter, span: span, in: scope)
        }
    }

    private func isPlainName(_ expression: Expression) -> Bool {
        if case .name(nil, _) = expression { return true }
        return false
    }

    private mutating func checkListOperand(_ list: Expression, in scope: Scope) -> ValueType {
        switch list {
        case .name(let qualifier?, let name):
            // `in sites.site`: the values of another table's column.
            guard let table = tables[qualifier.text.lowercased()] else { return check(list, in: scope) }
            usedTables.insert(table.name.lowercased())
            guard let column = table.column(name.text) else {
                unknownColumn(name, in: table)
                return .list(.unknown)
            }
            return .list(column.type)
        default:
            let type = check(list, in: scope)
            if case .list = type { return type }
            if type != .unknown {
                error(list.span, "`in` needs a list, such as (\"890\", \"6399\"), a list parameter, or another table's column, but this is \(type).",
                      hint: "To compare with one value, use `=`.")
            }
            return .list(.unknown)
        }
    }

    private mutating func checkBinary(_ op: String, _ left: Expression, _ right: Expression, _ span: SourceSpan, in scope: Scope) -> ValueType {
        let leftType = check(left, in: scope)
        let rightType = check(right, in: scope)
        if leftType == .unknown || rightType == .unknown {
            switch op {
            case "and", "or", "=", "<>", "<", ">", "<=", ">=": return .yesNo
            case "&": return .text
            // A product or quotient's type depends on both sides: money / money is a number.
            case "*", "/", "^": return .unknown
            default: return leftType == .unknown ? rightType : leftType
            }
        }
        switch op {
        case "and", "or":
            for (side, type) in [(left, leftType), (right, rightType)] where type != .yesNo {
                error(side.span, "`\(op)` joins conditions, but this is \(type).", hint: conditionHint(for: side, type: type))
            }
            return .yesNo
        case "=", "<>", "<", ">", "<=", ">=":
            if !leftType.isComparable(with: rightType) {
                error(span, "This compares \(leftType) with \(rightType), which can never match.",
                      hint: comparisonHint(left, leftType, right, rightType))
            } else if ["<", ">", "<=", ">="].contains(op) && (leftType == .yesNo || leftType.isList) {
                error(span, "Only numbers, amounts, percentages, dates and text can be put in order with `\(op)`.")
            }
            return .yesNo
        case "&":
            return .text
        case "+", "-":
            switch (leftType, rightType) {
            case (.date, .number) : return .date
            case (.number, .date) where op == "+": return .date
            case (.date, .date) where op == "-": return .number
            case (.money, .money), (.money, .number), (.number, .money): return .money
            case (.percent, .percent): return .percent
            case (.number, .number), (.number, .percent), (.percent, .number): return .number
            default:
                error(span, "\(leftType.capitalized) and \(rightType) cannot be \(op == "+" ? "added" : "subtracted").",
                      hint: leftType.isTextual || rightType.isTextual ? "To join texts use `&`: vendor & \" \" & account." : nil)
                return .unknown
            }
        case "*":
            switch (leftType, rightType) {
            case (.money, .number), (.number, .money), (.money, .percent), (.percent, .money): return .money
            case (.number, .number), (.number, .percent), (.percent, .number): return .number
            case (.percent, .percent): return .percent
            case (.money, .money):
                error(span, "Multiplying two amounts of money gives no meaningful amount.", hint: "Multiply an amount by a number or a percentage.")
                return .unknown
            default:
                error(span, "\(leftType.capitalized) and \(rightType) cannot be multiplied.")
                return .unknown
            }
        case "/":
            switch (leftType, rightType) {
            case (.money, .money): return .number
            case (.money, .number), (.money, .percent): return .money
            case (.number, .number), (.percent, .percent), (.number, .percent), (.percent, .number): return .number
            case (.number, .money), (.percent, .money): return .number
            default:
                error(span, "\(leftType.capitalized) cannot be divided by \(rightType).")
                return .unknown
            }
        case "^":
            guard leftType == .number || leftType == .percent, rightType == .number else {
                error(span, "Only numbers can be raised to a power, not \(leftType == .number ? rightType : leftType).")
                return .unknown
            }
            return .number
        default:
            return .unknown
        }
    }

    private func comparisonHint(_ left: Expression, _ leftType: ValueType, _ right: Expression, _ rightType: ValueType) -> String? {
        for (side, otherType) in [(right, leftType), (left, rightType)] {
            guard case .text(let text, _) = side else { continue }
            if otherType == .date, ValueText.isDateLike(text) {
                return "Write the date without quotes: \(ValueText.isoDate(text) ?? text)."
            }
            if otherType == .money || otherType == .number || otherType == .percent, let number = ValueText.numberLike(text) {
                return "Write the \(otherType == .money ? "amount" : "number") without quotes: \(otherType == .money ? "$" : "")\(number)."
            }
        }
        return "Compare like with like: amounts with amounts, dates with dates, text with text."
    }

    // MARK: Names

    private mutating func resolve(qualifier: Name?, name: Name, in scope: Scope) -> ValueType {
        let key = name.text.lowercased()
        if let qualifier {
            guard let table = tables[qualifier.text.lowercased()] else {
                if params[qualifier.text.lowercased()] != nil || scope.table?.column(qualifier.text) != nil {
                    error(qualifier.span, "`\(qualifier.text).\(name.text)`: only tables and views have columns after a dot.")
                } else {
                    let hint = Suggest.closest(qualifier.text, among: tables.values.map(\.name)).map { "Did you mean `\($0)`?" }
                        ?? "The tables and views are: \(nameList(tables.values.map(\.name).sorted()))."
                    error(qualifier.span, "There is no table or view named `\(qualifier.text)`.", hint: hint)
                }
                return .unknown
            }
            usedTables.insert(table.name.lowercased())
            guard let column = table.column(name.text) else {
                unknownColumn(name, in: table)
                return .unknown
            }
            return rowValue(column.type, of: table, span: qualifier.span.to(name.span), written: "\(qualifier.text).\(name.text)", in: scope)
        }
        if let type = scope.bindings[key] {
            usedBindings.insert(key)
            return type
        }
        // Inside a total over the scope's own rows, a bare name is a column of those rows.
        if let range = scope.aggregateRange, scope.table == nil || range.name == scope.table?.name, let column = range.column(name.text) {
            return column.type
        }
        // Otherwise it belongs to the row or group the formula is about.
        if let table = scope.table, let column = table.column(name.text) {
            if scope.isGrouped {
                if scope.groupKeys.contains(where: { if case .name(nil, let keyName) = $0 { keyName.text.lowercased() == key } else { false } }) {
                    return column.type
                }
                error(name.span, "In \(scope.owner), `\(name.text)` has many values in each group.",
                      hint: "Use a total such as SUM(\(name.text)), MAX(\(name.text)) or COUNT(\(name.text)), or add \(name.text) to `by`.")
                return .unknown
            }
            return column.type
        }
        if let type = params[key] {
            usedParams.insert(key)
            return type
        }
        unknownName(name, in: scope)
        return .unknown
    }

    /// A column's value: fine inside an aggregate over its rows or in its own row; elsewhere a
    /// column has many values, and the message says what to write instead.
    private mutating func rowValue(_ type: ValueType, of table: TableSymbol, span: SourceSpan, written: String, in scope: Scope) -> ValueType {
        if let range = scope.aggregateRange {
            if range.name == table.name || scope.table?.name == table.name { return type }
        } else if scope.table?.name == table.name && !scope.isGrouped && scope.allowsRowValues {
            return type
        }
        if scope.aggregateRange == nil && scope.isGrouped && scope.table?.name == table.name {
            error(span, "In \(scope.owner), `\(written)` has many values in each group.",
                  hint: "Use a total such as SUM(\(written)), MAX(\(written)) or COUNT(\(written)), or add \(written) to `by`.")
            return .unknown
        }
        if !scope.allowsRowValues && scope.aggregateRange == nil {
            error(span, "`\(written)` has one value per row; \(scope.owner) needs a single value.",
                  hint: "Wrap it in a total such as SUM(\(written)), AVERAGE(\(written)) or SHARE(…).")
            return .unknown
        }
        let key = table.keys.first
        error(span, "`\(written)` is a column of another \(table.kindName), which has many rows.",
              hint: key.map { "To take the value from the matching row, write LOOKUP(\(written), \($0))." }
                ?? "Use it inside a total such as SUM(\(written) where …).")
        return .unknown
    }

    private mutating func resolveHeader(qualifier: Name?, header: String, span: SourceSpan, in scope: Scope) -> ValueType {
        let table: TableSymbol?
        if let qualifier {
            table = tables[qualifier.text.lowercased()]
            if table == nil {
                error(qualifier.span, "There is no table or view named `\(qualifier.text)`.")
                return .unknown
            }
        } else {
            table = scope.aggregateRange ?? scope.table
        }
        guard let table else {
            error(span, "`[\(header)]` names a column by its header, but \(scope.owner) has no table.",
                  hint: "Qualify it with its table: transactions.[\(header)].")
            return .unknown
        }
        guard let column = table.column(header: header) else {
            let suggestion = Suggest.closest(header, among: table.allHeaders)
            error(span, "\(table.kindTitle) \(table.name) has no column with the header `\(header)`.",
                  hint: (suggestion.map { "Did you mean [\($0)]? " } ?? "") + "Its headers are: \(nameList(table.allHeaders)).")
            return .unknown
        }
        return rowValue(column.type, of: table, span: span, written: "[\(header)]", in: scope)
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
        "AVG": "Use AVERAGE(values).",
        "MEAN": "Use AVERAGE(values).",
        "ROUNDUP": "Use ROUND(value, digits), which rounds to the nearest, halves away from zero.",
        "ROUNDDOWN": "Use ROUND(value, digits), which rounds to the nearest, halves away from zero.",
        "INT": "Use ROUND(value, 0), which rounds to the nearest whole number.",
        "COUNTA": "Use COUNT(column), which counts the rows where the column is not blank.",
    ]

    private mutating func checkCall(_ name: Name, _ arguments: [Expression], filter: Expression?, span: SourceSpan, in scope: Scope) -> ValueType {
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
            return .unknown
        }
        guard spec.arity.contains(arguments.count) else {
            let expected = spec.arity.lowerBound == spec.arity.upperBound ? "\(spec.arity.lowerBound)" :
                spec.arity.upperBound == 255 ? "at least \(spec.arity.lowerBound)" : "\(spec.arity.lowerBound) or \(spec.arity.upperBound)"
            error(span, "\(spec.name) takes \(expected) value\(expected == "1" ? "" : "s"), but \(arguments.count) \(arguments.count == 1 ? "was" : "were") given.",
                  hint: "Write it as \(spec.usage).")
            return .unknown
        }
        // MIN and MAX of several values compare them; of one, they total over rows.
        let aggregates = spec.totalsRows(given: arguments.count)
        if spec.name == "LOOKUP" { return checkLookup(arguments, span: span, in: scope) }
        var inner = scope
        if aggregates {
            if scope.aggregateRange != nil {
                error(name.span, "\(spec.name) cannot go inside another total.", hint: "Compute the inner total in a `view` and total that view's column.")
                return .unknown
            }
            guard let range = aggregateRange(arguments + (filter.map { [$0] } ?? []), in: scope) else {
                let example = spec.name == "SHARE" ? "SHARE(transactions.owner is blank)" : spec.name == "COUNT" ? "COUNT(where transactions.amount > 0)"
                    : "\(spec.name)(transactions.amount)"
                error(span, "\(spec.name) needs to know which rows to total, and \(scope.owner) has no table.",
                      hint: "Name the table in front of each column: \(example).")
                return .unknown
            }
            usedTables.insert(range.name.lowercased())
            inner.aggregateRange = range
        } else if filter != nil {
            error(filter!.span, "Only totals such as SUM and COUNT take `where`; \(spec.name) works on one value.")
        }
        var types: [ValueType] = []
        var argumentsFit = true
        for (position, argument) in arguments.enumerated() {
            let type = check(argument, in: inner)
            types.append(type)
            let parameter = spec.arguments[min(position, spec.arguments.count - 1)]
            if !parameter.accepts.accepts(type) {
                error(argument.span, "\(spec.name)'s \(parameter.name) must be \(parameter.accepts.description), but this is \(type).",
                      hint: "Write it as \(spec.usage).")
                argumentsFit = false
            }
        }
        if !argumentsFit { return .unknown }
        // A condition is yes or no, never blank, so COUNT of one counts every row.
        if spec.name == "COUNT", let argument = arguments.first, types.first == .yesNo {
            let condition = RuleFormatter.text(argument)
            error(argument.span, "COUNT(\(condition)) counts every row: COUNT counts values that are not blank, and a condition is never blank.",
                  hint: "To count the rows where it holds, write COUNT(where \(filter.map { "(\(condition)) and (\(RuleFormatter.text($0)))" } ?? condition)).")
        }
        if let filter { checkCondition(filter, in: inner, what: "The `where` of \(spec.name)") }
        if spec.name == "IF", types.count == 3, !types[1].isComparable(with: types[2]) {
            error(span, "IF gives \(types[1]) in one case and \(types[2]) in the other; both must be the same kind of value.")
        }
        if (spec.name == "MIN" || spec.name == "MAX"), let first = types.first, let odd = types.first(where: { !$0.isComparable(with: first) }) {
            error(span, "\(spec.name) compares \(first) with \(odd); they must be the same kind of value.")
        }
        switch spec.result {
        case .fixed(let type): return type
        case .sameAs(let position): return position < types.count ? types[position] : .unknown
        }
    }

    /// The rows a total runs over: a table or view named in its formula (`transactions.amount`),
    /// or else the rows of the scope (the group, or the rule's table).
    /// The rows a total runs over: the first other table its values name, else the scope's own.
    func aggregateRange(_ expressions: [Expression], in scope: Scope) -> TableSymbol? {
        for expression in expressions {
            if let table = firstQualifiedTable(expression), table.name != scope.table?.name { return table }
        }
        return scope.table
    }

    private func firstQualifiedTable(_ expression: Expression) -> TableSymbol? {
        switch expression {
        case .name(let qualifier?, _), .header(let qualifier?, _, _): return tables[qualifier.text.lowercased()]
        case .call(let name, _, _, _) where name.text.uppercased() == "LOOKUP": return nil
        default: return expression.parts.lazy.compactMap { firstQualifiedTable($0) }.first
        }
    }

    private mutating func checkLookup(_ arguments: [Expression], span: SourceSpan, in scope: Scope) -> ValueType {
        let target: (TableSymbol, TableSymbol.Column)?
        switch arguments[0] {
        case .name(let qualifier?, let name):
            if let table = tables[qualifier.text.lowercased()] {
                usedTables.insert(table.name.lowercased())
                if let column = table.column(name.text) { target = (table, column) } else { unknownColumn(name, in: table); target = nil }
            } else {
                error(qualifier.span, "There is no table or view named `\(qualifier.text)`.")
                target = nil
            }
        case .header(let qualifier?, let header, let headerSpan):
            if let table = tables[qualifier.text.lowercased()], let column = table.column(header: header) {
                usedTables.insert(table.name.lowercased())
                target = (table, column)
            } else {
                error(headerSpan, "There is no column [\(header)] in `\(qualifier.text)`.")
                target = nil
            }
        default:
            error(arguments[0].span, "LOOKUP's first value names the column to fetch, with its table: LOOKUP(sites.enrollment, site).")
            target = nil
        }
        let keyType = check(arguments[1], in: scope)
        guard let (table, column) = target else { return .unknown }
        guard let keyName = table.keys.first, let keyColumn = table.column(keyName) else {
            error(arguments[0].span, "LOOKUP needs \(table.name) to have a key column to match on.",
                  hint: "Add a `key` line to \(table.kindName) \(table.name), for example: key site.")
            return .unknown
        }
        if !keyType.isComparable(with: keyColumn.type) {
            error(arguments[1].span, "This is matched against \(table.name).\(keyName), which is \(keyColumn.type), but it is \(keyType).")
        }
        return column.type
    }

    private func isValidDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, (1 ... 12).contains(parts[1]), parts[2] >= 1 else { return false }
        let days = [31, (parts[0] % 4 == 0 && parts[0] % 100 != 0) || parts[0] % 400 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return parts[2] <= days[parts[1] - 1]
    }
}

extension ValueType {
    var isList: Bool { if case .list = self { true } else { false } }
    var capitalized: String { description.prefix(1).uppercased() + description.dropFirst() }
}

/// Recognising values a trainer put in quotes by mistake.
enum ValueText {
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
