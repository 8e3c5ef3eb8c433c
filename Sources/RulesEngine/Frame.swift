import RulesLanguage
import Tabular

/// Where a formula is evaluated: the rows it is about, and, for a grouped rule or view, its groups.
struct Frame {
    var source: RowSource
    var grouping: Grouping?
    /// Group-level (or row-level, when ungrouped) values of `let`s and of a view's earlier
    /// columns, by slot; nil for one not worked out (yet, or at all: see `unavailable`).
    var bindings: [Vector?] = []
    /// `let`s that need something the workbook lacks: they fail the rule only if its `when` uses
    /// them; a message or fix works them out again with missing columns blank.
    var unavailable: [Int: (value: CheckedExpression, problem: NotAssessed)] = [:]
    /// Row-level vectors of the group keys, computed once.
    var keyVectors: [Vector] = []
    /// Inside a total over a table: the outer row's values its conditions read, fixed for this
    /// pass, by the `outer` expression that reads each.
    var outerValues: [ObjectIdentifier: Value]?
    /// In a message or fix, a column the workbook does not have (an optional one) is blank, so a
    /// name missing from an export changes the sentence, not whether the rule is assessed.
    var missingColumnsAreBlank = false

    /// How many values a formula at this level has: one per group, or one per row.
    var count: Int { grouping?.count ?? source.rowCount }

    /// Works out `let`s (or a view's values) in order into binding slots; one that cannot be
    /// worked out is kept with its reason.
    mutating func bind(_ values: [CheckedExpression], with evaluator: Evaluator, each: (Int, Result<Vector, NotAssessed>) -> Void = { _, _ in }) throws {
        bindings = [Vector?](repeating: nil, count: values.count)
        for (slot, value) in values.enumerated() {
            do {
                let vector = try evaluator.evaluate(value, in: self)
                bindings[slot] = vector
                each(slot, .success(vector))
            } catch let problem as NotAssessed {
                unavailable[slot] = (value, problem)
                each(slot, .failure(problem))
            }
        }
    }
}

/// Rows a formula runs over: a bound table or a view's rows, with its columns as vectors.
/// Columns are loaded on first use; `preload()` loads them all, after which the source is only
/// read, so rules can be evaluated on several threads at once.
final class RowSource: @unchecked Sendable {
    let name: String
    let rowCount: Int
    /// The bound table, when the rows are a workbook table's (for cell addresses).
    let bound: BoundTable?
    /// The source whose rows these are some of, when a `where` chose them: it says which
    /// column a sheet lacks.
    let filtered: RowSource?
    private var columns: [String: Vector]
    private let loader: (String) -> Vector?

    init(bound: BoundTable) {
        name = bound.declaration.name.text
        rowCount = bound.table.rowCount
        self.bound = bound
        filtered = nil
        columns = [:]
        loader = { name in bound.column(name).map(Vector.init) }
    }

    init(view name: String, rowCount: Int, columns: [String: Vector], loader: @escaping (String) -> Vector? = { _ in nil },
         filtered: RowSource? = nil) {
        self.name = name
        self.rowCount = rowCount
        bound = nil
        self.filtered = filtered
        self.columns = columns
        self.loader = loader
    }

    /// Loads every column now, so later reads never write.
    func preload() {
        guard let bound else { return }
        for name in bound.columnIndex.keys { _ = column(name) }
    }

    /// A column by its declared name, loaded once.
    func column(_ name: String) -> Vector? {
        let key = name.lowercased()
        if let vector = columns[key] { return vector }
        guard let vector = loader(key) else { return nil }
        columns[key] = vector
        return vector
    }
}

/// Rows split into groups, flat: the rows of group g are `order[starts[g] ..< starts[g + 1]]`,
/// so a million groups cost two arrays, not a million.
struct GroupRows {
    var order: [Int32]
    var starts: [Int]

    var count: Int { starts.count - 1 }

    /// One group of all the rows.
    static func all(_ rowCount: Int) -> GroupRows {
        GroupRows(order: (0 ..< Int32(rowCount)).map { $0 }, starts: [0, rowCount])
    }

    /// The groups of these group ids (one per row, 0-based, dense), rows kept in order.
    init(groupOfRow: [Int32], groupCount: Int) {
        var starts = [Int](repeating: 0, count: groupCount + 1)
        for group in groupOfRow { starts[Int(group) + 1] += 1 }
        for group in 0 ..< groupCount { starts[group + 1] += starts[group] }
        var next = Array(starts.dropLast())
        var order = [Int32](repeating: 0, count: groupOfRow.count)
        for (row, group) in groupOfRow.enumerated() {
            order[next[Int(group)]] = Int32(row)
            next[Int(group)] += 1
        }
        self.order = order
        self.starts = starts
    }

    init(order: [Int32], starts: [Int]) {
        self.order = order
        self.starts = starts
    }

    func rows(_ group: Int) -> ArraySlice<Int32> { order[starts[group] ..< starts[group + 1]] }

    /// The same groups with only the rows whose flag is yes.
    func keeping(_ flags: [UInt8]) -> GroupRows {
        var order: [Int32] = []
        order.reserveCapacity(self.order.count)
        var starts = [0]
        starts.reserveCapacity(self.starts.count)
        for group in 0 ..< count {
            for row in rows(group) where flags[Int(row)] == 1 { order.append(row) }
            starts.append(order.count)
        }
        return GroupRows(order: order, starts: starts)
    }
}

/// The groups of a grouped rule or view: which group each row is in, and each group's rows.
struct Grouping {
    let groups: GroupRows
    /// The first row of each group: where a key's value is read.
    let firstRows: [Int]
    var count: Int { groups.count }

    /// Groups made some other way (a rule's windows of days); none is empty.
    init(groups: GroupRows) {
        self.groups = groups
        firstRows = (0 ..< groups.count).map { Int(groups.order[groups.starts[$0]]) }
    }

    /// Rows with equal key values (blank equal to blank, text ignoring case) form one group;
    /// groups are numbered in the order their first rows appear.
    init(keys: [Vector], rowCount: Int) {
        var ids = [Int32](repeating: 0, count: rowCount)
        var distinct = rowCount > 0 ? 1 : 0
        for (position, key) in keys.enumerated() {
            let keyIDs = key.denseIDs()
            // The first key's ids are already dense in order of first appearance.
            if position == 0 {
                ids = keyIDs
                distinct = Int((keyIDs.max() ?? -1) + 1)
                continue
            }
            var combined: [UInt64: Int32] = [:]
            combined.reserveCapacity(min(rowCount, distinct * 4 + 16))
            for row in 0 ..< rowCount {
                let pair = UInt64(UInt32(bitPattern: ids[row])) << 32 | UInt64(UInt32(bitPattern: keyIDs[row]))
                if let id = combined[pair] {
                    ids[row] = id
                } else {
                    let id = Int32(combined.count)
                    combined[pair] = id
                    ids[row] = id
                }
            }
            distinct = combined.count
        }
        let groups = GroupRows(groupOfRow: ids, groupCount: distinct)
        self.groups = groups
        firstRows = (0 ..< groups.count).map { Int(groups.order[groups.starts[$0]]) }
    }
}

extension Vector {
    /// A small integer per row, equal exactly when the values are (text ignoring case), numbered
    /// in order of first appearance.
    func denseIDs() -> [Int32] {
        func dense<Key: Hashable>(_ keys: some Sequence<Key>) -> [Int32] {
            var index: [Key: Int32] = [:]
            index.reserveCapacity(1 << 12)
            return keys.map { key in
                if let id = index[key] { return id }
                let id = Int32(index.count)
                index[key] = id
                return id
            }
        }
        switch self {
        case .numbers(let values, _): return dense(values.lazy.map { $0.isNaN ? UInt64.max : $0.bitPattern })
        case .money(let values, nil): return dense(values)
        case .money(let values, let remainders?): return dense(values.indices.lazy.map { Money(scaled: values[$0], remainder: remainders[$0]) })
        case .dates(let values):
            // Days span a few thousand values: an array indexed by day beats a hash.
            guard let low = values.lazy.filter({ $0 != Vector.blankDate }).min(),
                  let high = values.lazy.filter({ $0 != Vector.blankDate }).max(), high - low < 1 << 20 else { return dense(values) }
            var idOfDay = [Int32](repeating: -1, count: Int(high - low) + 2)  // the last slot is blank
            var next: Int32 = 0
            return values.map { day in
                let slot = day == Vector.blankDate ? idOfDay.count - 1 : Int(day - low)
                if idOfDay[slot] < 0 {
                    idOfDay[slot] = next
                    next += 1
                }
                return idOfDay[slot]
            }
        case .flags(let values): return values.map(Int32.init)
        case .pooled(let ids, let pool, _) where pool.deduplicates:
            // One lower-cased string per distinct pool id, not per row.
            var canonical: [UInt32: UInt32] = [TextPool.blankID: TextPool.blankID]
            var byText: [String: UInt32] = [:]
            return dense(ids.lazy.map { id -> UInt32 in
                if let known = canonical[id] { return known }
                let text = pool.string(id).lowercased()
                let representative = byText[text] ?? id
                byText[text] = representative
                canonical[id] = representative
                return representative
            })
        case .pooled, .texts:
            return dense(comparableStrings)
        }
    }
}

/// One part of a group key, compared exactly (text ignoring case, as Excel compares it).
enum KeyPart: Hashable {
    case blank, number(Double), money(Money), date(Int32), text(String), flag(UInt8), id(UInt32)
}

extension Vector {
    /// Which rows are blank, in one pass.
    var blanks: [Bool] {
        switch self {
        case .numbers(let values, _): return values.map(\.isNaN)
        case .money(let values, _): return values.map { $0 == Vector.blankMoney }
        case .dates(let values): return values.map { $0 == Vector.blankDate }
        case .flags(let values): return values.map { $0 == Vector.blankFlag }
        case .pooled(let ids, _, _): return ids.map { $0 == TextPool.blankID }
        case .texts(let values, _): return values.map { $0 == nil || $0 == "" }
        }
    }

    /// `transform` of each row's cross-table key, worked out once per distinct string for a pooled
    /// text column rather than once per row.
    func mapKeys<T>(_ transform: (KeyPart) -> T) -> [T] {
        guard case .pooled(let ids, let pool, _) = self, pool.deduplicates else { return groupingKeys.map(transform) }
        var cache: [UInt32: T] = [:]
        return ids.map { id in
            if let known = cache[id] { return known }
            let result = transform(id == TextPool.blankID ? .blank : .text(pool.string(id).lowercased()))
            cache[id] = result
            return result
        }
    }

    /// Keys that compare across vectors and tables (for `in` and LOOKUP).
    var groupingKeys: [KeyPart] {
        switch self {
        case .numbers(let values, _): return values.map { $0.isNaN ? .blank : .number($0) }
        case .money(let values, let remainders): return values.indices.map { values[$0] == Vector.blankMoney ? .blank : .money(Vector.amount(values, remainders, $0)) }
        case .dates(let values): return values.map { $0 == Vector.blankDate ? .blank : .date($0) }
        case .flags(let values): return values.map { $0 == Vector.blankFlag ? .blank : .flag($0) }
        case .pooled, .texts:
            return strings.map { $0.map { KeyPart.text($0.lowercased()) } ?? .blank }
        }
    }
}
