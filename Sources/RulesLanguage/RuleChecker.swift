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
    /// Named sets of param values (`preset texas`), chosen with `--preset` or the Params sheet.
    public let presets: [PresetDeclaration]
    public let pathways: [PathwayDeclaration]
    public let rules: [CheckedRule]
    /// The views, each after the views it uses: the order to work them out in.
    public let views: [CheckedView]
    public let indicators: [CheckedIndicator]
    public let goals: [CheckedGoal]
    public let tests: [TestDeclaration]
    /// Each table's and view's columns with their types.
    public let symbols: [String: TableSymbol]
    /// Tables only other tables' `or LOOKUP(…)` read, and no rule, view, indicator or goal (the
    /// org codes, lower case): a workbook without one misses nothing to report.
    public let lookupOnlyTables: Set<String>
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
    /// The param that orders an account's parts by segment name, so a preset can lay out its state's account.
    public static let accountLayout = "account_layout"
    /// What its value must be, for a rule file's param line or a run's override alike.
    public static let fiscalYearStartMeaning = "fiscal_year_start is the month the fiscal year starts, a whole number from 1 (January) to 12 (December)."

    static func isMonth(_ value: Expression) -> Bool {
        guard case .number(let text, _) = value, let month = Int(text) else { return false }
        return (1 ... 12).contains(month)
    }

    public static func check(_ files: [SourceFile]) -> CheckResult {
        let analysis = analyze(files)
        return CheckResult(report: analysis.report, ruleSet: analysis.ruleSet)
    }

    /// What an editor needs while a trainer types: every diagnostic, and the declarations and the
    /// tables' and views' columns as far as they could be worked out, mistakes or not.
    public struct Analysis: Sendable {
        public let report: DiagnosticReport
        public let ruleSet: CheckedRuleSet?
        public let declarations: [DeclarationNode]
        public let symbols: [String: TableSymbol]
    }

    public static func analyze(_ files: [SourceFile]) -> Analysis {
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
        return Analysis(report: report, ruleSet: report.errorCount == 0 ? checker.ruleSet() : nil, declarations: nodes, symbols: checker.symbols)
    }
}

/// The checks that span declarations: names, duplicates, types, levels, cycles, tests.
struct DeclarationChecker {
    let files: [SourceFile]
    var tables: [TableDeclaration] = []
    var params: [ParamDeclaration] = []
    var presets: [PresetDeclaration] = []
    var pathways: [PathwayDeclaration] = []
    var rules: [RuleDeclaration] = []
    /// Where each rule is written, from its first word to its last clause.
    var ruleSpans: [SourceSpan] = []
    var views: [ViewDeclaration] = []
    var indicators: [IndicatorDeclaration] = []
    var goals: [GoalDeclaration] = []
    var tests: [TestDeclaration] = []
    var diagnostics: [Diagnostic] = []
    var symbols: [String: TableSymbol] = [:]
    var paramTypes: [String: ValueType] = [:]
    var paramValues: [String: Expression] = [:]
    var measureTypes: [String: ValueType] = [:]
    // The checked program, built as the declarations are checked.
    var columnFormulas: [String: [String: CheckedExpression]] = [:]
    var checkedRules: [CheckedRule] = []
    /// Views in the order they were checked: each after those it uses.
    var checkedViews: [CheckedView] = []
    /// Views that read the findings, directly or through another view, by lower-case name.
    var viewsOfFindings: Set<String> = []
    /// Whether `findings` is the review's findings (not a table the rules declare under that name).
    var hasFindingsTable = false
    var checkedIndicators: [CheckedIndicator] = []
    var checkedGoals: [CheckedGoal] = []
    var usedPathways: Set<String> = []
    var lookupOnlyTables: Set<String> = []
    var expressionChecker: ExpressionChecker
    /// Rules checked before without a mistake, when checking again as a trainer types.
    var ruleMemo: RuleCheckMemo?

    init(nodes: [DeclarationNode], files: [SourceFile]) {
        self.files = files
        for node in nodes {
            switch node.declaration {
            case .table(let table): tables.append(table)
            case .param(let param): params.append(param)
            case .preset(let preset): presets.append(preset)
            case .pathway(let pathway): pathways.append(pathway)
            case .rule(let rule):
                rules.append(rule)
                ruleSpans.append(node.span)
            case .view(let view): views.append(view)
            case .indicator(let indicator): indicators.append(indicator)
            case .goal(let goal): goals.append(goal)
            case .test(let test): tests.append(test)
            }
        }
        expressionChecker = ExpressionChecker(tables: [:], params: [:], files: files)
    }

    func ruleSet() -> CheckedRuleSet {
        CheckedRuleSet(files: files, tables: tables, columnFormulas: columnFormulas, params: params, paramTypes: paramTypes, presets: presets, pathways: pathways,
                       rules: checkedRules, views: checkedViews, indicators: checkedIndicators, goals: checkedGoals, tests: tests, symbols: symbols, lookupOnlyTables: lookupOnlyTables)
    }

    mutating func error(_ span: SourceSpan, _ message: String, hint: String? = nil) {
        diagnostics.append(Diagnostic(.error, span, message, hint: hint))
    }

    mutating func warning(_ span: SourceSpan, _ message: String, hint: String? = nil) {
        diagnostics.append(Diagnostic(.warning, span, message, hint: hint))
    }

    func place(_ span: SourceSpan) -> String {
        let file = files[span.file]
        return "\(file.path):\(file.location(of: span.start).line)"
    }

    mutating func run() {
        checkDuplicates()
        checkTables()
        checkParams()
        checkPresets()
        checkAccountLayouts()
        var paramsByName: [String: (index: Int, type: ValueType, value: Expression)] = [:]
        for (index, param) in params.enumerated() where paramsByName[param.name.text.lowercased()] == nil {
            paramsByName[param.name.text.lowercased()] = (index, paramTypes[param.name.text.lowercased()] ?? .unknown, param.value)
        }
        expressionChecker = ExpressionChecker(tables: symbols, params: paramsByName, files: files)
        checkColumnFormulas()
        let readByColumnFormulas = expressionChecker.usedTables
        expressionChecker.usedTables = []
        checkViews()
        checkRules()
        checkIndicators()
        checkGoals()
        lookupOnlyTables = readByColumnFormulas.subtracting(expressionChecker.usedTables)
            .subtracting(rules.compactMap { $0.table?.text.lowercased() }).subtracting(views.compactMap { $0.table?.text.lowercased() })
        expressionChecker.usedTables.formUnion(readByColumnFormulas)
        checkTests()
        diagnostics += expressionChecker.diagnostics
        reportUnused()
    }

    // MARK: Duplicates

    mutating func checkDuplicates() {
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
        unique(presets.map(\.name), "presets")
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

    mutating func checkTables() {
        for table in tables {
            var symbol = TableSymbol(name: table.name.text, span: table.name.span, isView: false, keys: table.keys.map(\.text))
            var names: [String: SourceSpan] = [:]
            // A segment may also have a code column of its own, for exports that give it one (a GL
            // detail with Fund, Function and Object columns): that column, when the sheet has it.
            let segments = Set(table.columns.flatMap(\.segments).map { $0.text.lowercased() })
            let ownColumns = Set(table.columns.filter { segments.contains($0.name.text.lowercased()) && $0.segments.isEmpty && $0.type == .code }
                .map { $0.name.text.lowercased() })
            var columnNames: Set<String> = [], segmentNames: Set<String> = []
            for column in table.columns {
                let key = column.name.text.lowercased()
                defer { columnNames.insert(key) }
                if names[key] != nil, segmentNames.contains(key), !columnNames.contains(key), !ownColumns.contains(key) {
                    error(column.name.span, "`\(column.name.text)` is also a segment of an account column: a column of that name is read instead of the segment, so it must be a code column of its own.",
                          hint: "Declare it as code, with no segments: column \(column.name.text) code …")
                    continue
                }
                if let first = names[key], columnNames.contains(key) || !ownColumns.contains(key) {
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
                    let key = segment.text.lowercased()
                    defer { segmentNames.insert(key) }
                    if let first = names[key], segmentNames.contains(key) || !ownColumns.contains(key) {
                        error(segment.span, "The segment `\(segment.text)` has the same name as another column of \(table.name.text).",
                              hint: "The other is at \(place(first)); a column named as a segment must be a code column of its own, with no segments.")
                        continue
                    }
                    names[segment.text.lowercased()] = names[segment.text.lowercased()] ?? segment.span
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
        // The findings, as a table views and indicators can total, unless the rules have one of that name.
        if symbols[RuleChecker.findingsTable] == nil, !views.contains(where: { $0.name.text.lowercased() == RuleChecker.findingsTable }) {
            var findings = TableSymbol(name: RuleChecker.findingsTable, span: SourceSpan(file: 0, start: 0, end: 0), isView: false, keys: [])
            for (name, type) in RuleChecker.findingsColumns { findings.add(.init(name: name, type: type, aliases: [], segmentOf: nil)) }
            symbols[RuleChecker.findingsTable] = findings
            hasFindingsTable = true
        }
    }

    /// A column's `or` formula works on one row of its own table: its other columns (not ones
    /// worked out themselves), params, literals, functions of one value, and LOOKUP into another
    /// table (an org code's function, for a chart of accounts like Munis').
    mutating func checkColumnFormulas() {
        for table in tables {
            guard let symbol = symbols[table.name.text.lowercased()] else { continue }
            for (position, column) in table.columns.enumerated() {
                // A formula may use a worked-out column declared above it, which is worked out first.
                let workedOut = Set(table.columns[position...].filter { $0.formula != nil }.map { $0.name.text.lowercased() })
                guard let formula = column.formula else { continue }
                let owner = "column \(column.name.text) of table \(table.name.text)"
                if let total = formula.firstTotal {
                    error(total.span, "A column is worked out from its own row, so \(owner) cannot total rows.",
                          hint: "Totals go in a `view`, or in a rule's `when`.")
                    continue
                }
                if let other = firstName(in: Self.outsideLookups(formula), where: { qualifier, _ in qualifier != nil }) {
                    error(other.span, "\(owner.prefix(1).uppercased() + owner.dropFirst()) is worked out from its own row, not from another table.",
                          hint: "Use LOOKUP(table.column, key) to read another table's row.")
                    continue
                }
                if let stranger = firstName(in: formula, where: { qualifier, name in qualifier == nil && symbol.column(name.text) == nil }) {
                    error(stranger.span, "\(owner.prefix(1).uppercased() + owner.dropFirst()) can be worked out only from the table's own columns, and `\(stranger.text)` is not one.",
                          hint: "Its columns are: \(nameList(symbol.columns.map(\.name))).")
                    continue
                }
                // A column is worked out only when the sheet has its formula's first input, so a
                // first input worked out below is the sheet's own: `or revised - original` for
                // transfers beside `or original + transfers` for revised, whichever the sheet lacks.
                let firstInput = firstName(in: formula, where: { qualifier, _ in qualifier == nil })?.text.lowercased()
                if let nested = firstName(in: formula, where: { qualifier, name in
                    qualifier == nil && workedOut.contains(name.text.lowercased()) && name.text.lowercased() != firstInput
                }) {
                    error(nested.span, "`\(nested.text)` is worked out itself, below \(owner), so it cannot be used here.",
                          hint: "Declare \(nested.text) above \(column.name.text), make it the formula's first column (then the formula is used only when the sheet has it), or work \(column.name.text) out from columns the sheet has.")
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

    /// The formula with each LOOKUP's first value (the other table's column) left out.
    static func outsideLookups(_ formula: Expression) -> Expression {
        switch formula {
        case .call(let name, let arguments, let filter, let span) where name.text.uppercased() == Function.lookup.rawValue:
            return .call(name, Array(arguments.dropFirst()).map(outsideLookups), filter: filter.map(outsideLookups), span)
        case .call(let name, let arguments, let filter, let span):
            return .call(name, arguments.map(outsideLookups), filter: filter.map(outsideLookups), span)
        case .unary(let op, let operand, let span): return .unary(op, outsideLookups(operand), span)
        case .binary(let op, let left, let right, let span): return .binary(op, outsideLookups(left), outsideLookups(right), span)
        default: return formula
        }
    }

    /// The first name in a formula that `matches` (qualifier, name).
    func firstName(in expression: Expression, where matches: (Name?, Name) -> Bool) -> Name? {
        if case .name(let qualifier, let name) = expression, matches(qualifier, name) { return name }
        for part in expression.parts {
            if let found = firstName(in: part, where: matches) { return found }
        }
        return nil
    }

    var invalidParams: Set<String> = []

    mutating func checkParams() {
        for param in params {
            let type = literalType(param.value)
            if type == nil { invalidParams.insert(param.name.text.lowercased()) }
            if let (message, hint) = Literal.problem(param.value, as: files[param.value.span.file].slice(param.value.span)) {
                error(param.value.span, message, hint: hint)
            } else if type == nil {
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

    /// Each preset sets declared params, once each, to values of their own kind.
    mutating func checkPresets() {
        for preset in presets {
            var seen: Set<String> = []
            if preset.settings.isEmpty {
                error(preset.name.span, "Preset \(preset.name.text) sets no parameters.", hint: "Add lines such as: set personnel_objects = (\"61\")")
            }
            for setting in preset.settings {
                let key = setting.name.text.lowercased()
                guard let declared = paramTypes[key] else {
                    error(setting.name.span, "Preset \(preset.name.text) sets `\(setting.name.text)`, but no parameter has that name.",
                          hint: Suggest.closest(setting.name.text, among: params.map(\.name.text)).map { "Did you mean \($0)?" }
                            ?? "Declare it with `param` first, with the value most districts use.")
                    continue
                }
                if !seen.insert(key).inserted {
                    error(setting.name.span, "Preset \(preset.name.text) sets `\(setting.name.text)` twice.")
                }
                if let (message, hint) = Literal.problem(setting.value, as: files[setting.value.span.file].slice(setting.value.span)) {
                    error(setting.value.span, message, hint: hint)
                } else if let type = literalType(setting.value) {
                    if declared != .unknown && !Self.fits(type, declared) {
                        error(setting.value.span, "`\(setting.name.text)` is \(declared), but preset \(preset.name.text) sets it to \(type).",
                              hint: "Write the value the way the parameter's own line does.")
                    } else if key == RuleChecker.fiscalYearStart && !RuleChecker.isMonth(setting.value) {
                        error(setting.value.span, RuleChecker.fiscalYearStartMeaning)
                    }
                } else {
                    error(setting.value.span, "A preset's value must be written out: a number, an amount, a percentage, a date, a text or a list in brackets.")
                }
            }
        }
    }

    /// `account_layout` (the rules' own, and each preset's) names only segments the tables declare.
    mutating func checkAccountLayouts() {
        let segments = Set(tables.flatMap(\.columns).flatMap(\.segments).map { $0.text.lowercased() })
        let values = params.filter { $0.name.text.lowercased() == RuleChecker.accountLayout }.map(\.value)
            + presets.flatMap(\.settings).filter { $0.name.text.lowercased() == RuleChecker.accountLayout }.map(\.value)
        for value in values {
            guard case .list(let items, _) = value else {
                error(value.span, "account_layout lists the account's parts by segment name, in brackets.",
                      hint: "For example: (\"fund\", \"function\", \"object\", \"\", \"site\")")
                continue
            }
            for item in items {
                guard case .text(let written, let span) = item else { continue }
                if case .failure(let problem) = AccountLayout.parse([written]) {
                    error(span, problem.sentence, hint: "Write a segment's name, or its name and characters: \"fund 1\", \"function 2-5\".")
                    continue
                }
                guard let name = written.split(separator: " ").first.map(String.init), !segments.contains(name.lowercased()) else { continue }
                error(span, "account_layout names `\(name)`, which is not a segment of any table.",
                      hint: (Suggest.closest(name, among: Array(segments)).map { "Did you mean \($0)? " } ?? "") + "A part no segment takes is written \"\".")
            }
        }
    }

    /// A preset's value fits a param of codes with texts, and an empty list fits any list.
    static func fits(_ type: ValueType, _ declared: ValueType) -> Bool {
        switch (type, declared) {
        case (.list(let element), .list(let declaredElement)): element == declaredElement || (element.isTextual && declaredElement.isTextual)
        default: type == declared || (type.isTextual && declared.isTextual)
        }
    }

    /// A param's type; nil when its value is not written out, or cannot be read.
    func literalType(_ expression: Expression) -> ValueType? {
        guard let type = Literal.type(expression), Literal.problem(expression, as: "") == nil else { return nil }
        return type
    }

    // MARK: Unused

    mutating func reportUnused() {
        for param in params where !expressionChecker.usedParams.contains(param.name.text.lowercased())
            && !invalidParams.contains(param.name.text.lowercased())
            && ![RuleChecker.fiscalYearStart, RuleChecker.accountLayout].contains(param.name.text.lowercased()) {
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

extension RuleChecker {
    /// The table of the review's findings, filled in once every rule has run.
    public static let findingsTable = "findings"
    public static let findingsColumns: [(String, ValueType)] = [
        ("rule", .code), ("title", .text), ("severity", .code), ("pathway", .code), ("sheet", .text), ("row", .number),
        ("owner", .code), ("site", .code), ("school", .text), ("amount", .money), ("message", .text),
    ]
}
