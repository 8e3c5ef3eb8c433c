import RulesEngine
import RulesLanguage
import Samples
import SpreadsheetIO
import Tabular
import Testing

/// What the default rules find in a district's files, in an answer key's terms, reviewed as
/// `pathways run` reviews them: the Params sheet's preset and layout apply to the binding too.
func reviewAsAnswerKey(_ workbook: RawWorkbook, named name: String, rules: CheckedRuleSet) throws -> AnswerKey {
    let params = ParamValues(rules: rules, workbook: workbook, commandLine: [:])
    try #require(params.problems.isEmpty, "\(params.problems)")
    let binding = WorkbookBinder.bind(workbook, to: rules, params: params)
    try #require(binding.errors.isEmpty, "\(binding.errors)")
    let evaluation = RuleRunner.run(rules, on: binding, params: params)
    let views = Dictionary(evaluation.shownViews.map { ($0.name.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
    let findings = evaluation.findings.map { finding -> AnswerKey.ExpectedFinding in
        guard let view = views[finding.table.lowercased()] else {
            return AnswerKey.ExpectedFinding(rule: finding.rule, sheet: finding.sheet, rows: finding.rows, key: nil)
        }
        // A view's rows are named by their key, the view's first column.
        let key = finding.rows.first.map { view.rows[$0 - 1][0].description }
        return AnswerKey.ExpectedFinding(rule: finding.rule, sheet: finding.table, rows: [], key: key)
    }.sorted()
    var levels: [String: String] = [:]
    for indicator in evaluation.indicators { levels[indicator.indicator] = indicator.assessed ? indicator.level?.rawValue ?? "no level" : "not assessed" }
    let leftOut = binding.tables.values.flatMap { table in
        table.layout.skippedRows.map { AnswerKey.LeftOutRow(sheet: table.sheet, row: $0.row, label: $0.label) }
    }.sorted { ($0.sheet, $0.row) < ($1.sheet, $1.row) }
    let unreadable = binding.tables.values.flatMap { table in
        table.dataErrors.errors.map { AnswerKey.UnreadableCell(sheet: $0.origin.sheet, row: $0.origin.row, column: columnLetters($0.origin.column), text: $0.rawText) }
    }
    return AnswerKey(workbook: name, asOf: evaluation.asOf?.description, findings: findings, indicators: levels, leftOutRows: leftOut,
                     unreadableCells: unreadable)
}
