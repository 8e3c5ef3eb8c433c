import Tabular

/// The checked program: what each formula means, decided once by the checker. The rules engine
/// runs it without looking anything up by name or reading a literal again.

public enum UnaryOperator: Sendable {
    case not, negate
}

public enum BinaryOperator: String, Sendable, CaseIterable {
    case and, or
    case equal = "=", notEqual = "<>", less = "<", greater = ">", lessOrEqual = "<=", greaterOrEqual = ">="
    case concatenate = "&", add = "+", subtract = "-", multiply = "*", divide = "/", power = "^"
}

/// A formula after checking: its type and what it does, its names resolved.
public final class CheckedExpression: Sendable {
    public let type: ValueType
    public let node: Node
    public let span: SourceSpan

    init(_ node: Node, _ type: ValueType, _ span: SourceSpan) {
        self.node = node
        self.type = type
        self.span = span
    }

    public indirect enum Node: Sendable {
        /// A value written out, already read: `$5,000`, `95%`, `2025-06-30`.
        case literal(Value)
        /// The run's value of the param at this position of the rule set's params.
        case param(Int)
        /// A column (its declared name, lower case) of the rows the formula is about: this row,
        /// or inside a total, the row being totalled.
        case column(String)
        /// A grouped rule's or view's key, one value per group.
        case groupKey(Int)
        /// A `let` (or a view's earlier column), by its position among them.
        case binding(Int)
        /// Inside a total over a table: a value of the row or group outside the total.
        case outer(CheckedExpression)
        case unary(UnaryOperator, CheckedExpression)
        /// `blankIsZero`: for each side, whether a blank there counts as 0 (an empty cell) or makes
        /// the result blank (a value that could not be worked out, such as 0 ÷ 0).
        case binary(BinaryOperator, CheckedExpression, CheckedExpression, blankIsZero: (Bool, Bool))
        case isBlank(CheckedExpression, negated: Bool)
        case isIn(CheckedExpression, Members, negated: Bool)
        case between(CheckedExpression, CheckedExpression, CheckedExpression, negated: Bool)
        case like(CheckedExpression, CheckedExpression, negated: Bool)
        /// Whether a text starts with one of the members (capitals do not matter).
        case startsWith(CheckedExpression, Members, negated: Bool)
        /// A function of one value per row.
        case call(Function, [CheckedExpression])
        /// The value of another table's column in the row whose key column matches `key`.
        case lookup(table: String, column: String, keyColumn: String, key: CheckedExpression)
        case total(Total)
        /// Something already reported as a mistake; a program with one is never run.
        case invalid
    }

    /// What `in` tests against.
    public enum Members: Sendable {
        case values([Value])
        case param(Int)
        /// Every value of a table's column: `site in schools.site`.
        case column(table: String, column: String)
    }

    /// A total (SUM, COUNT, …) and the rows it runs over.
    public struct Total: Sendable {
        public let function: Function
        public let arguments: [CheckedExpression]
        public let filter: CheckedExpression?
        public let range: Range
        /// The total as written, kept to show it with a finding's values.
        let written: Expression

        /// How it is written, `SUM(amount)`, as a finding's values name it.
        public var text: String { RuleFormatter.text(written) }

        public enum Range: Sendable, Equatable {
            /// The rows of the formula's own frame: a group's rows, or every row of the table.
            case ownRows
            /// Every row of this table or view (lower case), names outside it marked `outer`.
            case table(String)
        }
    }

    /// Whether a blank here is an empty cell (a column's, directly or through a key or LOOKUP),
    /// rather than a value that could not be worked out.
    public var isCellValue: Bool {
        switch node {
        case .column, .groupKey, .lookup, .literal, .param: true
        case .outer(let inner): inner.isCellValue
        default: false
        }
    }
}

extension CheckedExpression {
    /// The formulas directly inside this one.
    public var parts: [CheckedExpression] {
        switch node {
        case .unary(_, let operand), .isBlank(let operand, _), .isIn(let operand, _, _), .startsWith(let operand, _, _): [operand]
        case .binary(_, let left, let right, _), .like(let left, let right, _): [left, right]
        case .between(let value, let low, let high, _): [value, low, high]
        case .call(_, let arguments): arguments
        case .lookup(_, _, _, let key): [key]
        case .total(let total): total.arguments + (total.filter.map { [$0] } ?? [])
        default: []
        }
    }

    /// Whether it reads the row or group outside a total (an `outer` value).
    public var readsOuter: Bool {
        if case .outer = node { return true }
        return parts.contains { $0.readsOuter }
    }

    /// Whether it reads a column of the rows it is evaluated on (outside any `outer` value).
    public var readsTotalledRows: Bool {
        if case .column = node { return true }
        if case .outer = node { return false }
        return parts.contains { $0.readsTotalledRows }
    }

    /// The conditions joined by `and`.
    public var conjuncts: [CheckedExpression] {
        if case .binary(.and, let left, let right, _) = node { return left.conjuncts + right.conjuncts }
        return [self]
    }
}

extension CheckedExpression {
    /// The totals (SUM, COUNT, …) a formula uses, outermost first, each once.
    var totals: [CheckedExpression] {
        var found: [CheckedExpression] = []
        func collect(_ expression: CheckedExpression) {
            if case .total(let total) = expression.node {
                if !found.contains(where: { if case .total(let other) = $0.node { other.text == total.text } else { false } }) { found.append(expression) }
                return
            }
            expression.parts.forEach(collect)
        }
        collect(self)
        return found
    }
}

/// A rule after checking.
public struct CheckedRule: Sendable {
    public let id: String
    public let title: String
    public let pathway: String
    public let severity: Severity
    /// A finding means a requirement of law is not met: the rule's pathway cannot read better than developing.
    public let isCompliance: Bool
    /// The table or view it checks, lower case.
    public let table: String
    public let groupKeys: [CheckedExpression]
    /// How each key is written (`vendor`, `WEEKNUM(posted)`), for a finding's group.
    public let groupKeyTexts: [String]
    /// `within 14 days of posted`: each group cut into windows of days.
    public let window: CheckedWindow?
    /// `where …`: the rows it looks at; nil for all of them.
    public let filter: CheckedExpression?
    public let lets: [CheckedExpression]
    /// Each `let`'s name, as written, in the order of `lets`.
    public var letNames: [String] = []
    public let condition: CheckedExpression
    public let message: CheckedTemplate
    public let fix: CheckedTemplate?
    /// The columns it colours, by declared name.
    public let flags: [String]
    /// The totals its condition looks at, shown with a grouped finding.
    public let totals: [CheckedExpression]
    public let about: String?
    public let source: String?
}

/// A grouped rule's windows: the rows of a group whose dates fall within `days` days, the first
/// day included (14 days: 1 to 14 October).
public struct CheckedWindow: Sendable {
    /// A whole number of days, written out or a param.
    public let days: CheckedExpression
    /// One date per row.
    public let date: CheckedExpression
}

/// A message or fix: text and formulas.
public struct CheckedTemplate: Sendable {
    public enum Part: Sendable {
        case text(String)
        case value(CheckedExpression)
    }

    public let parts: [Part]
}

/// A view after checking: its rows, and its columns in order.
public struct CheckedView: Sendable {
    public let name: String
    public let title: String
    /// The table or view it summarises, lower case.
    public let table: String
    public let filter: CheckedExpression?
    public let groupKeys: [CheckedExpression]
    /// The keys that are plain column names, by position, which become its first columns.
    public let keyColumns: [(position: Int, name: String)]
    /// Its `let`s and columns in the order written, each a binding slot.
    public let slots: [(name: String, value: CheckedExpression, isColumn: Bool)]
    /// Headers given to columns (`column essa "ESSA per pupil" = …`), by lower-case name.
    public let headers: [String: String]
    /// The columns (lower case) its rows are listed in order of, smallest first; empty for the
    /// order in which each group's first row appears.
    public let order: [String]
    public let isShown: Bool
    /// Whether it reads the findings (itself or through a view): it is worked out after every rule.
    public var afterRules = false
}

/// An indicator after checking.
public struct CheckedIndicator: Sendable {
    public let id: String
    public let title: String
    public let pathway: String
    public let lets: [CheckedExpression]
    public let measure: CheckedExpression
    public let bands: [Band]
    /// The levels as written: `exemplary <= 10%`, …, `otherwise emerging`.
    public let thresholds: [String]
    public let about: String?
    /// The column (lower case) it is also measured per value of, on each value's rows: `site`.
    public var per: String?
    /// The tables and views (lower case) it totals, whose rows are cut to each value's; the
    /// tables it only looks up in (owners, goals) are used whole.
    public var perTables: [String] = []

    public struct Band: Sendable {
        public let level: Level
        /// Nil for `otherwise`.
        public let comparison: BinaryOperator?
        public let threshold: CheckedExpression?
    }
}

/// Where a goal stands against its target on the as-of date.
public enum GoalStatus: String, Codable, Sendable, CaseIterable {
    case met, notYetMet = "not yet met", missed, notAssessed = "not assessed"
}

/// A goal after checking.
public struct CheckedGoal: Sendable {
    public let id: String
    public let title: String
    public let indicator: String
    public let comparison: BinaryOperator
    public let target: CheckedExpression
    /// `>= 95%`, as written.
    public let targetText: String
    public let deadline: CalendarDate
    public let deadlineText: String
}

/// Literal values as written in a rule file, read once.
public enum Literal {
    public static func type(_ expression: Expression) -> ValueType? {
        switch expression {
        case .number: return .number
        case .money: return .money
        case .percent: return .percent
        case .date: return .date
        case .text: return .text
        case .yesNo: return .yesNo
        case .unary("-", let operand, _):
            guard let type = type(operand), type.isNumeric else { return nil }
            return type
        case .list(let items, _):
            // An empty list holds no code, and so matches none.
            if items.isEmpty { return .list(.code) }
            let types = items.map(type)
            guard let first = types.first ?? nil, types.allSatisfy({ $0 == first }) else { return nil }
            return .list(first)
        default: return nil
        }
    }

    /// The value of a literal, or of a negated one; nil for anything else, or a date that does not exist.
    public static func value(_ expression: Expression) -> Value? {
        switch expression {
        case .number(let text, _): return Double(text).map(Value.number)
        case .money(let text, _): return ValueText.withUTF8(text) { ValueText.money($0) }.map(Value.money)
        case .percent(let text, _): return Double(text).map { .percent($0 / 100) }
        case .date(let text, _):
            let parts = text.split(separator: "-").compactMap { Int($0) }
            return parts.count == 3 ? CalendarDate(year: parts[0], month: parts[1], day: parts[2]).map(Value.date) : nil
        case .text(let text, _): return .text(text)
        case .yesNo(let flag, _): return .yesNo(flag)
        case .unary("-", let operand, _): return value(operand).flatMap(negated)
        default: return nil
        }
    }

    /// Why a value written out cannot be read, as a sentence with its fix; nil when it can.
    static func problem(_ expression: Expression, as written: String) -> (message: String, hint: String)? {
        switch expression {
        case .list(let items, _):
            return items.lazy.compactMap { problem($0, as: written) }.first
        case .unary("-", let operand, _):
            return problem(operand, as: written)
        case .date where value(expression) == nil:
            return ("`\(written)` is not a date that exists.", "Dates are written year-month-day: 2027-06-30.")
        case .money(let text, _) where value(expression) == nil:
            let parts = text.split(separator: ".", maxSplits: 1)
            let cents = parts.count == 2 ? String((parts[1] + "00").prefix(2)) : "00"
            return ("`\(written)` has more decimals than an amount holds: at most four, after the dot.",
                    "Write it to the cent, as $\(parts.first ?? "0").\(cents).")
        case .number where value(expression) == nil, .percent where value(expression) == nil:
            return ("`\(written)` is not a number Pathways can read.", "Write it with a dot before the decimals, as 0.15 or 12.5%.")
        default:
            return nil
        }
    }

    /// Whether one written value comes after another of the same kind: $5,000 after $1,000.
    static func isAfter(_ first: Value, _ second: Value) -> Bool {
        switch (first, second) {
        case (.number(let a), .number(let b)), (.percent(let a), .percent(let b)): a > b
        case (.money(let a), .money(let b)): a.scaled > b.scaled
        case (.date(let a), .date(let b)): a > b
        default: false
        }
    }

    public static func negated(_ value: Value) -> Value? {
        switch value {
        case .number(let number): .number(-number)
        case .money(let money): .money(Money(scaled: -money.scaled))
        case .percent(let fraction): .percent(-fraction)
        default: nil
        }
    }
}
