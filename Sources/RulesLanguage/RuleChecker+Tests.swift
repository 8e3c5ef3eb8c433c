import Tabular

/// `test` blocks: their example rows and what they expect.
extension DeclarationChecker {
    // MARK: Tests

    mutating func checkTests() {
        guard !tests.isEmpty else { return }
        let ruleTables = Dictionary(rules.compactMap { rule in rule.table.map { (rule.id.text.lowercased(), ($0.text.lowercased(), rule)) } },
                                    uniquingKeysWith: { first, _ in first })
        let indicatorIDs = Set(indicators.map { $0.id.text.lowercased() })
        for test in tests {
            if let asOf = test.asOf, Literal.value(.date(asOf, test.nameSpan)) == nil {
                error(test.nameSpan, "Test \"\(test.name)\" runs as of \(asOf), which is not a date that exists.",
                      hint: "Dates are written year-month-day: as of 2026-02-28.")
            }
            var rowsByTable: [String: Int] = [:]
            for example in test.examples {
                guard let table = symbols[example.table.text.lowercased()], !table.isView else {
                    error(example.table.span, "Test \"\(test.name)\" gives rows for `\(example.table.text)`, which is not a table.",
                          hint: Suggest.closest(example.table.text, among: tables.map(\.name.text)).map { "Did you mean `\($0)`?" })
                    continue
                }
                rowsByTable[table.name.lowercased(), default: 0] += example.rows.count
                for (header, span) in zip(example.headers, example.headerSpans) where table.column(header: header) == nil {
                    let suggestion = Suggest.closest(header, among: table.allHeaders)
                    error(span, "The example column \"\(header)\" is not a column of table \(table.name).",
                          hint: (suggestion.map { "Did you mean \"\($0)\"? " } ?? "") + "Its headers are: \(nameList(table.allHeaders)).")
                }
            }
            if test.examples.isEmpty {
                error(test.nameSpan, "Test \"\(test.name)\" has no example rows.", hint: "Add a `given` line with an example table under it.")
            }
            if test.expectations.isEmpty {
                error(test.nameSpan, "Test \"\(test.name)\" expects nothing.", hint: "Add a line such as: expect BO-01 flags row 1 column owner")
            }
            for expectation in test.expectations {
                let id = expectation.id.text.lowercased()
                switch expectation.outcome {
                case .level:
                    if !indicatorIDs.contains(id) {
                        error(expectation.id.span, "Test \"\(test.name)\" expects a level from \(expectation.id.text), which is not an indicator.")
                    }
                case .flags(let row, let column):
                    guard let (tableName, rule) = ruleTables[id] else {
                        unknownRule(expectation.id, in: test)
                        continue
                    }
                    // A rule whose own `for` or `flag` is wrong has its error already; the test is
                    // not blamed for it as well.
                    guard let table = symbols[tableName] else { continue }
                    // A view's rows are known only once it is worked out from the example rows.
                    let isView = views.contains { $0.name.text.lowercased() == tableName }
                    let rowCount = rowsByTable[tableName] ?? 0
                    if row < 1 || (!isView && row > rowCount) {
                        error(expectation.span, "Test \"\(test.name)\" has \(rowCount) example row\(rowCount == 1 ? "" : "s") for \(tableName), so there is no row \(row).",
                              hint: "Rows are counted from 1, below the header row of the example table.")
                    }
                    if let column {
                        let flagged = rule.flags.compactMap { if case .name(nil, let name) = $0 { name.text.lowercased() } else { nil } }
                        if !flagged.contains(column.text.lowercased()) && flagged.allSatisfy({ table.column($0) != nil }) {
                            error(column.span, "Rule \(rule.id.text) flags \(nameList(rule.flags.map { expressionText($0) })), not `\(column.text)`.")
                        }
                    }
                case .flagsNothing, .says:
                    if ruleTables[id] == nil { unknownRule(expectation.id, in: test) }
                case .notAssessed:
                    if ruleTables[id] == nil && !indicatorIDs.contains(id) && !goals.contains(where: { $0.id.text.lowercased() == id }) {
                        let ids = rules.map(\.id.text) + indicators.map(\.id.text) + goals.map(\.id.text)
                        error(expectation.id.span, "Test \"\(test.name)\" expects \(expectation.id.text) not to be assessed, but there is no rule, indicator or goal \(expectation.id.text).",
                              hint: Suggest.closest(expectation.id.text, among: ids).map { "Did you mean \($0)?" })
                    }
                case .status:
                    if !goals.contains(where: { $0.id.text.lowercased() == id }) {
                        error(expectation.id.span, "Test \"\(test.name)\" expects a status from \(expectation.id.text), which is not a goal.",
                              hint: Suggest.closest(expectation.id.text, among: goals.map(\.id.text)).map { "Did you mean \($0)?" }
                                ?? "A goal has a status: met, not yet met, missed or not assessed.")
                    }
                case .value(let row, let column, let value):
                    guard let view = symbols[id], view.isView else {
                        error(expectation.id.span, "Test \"\(test.name)\" expects a value from \(expectation.id.text), which is not a view.",
                              hint: Suggest.closest(expectation.id.text, among: views.map(\.name.text)).map { "Did you mean \($0)?" }
                                ?? "Views have rows and columns to expect values of; write it as: expect site_spending row 1 per_pupil = $3,000")
                        continue
                    }
                    if row < 1 {
                        error(expectation.span, "Rows are counted from 1, the view's first row.")
                    }
                    guard let columnSymbol = view.column(column.text) else {
                        unknownColumnOfView(column, in: view)
                        continue
                    }
                    if let type = Literal.type(value), !type.isComparable(with: columnSymbol.type) {
                        error(value.span, "The view's \(columnSymbol.name) is \(columnSymbol.type), so it can never equal \(type).")
                    } else if let (message, hint) = Literal.problem(value, as: files[value.span.file].slice(value.span)) {
                        error(value.span, message, hint: hint)
                    } else if Literal.value(value) == nil {
                        error(value.span, "An expected value is written out: a number, an amount, a percentage, a date, a text in quotes or yes/no.")
                    }
                }
            }
        }
    }

    mutating func unknownColumnOfView(_ name: Name, in view: TableSymbol) {
        let suggestion = Suggest.closest(name.text, among: view.columns.map(\.name))
        error(name.span, "View \(view.name) has no column `\(name.text)`.",
              hint: (suggestion.map { "Did you mean `\($0)`? " } ?? "") + "Its columns are: \(nameList(view.columns.map(\.name))).")
    }

    mutating func unknownRule(_ id: Name, in test: TestDeclaration) {
        // A rule that is declared but has a mistake of its own is reported there, not here again.
        if rules.contains(where: { $0.id.text.lowercased() == id.text.lowercased() }) { return }
        let suggestion = Suggest.closest(id.text, among: rules.map(\.id.text))
        error(id.span, "Test \"\(test.name)\" expects findings from \(id.text), which is not a rule.",
              hint: suggestion.map { "Did you mean \($0)?" } ?? "The rules are: \(nameList(rules.map(\.id.text))).")
    }
}
