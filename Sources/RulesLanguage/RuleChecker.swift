import Tabular

/// A rule set that has passed every check: the only form the rules engine accepts, so nothing
/// unchecked reaches evaluation. Its rules, views, indicators and goals are the checked program:
/// every name resolved, every literal read, every type known.
public struct CheckedRuleSet: Sendable {
    public let files: [SourceFile]
    public let tables: [TableDeclaration]
    /// Columns worked out from a row's other columns (`or debit - credit`), by table, then column (lower case).
    public let columnFormulas: [String: [String: CheckedExpression]]
    /// The params in the order `CheckedExpression.Node.param` counts them.
    public let params: [ParamDeclaration]
    /// Each param's type, by lower-case name.
    public let paramTypes: [String: ValueType]
    public let pathways: [PathwayDeclaration]
    public let rules: [CheckedRule]
    /// The views, each after the views it uses: the order to work them out in.
    public let views: [CheckedView]
    public let indicators: [CheckedIndicator]
    public let goals: [CheckedGoal]
    public let tests: [TestDeclaration]
    /// Each table's and view's columns with their types.
    public let symbols: [String: TableSymbol]
}

/// The outcome of checking: every diagnostic, and the checked rule set when there were no errors.
public struct CheckResult: Sendable {
    public let report: DiagnosticReport
    public let ruleSet: CheckedRuleSet?
}

/// Reads and checks a rule set: every `.rules` file of a folder, in any order.
public enum RuleChecker {
    /// The param FISCALYEAR and ELAPSED read, though no formula names it.
    public static let fiscalYearStart = "fiscal_year_start"
    /// What its value must be, for a rule file's param line or a run's override alike.
    public static let fiscalYearStartMeaning = "fiscal_year_start is the month the fiscal year starts, a whole number from 1 (January) to 12 (December)."

    static func isMonth(_ value: Expression) -> Bool {
        guard case .number(let text, _) = value, let month = Int(text) else { return false }
        return (1 ... 12).contains(month)
    }

    public static func check(_ files: [SourceFile]) -> CheckResult {
        var diagnostics: [Diagnostic] = []
        var nodes: [DeclarationNode] = []
        for (index, file) in files.enumerated() {
            let (tree, fileDiagnostics) = Parser.parse(file, fileIndex: index)
            diagnostics += fileDiagnostics
            nodes += tree.declarations
        }
        var checker = DeclarationChecker(nodes: nodes, files: files)
        checker.run()
        diagnostics += checker.diagnostics
        let report = DiagnosticReport(files: files, diagnostics: diagnostics)
        guard report.errorCount == 0 else { return CheckResult(report: report, ruleSet: nil) }
        return CheckResult(report: report, ruleSet: checker.ruleSet())
    }
}

/// The checks that span declarations: names, duplicates, types, levels, cycles, tests.
struct DeclarationChecker {
    private let files: [SourceFile]
    private var tables: [TableDeclaration] = []
    private var params: [ParamDeclaration] = []
    private var pathways: [PathwayDeclaration] = []
    private var rules: [RuleDeclaration] = []
    private var views: [ViewDeclaration] = []
    private var indicators: [IndicatorDeclaration] = []
    private var goals: [GoalDeclaration] = []
    private var tests: [TestDeclaration] = []
    private(set) var diagnostics: [Diagnostic] = []
    private var symbols: [String: TableSymbol] = [:]
    private var paramTypes: [String: ValueType] = [:]
    private var paramValues: [String: Expression] = [:]
    private var measureTypes: [String: ValueType] = [:]
    // The checked program, built as the declarations are checked.
    private var columnFormulas: [String: [String: CheckedExpression]] = [:]
    private var checkedRules: [CheckedRule] = []
    /// Views in the order they were checked: each after those it uses.
    private var checkedViews: [CheckedView] = []
    private var checkedIndicators: [CheckedIndicator] = []
    private var checkedGoals: [CheckedGoal] = []
    private var usedPathways: Set<String> = []
    private var expressionChecker: ExpressionChecker

    init(nodes: [DeclarationNode], files: [SourceFile]) {
        self.files = files
        for node in nodes {
            switch node.declaration {
            case .table(let table): tables.append(table)
            case .param(let param): params.append(param)
            case .pathway(let pathway): pathways.append(pathway)
            case .rule(let rule): rules.append(rule)
            case .view(let view): views.append(view)
            case .indicator(let indicator): indicators.append(indicator)
            case .goal(let goal): goals.append(goal)
            case .test(let test): tests.append(test)
            }
        }
        expressionChecker = ExpressionChecker(tables: [:], params: [:])
    }

    func ruleSet() -> CheckedRuleSet {
        CheckedRuleSet(files: files, tables: tables, columnFormulas: columnFormulas, params: params, paramTypes: paramTypes, pathways: pathways,
                       rules: checkedRules, views: checkedViews, indicators: checkedIndicators, goals: checkedGoals, tests: tests, symbols: symbols)
    }

    private mutating func error(_ span: SourceSpan, _ message: String, hint: String? = nil) {
        diagnostics.append(Diagnostic(.error, span, message, hint: hint))
    }

    private mutating func warning(_ span: SourceSpan, _ message: String, hint: String? = nil) {
        diagnostics.append(Diagnostic(.warning, span, message, hint: hint))
    }

    private func place(_ span: SourceSpan) -> String {
        let file = files[span.file]
        return "\(file.path):\(file.location(of: span.start).line)"
    }

    mutating func run() {
        checkDuplicates()
        checkTables()
        checkParams()
        var paramsByName: [String: (index: Int, type: ValueType, value: Expression)] = [:]
        for (index, param) in params.enumerated() where paramsByName[param.name.text.lowercased()] == nil {
            paramsByName[param.name.text.lowercased()] = (index, paramTypes[param.name.text.lowercased()] ?? .unknown, param.value)
        }
        expressionChecker = ExpressionChecker(tables: symbols, params: paramsByName)
        checkColumnFormulas()
        checkViews()
        checkRules()
        checkIndicators()
        checkGoals()
        checkTests()
        diagnostics += expressionChecker.diagnostics
        reportUnused()
    }

    // MARK: Duplicates

    private mutating func checkDuplicates() {
        func unique(_ names: [Name], _ kind: String) {
            var seen: [String: Name] = [:]
            for name in names {
                let key = name.text.lowercased()
                if let first = seen[key] {
                    error(name.span, "Two \(kind) are called `\(name.text)`.",
                          hint: "The first is at \(place(first.span)); rename or remove one of them.")
                } else {
                    seen[key] = name
                }
            }
        }
        unique(tables.map(\.name) + views.map(\.name), "tables or views")
        unique(params.map(\.name), "parameters")
        unique(pathways.map(\.name), "pathways")
        unique(rules.map(\.id) + indicators.map(\.id) + goals.map(\.id), "rules, indicators or goals")
        var seenTests: [String: SourceSpan] = [:]
        for test in tests {
            if let first = seenTests[test.name.lowercased()] {
                error(test.nameSpan, "There are two tests named \"\(test.name)\".", hint: "The first is at \(place(first)); give each test its own name.")
            } else {
                seenTests[test.name.lowercased()] = test.nameSpan
            }
        }
    }

    // MARK: Tables and params

    private mutating func checkTables() {
        for table in tables {
            var symbol = TableSymbol(name: table.name.text, span: table.name.span, isView: false, keys: table.keys.map(\.text))
            var names: [String: SourceSpan] = [:]
            for column in table.columns {
                if let first = names[column.name.text.lowercased()] {
                    error(column.name.span, "Table \(table.name.text) has two columns named `\(column.name.text)`.", hint: "The first is at \(place(first)).")
                    continue
                }
                names[column.name.text.lowercased()] = column.name.span
                symbol.add(.init(name: column.name.text, type: ValueType(column.type), aliases: column.aliases, segmentOf: nil))
                if !column.segments.isEmpty && column.type != .code && column.type != .text {
                    error(column.typeSpan, "Only code columns can be split into segments, but `\(column.name.text)` is \(ValueType(column.type)).",
                          hint: "Declare it as code: column \(column.name.text) code …")
                }
                for segment in column.segments {
                    if let first = names[segment.text.lowercased()] {
                        error(segment.span, "The segment `\(segment.text)` has the same name as another column of \(table.name.text).",
                              hint: "The other is at \(place(first)); segment names must differ from column names.")
                        continue
                    }
                    names[segment.text.lowercased()] = segment.span
                    symbol.add(.init(name: segment.text, type: .code, aliases: [], segmentOf: column.name.text))
                }
            }
            for key in table.keys where symbol.column(key.text) == nil {
                let suggestion = Suggest.closest(key.text, among: symbol.columns.map(\.name))
                error(key.span, "The key `\(key.text)` is not a column of table \(table.name.text).",
                      hint: suggestion.map { "Did you mean `\($0)`?" } ?? "Its columns are: \(nameList(symbol.columns.map(\.name))).")
            }
            if table.columns.isEmpty {
                error(table.name.span, "Table \(table.name.text) has no columns.",
                      hint: "Add one line per column: column amount money \"Amount\", \"Net Amount\"")
            }
            symbols[table.name.text.lowercased()] = symbol
        }
    }

    /// A column's `or` formula works on one row of its own table: its other columns (not ones
    /// worked out themselves), params, literals and functions of one value.
    private mutating func checkColumnFormulas() {
        for table in tables {
            guard let symbol = symbols[table.name.text.lowercased()] else { continue }
            let workedOut = Set(table.columns.filter { $0.formula != nil }.map { $0.name.text.lowercased() })
            for column in table.columns {
                guard let formula = column.formula else { continue }
                let owner = "column \(column.name.text) of table \(table.name.text)"
                if let total = formula.firstTotal {
                    error(total.span, "A column is worked out from its own row, so \(owner) cannot total rows.",
                          hint: "Totals go in a `view`, or in a rule's `when`.")
                    continue
                }
                if let other = firstName(in: formula, where: { qualifier, _ in qualifier != nil }) {
                    error(other.span, "\(owner.prefix(1).uppercased() + owner.dropFirst()) is worked out from its own row, not from another table.",
                          hint: "Use LOOKUP in a rule or a view instead.")
                    continue
                }
                if let stranger = firstName(in: formula, where: { qualifier, name in qualifier == nil && symbol.column(name.text) == nil }) {
                    error(stranger.span, "\(owner.prefix(1).uppercased() + owner.dropFirst()) can be worked out only from the table's own columns, and `\(stranger.text)` is not one.",
                          hint: "Its columns are: \(nameList(symbol.columns.map(\.name))).")
                    continue
                }
                if let nested = firstName(in: formula, where: { qualifier, name in qualifier == nil && workedOut.contains(name.text.lowercased()) }) {
                    error(nested.span, "`\(nested.text)` is worked out itself, so \(owner) cannot be worked out from it.",
                          hint: "Work \(column.name.text) out from columns the sheet has.")
                    continue
                }
                let checked = expressionChecker.check(formula, in: Scope(owner: owner, table: symbol))
                if checked.type != .unknown && !checked.type.isComparable(with: ValueType(column.type)) {
                    error(formula.span, "\(owner.prefix(1).uppercased() + owner.dropFirst()) is \(ValueType(column.type)), but this formula gives \(checked.type).")
                }
                columnFormulas[table.name.text.lowercased(), default: [:]][column.name.text.lowercased()] = checked
            }
        }
    }

    /// The first name in a formula that `matches` (qualifier, name).
    private func firstName(in expression: Expression, where matches: (Name?, Name) -> Bool) -> Name? {
        if case .name(let qualifier, let name) = expression, matches(qualifier, name) { return name }
        for part in expression.parts {
            if let found = firstName(in: part, where: matches) { return found }
        }
        return nil
    }

    private var invalidParams: Set<String> = []

    private mutating func checkParams() {
        for param in params {
            let type = literalType(param.value)
            if type == nil { invalidParams.insert(param.name.text.lowercased()) }
            if type == nil {
                error(param.value.span, "A parameter's value must be written out: a number, an amount, a percentage, a date, a text or a list in brackets.",
                      hint: "For example: param approval_limit = $5,000, or param catch_all = (\"890\", \"6399\").")
            }
            paramTypes[param.name.text.lowercased()] = type ?? .unknown
            paramValues[param.name.text.lowercased()] = param.value
            if param.name.text.lowercased() == RuleChecker.fiscalYearStart, type != nil,
               !RuleChecker.isMonth(param.value) {
                invalidParams.insert(RuleChecker.fiscalYearStart)
                error(param.value.span, RuleChecker.fiscalYearStartMeaning,
                      hint: "For a year that starts in July: param fiscal_year_start = 7")
            }
        }
    }

    private func literalType(_ expression: Expression) -> ValueType? {
        guard let type = Literal.type(expression) else { return nil }
        // A date that does not exist is no value.
        if case .date = expression, Literal.value(expression) == nil { return nil }
        return type
    }

    // MARK: Views

    private mutating func checkViews() {
        // Views may be built on views; check them in dependency order, and refuse cycles.
        let byName = Dictionary(views.map { ($0.name.text.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        func dependencies(_ view: ViewDeclaration) -> [String] {
            var names = Set<String>()
            if let table = view.table { names.insert(table.text.lowercased()) }
            var expressions = view.groupKeys + view.columns.map(\.value)
            if let filter = view.filter { expressions.append(filter) }
            for expression in expressions { collectQualifiers(expression, into: &names) }
            return names.filter { byName[$0] != nil }.sorted()
        }
        func visit(_ name: String, path: [String]) {
            if state[name] == 2 { return }
            guard let view = byName[name] else { return }
            if state[name] == 1 {
                let members = Array(path.drop { $0 != name })
                let cycle = (members + [name]).map { byName[$0]?.name.text ?? $0 }
                error(view.name.span, "View \(view.name.text) depends on itself: \(cycle.joined(separator: " uses ")).",
                      hint: "A view can use tables and other views, but not, through them, itself.")
                // The views of a cycle are not checked further: any other message about them would only repeat this one.
                for member in members {
                    state[member] = 2
                    if let memberView = byName[member] { symbols[member] = TableSymbol(brokenView: memberView.name) }
                }
                return
            }
            state[name] = 1
            for dependency in dependencies(view) { visit(dependency, path: path + [name]) }
            if state[name] == 1 {
                checkView(view)
                state[name] = 2
            }
        }
        for view in views { visit(view.name.text.lowercased(), path: []) }
    }

    private func collectQualifiers(_ expression: Expression, into names: inout Set<String>) {
        switch expression {
        case .name(let qualifier?, _), .header(let qualifier?, _, _): names.insert(qualifier.text.lowercased())
        default: for part in expression.parts { collectQualifiers(part, into: &names) }
        }
    }

    private mutating func checkView(_ view: ViewDeclaration) {
        let plainKeys = view.groupKeys.enumerated().compactMap { position, key -> (position: Int, name: String)? in
            if case .name(nil, let name) = key { (position, name.text) } else { nil }
        }
        // LOOKUP into a view matches on its key, which one plain `by` name makes unique.
        let lookupKey = plainKeys.count == 1 && view.groupKeys.count == 1 ? [plainKeys[0].name] : []
        var symbol = TableSymbol(name: view.name.text, span: view.name.span, isView: true, keys: lookupKey)
        guard let tableName = view.table else {
            error(view.name.span, "View \(view.name.text) needs a `from` line saying which table it summarises.",
                  hint: "For example: from transactions by site")
            symbols[view.name.text.lowercased()] = symbol
            return
        }
        guard let source = lookupTable(tableName, for: "view \(view.name.text)") else {
            symbols[view.name.text.lowercased()] = symbol
            return
        }
        let owner = "view \(view.name.text)"
        var scope = Scope(owner: owner, table: source)
        var keys: [CheckedExpression] = []
        for key in view.groupKeys {
            let checked = expressionChecker.check(key, in: scope)
            keys.append(checked)
            if case .name(nil, let name) = key { symbol.add(.init(name: name.text, type: checked.type, aliases: [], segmentOf: nil)) }
        }
        let filter = view.filter.map { expressionChecker.checkCondition($0, in: scope, what: "The `where` of \(owner)") }
        scope.groupKeys = view.groupKeys
        var slots: [(name: String, value: CheckedExpression, isColumn: Bool)] = []
        let named = view.lets.map { ($0.name, $0.value, false) } + view.columns.map { ($0.name, $0.value, true) }
        for (name, value, isColumn) in named {
            if symbol.column(name.text) != nil || scope.bindings[name.text.lowercased()] != nil {
                error(name.span, "View \(view.name.text) already has a \(isColumn ? "column" : "value") named `\(name.text)`.")
                continue
            }
            let checked = expressionChecker.check(value, in: scope)
            scope.bindings[name.text.lowercased()] = (slots.count, checked.type)
            slots.append((name.text, checked, isColumn))
            if isColumn { symbol.add(.init(name: name.text, type: checked.type, aliases: [], segmentOf: nil)) }
        }
        if view.columns.isEmpty {
            error(view.name.span, "View \(view.name.text) has no columns.", hint: "Add lines such as: column spent = SUM(amount)")
        }
        symbols[view.name.text.lowercased()] = symbol
        expressionChecker.tables = symbols
        checkedViews.append(CheckedView(name: view.name.text, title: view.title ?? view.name.text, table: source.name.lowercased(), filter: filter,
                                        groupKeys: keys, keyColumns: plainKeys, slots: slots, isShown: view.isShown))
    }

    private mutating func lookupTable(_ name: Name, for owner: String) -> TableSymbol? {
        if let table = symbols[name.text.lowercased()] { return table }
        let candidates = tables.map(\.name.text) + views.map(\.name.text)
        error(name.span, "There is no table or view named `\(name.text)` for \(owner).",
              hint: Suggest.closest(name.text, among: candidates).map { "Did you mean `\($0)`?" }
                ?? "The tables and views are: \(nameList(candidates.sorted())).")
        return nil
    }

    private mutating func checkPathway(_ name: Name?, owner: String, at span: SourceSpan) {
        guard let name else {
            error(span, "\(owner.prefix(1).uppercased() + owner.dropFirst()) needs a `pathway` line saying which part of the rubric it belongs to.",
                  hint: "The pathways are: \(nameList(pathways.map(\.name.text))).")
            return
        }
        usedPathways.insert(name.text.lowercased())
        if !pathways.contains(where: { $0.name.text.lowercased() == name.text.lowercased() }) {
            error(name.span, "There is no pathway named `\(name.text)`.",
                  hint: Suggest.closest(name.text, among: pathways.map(\.name.text)).map { "Did you mean `\($0)`?" }
                    ?? "Declare it, or use one of: \(nameList(pathways.map(\.name.text))).")
        }
    }

    // MARK: Rules

    private mutating func checkRules() {
        for rule in rules {
            let owner = "rule \(rule.id.text)"
            checkPathway(rule.pathway, owner: owner, at: rule.id.span)
            if rule.severity == nil && rule.severitySpan == nil {
                error(rule.id.span, "Rule \(rule.id.text) needs a `severity` line: error, warning or info.")
            }
            guard let tableName = rule.table else {
                error(rule.id.span, "Rule \(rule.id.text) needs a `for` line saying which table it checks.", hint: "For example: for transactions")
                continue
            }
            guard let table = lookupTable(tableName, for: owner) else { continue }
            var scope = Scope(owner: owner, table: table)
            let keys = rule.groupKeys.map { expressionChecker.check($0, in: scope) }
            scope.groupKeys = rule.groupKeys
            let lets = checkLets(rule.lets, in: &scope, owner: owner, table: table)
            var condition: CheckedExpression?
            if let written = rule.condition {
                let mistakesBefore = expressionChecker.diagnostics.count
                let checked = expressionChecker.checkCondition(written, in: scope, what: "The `when` of \(owner)")
                condition = checked
                // Said only of a condition with no other mistake: a misspelt column reads nothing either.
                if rule.groupKeys.isEmpty && expressionChecker.diagnostics.count == mistakesBefore && onlyTotalsItsTable(checked, of: table, lets: lets) {
                    error(written.span, "This condition adds up the whole \(table.name) table and never looks at the row itself, so it is the same for every row: rule \(rule.id.text) would flag every row or none.",
                          hint: "To look at groups of rows, add `by` to the `for` line, as in: for \(table.name) by vendor. To look at each row, use its columns.")
                }
            } else {
                error(rule.id.span, "Rule \(rule.id.text) needs a `when` line saying what it looks for.", hint: "For example: when owner is blank")
            }
            let flags = checkFlags(rule, table: table)
            let message = rule.message.map { checkTemplate($0, in: scope) }
            if message == nil {
                error(rule.id.span, "Rule \(rule.id.text) needs a `message` line telling the reviewer what is wrong.",
                      hint: "For example: message \"Nobody owns account {account}.\"")
            }
            let fix = rule.fix.map { checkTemplate($0, in: scope) }
            for binding in rule.lets where !expressionChecker.usedBindings.contains(binding.name.text.lowercased()) {
                warning(binding.name.span, "`\(binding.name.text)` is worked out but never used in rule \(rule.id.text).",
                        hint: "Use it in `when` or the message, or remove the `let` line.")
            }
            guard let condition, let message, let severity = rule.severity else { continue }
            checkedRules.append(CheckedRule(
                id: rule.id.text, title: rule.title ?? rule.id.text, pathway: rule.pathway?.text ?? "", severity: severity,
                table: table.name.lowercased(), groupKeys: keys, groupKeyTexts: rule.groupKeys.map(keyText), lets: lets, condition: condition,
                message: message, fix: fix, flags: flags, totals: rule.groupKeys.isEmpty ? [] : condition.totals,
                about: rule.about, source: rule.source))
        }
    }

    /// How a key is written in the rule, as a finding's group shows it: `vendor`, `WEEKNUM(posted)`.
    private func keyText(_ expression: Expression) -> String {
        switch expression {
        case .name(let qualifier, let name): return (qualifier.map { $0.text + "." } ?? "") + name.text
        case .call(let name, let arguments, _, _): return name.text.uppercased() + "(" + arguments.map(keyText).joined(separator: ", ") + ")"
        default: return "key"
        }
    }

    /// `let` lines, each a binding slot in order; a later one may use an earlier one.
    private mutating func checkLets(_ lets: [LetBinding], in scope: inout Scope, owner: String, table: TableSymbol?) -> [CheckedExpression] {
        var checked: [CheckedExpression] = []
        for binding in lets {
            if scope.bindings[binding.name.text.lowercased()] != nil || table?.column(binding.name.text) != nil {
                error(binding.name.span, "`\(binding.name.text)` is already a name in \(owner).",
                      hint: "Give the value its own name, for example \(binding.name.text)_total.")
            }
            let value = expressionChecker.check(binding.value, in: scope)
            scope.bindings[binding.name.text.lowercased()] = (checked.count, value.type)
            checked.append(value)
        }
        return checked
    }

    /// Whether a condition totals its own table's rows (`SUM(amount)`, `COUNT()`) without ever
    /// reading the row itself (a column, or a `let` that does; inside a total that names its
    /// table, a name without it is the row's): the same for every row.
    private func onlyTotalsItsTable(_ condition: CheckedExpression, of table: TableSymbol, lets: [CheckedExpression]) -> Bool {
        var totalsOwnRows = false
        func reads(_ expression: CheckedExpression) -> Bool {
            switch expression.node {
            case .column, .outer: return true
            case .binding(let slot): return reads(lets[slot])
            case .total(let total):
                switch total.range {
                case .ownRows:
                    totalsOwnRows = true
                    return false
                case .table(let name):
                    if name == table.name.lowercased() { totalsOwnRows = true }
                    return expression.readsOuter
                }
            case .invalid: return true
            default: return expression.parts.contains(where: reads)
            }
        }
        return !reads(condition) && totalsOwnRows
    }

    /// The columns a rule colours, by their declared names (as written when named).
    private mutating func checkFlags(_ rule: RuleDeclaration, table: TableSymbol) -> [String] {
        if rule.flags.isEmpty {
            error(rule.id.span, "Rule \(rule.id.text) needs a `flag` line naming the column to colour in the reviewed workbook.",
                  hint: "For example: flag amount")
        }
        var flagged: [String] = []
        for flag in rule.flags {
            switch flag {
            case .name(nil, let name):
                if table.column(name.text) == nil {
                    let suggestion = Suggest.closest(name.text, among: table.columns.map(\.name))
                    error(name.span, "Rule \(rule.id.text) flags `\(name.text)`, but \(table.kindName) \(table.name) has no such column.",
                          hint: (suggestion.map { "Did you mean `\($0)`? " } ?? "") + "Its columns are: \(nameList(table.columns.map(\.name))).")
                } else {
                    flagged.append(name.text)
                }
            case .header(nil, let header, let span):
                if let column = table.column(header: header) {
                    flagged.append(column.name)
                } else {
                    error(span, "Rule \(rule.id.text) flags [\(header)], but \(table.kindName) \(table.name) has no column with that header.",
                          hint: "Its headers are: \(nameList(table.allHeaders)).")
                }
            default:
                error(flag.span, "`flag` names columns of the rule's table to colour, such as: flag owner, amount.",
                      hint: "Put conditions in `when` and values in the message.")
            }
        }
        return flagged
    }

    private mutating func checkTemplate(_ template: Template, in scope: Scope) -> CheckedTemplate {
        CheckedTemplate(parts: template.parts.map { part in
            switch part {
            case .text(let text): .text(text)
            case .expression(let expression): .value(expressionChecker.check(expression, in: scope))
            }
        })
    }

    // MARK: Indicators and goals

    private mutating func checkIndicators() {
        for indicator in indicators {
            let owner = "indicator \(indicator.id.text)"
            checkPathway(indicator.pathway, owner: owner, at: indicator.id.span)
            var measureType = ValueType.unknown
            var scope = Scope(owner: owner, table: nil, allowsRowValues: false)
            let lets = checkLets(indicator.lets, in: &scope, owner: owner, table: nil)
            var measure: CheckedExpression?
            if let written = indicator.measure {
                let checked = expressionChecker.check(written, in: scope)
                measure = checked
                measureType = checked.type
                if !measureType.isNumeric {
                    error(written.span, "An indicator measures a number, an amount or a percentage, but this is \(measureType).",
                          hint: "For example: measure SHARE(transactions.owner is not blank)")
                }
            } else {
                error(indicator.id.span, "Indicator \(indicator.id.text) needs a `measure` line saying what it measures.",
                      hint: "For example: measure CV(site_spending.per_pupil)")
            }
            for binding in indicator.lets where !expressionChecker.usedBindings.contains(binding.name.text.lowercased()) {
                warning(binding.name.span, "`\(binding.name.text)` is worked out but never used in \(owner).",
                        hint: "Use it in the measure, or remove the `let` line.")
            }
            measureTypes[indicator.id.text.lowercased()] = measureType
            let bands = checkBands(indicator, measureType: measureType, scope: scope)
            guard let measure, let bands else { continue }
            let thresholds = indicator.bands.map { band in
                band.comparison.map { "\(band.level.rawValue) \($0) \(band.threshold.map(RuleFormatter.text) ?? "")" } ?? "otherwise \(band.level.rawValue)"
            }
            checkedIndicators.append(CheckedIndicator(id: indicator.id.text, title: indicator.title ?? indicator.id.text, pathway: indicator.pathway?.text ?? "",
                                                      lets: lets, measure: measure, bands: bands, thresholds: thresholds, about: indicator.about))
        }
    }

    private mutating func checkBands(_ indicator: IndicatorDeclaration, measureType: ValueType, scope: Scope) -> [CheckedIndicator.Band]? {
        let bands = indicator.bands
        guard !bands.isEmpty else {
            error(indicator.id.span, "Indicator \(indicator.id.text) has no levels.",
                  hint: "Add lines such as: exemplary when >= 95%, established when >= 80%, otherwise emerging")
            return nil
        }
        var checkedBands: [CheckedIndicator.Band] = []
        var previous: (level: Level, value: Double, comparison: String)?
        var direction: String?
        for (position, band) in bands.enumerated() {
            if let last = position > 0 ? bands[position - 1].level : nil, band.level <= last {
                error(band.levelSpan, "The level \(band.level.rawValue) comes after \(last.rawValue); levels go from exemplary to emerging, each once.",
                      hint: "Order the lines exemplary, established, developing, emerging.")
            }
            guard let comparison = band.comparison, let threshold = band.threshold else {
                if position != bands.count - 1 {
                    error(band.levelSpan, "`otherwise` must be the last level: the levels after it could never apply.")
                }
                checkedBands.append(.init(level: band.level, comparison: nil, threshold: nil))
                continue
            }
            let checkedThreshold = expressionChecker.check(threshold, in: scope)
            let thresholdType = checkedThreshold.type
            checkedBands.append(.init(level: band.level, comparison: BinaryOperator(rawValue: comparison), threshold: checkedThreshold))
            if !thresholdType.isComparable(with: measureType) {
                error(threshold.span, "This level compares the measure, which is \(measureType), with \(thresholdType).")
            } else {
                expressionChecker.checkPercentWrittenAsNumber(checkedThreshold, against: CheckedExpression(.invalid, measureType, threshold.span),
                                                              subject: "The measure is a percentage")
            }
            let rising = comparison.hasPrefix(">")
            if let direction, direction != (rising ? ">" : "<") {
                error(band.levelSpan, "The levels mix `>` and `<`; they must all point the same way.",
                      hint: rising ? "Use >= (or >) for every level when higher is better." : "Use <= (or <) for every level when lower is better.")
            }
            direction = direction ?? (rising ? ">" : "<")
            guard let value = numericValue(threshold) else { continue }
            if let previous {
                let ordered = rising ? value < previous.value || (value == previous.value && previous.comparison == ">" && comparison == ">=")
                                     : value > previous.value || (value == previous.value && previous.comparison == "<" && comparison == "<=")
                if !ordered {
                    error(threshold.span, "The \(band.level.rawValue) level (\(comparison) \(expressionText(threshold))) overlaps the \(previous.level.rawValue) level before it, so it can never apply.",
                          hint: rising ? "Each level's threshold must be lower than the one above it." : "Each level's threshold must be higher than the one above it.")
                }
            }
            previous = (band.level, value, comparison)
        }
        if let last = bands.last, last.comparison != nil {
            let gap = last.comparison!.hasPrefix(">") ? "below" : "above"
            error(last.levelSpan, "Values \(gap) the \(last.level.rawValue) threshold get no level.",
                  hint: "End with an `otherwise` line, for example: otherwise emerging")
        }
        return checkedBands
    }

    /// A threshold's value as a fraction or plain number, following parameters.
    private func numericValue(_ expression: Expression) -> Double? {
        switch expression {
        case .number(let text, _), .money(let text, _): return Double(text)
        case .percent(let text, _): return Double(text).map { $0 / 100 }
        case .unary("-", let operand, _): return numericValue(operand).map { -$0 }
        case .name(nil, let name): return paramValues[name.text.lowercased()].flatMap(numericValue)
        default: return nil
        }
    }

    private func expressionText(_ expression: Expression) -> String {
        let span = expression.span
        return files[span.file].slice(span)
    }

    private mutating func checkGoals() {
        for goal in goals {
            guard let indicatorName = goal.indicator else {
                error(goal.id.span, "Goal \(goal.id.text) needs an `indicator` line naming the indicator it tracks.", hint: "For example: indicator MG-1")
                continue
            }
            guard let measureType = measureTypes[indicatorName.text.lowercased()] else {
                let suggestion = Suggest.closest(indicatorName.text, among: indicators.map(\.id.text))
                error(indicatorName.span, "Goal \(goal.id.text) tracks indicator \(indicatorName.text), which does not exist.",
                      hint: suggestion.map { "Did you mean \($0)?" }
                        ?? (indicators.isEmpty ? "No indicator is declared yet." : "The indicators are: \(nameList(indicators.map(\.id.text)))."))
                continue
            }
            let scope = Scope(owner: "goal \(goal.id.text)", table: nil, allowsRowValues: false)
            var target: CheckedExpression?
            if let written = goal.target {
                let checked = expressionChecker.check(written, in: scope)
                target = checked
                if !checked.type.isComparable(with: measureType) {
                    error(written.span, "The target is \(checked.type), but indicator \(indicatorName.text) measures \(measureType).")
                } else {
                    expressionChecker.checkPercentWrittenAsNumber(checked, against: CheckedExpression(.invalid, measureType, written.span),
                                                                  subject: "Indicator \(indicatorName.text) measures a percentage")
                }
                if goal.comparison == nil {
                    error(written.span, "Say which way the target points: `target >= 100%` or `target <= 0.10`.")
                }
            } else {
                error(goal.id.span, "Goal \(goal.id.text) needs a `target` line.", hint: "For example: target >= 100%")
            }
            var deadline: CalendarDate?
            if let written = goal.deadline {
                if case .date = written, case .literal(.date(let date)) = expressionChecker.check(written, in: scope).node {
                    deadline = date
                } else if case .date = written {
                    // Its mistake (a date that does not exist) is reported already.
                } else {
                    error(written.span, "A goal's `by` line gives its deadline as a date, written year-month-day.", hint: "For example: by 2027-06-30")
                }
            } else {
                error(goal.id.span, "Goal \(goal.id.text) needs a `by` line with its deadline; a SMART goal is time-bound.", hint: "For example: by 2027-06-30")
            }
            guard let target, let deadline, let comparison = goal.comparison.flatMap(BinaryOperator.init(rawValue:)), let writtenTarget = goal.target else { continue }
            checkedGoals.append(CheckedGoal(id: goal.id.text, title: goal.title ?? goal.id.text, indicator: indicatorName.text, comparison: comparison,
                                            target: target, targetText: "\(comparison.rawValue) \(RuleFormatter.text(writtenTarget))",
                                            deadline: deadline, deadlineText: goal.deadline.map(RuleFormatter.text) ?? ""))
        }
    }

    // MARK: Tests

    private mutating func checkTests() {
        guard !tests.isEmpty else { return }
        let ruleTables = Dictionary(rules.compactMap { rule in rule.table.map { (rule.id.text.lowercased(), ($0.text.lowercased(), rule)) } },
                                    uniquingKeysWith: { first, _ in first })
        let indicatorIDs = Set(indicators.map { $0.id.text.lowercased() })
        for test in tests {
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
                case .flagsNothing:
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
                    } else if Literal.value(value) == nil {
                        error(value.span, "An expected value is written out: a number, an amount, a percentage, a date, a text in quotes or yes/no.")
                    }
                }
            }
        }
    }

    private mutating func unknownColumnOfView(_ name: Name, in view: TableSymbol) {
        let suggestion = Suggest.closest(name.text, among: view.columns.map(\.name))
        error(name.span, "View \(view.name) has no column `\(name.text)`.",
              hint: (suggestion.map { "Did you mean `\($0)`? " } ?? "") + "Its columns are: \(nameList(view.columns.map(\.name))).")
    }

    private mutating func unknownRule(_ id: Name, in test: TestDeclaration) {
        let suggestion = Suggest.closest(id.text, among: rules.map(\.id.text))
        error(id.span, "Test \"\(test.name)\" expects findings from \(id.text), which is not a rule.",
              hint: suggestion.map { "Did you mean \($0)?" } ?? "The rules are: \(nameList(rules.map(\.id.text))).")
    }

    // MARK: Unused

    private mutating func reportUnused() {
        for param in params where !expressionChecker.usedParams.contains(param.name.text.lowercased())
            && !invalidParams.contains(param.name.text.lowercased()) && param.name.text.lowercased() != RuleChecker.fiscalYearStart {
            warning(param.name.span, "The parameter `\(param.name.text)` is not used by any rule, view, indicator or goal.",
                    hint: "Use it in a formula, or remove it.")
        }
        for pathway in pathways where !usedPathways.contains(pathway.name.text.lowercased()) {
            warning(pathway.name.span, "No rule or indicator belongs to the pathway `\(pathway.name.text)`.",
                    hint: "Name it in a rule's or indicator's `pathway` line, or remove it.")
        }
        for view in views where !view.isShown && !expressionChecker.usedTables.contains(view.name.text.lowercased())
            && !rules.contains(where: { $0.table?.text.lowercased() == view.name.text.lowercased() }) {
            warning(view.name.span, "The view `\(view.name.text)` is neither shown nor used.",
                    hint: "Add `show` to make it a sheet of the reviewed workbook, or use it in a rule or indicator.")
        }
    }
}
