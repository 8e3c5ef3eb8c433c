import RulesLanguage
import SpreadsheetIO
import Tabular

/// The outcome of one `test` of a rule set.
public struct RuleTestResult: Sendable, Equatable {
    public let name: String
    /// Where the test is written, as `rules/management.rules:40`.
    public let place: String
    /// What did not happen as the test expects, a sentence each; none when the test passed.
    public let failures: [String]
    public var passed: Bool { failures.isEmpty }
}

/// Runs the `test` blocks of a rule set: each test's example rows become a small workbook, the
/// whole rule set is evaluated on it, and what its rules flag and its indicators measure are
/// compared with what the test expects.
public enum RuleTestRunner {
    public static func run(_ rules: CheckedRuleSet) -> [RuleTestResult] {
        rules.tests.map { run($0, of: rules) }
    }

    /// The ids of rules and indicators that no test expects anything of, in the order they are written.
    public static func untested(_ rules: CheckedRuleSet) -> [String] {
        let tested = Set(rules.tests.flatMap { $0.expectations.map { $0.id.text.lowercased() } })
        return (rules.rules.map(\.id) + rules.indicators.map(\.id)).filter { !tested.contains($0.lowercased()) }
    }

    private static func run(_ test: TestDeclaration, of rules: CheckedRuleSet) -> RuleTestResult {
        let place = WorkbookBinder.place(test.nameSpan, in: rules)
        let declarations = Dictionary(rules.tables.map { ($0.name.text.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        // Each example table goes on a sheet named as the table's own sheets are, so it binds to that table.
        let sheets = test.examples.map { example -> (name: String, rows: [[String]]) in
            let declaration = declarations[example.table.text.lowercased()]
            return (declaration?.sheetHints.first ?? declaration?.title ?? example.table.text, [example.headers] + example.rows)
        }
        let binding = WorkbookBinder.bind(RawWorkbook(file: "test \"\(test.name)\"", textSheets: sheets), to: rules)
        var failures: [String] = []
        for example in test.examples {
            let name = example.table.text.lowercased()
            guard let bound = binding.tables[name] else {
                let reason = binding.messages.first { $0.table.lowercased() == name }?.description ?? "Its headers do not match the table's columns."
                failures.append("The example rows for \(example.table.text) could not be read as that table. \(reason)")
                continue
            }
            for error in bound.dataErrors.errors {
                failures.append("Example row \(error.origin.row - 1), column \(error.columnName): \"\(error.rawText)\" \(error.reason)")
            }
        }
        guard failures.isEmpty else { return RuleTestResult(name: test.name, place: place, failures: failures) }
        let asOf = test.asOf.flatMap { text -> CalendarDate? in
            let parts = text.split(separator: "-").compactMap { Int($0) }
            return parts.count == 3 ? CalendarDate(year: parts[0], month: parts[1], day: parts[2]) : nil
        }
        let evaluation = RuleRunner.run(rules, on: binding, params: ParamValues(rules: rules, workbook: nil, commandLine: [:]), asOf: asOf)
        let views = Set(rules.views.map { $0.name.lowercased() })
        let ruleTables = Dictionary(rules.rules.map { ($0.id.lowercased(), $0.table) }, uniquingKeysWith: { first, _ in first })
        var expectationsByID: [(id: String, expectations: [Expectation])] = []
        for expectation in test.expectations {
            if let index = expectationsByID.firstIndex(where: { $0.id.lowercased() == expectation.id.text.lowercased() }) {
                expectationsByID[index].expectations.append(expectation)
            } else {
                expectationsByID.append((expectation.id.text, [expectation]))
            }
        }
        for (id, expectations) in expectationsByID {
            if let table = ruleTables[id.lowercased()] {
                // Example rows count from 1 below the header row; a view's rows from its first.
                let toExampleRow: (Int) -> Int = views.contains(table) ? { $0 } : { $0 - 1 }
                let viewName = views.contains(table) ? rules.views.first { $0.name.lowercased() == table }?.name : nil
                failures += ruleFailures(id, expectations, evaluation: evaluation, toExampleRow: toExampleRow, ofView: viewName)
            } else {
                failures += indicatorFailures(id, expectations, evaluation: evaluation)
            }
        }
        return RuleTestResult(name: test.name, place: place, failures: failures)
    }

    /// `ofView`: the view a rule looks at, whose rows (one per group) the test's row numbers count.
    private static func ruleFailures(_ id: String, _ expectations: [Expectation], evaluation: Evaluation, toExampleRow: (Int) -> Int,
                                     ofView view: String?) -> [String] {
        let ofView = view.map { " of the view \($0)" } ?? ""
        if let outcome = evaluation.outcomes.first(where: { $0.rule.lowercased() == id.lowercased() }), !outcome.assessed {
            return ["\(id) could not be assessed on the example rows: \(outcome.reason ?? "no reason was given.")"]
        }
        let findings = evaluation.findings.filter { $0.rule.lowercased() == id.lowercased() }
        let flagged = Set(findings.flatMap { $0.rows.map(toExampleRow) })
        var expected: [Int: [String]] = [:]  // example row → columns it should flag
        for expectation in expectations {
            if case .flags(let row, let column) = expectation.outcome { expected[row, default: []] += column.map { [$0.text] } ?? [] }
        }
        if expectations.contains(where: { $0.outcome == .flagsNothing }) {
            guard let first = findings.first else { return [] }
            return ["Expected \(id) to flag nothing, but it flagged \(rowList(flagged))\(ofView): \(first.message)"]
        }
        var failures: [String] = []
        if Set(expected.keys) != flagged {
            failures.append("Expected \(id) to flag \(rowList(Set(expected.keys)))\(ofView), but it flagged \(flagged.isEmpty ? "nothing" : rowList(flagged)).")
        }
        for (row, columns) in expected.sorted(by: { $0.key < $1.key }) where flagged.contains(row) {
            let flaggedColumns = Set(findings.filter { $0.rows.map(toExampleRow).contains(row) }.flatMap { $0.columns.map { $0.lowercased() } })
            for column in columns where !flaggedColumns.contains(column.lowercased()) {
                failures.append("Expected \(id) to flag column \(column) of row \(row), but it flagged \(flaggedColumns.sorted().joined(separator: ", ")).")
            }
        }
        return failures
    }

    private static func indicatorFailures(_ id: String, _ expectations: [Expectation], evaluation: Evaluation) -> [String] {
        guard let result = evaluation.indicators.first(where: { $0.indicator.lowercased() == id.lowercased() }) else { return [] }
        return expectations.compactMap { expectation in
            guard case .level(let level) = expectation.outcome else { return nil }
            guard result.assessed else { return "\(id) could not be measured on the example rows: \(result.reason ?? "no reason was given.")" }
            guard result.level != level else { return nil }
            return "Expected \(id) to be \(level.rawValue), but it measured \(result.value ?? "nothing"), which is \(result.level?.rawValue ?? "no level")."
        }
    }

    private static func rowList(_ rows: Set<Int>) -> String {
        let sorted = rows.sorted().map(String.init)
        return sorted.count == 1 ? "row \(sorted[0])" : "rows " + sorted.dropLast().joined(separator: ", ") + " and " + sorted.last!
    }
}
