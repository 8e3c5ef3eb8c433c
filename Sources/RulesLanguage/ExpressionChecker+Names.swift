import Tabular

/// What each name in a formula means: a column of this row or of the totalled rows, a value of
/// the row outside a total, a `let`, a group key or a param.
extension ExpressionChecker {
    // MARK: Names

    mutating func resolve(qualifier: Name?, name: Name, in scope: Scope) -> CheckedExpression {
        let key = name.text.lowercased()
        let span = qualifier.map { $0.span.to(name.span) } ?? name.span
        if let qualifier {
            guard let table = tables[qualifier.text.lowercased()] else {
                if params[qualifier.text.lowercased()] != nil || scope.table?.column(qualifier.text) != nil {
                    error(qualifier.span, "`\(qualifier.text).\(name.text)`: only tables and views have columns after a dot.")
                } else {
                    let hint = Suggest.closest(qualifier.text, among: tables.values.map(\.name).sorted()).map { "Did you mean `\($0)`?" }
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
                let mistakesBefore = diagnostics.count
                let outer = resolve(qualifier: nil, name: name, in: scope.outside)
                if case .invalid = outer.node, range.column(name.text) != nil {
                    // What was said is about the outer row; say instead what was probably meant.
                    diagnostics.removeSubrange(mistakesBefore...)
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
                error(name.span, "`\(name.text)` is a list; a list can only follow `in` or `starts with any of`, or be tested with `is blank`.",
                      hint: "For example: object in \(name.text)")
                return invalid(span)
            }
            return CheckedExpression(.param(param.index), param.type, span)
        }
        unknownName(name, in: scope)
        return invalid(span)
    }

    func outerValue(_ value: CheckedExpression) -> CheckedExpression {
        if case .invalid = value.node { return value }
        if case .param = value.node { return value }
        return CheckedExpression(.outer(value), value.type, value.span)
    }

    /// A column's value: fine inside a total over its rows or in its own row; elsewhere a
    /// column has many values, and the message says what to write instead.
    mutating func rowValue(_ column: TableSymbol.Column, of table: TableSymbol, span: SourceSpan, written: String, in scope: Scope) -> CheckedExpression {
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

    mutating func resolveHeader(qualifier: Name?, header: String, span: SourceSpan, in scope: Scope) -> CheckedExpression {
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

    mutating func unknownColumn(_ name: Name, in table: TableSymbol) {
        let suggestion = Suggest.closest(name.text, among: table.columns.map(\.name))
        error(name.span, "\(table.kindTitle) \(table.name) has no column `\(name.text)`.",
              hint: (suggestion.map { "Did you mean `\($0)`? " } ?? "") + "Its columns are: \(nameList(table.columns.map(\.name))).")
    }

    mutating func unknownName(_ name: Name, in scope: Scope) {
        if ["null", "nil", "none", "empty", "blank", "na"].contains(name.text.lowercased()) {
            error(name.span, "Pathways has no `\(name.text)`: a cell with nothing in it is blank.",
                  hint: "Test for it with `is blank`, as in: owner is blank (or owner is not blank).")
            return
        }
        // In a fixed order, so the same slip gets the same suggestion every time.
        var candidates = scope.bindings.keys.sorted() + params.keys.sorted()
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
}
