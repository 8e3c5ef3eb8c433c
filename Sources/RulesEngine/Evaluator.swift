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

/// Evaluates checked formulas over whole columns. It holds no state of its own that changes while
/// it evaluates, so one evaluator serves several threads once its sources are preloaded.
struct Evaluator: @unchecked Sendable {
    let sources: [String: RowSource]
    let params: [String: Value]
    /// The date the review is as of; nil when the workbook has no dates and the run gave none.
    let asOf: CalendarDate?
    /// List parameters, kept apart from single values.
    var listParams: [String: [Value]] = [:]
    /// The key of each view (its single `by` name), for LOOKUP into views.
    var viewKeys: [String: String] = [:]
    /// Why a table, a view or a view's column (`view.column`) is missing, by lower-case name:
    /// "the workbook has no Schools table".
    var absent: [String: String] = [:]

    /// Why `name` (a table, a view, or `view.column`) cannot be used, as the end of a sentence.
    func absence(of name: String) -> String {
        if let known = absent[name.lowercased()] { return known }
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return "the table \(name) is not in the workbook" }
        return missingColumn(parts[1], of: sources[parts[0].lowercased()]) ?? "the column \(name) is not in the workbook"
    }

    /// A declared column the sheet lacks, by the header a finance officer would look for:
    /// `sheet "Transactions" has no "Budget Owner" column`.
    func missingColumn(_ name: String, of source: RowSource?) -> String? {
        guard let bound = source?.bound,
              let column = bound.declaration.columns.first(where: { $0.name.text.lowercased() == name.lowercased() }) else { return nil }
        return "sheet \"\(bound.sheet)\" has no \"\(column.aliases.first ?? name)\" column"
    }

    // MARK: Entry points

    /// A formula's value at the frame's level: per group in a grouped frame, else per row.
    func evaluate(_ expression: Expression, in frame: Frame) throws -> Vector {
        if !frame.outerLeaves.isEmpty, let leaf = frame.outerLeaves.first(where: { $0.0 == expression }) {
            return .constant(leaf.1, count: frame.count)
        }
        if let grouping = frame.grouping {
            if let keyIndex = frame.groupKeys.firstIndex(of: expression) {
                return frame.keyVectors[keyIndex].gathering(grouping.firstRows)
            }
        }
        return try evaluateNode(expression, in: frame)
    }

    private func evaluateNode(_ expression: Expression, in frame: Frame) throws -> Vector {
        let count = frame.count
        switch expression {
        case .number(let text, _): return .constant(.number(Double(text) ?? .nan), count: count)
        case .money(let text, _): return .constant(.money(moneyLiteral(text)), count: count)
        case .percent(let text, _): return .constant(.percent((Double(text) ?? .nan) / 100), count: count)
        case .date(let text, _): return .constant(dateLiteral(text), count: count)
        case .text(let text, _): return .constant(.text(text), count: count)
        case .yesNo(let flag, _): return .constant(.yesNo(flag), count: count)
        case .invalid: throw NotAssessed(reason: "a formula could not be read")
        case .list: throw NotAssessed(reason: "a list can only follow `in`")
        case .name(let qualifier, let name):
            return try resolve(qualifier: qualifier, name: name.text, in: frame)
        case .header(let qualifier, let header, _):
            if let qualifier { throw NotAssessed(reason: "\(qualifier.text).[\(header)] is another table's column outside a total") }
            guard frame.grouping == nil, let vector = frame.source.column(header: header) else {
                throw NotAssessed(reason: "the column [\(header)] is not in the workbook")
            }
            return vector
        case .unary(let op, let operand, _):
            let value = try evaluate(operand, in: frame)
            return op == "not" ? Operators.not(value) : Operators.negate(value)
        case .binary(let op, let left, let right, _):
            let lhs = try evaluate(left, in: frame)
            let rhs = try evaluate(right, in: frame)
            return Operators.binary(op, lhs, rhs)
        case .isBlank(let operand, let negated, _):
            return .flags(try evaluate(operand, in: frame).blanks.map { $0 != negated ? 1 : 0 })
        case .isIn(let operand, let list, let negated, _):
            let value = try evaluate(operand, in: frame)
            let members = try memberSet(list, in: frame)
            return .flags(value.mapKeys { key in (key != .blank && members.contains(key)) != negated ? 1 : 0 })
        case .between(let operand, let low, let high, let negated, _):
            let value = try evaluate(operand, in: frame)
            let lower = Operators.binary(">=", value, try evaluate(low, in: frame))
            let upper = Operators.binary("<=", value, try evaluate(high, in: frame))
            let both = Operators.binary("and", lower, upper)
            return negated ? Operators.not(both) : both
        case .like(let operand, let pattern, let negated, _):
            let values = try evaluate(operand, in: frame).strings
            let patterns = try evaluate(pattern, in: frame).strings
            return .flags(values.indices.map { row in
                Wildcard.matches(values[row] ?? "", pattern: patterns[row] ?? "") != negated ? 1 : 0
            })
        case .call(let name, let arguments, let filter, _):
            return try call(name.text.uppercased(), arguments, filter: filter, in: frame)
        }
    }

    private func resolve(qualifier: Name?, name: String, in frame: Frame) throws -> Vector {
        let key = name.lowercased()
        if let qualifier {
            guard frame.grouping == nil, qualifier.text.lowercased() == frame.source.name.lowercased() else {
                throw NotAssessed(reason: "\(qualifier.text).\(name) is used outside a total")
            }
            guard let vector = frame.source.column(name) else { throw NotAssessed(reason: absence(of: "\(qualifier.text).\(name)")) }
            return vector
        }
        if frame.qualifiedOnly {
            if let value = params[key] { return .constant(value, count: frame.count) }
            throw NotAssessed(reason: "`\(name)` inside a total over \(frame.source.name) is neither one of its columns nor a value of the outer row's conditions")
        }
        if let bound = frame.bindings[key] { return bound }
        if let unavailable = frame.unavailableBindings[key] {
            guard frame.missingColumnsAreBlank else { throw unavailable.problem }
            return try evaluate(unavailable.value, in: frame)
        }
        if let grouping = frame.grouping {
            if let position = frame.groupKeys.firstIndex(where: { if case .name(nil, let keyName) = $0 { keyName.text.lowercased() == key } else { false } }) {
                return frame.keyVectors[position].gathering(grouping.firstRows)
            }
        } else if let vector = frame.source.column(name) {
            return vector
        }
        if let value = params[key] { return .constant(value, count: frame.count) }
        if frame.missingColumnsAreBlank { return .constant(.blank, count: frame.count) }
        throw NotAssessed(reason: missingColumn(name, of: frame.source) ?? "the column `\(name)` is not in the workbook")
    }

    /// The values an `in` tests against: a list, a list param, or another table's column.
    private func memberSet(_ list: Expression, in frame: Frame) throws -> Set<KeyPart> {
        switch list {
        case .list(let items, _):
            var members = Set<KeyPart>()
            for item in items {
                let one = Frame(source: RowSource(view: "", rowCount: 1, columns: [:]))
                members.formUnion(try evaluate(item, in: one).groupingKeys)
            }
            return members
        case .name(let qualifier?, let column):
            guard let source = sources[qualifier.text.lowercased()], let vector = source.column(column.text) else {
                throw NotAssessed(reason: absence(of: qualifier.text))
            }
            return Set(vector.groupingKeys)
        case .name(nil, let name):
            guard let values = listParams[name.text.lowercased()] else { throw NotAssessed(reason: "`\(name.text)` is not a list") }
            return Set(values.flatMap { Vector.constant($0, count: 1).groupingKeys })
        default:
            throw NotAssessed(reason: "`in` needs a list")
        }
    }


    // MARK: Functions

    private func call(_ name: String, _ arguments: [Expression], filter: Expression?, in frame: Frame) throws -> Vector {
        guard let spec = FunctionCatalogue.named(name) else { throw NotAssessed(reason: "there is no function \(name)") }
        let aggregates = spec.totalsRows(given: arguments.count)
        if aggregates { return try aggregate(name, arguments, filter: filter, in: frame) }
        if name == "LOOKUP" { return try lookup(arguments, in: frame) }
        if name == "TODAY" || name == "ELAPSED" {
            guard let asOf else {
                throw NotAssessed(reason: "it depends on the date the review is as of, and the workbook has no dates to tell; run it again with --as-of, for example --as-of 2025-06-30")
            }
            if name == "TODAY" { return .constant(.date(asOf), count: frame.count) }
            return .constant(.percent(FiscalYear(startMonth: fiscalYearStart).elapsed(on: asOf)), count: frame.count)
        }
        let values = try arguments.map { try evaluate($0, in: frame) }
        if name == "FISCALYEAR", case .dates(let days) = values[0] {
            let year = FiscalYear(startMonth: fiscalYearStart)
            return .numbers(days.map { $0 == Vector.blankDate ? .nan : Double(year.name(of: CalendarDate(daysSince1970: $0))) }, percent: false)
        }
        return try ScalarFunctions.apply(name, values, count: frame.count)
    }

    /// A total over the rows of a group, of the whole table, or of another table or view named
    /// in its formula; `where` keeps only the rows where its condition holds.
    private func aggregate(_ name: String, _ arguments: [Expression], filter: Expression?, in frame: Frame) throws -> Vector {
        let range = try aggregateSource(arguments + (filter.map { [$0] } ?? []), in: frame)
        // In a grouped rule or view, a total that names its own table (`SUM(transactions.amount)`)
        // is over the whole table, so a group can be compared with the district.
        let wholeOwnTable = frame.grouping != nil
            && (arguments + (filter.map { [$0] } ?? [])).contains { firstQualifier($0) == frame.source.name.lowercased() }
        guard range === frame.source, !wholeOwnTable else { return try aggregate(name, arguments, filter: filter, over: range, in: frame) }
        var inner = Frame(source: range)
        if frame.grouping == nil { inner.bindings = frame.bindings }
        let values = try arguments.map { try evaluate($0, in: inner) }
        let keep = try filter.map { try evaluate($0, in: inner) }
        let groups = frame.grouping?.groups ?? .all(range.rowCount)
        let perGroup = Aggregates.apply(name, values, groups: keeping(groups, keep))
        // Over the whole table in an ungrouped frame, the one total applies to every row.
        return frame.grouping == nil ? perGroup.gathering([Int](repeating: 0, count: frame.count)) : perGroup
    }

    private func keeping(_ groups: GroupRows, _ condition: Vector?) -> GroupRows {
        guard case .flags(let flags)? = condition else { return groups }
        return groups.keeping(flags)
    }

    /// A total over another table. Conditions of its `where` that mention the outer row must match
    /// one of the table's columns to a value of the outer row (`accounts.owner = owner`); the
    /// total is then worked out once per value, through a hash of the other table's rows.
    private func aggregate(_ name: String, _ arguments: [Expression], filter: Expression?, over range: RowSource, in frame: Frame) throws -> Vector {
        var inner = Frame(source: range)
        inner.qualifiedOnly = true
        var own: [Expression] = []
        var joins: [(inner: Expression, outer: Expression)] = []
        var correlated: [Expression] = []
        for condition in filter.map(conjuncts) ?? [] {
            if !mentionsOuter(condition, range) {
                own.append(condition)
            } else if case .binary("=", let left, let right, _) = condition, !mentionsOuter(left, range) && !mentions(right, range) {
                joins.append((left, right))
            } else if case .binary("=", let left, let right, _) = condition, !mentionsOuter(right, range) && !mentions(left, range) {
                joins.append((right, left))
            } else {
                correlated.append(condition)
            }
        }
        if !correlated.isEmpty {
            // Any other use of the outer row: worked out once per distinct set of outer values.
            let conditions = correlated + joins.map { .binary("=", $0.inner, $0.outer, $0.inner.span) }
            return try aggregate(name, arguments, own: own, correlated: conditions, over: range, in: frame)
        }
        if arguments.contains(where: { mentionsOuter($0, range) }) {
            throw NotAssessed(reason: "a total over \(range.name) adds up values of the outer row")
        }
        let values = try arguments.map { try evaluate($0, in: inner) }
        var keep: Vector?
        for condition in own {
            let flags = try evaluate(condition, in: inner)
            keep = keep.map { Operators.binary("and", $0, flags) } ?? flags
        }
        let kept = keeping(.all(range.rowCount), keep)
        guard !joins.isEmpty else {
            return Aggregates.apply(name, values, groups: kept).gathering([Int](repeating: 0, count: frame.count))
        }
        if joins.count == 1 {
            // One match (the usual case): keys compared one by one, the outer side once per distinct value.
            let innerKey = try evaluate(joins[0].inner, in: inner).groupingKeys
            var groupOfKey: [KeyPart: Int32] = [:]
            var groupOfRow = [Int32](repeating: 0, count: range.rowCount)
            var included = [UInt8](repeating: 0, count: range.rowCount)
            for row in kept.order.lazy.map(Int.init) {
                let key = innerKey[row]
                let group = groupOfKey[key] ?? { let id = Int32(groupOfKey.count + 1); groupOfKey[key] = id; return id }()
                groupOfRow[row] = group
                included[row] = 1
            }
            let groups = GroupRows(groupOfRow: groupOfRow, groupCount: groupOfKey.count + 1).keeping(included)
            let totals = Aggregates.apply(name, values, groups: groups)
            return totals.gathering(try evaluate(joins[0].outer, in: frame).mapKeys { Int(groupOfKey[$0] ?? 0) })
        }
        let innerKeys = try joins.map { try evaluate($0.inner, in: inner).groupingKeys }
        let outerKeys = try joins.map { try evaluate($0.outer, in: frame).groupingKeys }
        // Group 0 holds no rows: outer rows whose key no kept row has get the total of nothing.
        var groupOfKey: [[KeyPart]: Int32] = [:]
        var groupOfRow = [Int32](repeating: 0, count: range.rowCount)
        var included = [UInt8](repeating: 0, count: range.rowCount)
        for row in kept.order.lazy.map(Int.init) {
            let key = innerKeys.map { $0[row] }
            let group = groupOfKey[key] ?? { let id = Int32(groupOfKey.count + 1); groupOfKey[key] = id; return id }()
            groupOfRow[row] = group
            included[row] = 1
        }
        let groups = GroupRows(groupOfRow: groupOfRow, groupCount: groupOfKey.count + 1).keeping(included)
        let totals = Aggregates.apply(name, values, groups: groups)
        return totals.gathering((0 ..< frame.count).map { index in Int(groupOfKey[outerKeys.map { $0[index] }] ?? 0) })
    }

    /// The most inner-row evaluations a correlated total may cost (distinct outer values times the
    /// other table's rows), so a rule can never run unbounded.
    static let correlatedWorkLimit = 50_000_000

    private func aggregate(_ name: String, _ arguments: [Expression], own: [Expression], correlated: [Expression],
                           over range: RowSource, in frame: Frame) throws -> Vector {
        if arguments.contains(where: { mentionsOuter($0, range) }) {
            throw NotAssessed(reason: "a total over \(range.name) adds up values of the outer row")
        }
        var inner = Frame(source: range)
        inner.qualifiedOnly = true
        let values = try arguments.map { try evaluate($0, in: inner) }
        var keep: Vector?
        for condition in own {
            let flags = try evaluate(condition, in: inner)
            keep = keep.map { Operators.binary("and", $0, flags) } ?? flags
        }
        // The outer values the conditions use, and the distinct combinations of them.
        var leaves: [Expression] = []
        for condition in correlated { collectOuterLeaves(condition, range, into: &leaves) }
        let leafVectors = try leaves.map { try evaluate($0, in: frame) }
        let combinations = Grouping(keys: leafVectors, rowCount: frame.count)
        guard combinations.count * max(1, range.rowCount) <= Evaluator.correlatedWorkLimit else {
            throw NotAssessed(reason: "a total over \(range.name) would compare \(combinations.count) different outer values with each of its \(range.rowCount) rows, more work than one rule may take")
        }
        var totals: [Value] = []
        for combination in 0 ..< combinations.count {
            let representative = combinations.firstRows[combination]
            var fixed = inner
            fixed.outerLeaves = zip(leaves, leafVectors).map { ($0, $1.value(representative)) }
            var flags = keep
            for condition in correlated {
                let result = try evaluate(condition, in: fixed)
                flags = flags.map { Operators.binary("and", $0, result) } ?? result
            }
            let groups = keeping(.all(range.rowCount), flags)
            totals.append(Aggregates.apply(name, values, groups: groups).value(0))
        }
        let template = Aggregates.apply(name, values, groups: GroupRows(order: [], starts: [0, 0]))
        var groupOfIndex = [Int](repeating: 0, count: frame.count)
        for combination in 0 ..< combinations.count {
            for index in combinations.groups.rows(combination) { groupOfIndex[Int(index)] = combination }
        }
        return Vector.build(groupOfIndex.map { totals[$0] }, like: template)
    }

    /// The parts of a condition that belong to the outer row: its bare names (not params) and
    /// other tables' columns.
    private func collectOuterLeaves(_ expression: Expression, _ range: RowSource, into leaves: inout [Expression]) {
        switch expression {
        case .name(let qualifier, let name):
            let isOuter = qualifier.map { $0.text.lowercased() != range.name.lowercased() }
                ?? (params[name.text.lowercased()] == nil && listParams[name.text.lowercased()] == nil)
            if isOuter && !leaves.contains(expression) { leaves.append(expression) }
        case .header(nil, _, _):
            if !leaves.contains(expression) { leaves.append(expression) }
        case .unary(_, let operand, _), .isBlank(let operand, _, _): collectOuterLeaves(operand, range, into: &leaves)
        case .isIn(let left, .name(_?, _), _, _): collectOuterLeaves(left, range, into: &leaves)
        case .binary(_, let left, let right, _), .isIn(let left, let right, _, _), .like(let left, let right, _, _):
            collectOuterLeaves(left, range, into: &leaves)
            collectOuterLeaves(right, range, into: &leaves)
        case .between(let a, let b, let c, _, _):
            for part in [a, b, c] { collectOuterLeaves(part, range, into: &leaves) }
        case .call(let name, let arguments, let filter, _):
            if references(expression).allSatisfy({ $0 != range.name.lowercased() }) && mentionsOuter(expression, range) {
                // A whole formula of outer values (LOOKUP(…, site), WEEKNUM(posted)) is one outer value.
                if !leaves.contains(expression) { leaves.append(expression) }
                return
            }
            _ = name
            for part in arguments + (filter.map { [$0] } ?? []) { collectOuterLeaves(part, range, into: &leaves) }
        case .list(let items, _):
            for item in items { collectOuterLeaves(item, range, into: &leaves) }
        default:
            break
        }
    }

    private func conjuncts(_ expression: Expression) -> [Expression] {
        if case .binary("and", let left, let right, _) = expression { return conjuncts(left) + conjuncts(right) }
        return [expression]
    }

    /// Whether a formula names the given table's columns.
    private func mentions(_ expression: Expression, _ range: RowSource) -> Bool {
        references(expression).contains { $0 == range.name.lowercased() }
    }

    /// Whether a formula uses anything but the given table's columns and params: the outer row.
    private func mentionsOuter(_ expression: Expression, _ range: RowSource) -> Bool {
        references(expression).contains { $0 != range.name.lowercased() }
    }

    /// The tables a formula's names belong to: a qualifier, or "" for a name of the outer row.
    private func references(_ expression: Expression) -> [String] {
        switch expression {
        case .name(let qualifier?, _), .header(let qualifier?, _, _): return [qualifier.text.lowercased()]
        case .name(nil, let name): return params[name.text.lowercased()] != nil || listParams[name.text.lowercased()] != nil ? [] : [""]
        case .header(nil, _, _): return [""]
        // `x in sites.site` tests x against the whole column: only x belongs to a row.
        case .isIn(let left, .name(_?, _), _, _): return references(left)
        // LOOKUP's first value names its own table; only its key belongs to the caller.
        case .call(let name, let arguments, nil, _) where name.text.uppercased() == "LOOKUP" && arguments.count == 2: return references(arguments[1])
        default: return expression.parts.flatMap(references)
        }
    }

    private func aggregateSource(_ expressions: [Expression], in frame: Frame) throws -> RowSource {
        for expression in expressions {
            if let qualifier = firstQualifier(expression), qualifier != frame.source.name.lowercased() {
                guard let source = sources[qualifier] else { throw NotAssessed(reason: absence(of: qualifier)) }
                return source
            }
        }
        return frame.source
    }

    private func firstQualifier(_ expression: Expression) -> String? {
        switch expression {
        case .name(let qualifier?, _), .header(let qualifier?, _, _): return qualifier.text.lowercased()
        case .call(let name, _, _, _) where name.text.uppercased() == "LOOKUP": return nil
        default: return expression.parts.lazy.compactMap(firstQualifier).first
        }
    }

    /// `LOOKUP(sites.enrollment, site)`: the value in the row of the other table whose key matches.
    private func lookup(_ arguments: [Expression], in frame: Frame) throws -> Vector {
        guard case .name(let qualifier?, let column) = arguments[0] else { throw NotAssessed(reason: "LOOKUP needs another table's column") }
        guard let source = sources[qualifier.text.lowercased()] else {
            if frame.missingColumnsAreBlank { return .constant(.blank, count: frame.count) }
            throw NotAssessed(reason: absence(of: qualifier.text))
        }
        guard let keyName = source.bound?.declaration.keys.first?.text ?? viewKeys[qualifier.text.lowercased()], let keys = source.column(keyName) else {
            throw NotAssessed(reason: "LOOKUP needs \(qualifier.text) to have a key column")
        }
        guard let values = source.column(column.text) else {
            if frame.missingColumnsAreBlank { return .constant(.blank, count: frame.count) }
            throw NotAssessed(reason: absence(of: "\(qualifier.text).\(column.text)"))
        }
        var index: [KeyPart: Int] = [:]
        for (row, key) in keys.groupingKeys.enumerated() where key != .blank && index[key] == nil { index[key] = row }
        let rows = try evaluate(arguments[1], in: frame).mapKeys { index[$0] ?? -1 }
        return values.gatheringOrBlank(rows)
    }


    /// The month the fiscal year starts: the param fiscal_year_start, July when the rules do not set it.
    var fiscalYearStart: Int {
        if case .number(let month)? = params[RuleChecker.fiscalYearStart], (1 ... 12).contains(Int(month)) { return Int(month) }
        return 7
    }

    // MARK: Literals

    private func moneyLiteral(_ text: String) -> Money {
        ValueText.withUTF8(text) { ValueText.money($0) } ?? .zero
    }

    private func dateLiteral(_ text: String) -> Value {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, let date = CalendarDate(year: parts[0], month: parts[1], day: parts[2]) else { return .blank }
        return .date(date)
    }
}

extension Vector {
    /// Rows at these positions; -1 gives a blank.
    func gatheringOrBlank(_ rows: [Int]) -> Vector {
        switch self {
        case .numbers(let values, let percent): .numbers(rows.map { $0 < 0 ? .nan : values[$0] }, percent: percent)
        case .money(let values): .money(rows.map { $0 < 0 ? Vector.blankMoney : values[$0] })
        case .dates(let values): .dates(rows.map { $0 < 0 ? Vector.blankDate : values[$0] })
        case .texts(let values, let code): .texts(rows.map { $0 < 0 ? nil : values[$0] }, code: code)
        case .pooled(let ids, let pool, let code): .pooled(rows.map { $0 < 0 ? TextPool.blankID : ids[$0] }, pool, code: code)
        case .flags(let values): .flags(rows.map { $0 < 0 ? Vector.blankFlag : values[$0] })
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
