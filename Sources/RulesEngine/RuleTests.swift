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
        let evaluation = RuleRunner.run(rules, on: binding, params: ParamValues(rules: rules, workbook: nil, commandLine: [:]), asOf: asOf,
                                        showingEveryView: true)
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
            } else if let goal = evaluation.goals.first(where: { $0.goal.lowercased() == id.lowercased() }) {
                failures += goalFailures(goal, expectations, evaluation: evaluation)
            } else if views.contains(id.lowercased()) {
                failures += viewFailures(id, expectations, evaluation: evaluation)
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
        let outcome = evaluation.outcomes.first { $0.rule.lowercased() == id.lowercased() }
        let findings = evaluation.findings.filter { $0.rule.lowercased() == id.lowercased() }
        if expectations.contains(where: { $0.outcome == .notAssessed }) {
            guard outcome?.assessed == true else { return [] }
            return ["Expected \(id) not to be assessed on the example rows, but it was, and flagged \(findings.isEmpty ? "nothing" : rowList(Set(findings.flatMap { $0.rows.map(toExampleRow) })))."]
        }
        if let outcome, !outcome.assessed {
            return ["\(id) could not be assessed on the example rows: \(cause(outcome.reason))"]
        }
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
        for case .says(let text) in expectations.map(\.outcome) where !findings.contains(where: { $0.message.contains(text) }) {
            failures.append(findings.isEmpty ? "Expected \(id) to say \"\(text)\", but it flagged nothing."
                            : "Expected \(id) to say \"\(text)\", but it said: \(findings[0].message)")
        }
        // A test that only says what the message holds leaves which rows are flagged to other tests.
        let saysOnly = expectations.allSatisfy { if case .says = $0.outcome { true } else { false } }
        if !saysOnly && Set(expected.keys) != flagged {
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
            if expectation.outcome == .notAssessed {
                return result.assessed ? "Expected \(id) not to be assessed on the example rows, but it measured \(result.value ?? "nothing")." : nil
            }
            guard case .level(let level) = expectation.outcome else { return nil }
            guard result.assessed else { return "\(id) could not be measured on the example rows: \(cause(result.reason))" }
            guard result.level != level else { return nil }
            return "Expected \(id) to be \(level.rawValue), but it measured \(result.value ?? "nothing"), which is \(result.level?.rawValue ?? "no level")."
        }
    }

    private static func goalFailures(_ goal: GoalResult, _ expectations: [Expectation], evaluation: Evaluation) -> [String] {
        expectations.compactMap { expectation in
            let expected: GoalStatus
            switch expectation.outcome {
            case .status(let status): expected = status
            case .notAssessed: expected = .notAssessed
            default: return nil
            }
            guard goal.status != expected else { return nil }
            let measured = evaluation.indicators.first { $0.indicator.lowercased() == goal.indicator.lowercased() }
            let because = measured.map { $0.assessed ? " (\(goal.indicator) measured \($0.value ?? "nothing") against the target \(goal.target))" : " (\(goal.indicator) was not assessed: \($0.reason ?? ""))" } ?? ""
            return "Expected \(goal.goal) to be \(expected.rawValue), but it is \(goal.status.rawValue)\(because)."
        }
    }

    private static func viewFailures(_ id: String, _ expectations: [Expectation], evaluation: Evaluation) -> [String] {
        let view = evaluation.shownViews.first { $0.name.lowercased() == id.lowercased() }
        return expectations.compactMap { expectation in
            guard case .value(let row, let column, let written) = expectation.outcome, let expected = Literal.value(written) else { return nil }
            guard let view else {
                return "The view \(id) could not be worked out on the example rows: \(cause(evaluation.unavailableViews[id.lowercased()]))"
            }
            guard row <= view.rows.count else {
                return "Expected row \(row) of the view \(id), but it has \(view.rows.count) row\(view.rows.count == 1 ? "" : "s")."
            }
            guard let position = view.columns.firstIndex(where: { $0.lowercased() == column.text.lowercased() }) else {
                return "The view \(id) has no \(column.text) on the example rows: it needs a column they lack."
            }
            // Equal as the reviewed workbook shows them: amounts to the cent, text ignoring case.
            let actual = view.rows[row - 1][position]
            guard actual.description.lowercased() != expected.description.lowercased() else { return nil }
            return "Expected \(column.text) of row \(row) of the view \(id) to be \(expected), but it is \(actual == .blank ? "(blank)" : actual.description)."
        }
    }

    /// A not-assessed sentence as the end of a test's own: "sheet "Lines" has no "Vendor" column."
    private static func cause(_ reason: String?) -> String {
        guard let reason else { return "no reason was given." }
        let prefix = "It could not be assessed: "
        return reason.hasPrefix(prefix) ? String(reason.dropFirst(prefix.count)) : reason.prefix(1).lowercased() + reason.dropFirst()
    }

    private static func rowList(_ rows: Set<Int>) -> String {
        let sorted = rows.sorted().map(String.init)
        return sorted.count == 1 ? "row \(sorted[0])" : "rows " + sorted.dropLast().joined(separator: ", ") + " and " + sorted.last!
    }
}
