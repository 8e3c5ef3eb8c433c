import Foundation
import RulesLanguage
import Tabular

/// Operators over whole vectors, with blanks handled as the reference says: an empty cell's number
/// or amount counts as 0 and its text as "", division by zero gives a blank, a blank condition is
/// no, and a comparison with a blank date is never true. A value that could not be worked out
/// (0 ÷ 0, the average of no rows) is no 0: arithmetic with it is blank, and a comparison with it
/// is never true; the checker says which sides are cells (`blankIsZero`).
enum Operators {
    static func not(_ value: Vector) -> Vector {
        guard case .flags(let flags) = value else { return value }
        return .flags(flags.map { $0 == 1 ? 0 : 1 })
    }

    static func negate(_ value: Vector) -> Vector {
        switch value {
        case .numbers(let values, let percent): .numbers(values.map { $0.isNaN ? $0 : -$0 }, percent: percent)
        case .money(let values, let remainders): .money(values.map { $0 == Vector.blankMoney ? $0 : -$0 }, remainders: remainders?.map { -$0 })
        default: value
        }
    }

    static func binary(_ operation: BinaryOperator, _ lhs: Vector, _ rhs: Vector, blankIsZero: (Bool, Bool)) -> Vector {
        switch operation {
        case .and, .or:
            guard case .flags(let left) = lhs, case .flags(let right) = rhs else { return .flags([UInt8](repeating: 0, count: lhs.count)) }
            return .flags(zip(left, right).map { operation == .and ? ($0 == 1 && $1 == 1 ? 1 : 0) : ($0 == 1 || $1 == 1 ? 1 : 0) })
        case .concatenate:
            let left = lhs.strings, right = rhs.strings
            return .texts(zip(left, right).map { ($0 ?? "") + ($1 ?? "") }, code: false)
        case .equal, .notEqual, .less, .greater, .lessOrEqual, .greaterOrEqual:
            return compare(operation.rawValue, lhs, rhs).blankWhere(undefined([(lhs, blankIsZero.0), (rhs, blankIsZero.1)]))
        case .add, .subtract, .multiply, .divide, .power:
            return arithmetic(operation.rawValue, lhs, rhs).blankWhere(undefined([(lhs, blankIsZero.0), (rhs, blankIsZero.1)]))
        }
    }

    /// The rows where a value that is not a cell is blank: it could not be worked out. Nil when
    /// there are none, so the usual case costs no pass over the rows.
    static func undefined(_ values: [(Vector, blankIsZero: Bool)]) -> [Bool]? {
        let undefined = values.filter { !$0.blankIsZero && $0.0.hasBlank }.map(\.0.blanks)
        guard var rows = undefined.first else { return nil }
        for blanks in undefined.dropFirst() {
            for row in rows.indices where blanks[row] { rows[row] = true }
        }
        return rows
    }

    // MARK: Comparison

    private static func test(_ op: String, _ order: Int) -> UInt8 {
        let result: Bool
        switch op {
        case "=": result = order == 0
        case "<>": result = order != 0
        case "<": result = order < 0
        case ">": result = order > 0
        case "<=": result = order <= 0
        default: result = order >= 0
        }
        return result ? 1 : 0
    }

    private static func compare(_ op: String, _ lhs: Vector, _ rhs: Vector) -> Vector {
        let count = lhs.count
        switch (lhs, rhs) {
        case (.dates(let left), .dates(let right)):
            return .flags((0 ..< count).map { row in
                left[row] == Vector.blankDate || right[row] == Vector.blankDate ? 0 : test(op, order(left[row], right[row]))
            })
        case (.money(let left, nil), .money(let right, nil)):
            return .flags((0 ..< count).map { row in test(op, order(zeroIfBlank(left[row]), zeroIfBlank(right[row]))) })
        case (.money(let left, nil), .numbers(let right, _)):
            return .flags((0 ..< count).map { row in test(op, order(zeroIfBlank(left[row]), scaled(right[row]))) })
        case (.numbers(let left, _), .money(let right, nil)):
            return .flags((0 ..< count).map { row in test(op, order(scaled(left[row]), zeroIfBlank(right[row]))) })
        // An amount a division left a remainder in (a per-pupil figure), compared to its last digit.
        case (.money(let left, let leftRemainders), .money(let right, let rightRemainders)):
            return .flags((0 ..< count).map { row in
                test(op, order(Vector.amount(left, leftRemainders, row), Vector.amount(right, rightRemainders, row)))
            })
        case (.money(let left, let remainders), .numbers(let right, _)):
            return .flags((0 ..< count).map { row in test(op, order(Vector.amount(left, remainders, row), exactAmount(right[row]))) })
        case (.numbers(let left, _), .money(let right, let remainders)):
            return .flags((0 ..< count).map { row in test(op, order(exactAmount(left[row]), Vector.amount(right, remainders, row))) })
        case (.numbers(let left, _), .numbers(let right, _)):
            return .flags((0 ..< count).map { row in test(op, order(left[row].isNaN ? 0 : left[row], right[row].isNaN ? 0 : right[row])) })
        case (.flags(let left), .flags(let right)):
            return .flags((0 ..< count).map { row in test(op, order(left[row] == 1 ? 1 : 0, right[row] == 1 ? 1 : 0)) })
        default:
            // Text and codes, ignoring case as Excel does; blank is "".
            let left = lhs.comparableStrings, right = rhs.comparableStrings
            return .flags((0 ..< count).map { row in test(op, order(left[row], right[row])) })
        }
    }

    private static func order<T: Comparable>(_ left: T, _ right: T) -> Int { left < right ? -1 : left > right ? 1 : 0 }
    private static func zeroIfBlank(_ value: Int64) -> Int64 { value == Vector.blankMoney ? 0 : value }
    private static func scaled(_ number: Double) -> Int64 {
        number.isNaN ? 0 : Money(rounding: number)?.scaled ?? (number < 0 ? Int64.min + 1 : Int64.max)
    }
    /// A number of dollars as an amount to its last binary digit, blank as 0.
    private static func exactAmount(_ number: Double) -> Money {
        number.isNaN ? .zero : Money(tenThousandths: number * Double(Money.scale)) ?? Money(scaled: number < 0 ? Int64.min + 1 : Int64.max)
    }

    // MARK: Arithmetic

    private static func arithmetic(_ op: String, _ lhs: Vector, _ rhs: Vector) -> Vector {
        let count = lhs.count
        switch (lhs, rhs) {
        case (.dates(let left), .numbers(let right, _)):
            return .dates((0 ..< count).map { row in
                guard left[row] != Vector.blankDate else { return Vector.blankDate }
                let days = Int32(clamping: Int((right[row].isNaN ? 0 : right[row]).rounded(.down)))
                return op == "-" ? left[row] - days : left[row] + days
            })
        case (.numbers, .dates) where op == "+":
            return arithmetic(op, rhs, lhs)
        case (.dates(let left), .dates(let right)):
            return .numbers((0 ..< count).map { row in
                left[row] == Vector.blankDate || right[row] == Vector.blankDate ? .nan : Double(left[row] - right[row])
            }, percent: false)
        case (.money(let left, nil), .money(let right, nil)) where op == "+" || op == "-":
            return .money((0 ..< count).map { row in
                let (result, overflow) = op == "+" ? zeroIfBlank(left[row]).addingReportingOverflow(zeroIfBlank(right[row]))
                                                   : zeroIfBlank(left[row]).subtractingReportingOverflow(zeroIfBlank(right[row]))
                return overflow ? Vector.blankMoney : result
            }, remainders: nil)
        case (.money(let left, let leftRemainders), .money(let right, let rightRemainders)):
            switch op {
            case "+", "-":
                return .amounts((0 ..< count).map { row in
                    let a = Vector.amount(left, leftRemainders, row), b = Vector.amount(right, rightRemainders, row)
                    return op == "+" ? try? a.adding(b) : try? a.subtracting(b)
                })
            case "/":
                return .numbers((0 ..< count).map { row in
                    let divisor = Vector.amount(right, rightRemainders, row)
                    return divisor == .zero ? .nan : Vector.amount(left, leftRemainders, row).doubleValue / divisor.doubleValue
                }, percent: false)
            default:
                return .numbers((0 ..< count).map { _ in .nan }, percent: false)
            }
        case (.money(let left, let remainders), .numbers(let right, _)):
            return .amounts((0 ..< count).map { row in moneyWithNumber(op, Vector.amount(left, remainders, row), right[row].isNaN ? 0 : right[row]) })
        case (.numbers(let left, _), .money(let right, let remainders)):
            switch op {
            case "+", "*":
                return .amounts((0 ..< count).map { row in moneyWithNumber(op, Vector.amount(right, remainders, row), left[row].isNaN ? 0 : left[row]) })
            case "-":
                return .amounts((0 ..< count).map { row in
                    let amount = Vector.amount(right, remainders, row)
                    return moneyWithNumber("+", Money(scaled: -amount.scaled, remainder: -amount.remainder), left[row].isNaN ? 0 : left[row])
                })
            default:
                return .numbers((0 ..< count).map { row in
                    let divisor = Vector.amount(right, remainders, row)
                    return divisor == .zero ? .nan : (left[row].isNaN ? 0 : left[row]) / divisor.doubleValue
                }, percent: false)
            }
        case (.numbers(let left, let leftPercent), .numbers(let right, let rightPercent)):
            let percent = (op == "+" || op == "-") ? leftPercent && rightPercent : (op == "*" && leftPercent && rightPercent)
            return .numbers((0 ..< count).map { row in
                let a = left[row].isNaN ? 0 : left[row], b = right[row].isNaN ? 0 : right[row]
                switch op {
                case "+": return a + b
                case "-": return a - b
                case "*": return a * b
                case "/": return b == 0 ? .nan : a / b
                default:
                    let result = pow(a, b)
                    return result.isFinite ? result : .nan
                }
            }, percent: percent)
        default:
            return .numbers([Double](repeating: .nan, count: count), percent: false)
        }
    }

    /// An amount with a number: `+ -` add dollars (to the ten-thousandth, keeping the amount's
    /// remainder), `*` scales, rounded half away from zero to the ten-thousandth, and `/` divides
    /// keeping what is left below it (a total per pupil, exactly); nil (blank) when dividing by 0
    /// or too large to hold.
    private static func moneyWithNumber(_ op: String, _ amount: Money, _ number: Double) -> Money? {
        switch op {
        case "+", "-":
            let added = (Double(amount.scaled) + (op == "-" ? -number : number) * Double(Money.scale)).rounded(.toNearestOrAwayFromZero)
            guard added.isFinite, abs(added) < 9.2e18 else { return nil }
            return Money.normalized(Int64(added), amount.remainder)
        case "*":
            let product = ((Double(amount.scaled) + amount.remainder) * number).rounded(.toNearestOrAwayFromZero)
            guard product.isFinite, abs(product) < 9.2e18 else { return nil }
            return Money(scaled: Int64(product))
        default:
            return Money.quotient(amount.scaled, remainder: amount.remainder, dividedBy: number)
        }
    }
}

extension Vector {
    /// Whether any row is blank.
    var hasBlank: Bool {
        switch self {
        case .numbers(let values, _): values.contains { $0.isNaN }
        case .money(let values, _): values.contains(Vector.blankMoney)
        case .dates(let values): values.contains(Vector.blankDate)
        case .flags(let values): values.contains(Vector.blankFlag)
        case .pooled(let ids, _, _): ids.contains(TextPool.blankID)
        case .texts(let values, _): values.contains { $0 == nil || $0 == "" }
        }
    }

    /// The same values, blank in the rows marked; a condition there is no.
    func blankWhere(_ rows: [Bool]?) -> Vector {
        guard let rows else { return self }
        switch self {
        case .numbers(var values, let percent):
            for row in values.indices where rows[row] { values[row] = .nan }
            return .numbers(values, percent: percent)
        case .money(var values, let remainders):
            for row in values.indices where rows[row] { values[row] = Vector.blankMoney }
            return .money(values, remainders: remainders)
        case .dates(var values):
            for row in values.indices where rows[row] { values[row] = Vector.blankDate }
            return .dates(values)
        case .flags(var values):
            for row in values.indices where rows[row] { values[row] = 0 }
            return .flags(values)
        default:
            return self
        }
    }

    /// Lower-cased text per row, "" for blank, for Excel's case-blind comparisons.
    var comparableStrings: [String] {
        switch self {
        case .pooled(let ids, let pool, _):
            var cache: [UInt32: String] = [0: ""]
            return ids.map { id in
                if let known = cache[id] { return known }
                let text = pool.string(id).lowercased()
                if pool.deduplicates { cache[id] = text }
                return text
            }
        default:
            return strings.map { ($0 ?? "").lowercased() }
        }
    }
}
