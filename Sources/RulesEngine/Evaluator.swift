import RulesLanguage
import Tabular

/// A formula that cannot be evaluated against this workbook: a table or column it needs is
/// missing, or a total over another table would exceed the bound on its work. The rule is then
/// "not assessed", with this reason.
struct NotAssessed: Error {
    let reason: String

    /// The reason as a sentence for a reviewer: a missing table says just that.
    var sentence: String {
        reason.hasPrefix("the workbook has no ") ? "The" + reason.dropFirst(3) + "." : "It could not be assessed: \(reason)."
    }
}

/// Runs checked formulas over whole columns. Every name was resolved by the checker, so nothing
/// is looked up by name here but a table's rows and a column's values. It holds no state that
/// changes while it evaluates, so one evaluator serves several threads once its sources are preloaded.
struct Evaluator: @unchecked Sendable {
    /// Tables and views (as they are worked out), by lower-case name.
    var sources: [String: RowSource]
    /// Each param's value for this run, in the rule set's order; lists apart from single values.
    let params: [Value?]
    let listParams: [[Value]?]
    /// The date the review is as of; nil when the workbook has no dates and the run gave none.
    let asOf: CalendarDate?
    let fiscalYear: FiscalYear
    /// Why a table, a view or a view's column (`view.column`) is missing, by lower-case name:
    /// "the workbook has no Schools table".
    var absent: [String: String] = [:]

    init(sources: [String: RowSource], rules: CheckedRuleSet, values: ParamValues, asOf: CalendarDate?) {
        self.sources = sources
        params = rules.params.map { values.singles[$0.name.text.lowercased()] }
        listParams = rules.params.map { values.lists[$0.name.text.lowercased()] }
        self.asOf = asOf
        let start = values.singles[RuleChecker.fiscalYearStart]
        if case .number(let month)? = start, (1 ... 12).contains(Int(month)) {
            fiscalYear = FiscalYear(startMonth: Int(month))
        } else {
            fiscalYear = FiscalYear(startMonth: 7)
        }
    }

    /// Why `name` (a table, a view, or `view.column`) cannot be used, as the end of a sentence.
    func absence(of name: String) -> String {
        if let known = absent[name.lowercased()] { return known }
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return "the table \(name) is not in the workbook" }
        return missingColumn(parts[1], of: sources[parts[0].lowercased()]) ?? "the column \(name) is not in the workbook"
    }

    /// A declared column the sheet lacks, by the header a finance officer would look for
    /// (`sheet "Transactions" has no "Budget Owner" column`); for a view's column, what it needed.
    func missingColumn(_ name: String, of source: RowSource?) -> String? {
        guard let source else { return nil }
        if let whole = source.filtered { return missingColumn(name, of: whole) }
        if let reason = absent["\(source.name.lowercased()).\(name.lowercased())"] { return reason }
        guard let bound = source.bound,
              let column = bound.declaration.columns.first(where: { $0.name.text.lowercased() == name.lowercased() }) else { return nil }
        let account = bound.declaration.columns.first { $0.segments.contains { $0.text.lowercased() == name.lowercased() } }
        return "sheet \"\(bound.sheet)\" has no \"\(column.aliases.first ?? name)\" column"
            + (account.flatMap { bound.column($0.name.text) } != nil ? ", and its accounts have no \(column.name.text) part" : "")
    }

    // MARK: Formulas

    /// A formula's value at the frame's level: per group in a grouped frame, else per row.
    func evaluate(_ expression: CheckedExpression, in frame: Frame) throws -> Vector {
        let count = frame.count
        switch expression.node {
        case .literal(let value):
            return .constant(value, count: count)
        case .param(let index):
            guard let value = params[index] else { throw NotAssessed(reason: "a parameter has no value") }
            return .constant(value, count: count)
        case .column(let name):
            if let vector = frame.source.column(name) { return vector }
            if frame.missingColumnsAreBlank { return .constant(.blank, count: count) }
            throw NotAssessed(reason: missingColumn(name, of: frame.source) ?? "the column `\(name)` is not in the workbook")
        case .groupKey(let position):
            guard let grouping = frame.grouping else { return frame.keyVectors[position] }
            return frame.keyVectors[position].gathering(grouping.firstRows)
        case .binding(let slot):
            if let vector = frame.bindings[slot] { return vector }
            guard let unavailable = frame.unavailable[slot] else { throw NotAssessed(reason: "a value is used before it is worked out") }
            guard frame.missingColumnsAreBlank else { throw unavailable.problem }
            return try evaluate(unavailable.value, in: frame)
        case .outer(let value):
            // Inside a total, the outer row's value fixed for this pass; outside it, the value itself.
            guard let fixed = frame.outerValues else { return try evaluate(value, in: frame) }
            guard let known = fixed[ObjectIdentifier(expression)] else { throw NotAssessed(reason: "a total reads the outer row where it cannot") }
            return .constant(known, count: count)
        case .unary(.not, let operand):
            return Operators.not(try evaluate(operand, in: frame))
        case .unary(.negate, let operand):
            return Operators.negate(try evaluate(operand, in: frame))
        case .binary(let operation, let left, let right, let blankIsZero):
            let result = Operators.binary(operation, try evaluate(left, in: frame), try evaluate(right, in: frame), blankIsZero: blankIsZero)
            return result.conformed(to: expression.type)
        case .isBlank(let operand, let negated):
            if case .param(let index) = operand.node, case .list = operand.type {
                guard let values = listParams[index] else { throw NotAssessed(reason: "a list parameter has no value") }
                return .flags(.init(repeating: values.isEmpty != negated ? 1 : 0, count: frame.count))
            }
            return .flags(try evaluate(operand, in: frame).blanks.map { $0 != negated ? 1 : 0 })
        case .isIn(let operand, let members, let negated):
            let value = try evaluate(operand, in: frame)
            let set = try memberSet(members)
            return .flags(value.mapKeys { key in (key != .blank && set.contains(key)) != negated ? 1 : 0 })
        case .between(let operand, let low, let high, let negated):
            let value = try evaluate(operand, in: frame)
            let lower = Operators.binary(.greaterOrEqual, value, try evaluate(low, in: frame), blankIsZero: (operand.isCellValue, low.isCellValue))
            let upper = Operators.binary(.lessOrEqual, value, try evaluate(high, in: frame), blankIsZero: (operand.isCellValue, high.isCellValue))
            let both = Operators.binary(.and, lower, upper, blankIsZero: (true, true))
            return negated ? Operators.not(both) : both
        case .startsWith(let operand, let members, let negated):
            let value = try evaluate(operand, in: frame)
            let prefixes = try memberSet(members).compactMap { key -> String? in
                switch key {
                case .text(let text): text
                case .number(let number): number.rounded() == number ? String(Int(number)).lowercased() : String(number)
                default: nil
                }
            }
            return .flags(value.mapKeys { key in
                guard case .text(let text) = key else { return negated ? 1 : 0 }
                return prefixes.contains { text.hasPrefix($0) } != negated ? 1 : 0
            })
        case .like(let operand, let pattern, let negated):
            let values = try evaluate(operand, in: frame).strings
            let patterns = try evaluate(pattern, in: frame).strings
            return .flags(values.indices.map { row in
                Wildcard.matches(values[row] ?? "", pattern: patterns[row] ?? "") != negated ? 1 : 0
            })
        case .call(let function, let arguments):
            return try call(function, arguments, in: frame).conformed(to: expression.type)
        case .lookup(let table, let column, let keyColumn, let key):
            return try lookup(table: table, column: column, keyColumn: keyColumn, key: key, in: frame)
        case .total(let total):
            return try self.total(total, in: frame).conformed(to: expression.type)
        case .invalid:
            throw NotAssessed(reason: "a formula could not be read")
        }
    }

    /// The values an `in` tests against: a list, a list param, or a table's column.
    private func memberSet(_ members: CheckedExpression.Members) throws -> Set<KeyPart> {
        switch members {
        case .values(let values):
            return Set(values.flatMap { Vector.constant($0, count: 1).groupingKeys })
        case .param(let index):
            guard let values = listParams[index] else { throw NotAssessed(reason: "a list parameter has no value") }
            return Set(values.flatMap { Vector.constant($0, count: 1).groupingKeys })
        case .column(let table, let column):
            guard let source = sources[table] else { throw NotAssessed(reason: absence(of: table)) }
            guard let vector = source.column(column) else { throw NotAssessed(reason: absence(of: "\(table).\(column)")) }
            return Set(vector.groupingKeys)
        }
    }

    // MARK: Functions

    private func call(_ function: Function, _ arguments: [CheckedExpression], in frame: Frame) throws -> Vector {
        switch function {
        case .today, .elapsed:
            guard let asOf else {
                throw NotAssessed(reason: "it depends on the date the review is as of, and the workbook has no dates to tell; run it again with --as-of, for example --as-of 2025-06-30")
            }
            if function == .today { return .constant(.date(asOf), count: frame.count) }
            return .constant(.percent(fiscalYear.elapsed(on: asOf)), count: frame.count)
        case .ifBlank:
            // What the workbook lacks is blank in the first value: the second one stands in for it.
            var tolerant = frame
            tolerant.missingColumnsAreBlank = true
            let value = try evaluate(arguments[0], in: tolerant)
            let otherwise = try evaluate(arguments[1], in: frame)
            let blanks = value.blanks
            guard blanks.contains(true) else { return value }
            // A column the workbook lacks comes back as blank numbers, whatever its type: the second value has the type.
            let template = blanks.contains(false) ? value : otherwise
            return Vector.build((0 ..< frame.count).map { blanks[$0] ? otherwise.value($0) : value.value($0) }, like: template)
        case .min, .max:
            // Blank cells are skipped, as Excel skips them; a value that could not be worked out
            // (0 ÷ 0) makes the result blank, as an error would in Excel.
            let values = try arguments.map { try evaluate($0, in: frame) }
            return ScalarFunctions.apply(function, values, count: frame.count, fiscalYear: fiscalYear)
                .blankWhere(Operators.undefined(zip(values, arguments).map { ($0, $1.isCellValue) }))
        default:
            let values = try arguments.map { try evaluate($0, in: frame) }
            return ScalarFunctions.apply(function, values, count: frame.count, fiscalYear: fiscalYear)
        }
    }

    /// `LOOKUP(sites.enrollment, site)`: the value in the row of the other table whose key matches.
    private func lookup(table: String, column: String, keyColumn: String, key: CheckedExpression, in frame: Frame) throws -> Vector {
        guard let source = sources[table] else {
            if frame.missingColumnsAreBlank { return .constant(.blank, count: frame.count) }
            throw NotAssessed(reason: absence(of: table))
        }
        guard let keys = source.column(keyColumn) else { throw NotAssessed(reason: absence(of: "\(table).\(keyColumn)")) }
        guard let values = source.column(column) else {
            if frame.missingColumnsAreBlank { return .constant(.blank, count: frame.count) }
            throw NotAssessed(reason: absence(of: "\(table).\(column)"))
        }
        var index: [KeyPart: Int] = [:]
        for (row, key) in keys.groupingKeys.enumerated() where key != .blank && index[key] == nil { index[key] = row }
        let rows = try evaluate(key, in: frame).mapKeys { index[$0] ?? -1 }
        return values.gatheringOrBlank(rows)
    }

    // MARK: Totals

    private func total(_ total: CheckedExpression.Total, in frame: Frame) throws -> Vector {
        switch total.range {
        case .table(let name):
            guard let range = sources[name] else { throw NotAssessed(reason: absence(of: name)) }
            return try self.total(total, over: range, in: frame)
        case .ownRows:
            // The group's rows, or in an ungrouped frame every row, whose one total applies to each.
            var inner = Frame(source: frame.source)
            inner.missingColumnsAreBlank = frame.missingColumnsAreBlank
            if frame.grouping == nil {
                inner.bindings = frame.bindings
                inner.unavailable = frame.unavailable
            }
            let values = try total.arguments.map { try evaluate($0, in: inner) }
            let keep = try total.filter.map { try evaluate($0, in: inner) }
            let groups = frame.grouping?.groups ?? .all(frame.source.rowCount)
            let perGroup = Aggregates.apply(total.function, values, groups: keeping(groups, keep))
            return frame.grouping == nil ? perGroup.gathering([Int](repeating: 0, count: frame.count)) : perGroup
        }
    }

    private func keeping(_ groups: GroupRows, _ condition: Vector?) -> GroupRows {
        guard case .flags(let flags)? = condition else { return groups }
        return groups.keeping(flags)
    }

    /// A total over every row of a table. Conditions of its `where` that read the outer row
    /// should match one of the table's columns to a value of the outer row (`accounts.owner = owner`);
    /// the total is then worked out once per value, through a hash of the table's rows.
    private func total(_ total: CheckedExpression.Total, over range: RowSource, in frame: Frame) throws -> Vector {
        var inner = Frame(source: range)
        inner.outerValues = [:]
        var own: [CheckedExpression] = []
        var joins: [(condition: CheckedExpression, inner: CheckedExpression, outer: CheckedExpression)] = []
        var correlated: [CheckedExpression] = []
        for condition in total.filter?.conjuncts ?? [] {
            if !condition.readsOuter {
                own.append(condition)
            } else if case .binary(.equal, let left, let right, _) = condition.node, !left.readsOuter, !right.readsTotalledRows {
                joins.append((condition, left, right))
            } else if case .binary(.equal, let left, let right, _) = condition.node, !right.readsOuter, !left.readsTotalledRows {
                joins.append((condition, right, left))
            } else {
                correlated.append(condition)
            }
        }
        let values = try total.arguments.map { try evaluate($0, in: inner) }
        var keep: Vector?
        for condition in own {
            let flags = try evaluate(condition, in: inner)
            keep = keep.map { Operators.binary(.and, $0, flags, blankIsZero: (true, true)) } ?? flags
        }
        if !correlated.isEmpty {
            // Any other use of the outer row: worked out once per distinct set of outer values.
            return try correlatedTotal(total.function, values, keep: keep, conditions: correlated + joins.map(\.condition),
                                       over: range, inner: inner, in: frame)
        }
        let kept = keeping(.all(range.rowCount), keep)
        guard !joins.isEmpty else {
            return Aggregates.apply(total.function, values, groups: kept).gathering([Int](repeating: 0, count: frame.count))
        }
        // Group 0 holds no rows: outer rows whose key no kept row has get the total of nothing.
        let innerKeys = try joins.map { try evaluate($0.inner, in: inner).groupingKeys }
        var groupOfRow = [Int32](repeating: 0, count: range.rowCount)
        var included = [UInt8](repeating: 0, count: range.rowCount)
        if joins.count == 1 {
            // One match (the usual case): keys compared one by one, the outer side once per distinct value.
            var groupOfKey: [KeyPart: Int32] = [:]
            for row in kept.order.lazy.map(Int.init) {
                let key = innerKeys[0][row]
                let group = groupOfKey[key] ?? { let id = Int32(groupOfKey.count + 1); groupOfKey[key] = id; return id }()
                groupOfRow[row] = group
                included[row] = 1
            }
            let groups = GroupRows(groupOfRow: groupOfRow, groupCount: groupOfKey.count + 1).keeping(included)
            let totals = Aggregates.apply(total.function, values, groups: groups)
            return totals.gathering(try evaluate(joins[0].outer, in: frame).mapKeys { Int(groupOfKey[$0] ?? 0) })
        }
        var groupOfKey: [[KeyPart]: Int32] = [:]
        for row in kept.order.lazy.map(Int.init) {
            let key = innerKeys.map { $0[row] }
            let group = groupOfKey[key] ?? { let id = Int32(groupOfKey.count + 1); groupOfKey[key] = id; return id }()
            groupOfRow[row] = group
            included[row] = 1
        }
        let outerKeys = try joins.map { try evaluate($0.outer, in: frame).groupingKeys }
        let groups = GroupRows(groupOfRow: groupOfRow, groupCount: groupOfKey.count + 1).keeping(included)
        let totals = Aggregates.apply(total.function, values, groups: groups)
        return totals.gathering((0 ..< frame.count).map { index in Int(groupOfKey[outerKeys.map { $0[index] }] ?? 0) })
    }

    /// The most inner-row evaluations a correlated total may cost (distinct outer values times the
    /// other table's rows), so a rule can never run unbounded.
    static let correlatedWorkLimit = 50_000_000

    private func correlatedTotal(_ function: Function, _ values: [Vector], keep: Vector?, conditions: [CheckedExpression],
                                 over range: RowSource, inner: Frame, in frame: Frame) throws -> Vector {
        // The outer values the conditions read, and the distinct combinations of them.
        var leaves: [CheckedExpression] = []
        func collect(_ expression: CheckedExpression) {
            if case .outer = expression.node {
                if !leaves.contains(where: { $0 === expression }) { leaves.append(expression) }
                return
            }
            expression.parts.forEach(collect)
        }
        conditions.forEach(collect)
        let leafVectors = try leaves.map { try evaluate($0, in: frame) }
        let combinations = Grouping(keys: leafVectors, rowCount: frame.count)
        guard combinations.count * max(1, range.rowCount) <= Evaluator.correlatedWorkLimit else {
            throw NotAssessed(reason: "a total over \(range.name) would compare \(combinations.count) different outer values with each of its \(range.rowCount) rows, more work than one rule may take")
        }
        var totals: [Value] = []
        for combination in 0 ..< combinations.count {
            let representative = combinations.firstRows[combination]
            var fixed = inner
            fixed.outerValues = Dictionary(uniqueKeysWithValues: zip(leaves, leafVectors).map { (ObjectIdentifier($0), $1.value(representative)) })
            var flags = keep
            for condition in conditions {
                let result = try evaluate(condition, in: fixed)
                flags = flags.map { Operators.binary(.and, $0, result, blankIsZero: (true, true)) } ?? result
            }
            totals.append(Aggregates.apply(function, values, groups: keeping(.all(range.rowCount), flags)).value(0))
        }
        let template = Aggregates.apply(function, values, groups: GroupRows(order: [], starts: [0, 0]))
        var groupOfIndex = [Int](repeating: 0, count: frame.count)
        for combination in 0 ..< combinations.count {
            for index in combinations.groups.rows(combination) { groupOfIndex[Int(index)] = combination }
        }
        return Vector.build(groupOfIndex.map { totals[$0] }, like: template)
    }
}

extension Vector {
    /// Rows at these positions; -1 gives a blank.
    func gatheringOrBlank(_ rows: [Int]) -> Vector {
        switch self {
        case .numbers(let values, let percent): .numbers(rows.map { $0 < 0 ? .nan : values[$0] }, percent: percent)
        case .money(let values, let remainders):
            .money(rows.map { $0 < 0 ? Vector.blankMoney : values[$0] }, remainders: remainders.map { remainders in rows.map { $0 < 0 ? 0 : remainders[$0] } })
        case .dates(let values): .dates(rows.map { $0 < 0 ? Vector.blankDate : values[$0] })
        case .texts(let values, let code): .texts(rows.map { $0 < 0 ? nil : values[$0] }, code: code)
        case .pooled(let ids, let pool, let code): .pooled(rows.map { $0 < 0 ? TextPool.blankID : ids[$0] }, pool, code: code)
        case .flags(let values): .flags(rows.map { $0 < 0 ? Vector.blankFlag : values[$0] })
        }
    }

    /// Numbers shown as the checker typed them: an amount over an amount as a percentage.
    func conformed(to type: ValueType) -> Vector {
        guard case .numbers(let values, let percent) = self else { return self }
        switch type {
        case .percent where !percent: return .numbers(values, percent: true)
        case .number where percent: return .numbers(values, percent: false)
        default: return self
        }
    }
}

/// Excel's wildcards: `*` any characters, `?` one character, `~` before either for itself; case ignored.
/// Matching is linear in the text times the pattern, with no backtracking blow-up.
enum Wildcard {
    static func matches(_ text: String, pattern: String) -> Bool {
        let text = Array(text.lowercased()), pattern = Array(pattern.lowercased())
        var textIndex = 0, patternIndex = 0
        var starPattern = -1, starText = 0
        while textIndex < text.count {
            if patternIndex < pattern.count, pattern[patternIndex] == "~", patternIndex + 1 < pattern.count,
               pattern[patternIndex + 1] == text[textIndex] {
                patternIndex += 2
                textIndex += 1
            } else if patternIndex < pattern.count, pattern[patternIndex] == "?" || (pattern[patternIndex] != "*" && pattern[patternIndex] == text[textIndex]) {
                patternIndex += 1
                textIndex += 1
            } else if patternIndex < pattern.count, pattern[patternIndex] == "*" {
                starPattern = patternIndex
                starText = textIndex
                patternIndex += 1
            } else if starPattern >= 0 {
                patternIndex = starPattern + 1
                starText += 1
                textIndex = starText
            } else {
                return false
            }
        }
        while patternIndex < pattern.count && pattern[patternIndex] == "*" { patternIndex += 1 }
        return patternIndex == pattern.count
    }
}
