/// What an arithmetic operator gives for each pair of value types, declared once. The checker
/// types `+ - * / ^` by this table (anything it does not list is a mistake), the engine's result
/// follows the checked type, and `pathways functions` and the reference's Types table print it.
public struct OperatorSignature: Sendable {
    public let operators: [BinaryOperator]
    public let left: ValueType
    public let right: ValueType
    public let result: ValueType
    /// What it means, for the reference: "dollars per pupil: `spent / enrollment`".
    public let meaning: String?

    init(_ operators: [BinaryOperator], _ left: ValueType, _ right: ValueType, _ result: ValueType, _ meaning: String? = nil) {
        self.operators = operators
        self.left = left
        self.right = right
        self.result = result
        self.meaning = meaning
    }

    /// `amount + amount, amount - amount`
    var written: String {
        operators.map { "\(Self.operand(left)) \($0.rawValue) \(Self.operand(right))" }.joined(separator: ", ")
    }

    private static func operand(_ type: ValueType) -> String {
        switch type {
        case .money: "amount"
        case .percent: "percentage"
        case .number: "number"
        case .date: "date"
        default: type.description
        }
    }
}

public enum OperatorCatalogue {
    public static let arithmetic: [OperatorSignature] = [
        .init([.add, .subtract], .money, .money, .money),
        .init([.add, .subtract], .money, .number, .money, "dollars added or taken away"),
        .init([.add, .subtract], .number, .money, .money),
        .init([.add, .subtract], .number, .number, .number),
        .init([.add, .subtract], .percent, .percent, .percent),
        .init([.add, .subtract], .number, .percent, .number),
        .init([.add, .subtract], .percent, .number, .number),
        .init([.add, .subtract], .date, .number, .date, "so many days later or earlier"),
        .init([.add], .number, .date, .date),
        .init([.subtract], .date, .date, .number, "the days between: `TODAY() - posted`"),
        .init([.multiply], .money, .number, .money),
        .init([.multiply], .number, .money, .money),
        .init([.multiply], .money, .percent, .money, "a share of an amount: `budget * 10%`"),
        .init([.multiply], .percent, .money, .money),
        .init([.multiply], .number, .number, .number),
        .init([.multiply], .number, .percent, .number),
        .init([.multiply], .percent, .number, .number),
        .init([.multiply], .percent, .percent, .percent),
        .init([.divide], .money, .money, .percent, "a ratio, shown and compared as a percentage: `spent / budget` is 104.5%"),
        .init([.divide], .money, .number, .money, "dollars per pupil: `spent / enrollment`"),
        .init([.divide], .money, .percent, .money),
        .init([.divide], .number, .number, .number),
        .init([.divide], .number, .percent, .number),
        .init([.divide], .percent, .number, .number),
        .init([.divide], .percent, .percent, .number),
        .init([.divide], .number, .money, .number),
        .init([.divide], .percent, .money, .number),
        .init([.power], .number, .number, .number),
        .init([.power], .percent, .number, .number),
    ]

    private static let results: [Key: ValueType] = {
        var results: [Key: ValueType] = [:]
        for signature in arithmetic {
            for operation in signature.operators { results[Key(operation: operation, left: signature.left, right: signature.right)] = signature.result }
        }
        return results
    }()

    private struct Key: Hashable {
        let operation: BinaryOperator
        let left: ValueType
        let right: ValueType
    }

    /// What `left operation right` gives, or nil when it means nothing.
    public static func result(of operation: BinaryOperator, _ left: ValueType, _ right: ValueType) -> ValueType? {
        results[Key(operation: operation, left: left, right: right)]
    }

    /// The catalogue as the Markdown table of docs/rules-language.md (a test keeps them equal).
    public static var markdown: String {
        var lines = ["| formula | gives |", "|---|---|"]
        for signature in arithmetic {
            lines.append("| \(signature.written) | \(signature.result)\(signature.meaning.map { " — \($0)" } ?? "") |")
        }
        return lines.joined(separator: "\n")
    }

    /// The catalogue as plain text, for `pathways functions`.
    public static var table: String {
        let width = arithmetic.map(\.written.count).max() ?? 0
        let rows = arithmetic.map { signature in
            "  " + signature.written + String(repeating: " ", count: width - signature.written.count + 2) + "gives \(signature.result)"
        }
        return (["", "Arithmetic"] + rows + [""]).joined(separator: "\n")
    }
}
