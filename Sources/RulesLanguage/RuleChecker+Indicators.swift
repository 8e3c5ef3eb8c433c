import Tabular

/// Indicators, their levels, and goals.
extension DeclarationChecker {
    // MARK: Indicators and goals

    mutating func checkIndicators() {
        for indicator in indicators {
            expressionChecker.usedBindings = []
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
            var checked = CheckedIndicator(id: indicator.id.text, title: indicator.title ?? indicator.id.text, pathway: indicator.pathway?.text ?? "",
                                           lets: lets, measure: measure, bands: bands, thresholds: thresholds, about: indicator.about)
            if let per = indicator.per, let tables = checkPer(per, of: indicator, totalling: lets + [measure] + bands.compactMap(\.threshold)) {
                checked.per = per.text.lowercased()
                checked.perTables = tables
            }
            checkedIndicators.append(checked)
        }
    }

    /// `per site`: every table the indicator totals has that column, so each site's value is
    /// worked out on its own rows only, never on the whole district's.
    /// The tables it totals; nil when one has no such column.
    mutating func checkPer(_ per: Name, of indicator: IndicatorDeclaration, totalling expressions: [CheckedExpression]) -> [String]? {
        let known = Set(symbols.values.flatMap { $0.columns.map(\.name) })
        guard known.contains(where: { $0.lowercased() == per.text.lowercased() }) else {
            error(per.span, "No table or view has a column `\(per.text)` to measure indicator \(indicator.id.text) per.",
                  hint: Suggest.closest(per.text, among: Array(known)).map { "Did you mean `\($0)`?" } ?? "For example: per site")
            return nil
        }
        var tables: [String] = []
        func collect(_ expression: CheckedExpression) {
            if case .total(let total) = expression.node, case .table(let table) = total.range, !tables.contains(table) { tables.append(table) }
            expression.parts.forEach(collect)
        }
        expressions.forEach(collect)
        let without = tables.filter { symbols[$0]?.column(per.text) == nil }
        guard tables.isEmpty || !without.isEmpty else { return tables }
        let names = without.map { symbols[$0]?.name ?? $0 }
        error(per.span, tables.isEmpty ? "Indicator \(indicator.id.text) totals no table, so it cannot be measured per \(per.text)."
                : "Indicator \(indicator.id.text) is measured per \(per.text), but it totals \(nameList(names)), which \(names.count == 1 ? "has" : "have") no \(per.text) column.",
              hint: "Each \(per.text)'s value must come from its own rows: measure per \(per.text) only what totals tables with a \(per.text) column, or group the view by \(per.text) too.")
        return nil
    }

    mutating func checkBands(_ indicator: IndicatorDeclaration, measureType: ValueType, scope: Scope) -> [CheckedIndicator.Band]? {
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
    func numericValue(_ expression: Expression) -> Double? {
        switch expression {
        case .number(let text, _), .money(let text, _): return Double(text)
        case .percent(let text, _): return Double(text).map { $0 / 100 }
        case .unary("-", let operand, _): return numericValue(operand).map { -$0 }
        case .name(nil, let name): return paramValues[name.text.lowercased()].flatMap(numericValue)
        default: return nil
        }
    }

    func expressionText(_ expression: Expression) -> String {
        let span = expression.span
        return files[span.file].slice(span)
    }

    mutating func checkGoals() {
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
}
