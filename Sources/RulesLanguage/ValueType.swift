import Tabular

/// The type of a value in a formula.
public indirect enum ValueType: Hashable, Sendable, CustomStringConvertible {
    case text, code, number, money, percent, date, yesNo
    case list(ValueType)
    /// The type of something already reported as a mistake; it fits anywhere, so one mistake
    /// does not cause a cascade of others.
    case unknown

    public init(_ column: ColumnType) {
        switch column {
        case .text: self = .text
        case .code: self = .code
        case .number: self = .number
        case .money: self = .money
        case .percent: self = .percent
        case .date: self = .date
        case .yesNo: self = .yesNo
        }
    }

    /// How a trainer would name it: "an amount", "a date", "text".
    public var description: String {
        switch self {
        case .text: "text"
        case .code: "a code"
        case .number: "a number"
        case .money: "an amount of money"
        case .percent: "a percentage"
        case .date: "a date"
        case .yesNo: "a yes/no condition"
        case .list(let element): "a list of \(element.plural)"
        case .unknown: "a value"
        }
    }

    var plural: String {
        switch self {
        case .text: "texts"
        case .code: "codes"
        case .number: "numbers"
        case .money: "amounts"
        case .percent: "percentages"
        case .date: "dates"
        case .yesNo: "yes/no values"
        case .list: "lists"
        case .unknown: "values"
        }
    }

    var isNumeric: Bool { self == .number || self == .money || self == .percent || self == .unknown }
    var isTextual: Bool { self == .text || self == .code || self == .unknown }

    /// Whether two values can be compared with `=`, `<` and the like.
    func isComparable(with other: ValueType) -> Bool {
        if self == .unknown || other == .unknown { return true }
        if isNumeric && other.isNumeric {
            // An amount may be compared with a plain number, but not with a percentage.
            return !((self == .money && other == .percent) || (self == .percent && other == .money))
        }
        if isTextual && other.isTextual { return true }
        return self == other
    }
}

/// A set of value types a function argument accepts.
public struct TypeSet: OptionSet, Hashable, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let text = TypeSet(rawValue: 1)
    public static let code = TypeSet(rawValue: 2)
    public static let number = TypeSet(rawValue: 4)
    public static let money = TypeSet(rawValue: 8)
    public static let percent = TypeSet(rawValue: 16)
    public static let date = TypeSet(rawValue: 32)
    public static let yesNo = TypeSet(rawValue: 64)
    public static let numeric: TypeSet = [.number, .money, .percent]
    public static let textual: TypeSet = [.text, .code]
    public static let any: TypeSet = [.text, .code, .number, .money, .percent, .date, .yesNo]

    func accepts(_ type: ValueType) -> Bool {
        switch type {
        case .unknown: true
        case .text: contains(TypeSet.text)
        case .code: contains(TypeSet.code)
        case .number: contains(TypeSet.number)
        case .money: contains(TypeSet.money)
        case .percent: contains(TypeSet.percent)
        case .date: contains(TypeSet.date)
        case .yesNo: contains(TypeSet.yesNo)
        case .list: false
        }
    }

    /// "a number, an amount or a percentage"
    var description: String {
        if self == .any { return "any value" }
        var names: [String] = []
        if contains(.number) { names.append("a number") }
        if contains(.money) { names.append("an amount") }
        if contains(.percent) { names.append("a percentage") }
        if contains(.date) { names.append("a date") }
        if contains(.text) && contains(.code) { names.append("text") } else {
            if contains(.text) { names.append("text") }
            if contains(.code) { names.append("a code") }
        }
        if contains(.yesNo) { names.append("a yes/no condition") }
        guard names.count > 1 else { return names.first ?? "nothing" }
        return names.dropLast().joined(separator: ", ") + " or " + names.last!
    }
}
