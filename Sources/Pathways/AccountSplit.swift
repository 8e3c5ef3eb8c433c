import RulesEngine
import RulesLanguage
import SpreadsheetIO
import Tabular

/// How the rules read a table's account segments: cut from its account string, or from columns
/// of their own, each with example values, so a trainer sees a wrong mapping at once.
public struct AccountSplit: Codable, Sendable, Equatable {
    public struct Segment: Codable, Sendable, Equatable {
        public var name: String
        /// Which part of the account it is (1 for the first), when it is split from the account;
        /// with no part, characters or column, `account_layout` leaves it out and it is blank.
        public var part: Int?
        /// Which characters of the account it is, `2-5`, when the account is read by position.
        public var characters: String?
        /// The column it is read from instead, when the sheet gives it one: `F "Location"`.
        public var ownColumn: String?
        public var examples: [String]
    }

    public var table: String
    public var sheet: String
    /// The account column it is cut from, `G "Account"`, or nil when the sheet has none.
    public var account: String?
    /// What splits the account, or nil when its segments are read by their characters.
    public var separator: String?
    /// Segments the sheet neither gives nor can cut from an account: rules that read them are not assessed.
    public var missing: [String]
    public var segments: [Segment]

    /// The splits of every bound table whose declaration splits a column into segments.
    static func splits(of workbook: RawWorkbook, rules: CheckedRuleSet, params: ParamValues) -> [AccountSplit] {
        let binding = WorkbookBinder.bind(workbook, to: rules, params: params)
        let layout = params.accountLayout
        return rules.tables.compactMap { declaration -> AccountSplit? in
            guard let split = declaration.columns.first(where: { !$0.segments.isEmpty }),
                  let bound = binding.tables[declaration.name.text.lowercased()] else { return nil }
            func header(_ column: Column) -> String {
                let name = bound.layout.columns.first { $0.sourceColumn == column.sourceColumn }?.name ?? column.name
                return "\(columnLetters(column.sourceColumn)) \"\(name)\""
            }
            let account = bound.column(split.name.text)
            var segments: [Segment] = []
            var missing: [String] = []
            for (position, name) in split.segments.map(\.text).enumerated() {
                guard let column = bound.column(name) else {
                    missing.append(name)
                    continue
                }
                var segment = Segment(name: name, examples: Inspection.examples(of: column))
                switch bound.isCutSegment(name) ? WorkbookBinder.SegmentPart(of: split, at: position, layout: layout) : nil {
                case .split(let part, _)?: segment.part = part == Int.max ? nil : part + 1
                case .characters(let range)?: segment.characters = range.count == 1 ? "\(range.lowerBound)" : "\(range.lowerBound)-\(range.upperBound)"
                case nil: segment.ownColumn = header(column)
                }
                segments.append(segment)
            }
            let isSplit = segments.contains { $0.part != nil } || !segments.contains { $0.characters != nil }
            return AccountSplit(table: declaration.name.text, sheet: bound.sheet, account: account.map(header),
                                separator: isSplit ? split.separator ?? "-" : nil, missing: missing, segments: segments)
        }
    }

    /// Lines for the terminal: where each segment comes from and what it holds.
    var lines: [String] {
        var lines = ["Table \(table) on sheet \"\(sheet)\": "
                     + (account.map { "account \($0), " + (separator.map { "split by \"\($0)\"" } ?? "read by its characters") }
                        ?? "no account column; its segments come from columns of their own")]
        let width = segments.map(\.name.count).max() ?? 0
        for segment in segments {
            let source = segment.part.map { "part \($0)" } ?? segment.characters.map { "characters \($0)" }
                ?? segment.ownColumn.map { "column \($0)" } ?? "not in account_layout"
            lines.append("  \(segment.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(source): "
                         + (segment.examples.isEmpty ? "all blank" : segment.examples.joined(separator: ", ")))
        }
        if !missing.isEmpty {
            lines.append("  Not found: \(missing.joined(separator: ", ")); rules that read \(missing.count == 1 ? "it" : "them") are not assessed.")
        }
        return lines
    }
}
