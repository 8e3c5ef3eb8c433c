import Tabular

/// Views and rules: each checked in its scope and handed on as part of the checked program.
extension DeclarationChecker {
    // MARK: Views

    mutating func checkViews() {
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

    func collectQualifiers(_ expression: Expression, into names: inout Set<String>) {
        switch expression {
        case .name(let qualifier?, _), .header(let qualifier?, _, _): names.insert(qualifier.text.lowercased())
        default: for part in expression.parts { collectQualifiers(part, into: &names) }
        }
    }

    mutating func checkView(_ view: ViewDeclaration) {
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
        for name in view.order where symbol.column(name.text) == nil {
            let columns = symbol.columns.map(\.name)
            error(name.span, "View \(view.name.text) has no column `\(name.text)` to list its rows in order of.",
                  hint: (Suggest.closest(name.text, among: columns).map { "Did you mean `\($0)`? " } ?? "") + "Its columns are: \(nameList(columns)).")
        }
        symbols[view.name.text.lowercased()] = symbol
        expressionChecker.tables = symbols
        if readsFindings(table: tableName, view.groupKeys + view.columns.map(\.value) + view.lets.map(\.value) + [view.filter].compactMap { $0 }) {
            viewsOfFindings.insert(view.name.text.lowercased())
        }
        checkedViews.append(CheckedView(name: view.name.text, title: view.title ?? view.name.text, table: source.name.lowercased(), filter: filter,
                                        groupKeys: keys, keyColumns: plainKeys, slots: slots,
                                        headers: Dictionary(view.columns.compactMap { column in column.title.map { (column.name.text.lowercased(), $0) } },
                                                            uniquingKeysWith: { first, _ in first }),
                                        order: view.order.map { $0.text.lowercased() }, isShown: view.isShown))
        checkedViews[checkedViews.count - 1].afterRules = viewsOfFindings.contains(view.name.text.lowercased())
    }

    /// Whether something on `table` using `expressions` reads the findings, directly or through a view that does.
    func readsFindings(table: Name?, _ expressions: [Expression]) -> Bool {
        guard hasFindingsTable else { return false }
        var names = Set<String>()
        if let table { names.insert(table.text.lowercased()) }
        for expression in expressions { collectQualifiers(expression, into: &names) }
        return names.contains(RuleChecker.findingsTable) || !names.isDisjoint(with: viewsOfFindings)
    }

    mutating func lookupTable(_ name: Name, for owner: String) -> TableSymbol? {
        if let table = symbols[name.text.lowercased()] { return table }
        let candidates = tables.map(\.name.text) + views.map(\.name.text)
        error(name.span, "There is no table or view named `\(name.text)` for \(owner).",
              hint: Suggest.closest(name.text, among: candidates).map { "Did you mean `\($0)`?" }
                ?? "The tables and views are: \(nameList(candidates.sorted())).")
        return nil
    }

    mutating func checkPathway(_ name: Name?, owner: String, at span: SourceSpan) {
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

    mutating func checkRules() {
        ruleMemo?.start(RuleCheckMemo.Environment(checker: self), params: expressionChecker.params)
        var usesCounted: Set<ObjectIdentifier> = []
        for index in rules.indices {
            // A `let` is used or not within its own rule.
            expressionChecker.usedBindings = []
            guard let ruleMemo else {
                checkRule(rules[index])
                continue
            }
            let span = ruleSpans[index]
            let text = SourceText(files[span.file].bytes[span.start ..< span.end])
            if let uses = ruleMemo.uses(of: text) {
                guard usesCounted.insert(ObjectIdentifier(uses)).inserted else { continue }
                usedPathways.formUnion(uses.pathways)
                expressionChecker.usedParams.formUnion(uses.params)
                expressionChecker.usedTables.formUnion(uses.tables)
                continue
            }
            // What this rule alone uses, to be kept with it when it has no mistake.
            let before = (diagnostics.count, expressionChecker.diagnostics.count, usedPathways, expressionChecker.usedParams, expressionChecker.usedTables)
            usedPathways = []
            expressionChecker.usedParams = []
            expressionChecker.usedTables = []
            checkRule(rules[index])
            if diagnostics.count == before.0 && expressionChecker.diagnostics.count == before.1 {
                ruleMemo.remember(text, rules[index], pathways: usedPathways, params: expressionChecker.usedParams, tables: expressionChecker.usedTables)
            }
            usedPathways.formUnion(before.2)
            expressionChecker.usedParams.formUnion(before.3)
            expressionChecker.usedTables.formUnion(before.4)
        }
    }

    mutating func checkRule(_ rule: RuleDeclaration) {
        let owner = "rule \(rule.id.text)"
        checkPathway(rule.pathway, owner: owner, at: rule.id.span)
        if rule.severity == nil && rule.severitySpan == nil {
            error(rule.id.span, "Rule \(rule.id.text) needs a `severity` line: error, warning or info.")
        }
        guard let tableName = rule.table else {
            error(rule.id.span, "Rule \(rule.id.text) needs a `for` line saying which table it checks.", hint: "For example: for transactions")
            return
        }
        guard let table = lookupTable(tableName, for: owner) else { return }
        if readsFindings(table: tableName, [rule.condition, rule.filter].compactMap { $0 } + rule.lets.map(\.value) + rule.groupKeys) {
            let through = tableName.text.lowercased() == RuleChecker.findingsTable ? "" : " (through \(tableName.text))"
            error(tableName.span, "Rule \(rule.id.text) reads the findings\(through), but they are known only once every rule has run.",
                  hint: "Total the findings in a view (`from findings by owner`) or measure them in an indicator; a rule cannot use them.")
            return
        }
        var scope = Scope(owner: owner, table: table)
        // The rows it looks at are chosen one by one, before any group or `let`.
        let filter = rule.filter.flatMap { written -> CheckedExpression? in
            let letNames = Set(rule.lets.map { $0.name.text.lowercased() })
            if let used = plainNames(in: written).first(where: { letNames.contains($0.text.lowercased()) && table.column($0.text) == nil }) {
                error(used.span, "`\(used.text)` is a `let` of rule \(rule.id.text), worked out after `where` has chosen the rows, so `where` cannot use it.",
                      hint: "Write its formula in `where` itself.")
                return nil
            }
            return expressionChecker.checkCondition(written, in: scope, what: "The `where` of \(owner)")
        }
        let window = rule.window.flatMap { checkWindow($0, of: rule, in: scope) }
        let keys = rule.groupKeys.map { expressionChecker.check($0, in: scope) }
        scope.groupKeys = rule.groupKeys
        let lets = checkLets(rule.lets, in: &scope, owner: owner, table: table)
        var condition: CheckedExpression?
        if let written = rule.condition {
            let mistakesBefore = expressionChecker.diagnostics.count
            let checked = expressionChecker.checkCondition(written, in: scope, what: "The `when` of \(owner)")
            condition = checked
            // Said only of a condition with no other mistake: a misspelt column reads nothing either.
            if rule.groupKeys.isEmpty && rule.window == nil && expressionChecker.diagnostics.count == mistakesBefore
                && onlyTotalsItsTable(checked, of: table, lets: lets) {
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
        guard let condition, let message, let severity = rule.severity else { return }
        checkedRules.append(CheckedRule(
            id: rule.id.text, title: rule.title ?? rule.id.text, pathway: rule.pathway?.text ?? "", severity: severity, isCompliance: rule.isCompliance,
            table: table.name.lowercased(), groupKeys: keys, groupKeyTexts: rule.groupKeys.map(keyText), window: window, filter: filter,
            lets: lets, condition: condition,
            message: message, fix: fix, flags: flags, totals: rule.groupKeys.isEmpty ? [] : condition.totals,
            about: rule.about, source: rule.source))
        checkedRules[checkedRules.count - 1].letNames = rule.lets.map(\.name.text)
    }

    /// `within 14 days of posted`: a whole number of days, then a date of each row.
    mutating func checkWindow(_ window: GroupWindow, of rule: RuleDeclaration, in scope: Scope) -> CheckedWindow? {
        let example = "for transactions by vendor within 14 days of posted"
        if rule.groupKeys.isEmpty {
            error(window.span, "A window cuts each group of rule \(rule.id.text) into runs of days, so it follows `by` and what makes the groups.",
                  hint: "For example: \(example)")
        }
        let days = expressionChecker.check(window.days, in: Scope(owner: scope.owner, table: nil))
        var daysFit = false
        switch days.node {
        case .literal(.number(let count)): daysFit = count >= 1 && count == count.rounded()
        case .param: daysFit = days.type == .number
        case .invalid: daysFit = true
        default: break
        }
        if !daysFit {
            error(window.days.span, "A window spans a whole number of days, 1 or more, written out or as a param.", hint: "For example: \(example)")
        }
        let date = expressionChecker.check(window.date, in: scope)
        if date.type != .date && date.type != .unknown {
            error(window.date.span, "A window is placed by a date of each row, but this is \(date.type).", hint: "For example: \(example)")
        } else if window.date.firstTotal != nil {
            error(window.date.span, "A window is placed by each row's own date, not by a total.", hint: "For example: \(example)")
        }
        return CheckedWindow(days: days, date: date)
    }

    /// The names a formula uses without a table in front, in order.
    func plainNames(in expression: Expression) -> [Name] {
        if case .name(nil, let name) = expression { return [name] }
        return expression.parts.flatMap(plainNames)
    }

    /// How a key is written in the rule, as a finding's group shows it: `vendor`, `WEEKNUM(posted)`.
    func keyText(_ expression: Expression) -> String {
        switch expression {
        case .name(let qualifier, let name): return (qualifier.map { $0.text + "." } ?? "") + name.text
        case .call(let name, let arguments, _, _): return name.text.uppercased() + "(" + arguments.map(keyText).joined(separator: ", ") + ")"
        default: return RuleFormatter.text(expression)
        }
    }

    /// `let` lines, each a binding slot in order; a later one may use an earlier one.
    mutating func checkLets(_ lets: [LetBinding], in scope: inout Scope, owner: String, table: TableSymbol?) -> [CheckedExpression] {
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
    func onlyTotalsItsTable(_ condition: CheckedExpression, of table: TableSymbol, lets: [CheckedExpression]) -> Bool {
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
    mutating func checkFlags(_ rule: RuleDeclaration, table: TableSymbol) -> [String] {
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

    mutating func checkTemplate(_ template: Template, in scope: Scope) -> CheckedTemplate {
        CheckedTemplate(parts: template.parts.map { part in
            switch part {
            case .text(let text): .text(text)
            case .expression(let expression): .value(expressionChecker.check(expression, in: scope))
            }
        })
    }
}
