/// Every formula function, by name. The rules engine implements each one in an exhaustive switch
/// over this enum, so a function in the catalogue cannot lack an implementation.
public enum Function: String, Sendable, CaseIterable {
    case sum = "SUM", count = "COUNT", average = "AVERAGE", median = "MEDIAN", min = "MIN", max = "MAX"
    case stdev = "STDEV", stdevp = "STDEVP", cv = "CV", cvp = "CVP", correl = "CORREL", share = "SHARE"
    case round = "ROUND", abs = "ABS", log10 = "LOG10", firstDigit = "FIRSTDIGIT", `if` = "IF", ifBlank = "IFBLANK"
    case left = "LEFT", right = "RIGHT", mid = "MID", len = "LEN", upper = "UPPER", lower = "LOWER", trim = "TRIM", hasTag = "HASTAG"
    case year = "YEAR", month = "MONTH", day = "DAY", weekday = "WEEKDAY", weeknum = "WEEKNUM", date = "DATE", today = "TODAY"
    case fiscalYear = "FISCALYEAR", fiscalYearStart = "FISCALYEARSTART", fiscalYearEnd = "FISCALYEAREND", elapsed = "ELAPSED"
    case lookup = "LOOKUP"
}

/// Every formula function, declared once: its signature and what it does. The checker, the
/// rules engine, `pathways functions` and the reference in docs/rules-language.md all read this
/// catalogue, so they cannot drift.
public struct FunctionSpec: Sendable {
    public enum Category: String, Sendable, CaseIterable {
        case aggregate = "Totals over rows"
        case math = "Numbers"
        case text = "Text"
        case date = "Dates"
        case logic = "Logic"
        case lookup = "Other tables"
    }

    public struct Argument: Sendable {
        public let name: String
        public let accepts: TypeSet
        public let isOptional: Bool
        /// The last argument may be repeated: MIN(a, b, c).
        public let repeats: Bool

        init(_ name: String, _ accepts: TypeSet, optional: Bool = false, repeats: Bool = false) {
            self.name = name
            self.accepts = accepts
            isOptional = optional
            self.repeats = repeats
        }
    }

    public enum Result: Sendable {
        case fixed(ValueType)
        /// The type of the argument at this position.
        case sameAs(Int)
    }

    public let function: Function
    public var name: String { function.rawValue }
    public let category: Category
    public let arguments: [Argument]
    public let result: Result
    /// Works over many rows (of a group, a table or a filter) rather than one value.
    public let isAggregate: Bool
    public let summary: String
    public let examples: [String]

    /// Whether a call with this many values totals rows: MIN and MAX of two or more values
    /// compare those values instead.
    public func totalsRows(given argumentCount: Int) -> Bool {
        isAggregate && !((function == .min || function == .max) && argumentCount > 1)
    }

    /// `SUM(values [where condition])`
    public var usage: String {
        var parts: [String] = []
        for argument in arguments {
            var text = argument.name
            if argument.repeats { text += ", …" }
            parts.append(argument.isOptional ? "[\(text)]" : text)
        }
        var usage = "\(name)(\(parts.joined(separator: ", "))"
        if isAggregate { usage += (parts.isEmpty ? "" : " ") + "[where condition]" }
        return usage + ")"
    }

    public var resultDescription: String {
        switch result {
        case .fixed(let type): type.description
        case .sameAs(let index): "the same type as \(arguments[index].name)"
        }
    }

    var arity: ClosedRange<Int> {
        let required = arguments.filter { !$0.isOptional }.count
        return required ... (arguments.last?.repeats == true ? 255 : arguments.count)
    }
}

public enum FunctionCatalogue {
    public static let all: [FunctionSpec] = [
        FunctionSpec(function: .sum, category: .aggregate, arguments: [.init("values", .numeric)], result: .sameAs(0), isAggregate: true,
                     summary: "Adds up the values over the rows; blanks are skipped.",
                     examples: ["SUM(amount)", "SUM(amount where object like \"63*\")"]),
        FunctionSpec(function: .count, category: .aggregate, arguments: [.init("values", .any, optional: true)], result: .fixed(.number), isAggregate: true,
                     summary: "Counts the rows, or with a value, the rows where it is not blank.",
                     examples: ["COUNT()", "COUNT(owner)", "COUNT(where amount > $1,000)"]),
        FunctionSpec(function: .average, category: .aggregate, arguments: [.init("values", .numeric)], result: .sameAs(0), isAggregate: true,
                     summary: "The mean of the values over the rows; blanks are skipped.", examples: ["AVERAGE(amount)"]),
        FunctionSpec(function: .median, category: .aggregate, arguments: [.init("values", .numeric)], result: .sameAs(0), isAggregate: true,
                     summary: "The middle value over the rows; blanks are skipped.", examples: ["MEDIAN(site_spending.per_pupil)"]),
        FunctionSpec(function: .min, category: .aggregate, arguments: [.init("values", [.numeric, .date]), .init("more values", [.numeric, .date], optional: true, repeats: true)],
                     result: .sameAs(0), isAggregate: true,
                     summary: "The smallest value over the rows; with two or more values, the smallest of them.",
                     examples: ["MIN(posted)", "MIN(amount, $5,000)"]),
        FunctionSpec(function: .max, category: .aggregate, arguments: [.init("values", [.numeric, .date]), .init("more values", [.numeric, .date], optional: true, repeats: true)],
                     result: .sameAs(0), isAggregate: true,
                     summary: "The largest value over the rows; with two or more values, the largest of them.",
                     examples: ["MAX(amount)", "MAX(0, available)"]),
        FunctionSpec(function: .stdev, category: .aggregate, arguments: [.init("values", .numeric)], result: .sameAs(0), isAggregate: true,
                     summary: "The sample standard deviation of the values over the rows.", examples: ["STDEV(amount)"]),
        FunctionSpec(function: .stdevp, category: .aggregate, arguments: [.init("values", .numeric)], result: .sameAs(0), isAggregate: true,
                     summary: "The population standard deviation of the values over the rows, as Excel's STDEV.P: for every school of a district rather than a sample of them.",
                     examples: ["STDEVP(site_spending.per_pupil)"]),
        FunctionSpec(function: .cv, category: .aggregate, arguments: [.init("values", .numeric)], result: .fixed(.number), isAggregate: true,
                     summary: "Coefficient of variation: the standard deviation divided by the mean; 0.10 means values vary by about 10%.",
                     examples: ["CV(site_spending.per_pupil where site_spending.enrollment >= 100)"]),
        FunctionSpec(function: .cvp, category: .aggregate, arguments: [.init("values", .numeric), .init("weights", .numeric, optional: true)],
                     result: .fixed(.number), isAggregate: true,
                     summary: "The population coefficient of variation: STDEVP divided by the mean, the measure of spread equity studies use over every school. With weights, each row counts that many times: CVP(per_pupil, enrollment) is pupil-weighted.",
                     examples: ["CVP(site_spending.per_pupil)", "CVP(per_pupil, enrollment)"]),
        FunctionSpec(function: .correl, category: .aggregate, arguments: [.init("first", .numeric), .init("second", .numeric), .init("weights", .numeric, optional: true)],
                     result: .fixed(.number), isAggregate: true,
                     summary: "How closely two values rise and fall together over the rows, from -1 to 1. With weights, each row counts that many times.",
                     examples: ["CORREL(site_spending.per_pupil, site_spending.poverty)", "CORREL(per_pupil, poverty, enrollment)"]),
        FunctionSpec(function: .share, category: .aggregate, arguments: [.init("condition", .yesNo)], result: .fixed(.percent), isAggregate: true,
                     summary: "The share of rows where the condition holds.",
                     examples: ["SHARE(transactions.owner is not blank)"]),
        FunctionSpec(function: .round, category: .math, arguments: [.init("value", .numeric), .init("digits", .number, optional: true)], result: .sameAs(0), isAggregate: false,
                     summary: "Rounds to the given number of decimal places (0 if left out), halves away from zero as Excel does.",
                     examples: ["ROUND(amount, 0)", "ROUND(per_pupil, -2)"]),
        FunctionSpec(function: .abs, category: .math, arguments: [.init("value", .numeric)], result: .sameAs(0), isAggregate: false,
                     summary: "The value without its sign.", examples: ["ABS(amount)"]),
        FunctionSpec(function: .log10, category: .math, arguments: [.init("value", [.number, .percent])], result: .fixed(.number), isAggregate: false,
                     summary: "The base-10 logarithm of a number; blank for 0 or less.",
                     examples: ["LOG10(1 + 1 / digit)"]),
        FunctionSpec(function: .firstDigit, category: .math, arguments: [.init("value", .numeric)], result: .fixed(.number), isAggregate: false,
                     summary: "The first digit of a value that is not 0, 1 to 9, whatever its sign: 4 for $4,250.00 and for $0.42; blank for 0.",
                     examples: ["FIRSTDIGIT(amount)"]),
        FunctionSpec(function: .if, category: .logic, arguments: [.init("condition", .yesNo), .init("then", .any), .init("otherwise", .any, optional: true)],
                     result: .sameAs(1), isAggregate: false,
                     summary: "The second value when the condition holds, otherwise the third (blank if left out).",
                     examples: ["IF(amount < 0, -amount, amount)"]),
        FunctionSpec(function: .ifBlank, category: .logic, arguments: [.init("value", .any), .init("otherwise", .any)],
                     result: .sameAs(0), isAggregate: false,
                     summary: "The value, or where it is blank, the second one. A column or a LOOKUP the workbook does not have counts as blank here, so a rule can use it when it is there and something else when not.",
                     examples: ["IFBLANK(LOOKUP(owners.approval_limit, approved_by), approval_limit)"]),
        FunctionSpec(function: .left, category: .text, arguments: [.init("text", .textual), .init("characters", .number, optional: true)], result: .sameAs(0), isAggregate: false,
                     summary: "The first characters of a text (1 if left out).", examples: ["LEFT(object, 2) = \"63\""]),
        FunctionSpec(function: .right, category: .text, arguments: [.init("text", .textual), .init("characters", .number, optional: true)], result: .sameAs(0), isAggregate: false,
                     summary: "The last characters of a text (1 if left out).", examples: ["RIGHT(account, 3)"]),
        FunctionSpec(function: .mid, category: .text, arguments: [.init("text", .textual), .init("start", .number), .init("characters", .number)], result: .sameAs(0), isAggregate: false,
                     summary: "Characters from the middle of a text; the first character is number 1.", examples: ["MID(account, 5, 4)"]),
        FunctionSpec(function: .len, category: .text, arguments: [.init("text", .textual)], result: .fixed(.number), isAggregate: false,
                     summary: "How many characters a text has.", examples: ["LEN(description) < 15"]),
        FunctionSpec(function: .upper, category: .text, arguments: [.init("text", .textual)], result: .sameAs(0), isAggregate: false,
                     summary: "The text in capital letters.", examples: ["UPPER(vendor)"]),
        FunctionSpec(function: .lower, category: .text, arguments: [.init("text", .textual)], result: .sameAs(0), isAggregate: false,
                     summary: "The text in small letters.", examples: ["LOWER(owner)"]),
        FunctionSpec(function: .trim, category: .text, arguments: [.init("text", .textual)], result: .sameAs(0), isAggregate: false,
                     summary: "The text without spaces at either end, and single spaces inside.", examples: ["TRIM(owner) = \"\""]),
        FunctionSpec(function: .hasTag, category: .text, arguments: [.init("tags", .textual), .init("tag", .textual)], result: .fixed(.yesNo), isAggregate: false,
                     summary: "Whether a list of tags, separated by semicolons, commas or spaces, holds the tag (capitals do not matter): a line tagged \"G1;G3\" has G3 but not G30.",
                     examples: ["HASTAG(goals, \"G3\")", "HASTAG(transactions.goals, goal)"]),
        FunctionSpec(function: .year, category: .date, arguments: [.init("date", .date)], result: .fixed(.number), isAggregate: false,
                     summary: "The year of a date.", examples: ["YEAR(posted)"]),
        FunctionSpec(function: .month, category: .date, arguments: [.init("date", .date)], result: .fixed(.number), isAggregate: false,
                     summary: "The month of a date, 1 for January to 12 for December.", examples: ["MONTH(posted) in (5, 6)"]),
        FunctionSpec(function: .day, category: .date, arguments: [.init("date", .date)], result: .fixed(.number), isAggregate: false,
                     summary: "The day of the month of a date.", examples: ["DAY(posted)"]),
        FunctionSpec(function: .weekday, category: .date, arguments: [.init("date", .date)], result: .fixed(.number), isAggregate: false,
                     summary: "The day of the week, 1 for Sunday to 7 for Saturday, as in Excel.", examples: ["WEEKDAY(posted) in (1, 7)"]),
        FunctionSpec(function: .weeknum, category: .date, arguments: [.init("date", .date)], result: .fixed(.number), isAggregate: false,
                     summary: "The week of the year, weeks starting on Sunday, as in Excel.", examples: ["WEEKNUM(posted)"]),
        FunctionSpec(function: .date, category: .date, arguments: [.init("year", .number), .init("month", .number), .init("day", .number)],
                     result: .fixed(.date), isAggregate: false,
                     summary: "The date with this year, month and day.", examples: ["DATE(YEAR(TODAY()), 6, 30)"]),
        FunctionSpec(function: .today, category: .date, arguments: [], result: .fixed(.date), isAggregate: false,
                     summary: "The run's as-of date (the latest posting date unless a run says otherwise), never the computer's clock.",
                     examples: ["TODAY() - posted > 90"]),
        FunctionSpec(function: .fiscalYear, category: .date, arguments: [.init("date", .date)], result: .fixed(.number), isAggregate: false,
                     summary: "The fiscal year a date falls in, named by the year it ends: with the year starting in July, 2024-09-15 is in 2025. The start month is the param fiscal_year_start (7 if the rules do not set it).",
                     examples: ["FISCALYEAR(posted) = FISCALYEAR(TODAY())"]),
        FunctionSpec(function: .fiscalYearStart, category: .date, arguments: [.init("date", .date)], result: .fixed(.date), isAggregate: false,
                     summary: "The first day of the fiscal year a date falls in: 2024-07-01 for 2024-09-15 with the year starting in July.",
                     examples: ["posted >= FISCALYEARSTART(TODAY())"]),
        FunctionSpec(function: .fiscalYearEnd, category: .date, arguments: [.init("date", .date)], result: .fixed(.date), isAggregate: false,
                     summary: "The last day of the fiscal year a date falls in: 2025-06-30 for 2024-09-15 with the year starting in July.",
                     examples: ["FISCALYEAREND(TODAY()) - TODAY() < 60"]),
        FunctionSpec(function: .elapsed, category: .date, arguments: [], result: .fixed(.percent), isAggregate: false,
                     summary: "The share of the fiscal year gone by on the run's as-of date: 25% on 30 September for a July year.",
                     examples: ["SUM(amount) / budget > ELAPSED() + 25%"]),
        FunctionSpec(function: .lookup, category: .lookup, arguments: [.init("column", .any), .init("key", .any)], result: .sameAs(0), isAggregate: false,
                     summary: "The value of another table's column in the row whose key matches; blank when none does.",
                     examples: ["LOOKUP(sites.enrollment, site)"]),
    ]

    static let byName: [String: FunctionSpec] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    public static func named(_ name: String) -> FunctionSpec? { byName[name.uppercased()] }

    public static func spec(_ function: Function) -> FunctionSpec { byName[function.rawValue]! }

    /// The catalogue as the Markdown section of docs/rules-language.md (a test keeps them equal).
    public static var markdown: String {
        var lines: [String] = []
        for category in FunctionSpec.Category.allCases {
            let functions = all.filter { $0.category == category }
            guard !functions.isEmpty else { continue }
            lines.append("### \(category.rawValue)")
            lines.append("")
            lines.append("| function | gives | what it does | examples |")
            lines.append("|---|---|---|---|")
            for function in functions {
                let examples = function.examples.map { "`\($0)`" }.joined(separator: "<br>")
                lines.append("| `\(function.usage)` | \(function.resultDescription) | \(function.summary) | \(examples) |")
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    /// The catalogue as a plain-text table, for `pathways functions`.
    public static var table: String {
        var lines: [String] = []
        for category in FunctionSpec.Category.allCases {
            let functions = all.filter { $0.category == category }
            guard !functions.isEmpty else { continue }
            lines.append(category.rawValue)
            let width = functions.map(\.usage.count).max() ?? 0
            for function in functions {
                lines.append("  " + function.usage + String(repeating: " ", count: width - function.usage.count + 2) + function.summary)
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }
}

extension Expression {
    /// The first call in a formula that totals rows (`SUM(amount)`, `COUNT()`), if any.
    public var firstTotal: Expression? {
        if case .call(let name, let arguments, _, _) = self, FunctionCatalogue.named(name.text)?.totalsRows(given: arguments.count) == true {
            return self
        }
        return parts.lazy.compactMap(\.firstTotal).first
    }
}
