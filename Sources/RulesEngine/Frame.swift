import RulesLanguage
import Tabular

/// Rows a formula runs over: a bound table or a view's rows, with its columns as vectors.
final class RowSource {
    let name: String
    let rowCount: Int
    /// The bound table, when the rows are a workbook table's (for cell addresses).
    let bound: BoundTable?
    private var columns: [String: Vector]
    private let loader: (String) -> Vector?

    init(bound: BoundTable) {
        name = bound.declaration.name.text
        rowCount = bound.table.rowCount
        self.bound = bound
        columns = [:]
        loader = { name in bound.column(name).map(Vector.init) }
    }

    init(view name: String, rowCount: Int, columns: [String: Vector], loader: @escaping (String) -> Vector? = { _ in nil }) {
        self.name = name
        self.rowCount = rowCount
        bound = nil
        self.columns = columns
        self.loader = loader
    }

    /// A column by its declared name, loaded once.
    func column(_ name: String) -> Vector? {
        let key = name.lowercased()
        if let vector = columns[key] { return vector }
        guard let vector = loader(key) else { return nil }
        columns[key] = vector
        return vector
    }

    /// A column by its header text.
    func column(header: String) -> Vector? {
        guard let bound else { return column(header) }
        let wanted = normalizedHeader(header)
        for column in bound.declaration.columns where column.aliases.contains(where: { normalizedHeader($0) == wanted })
            || normalizedHeader(column.name.text) == wanted {
            return self.column(column.name.text)
        }
        return nil
    }
}

/// The groups of a grouped rule or view: which group each row is in, and each group's rows.
struct Grouping {
    /// The group of each row.
    let groupOfRow: [Int]
    /// The rows of each group, in the order they appear.
    let rows: [[Int]]
    var count: Int { rows.count }
    /// The first row of each group: where a key's value is read.
    var firstRows: [Int] { rows.map { $0[0] } }

    /// Rows with equal key values (blank equal to blank) form one group.
    init(keys: [Vector], rowCount: Int) {
        var groupOfRow = [Int](repeating: 0, count: rowCount)
        var rows: [[Int]] = []
        let parts = keys.map(\.localKeys)
        // Up to three keys make a fixed-size key; more are compared as an array.
        if parts.count <= 3 {
            var index: [TripleKey: Int] = [:]
            for row in 0 ..< rowCount {
                let key = TripleKey(a: parts.count > 0 ? parts[0][row] : .blank, b: parts.count > 1 ? parts[1][row] : .blank,
                                    c: parts.count > 2 ? parts[2][row] : .blank)
                if let group = index[key] {
                    groupOfRow[row] = group
                    rows[group].append(row)
                } else {
                    index[key] = rows.count
                    groupOfRow[row] = rows.count
                    rows.append([row])
                }
            }
        } else {
            var index: [[KeyPart]: Int] = [:]
            for row in 0 ..< rowCount {
                let key = parts.map { $0[row] }
                if let group = index[key] {
                    groupOfRow[row] = group
                    rows[group].append(row)
                } else {
                    index[key] = rows.count
                    groupOfRow[row] = rows.count
                    rows.append([row])
                }
            }
        }
        self.groupOfRow = groupOfRow
        self.rows = rows
    }

    private struct TripleKey: Hashable {
        let a: KeyPart, b: KeyPart, c: KeyPart
    }
}

/// One part of a group key, compared exactly (text ignoring case, as Excel compares it).
enum KeyPart: Hashable {
    case blank, number(Double), money(Int64), date(Int32), text(String), flag(UInt8), id(UInt32)
}

extension Vector {
    /// Keys that are equal exactly when the values are, comparable only within this one vector:
    /// text from a pool becomes a pool id (one per distinct string, ignoring case), worked out once
    /// per string rather than per row. For grouping the rows of one table.
    var localKeys: [KeyPart] {
        guard case .pooled(let ids, let pool, _) = self, pool.deduplicates else { return groupingKeys }
        var canonical: [UInt32: KeyPart] = [TextPool.blankID: .blank]
        var byText: [String: UInt32] = [:]
        return ids.map { id in
            if let known = canonical[id] { return known }
            let text = pool.string(id).lowercased()
            let part = KeyPart.id(byText[text] ?? { byText[text] = id; return id }())
            canonical[id] = part
            return part
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
        case .money(let values): return values.map { $0 == Vector.blankMoney ? .blank : .money($0) }
        case .dates(let values): return values.map { $0 == Vector.blankDate ? .blank : .date($0) }
        case .flags(let values): return values.map { $0 == Vector.blankFlag ? .blank : .flag($0) }
        case .pooled, .texts:
            return strings.map { $0.map { KeyPart.text($0.lowercased()) } ?? .blank }
        }
    }
}
