import Tabular

/// Functions, totals and LOOKUP: their values checked against the catalogue, and the rows a total runs over.
extension ExpressionChecker {
    // MARK: Functions

    static let excelEquivalents: [String: String] = [
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
        "IFERROR": "Pathways never shows formula errors: a division by zero or blank gives a blank, which `is blank` can test and IFBLANK(value, otherwise) can replace.",
        "COALESCE": "Use IFBLANK(value, otherwise), which gives the second value where the first is blank.",
        "LOG": "Use LOG10(value), the base-10 logarithm.",
        "STDEV.S": "Use STDEV(values).",
        "STDEV.P": "Use STDEVP(values).",
        "AVG": "Use AVERAGE(values).",
        "MEAN": "Use AVERAGE(values).",
        "ROUNDUP": "Use ROUND(value, digits), which rounds to the nearest, halves away from zero.",
        "ROUNDDOWN": "Use ROUND(value, digits), which rounds to the nearest, halves away from zero.",
        "INT": "Use ROUND(value, 0), which rounds to the nearest whole number.",
        "COUNTA": "Use COUNT(column), which counts the rows where the column is not blank.",
    ]

    mutating func checkCall(_ name: Name, _ arguments: [Expression], filter: Expression?, span: SourceSpan, in scope: Scope) -> CheckedExpression {
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
        if spec.function == .ifBlank, types.count == 2, !types[0].isComparable(with: types[1]) {
            error(span, "IFBLANK gives \(types[0]) where the value is there and \(types[1]) where it is blank; both must be the same kind of value.")
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
    mutating func checkTotalReadsItsRows(_ spec: FunctionSpec, arguments: some Sequence<(Expression, CheckedExpression)>,
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
    func firstQualifiedTable(_ expressions: [Expression]) -> TableSymbol? {
        for expression in expressions {
            if let table = qualifiedTable(in: expression) { return table }
        }
        return nil
    }

    func qualifiedTable(in expression: Expression) -> TableSymbol? {
        switch expression {
        case .name(let qualifier?, _), .header(let qualifier?, _, _): return tables[qualifier.text.lowercased()]
        // LOOKUP's first value names its own table; `in sites.site` a whole column.
        case .call(let name, let arguments, _, _) where name.text.uppercased() == "LOOKUP" && arguments.count == 2: return qualifiedTable(in: arguments[1])
        case .isIn(let value, .name(_?, _), _, _): return qualifiedTable(in: value)
        default: return expression.parts.lazy.compactMap { qualifiedTable(in: $0) }.first
        }
    }

    mutating func checkLookup(_ arguments: [Expression], span: SourceSpan, in scope: Scope) -> CheckedExpression {
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
