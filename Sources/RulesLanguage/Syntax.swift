import Tabular

/// The syntax tree of a rule file, exactly as written (before any checking).

/// A name as written, with where it was written.
public struct Name: Equatable, Sendable, CustomStringConvertible {
    public var text: String
    public var span: SourceSpan
    public var description: String { text }
}

/// `# comments` that belong to a declaration or clause, kept so `pathways fmt` never drops them.
public struct Comments: Equatable, Sendable {
    public var leading: [String] = []
    public var trailing: String?
    /// Comments at the ends of the inner lines of a formula that goes on over several lines.
    public var within: [LineComment] = []
}

/// A comment at the end of a line inside a formula, and the place in the formula it follows.
public struct LineComment: Equatable, Sendable {
    public var text: String
    public var after: SourceSpan
}

public indirect enum Expression: Equatable, Sendable {
    case number(String, SourceSpan)
    case money(String, SourceSpan)
    case percent(String, SourceSpan)
    case date(String, SourceSpan)
    case text(String, SourceSpan)
    case yesNo(Bool, SourceSpan)
    /// `owner`, or `sites.enrollment` with a qualifier.
    case name(qualifier: Name?, Name)
    /// `[Budget Owner]`, or `sites.[Oct 1 Enrollment]`.
    case header(qualifier: Name?, String, SourceSpan)
    case unary(String, Expression, SourceSpan)
    case binary(String, Expression, Expression, SourceSpan)
    /// `SUM(amount where vendor = "Acme")`.
    case call(Name, [Expression], filter: Expression?, SourceSpan)
    /// `("890", "6399")`.
    case list([Expression], SourceSpan)
    /// `x is blank`, `x is not blank`.
    case isBlank(Expression, negated: Bool, SourceSpan)
    /// `x in ("a", "b")`, `x not in catch_all`.
    case isIn(Expression, Expression, negated: Bool, SourceSpan)
    case between(Expression, Expression, Expression, negated: Bool, SourceSpan)
    /// `object like "63*"`, with Excel's `*` and `?` wildcards.
    case like(Expression, Expression, negated: Bool, SourceSpan)
    /// `object starts with any of personnel_objects`, `account does not start with "9"`.
    case startsWith(Expression, Expression, anyOf: Bool, negated: Bool, SourceSpan)
    /// Parsing failed here; a diagnostic has been given.
    case invalid(SourceSpan)

    public var span: SourceSpan {
        switch self {
        case .number(_, let span), .money(_, let span), .percent(_, let span), .date(_, let span), .text(_, let span),
             .yesNo(_, let span), .header(_, _, let span), .unary(_, _, let span), .binary(_, _, _, let span),
             .call(_, _, _, let span), .list(_, let span), .isBlank(_, _, let span), .isIn(_, _, _, let span),
             .between(_, _, _, _, let span), .like(_, _, _, let span), .startsWith(_, _, _, _, let span), .invalid(let span):
            return span
        case .name(let qualifier, let name):
            return qualifier.map { $0.span.to(name.span) } ?? name.span
        }
    }

    /// The formulas directly inside this one: a call's values and its `where`, an operator's sides.
    public var parts: [Expression] {
        switch self {
        case .call(_, let arguments, let filter, _): return arguments + (filter.map { [$0] } ?? [])
        case .unary(_, let operand, _), .isBlank(let operand, _, _): return [operand]
        case .binary(_, let left, let right, _), .isIn(let left, let right, _, _), .like(let left, let right, _, _),
             .startsWith(let left, let right, _, _, _): return [left, right]
        case .between(let value, let low, let high, _, _): return [value, low, high]
        case .list(let items, _): return items
        default: return []
        }
    }
}

/// A message or fix text with `{expressions}` in it.
public struct Template: Equatable, Sendable {
    public enum Part: Equatable, Sendable {
        case text(String)
        case expression(Expression)
    }

    public var parts: [Part]
    public var span: SourceSpan
}

public struct TableColumn: Equatable, Sendable {
    public var name: Name
    public var type: ColumnType
    public var typeSpan: SourceSpan
    /// Header texts that identify the column in a workbook.
    public var aliases: [String]
    public var isOptional: Bool
    /// `segments fund, function, object split by "-"`.
    public var segments: [Name]
    public var separator: String?
    /// `segments fund 1, function 2-5, object 7-9`: each segment's characters, for an account
    /// read by position (New York's A2110.120) rather than split by a separator.
    public var segmentPositions: [ClosedRange<Int>] = []
    public var comments = Comments()
    /// `or debit - credit`: how to work the column out from the row's other columns when the
    /// sheet has none of its headers.
    public var formula: Expression? = nil
}

public struct TableDeclaration: Equatable, Sendable {
    public var name: Name
    public var title: String?
    public var sheetHints: [String] = []
    public var keys: [Name] = []
    public var columns: [TableColumn] = []
    public var isRequired = false
    public var about: String?
}

public struct ParamDeclaration: Equatable, Sendable {
    public var name: Name
    public var value: Expression
    public var about: String?
}

/// `preset texas "Texas (FASRG)"`: params set together for a state's chart of accounts.
public struct PresetDeclaration: Equatable, Sendable {
    public struct Setting: Equatable, Sendable {
        public var name: Name
        public var value: Expression
        public var comments = Comments()
    }

    public var name: Name
    public var title: String?
    public var settings: [Setting] = []
    public var about: String?
    public var source: String?
}

public struct PathwayDeclaration: Equatable, Sendable {
    public var name: Name
    public var title: String?
    public var about: String?
}

/// How serious a rule's finding is. Sorted worst first (`error < warning < info`), and written in
/// JSON as its name, so a findings file reads `"severity" : "error"`.
public enum Severity: String, Equatable, Sendable, CaseIterable, Comparable, Codable, CodingKeyRepresentable {
    case error, warning, info

    public static func < (lhs: Severity, rhs: Severity) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

public struct LetBinding: Equatable, Sendable {
    public var name: Name
    public var value: Expression
    public var comments = Comments()
}

/// `within 14 days of posted`: a grouped rule's groups cut into windows of so many days.
public struct GroupWindow: Equatable, Sendable {
    /// How many days a window spans, the first day included: a number or a number param.
    public var days: Expression
    /// The date that places each row in a window.
    public var date: Expression
    public var span: SourceSpan
}

public struct RuleDeclaration: Equatable, Sendable {
    public var id: Name
    public var title: String?
    public var pathway: Name?
    public var severity: Severity?
    public var severitySpan: SourceSpan?
    /// `compliance`: a finding means a requirement of law is not met, so its pathway's level is capped.
    public var isCompliance = false
    public var table: Name?
    public var groupKeys: [Expression] = []
    /// `within 14 days of posted`, after the group keys.
    public var window: GroupWindow?
    /// `where …`: the only rows the rule looks at.
    public var filter: Expression?
    public var lets: [LetBinding] = []
    public var condition: Expression?
    public var flags: [Expression] = []
    public var message: Template?
    public var fix: Template?
    public var about: String?
    /// Where the rule's thresholds come from, for a board member or an auditor.
    public var source: String?
}

public struct ViewColumn: Equatable, Sendable {
    public var name: Name
    /// The column's header on the view's sheet, when its name would not read well there.
    public var title: String?
    public var value: Expression
    public var comments = Comments()
}

public struct ViewDeclaration: Equatable, Sendable {
    public var name: Name
    public var title: String?
    public var table: Name?
    public var groupKeys: [Expression] = []
    public var filter: Expression?
    /// `let` lines: values worked out per group (or row) that the view's columns can use, not shown.
    public var lets: [LetBinding] = []
    public var columns: [ViewColumn] = []
    /// `order by digit`: the columns its rows are listed in order of, smallest first.
    public var order: [Name] = []
    public var isShown = false
    public var about: String?
}

/// A rubric level, sorted best first (`exemplary < … < emerging`), and written in JSON as its name.
public enum Level: String, Equatable, Sendable, CaseIterable, Comparable, Codable {
    case exemplary, established, developing, emerging

    public static func < (lhs: Level, rhs: Level) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

public struct LevelBand: Equatable, Sendable {
    public var level: Level
    public var levelSpan: SourceSpan
    /// `<=`, `<`, `>=`, `>`; nil for `otherwise`.
    public var comparison: String?
    public var threshold: Expression?
    public var comments = Comments()
}

public struct IndicatorDeclaration: Equatable, Sendable {
    public var id: Name
    public var title: String?
    public var pathway: Name?
    /// `per site`: measured also for each value of that column, on the rows that have it.
    public var per: Name?
    /// `let` lines: named values the measure and the level thresholds can use.
    public var lets: [LetBinding] = []
    public var measure: Expression?
    public var bands: [LevelBand] = []
    public var about: String?
    public var source: String?
}

public struct GoalDeclaration: Equatable, Sendable {
    public var id: Name
    public var title: String?
    public var indicator: Name?
    public var comparison: String?
    public var target: Expression?
    public var deadline: Expression?
    public var owner: String?
    public var about: String?
}

public struct ExampleTable: Equatable, Sendable {
    public var table: Name
    public var headers: [String]
    public var headerSpans: [SourceSpan]
    public var rows: [[String]]
    public var span: SourceSpan
}

public struct Expectation: Equatable, Sendable {
    public enum Outcome: Equatable, Sendable {
        /// `expect BO-01 flags row 1 column owner`
        case flags(row: Int, column: Name?)
        /// `expect BO-01 flags nothing`
        case flagsNothing
        /// `expect BO-5 says "the approval limit of $5,000.00"`: a finding's message holds the text.
        case says(String)
        /// `expect RE-1 level exemplary`
        case level(Level)
        /// `expect RE-4 not assessed`: a rule, indicator or goal the example rows cannot assess.
        case notAssessed
        /// `expect G-1 status met`
        case status(GoalStatus)
        /// `expect site_spending row 2 per_pupil = $3,000`: a view's value.
        case value(row: Int, column: Name, Expression)
    }

    public var id: Name
    public var outcome: Outcome
    public var span: SourceSpan
}

public struct TestDeclaration: Equatable, Sendable {
    public var name: String
    public var nameSpan: SourceSpan
    public var examples: [ExampleTable] = []
    /// `as of 2025-03-31`: the date the example runs on, for rules that use TODAY() or ELAPSED().
    public var asOf: String?
    public var expectations: [Expectation] = []
}

public indirect enum Declaration: Equatable, Sendable {
    case table(TableDeclaration)
    case param(ParamDeclaration)
    case preset(PresetDeclaration)
    case pathway(PathwayDeclaration)
    case rule(RuleDeclaration)
    case view(ViewDeclaration)
    case indicator(IndicatorDeclaration)
    case goal(GoalDeclaration)
    case test(TestDeclaration)
}

/// A declaration with the comments around it, so the formatter can lay it out again.
public struct DeclarationNode: Equatable, Sendable {
    public var declaration: Declaration
    /// Comments above the declaration and after its first line.
    public var comments: Comments
    /// Comments on single clauses (`when`, `message`, …), by the clause's keyword.
    public var clauseComments: [String: Comments]
    public var span: SourceSpan
}

public struct RuleFile: Equatable, Sendable {
    public var declarations: [DeclarationNode]
    /// Comments after the last declaration.
    public var trailingComments: [String]
}
