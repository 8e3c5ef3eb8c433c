import Foundation
import RulesLanguage
import SpreadsheetIO
import Tabular

/// A parameter's value for this run, and where it came from.
public struct ParamSetting: Codable, Sendable, Equatable {
    public enum Source: String, Codable, Sendable { case rules, preset, paramsSheet = "Params sheet", commandLine = "command line" }
    public let name: String
    public let value: String
    public let source: Source
}

/// Parameter values: the rule files' defaults, overridden by a preset (`--preset texas`, or a
/// `preset` row of the Params sheet), by a `Params` sheet in the workbook (a name column and a
/// value column), and in turn by `--param name=value`.
public struct ParamValues: Sendable {
    var singles: [String: Value] = [:]
    var lists: [String: [Value]] = [:]
    public private(set) var settings: [ParamSetting] = []
    public private(set) var problems: [String] = []

    /// The preset the run uses, by its name in the rule files.
    public private(set) var preset: String?

    /// `account_layout` for this run; nil when the rules do not declare it. A preset sets its
    /// state's (Texas: fund, function, object, sub-object, organization, year, program intent).
    public var accountLayout: AccountLayout? {
        lists[RuleChecker.accountLayout].flatMap { values in
            try? AccountLayout.parse(values.map { $0 == .blank ? "" : $0.description }).get()
        }
    }

    /// `preset`: chosen for this run, over a Params sheet's; `fallbackPreset`: used when neither
    /// chooses one (a drop folder's, which each workbook's Params sheet may change).
    public init(rules: CheckedRuleSet, workbook: RawWorkbook?, commandLine: [String: String], preset chosen: String? = nil,
                fallbackPreset: String? = nil) {
        for param in rules.params {
            set(param.name.text, to: param.value, from: .rules)
        }
        let sheet = workbook?.sheets.first(where: { normalizedHeader($0.name) == "params" })
        var sheetRows: [(row: Int, name: String, value: String)] = []
        if let sheet {
            for row in 0 ..< sheet.rowCount where sheet.width(ofRow: row) >= 2 {
                let name = sheet.displayText(row: row, column: 0).trimmingCharacters(in: .whitespaces)
                let value = sheet.displayText(row: row, column: 1).trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty, normalizedHeader(name) != "name" else { continue }
                sheetRows.append((row + 1, name, value))
            }
        }
        // The preset comes first, so the Params sheet and --param can still change one of its values.
        let fromSheet = sheetRows.last { normalizedHeader($0.name) == "preset" }
        if let name = chosen ?? fromSheet?.value ?? fallbackPreset, !name.isEmpty {
            let place = chosen != nil || fromSheet == nil ? "--preset \(name)" : "the Params sheet, row \(fromSheet!.row)"
            if let preset = rules.presets.first(where: { normalizedHeader($0.name.text) == normalizedHeader(name) }) {
                self.preset = preset.name.text
                for setting in preset.settings { set(setting.name.text, to: setting.value, from: .preset) }
            } else {
                let known = rules.presets.map(\.name.text)
                problems.append("\(place): there is no preset named \(name)."
                                + (known.isEmpty ? " The rule files declare none." : " The presets are: \(known.joined(separator: ", ")).")
                                + (Suggest.closest(name, among: known).map { " Did you mean \($0)?" } ?? ""))
            }
        }
        for (row, name, value) in sheetRows where normalizedHeader(name) != "preset" {
            override(name, with: value, from: .paramsSheet, rules: rules, place: "the Params sheet, row \(row)")
        }
        for (name, value) in commandLine.sorted(by: { $0.key < $1.key }) {
            override(name, with: value, from: .commandLine, rules: rules, place: "--param \(name)=\(value)")
        }
    }

    /// Sets a param to a value written in the rule files (its own line, or a preset's).
    private mutating func set(_ name: String, to value: RulesLanguage.Expression, from source: ParamSetting.Source) {
        let key = name.lowercased()
        if case .list(let items, _) = value {
            lists[key] = items.compactMap(Literal.value)
        } else if let value = Literal.value(value) {
            singles[key] = value
        }
        settings.removeAll { $0.name.lowercased() == key }
        settings.append(ParamSetting(name: name, value: RuleFormatter.text(value), source: source))
    }

    private mutating func override(_ name: String, with text: String, from source: ParamSetting.Source, rules: CheckedRuleSet, place: String) {
        guard let param = rules.params.first(where: { $0.name.text.lowercased() == name.lowercased() }) else {
            let known = rules.params.map(\.name.text)
            problems.append("\(place): there is no parameter named \(name)."
                            + (Suggest.closest(name, among: known).map { " Did you mean \($0)?" } ?? " The parameters are: \(known.joined(separator: ", ")).") )
            return
        }
        let key = param.name.text.lowercased()
        let kind = rules.paramTypes[key] ?? .text
        if case .list(let element) = kind {
            // Written as in the rule files, ("890", "6399"), or plainly, 890, 6399.
            var list = text.trimmingCharacters(in: .whitespaces)
            if list.hasPrefix("("), list.hasSuffix(")") { list = String(list.dropFirst().dropLast()) }
            let items = list.split(separator: ",").map { item in
                let trimmed = item.trimmingCharacters(in: .whitespaces)
                return trimmed.count >= 2 && trimmed.hasPrefix("\"") && trimmed.hasSuffix("\"") ? String(trimmed.dropFirst().dropLast()) : trimmed
            }
            let values = items.compactMap { parse($0, as: element) }
            guard values.count == items.count else {
                problems.append("\(place): `\(text)` is not a list of \(element.description)s separated by commas.")
                return
            }
            if key == RuleChecker.accountLayout, let problem = Self.layoutProblem(items, rules: rules) {
                problems.append("\(place): \(problem)")
                return
            }
            lists[key] = values
        } else {
            guard let value = parse(text, as: kind) else {
                problems.append("\(place): `\(text)` is not \(kind), which \(param.name.text) needs.")
                return
            }
            // 20 for a percentage is 2,000% to Excel but surely meant 20%: ask rather than guess.
            if kind == .percent, case .percent(let fraction) = value, fraction > 1, !text.contains("%") {
                problems.append("\(place): \(param.name.text) is a percentage; write \(text)% (or \(formatNumber(fraction / 100)) as a fraction).")
                return
            }
            if key == RuleChecker.fiscalYearStart, case .number(let month) = value, !(1 ... 12).contains(month) || month != month.rounded() {
                problems.append("\(place): \(RuleChecker.fiscalYearStartMeaning)")
                return
            }
            singles[key] = value
        }
        settings.removeAll { $0.name.lowercased() == key }
        settings.append(ParamSetting(name: param.name.text, value: text, source: source))
    }

    /// Why an `account_layout` from a Params sheet or the command line cannot be used, if it cannot.
    private static func layoutProblem(_ items: [String], rules: CheckedRuleSet) -> String? {
        if case .failure(let problem) = AccountLayout.parse(items) { return problem.sentence }
        let segments = Set(rules.tables.flatMap(\.columns).flatMap(\.segments).map { $0.text.lowercased() })
        guard let unknown = items.compactMap({ $0.split(separator: " ").first.map { $0.lowercased() } }).first(where: { !segments.contains($0) }) else {
            return nil
        }
        return "account_layout names \(unknown), which is not a segment of any table; the segments are \(segments.sorted().joined(separator: ", "))."
    }

    private func parse(_ text: String, as type: ValueType) -> Value? {
        ValueText.withUTF8(text) { bytes in
            switch type {
            case .money: return ValueText.money(bytes).map(Value.money)
            case .number: return ValueText.number(bytes).map(Value.number)
            case .percent:
                return ValueText.numeric(bytes).map { numeric in .percent(numeric.hasPercentSign ? numeric.doubleValue / 100 : numeric.doubleValue) }
            case .date: return ValueText.date(bytes).map(Value.date)
            case .yesNo: return ValueText.yesNo(bytes).map(Value.yesNo)
            case .code: return .code(text)
            default: return .text(text)
            }
        }
    }
}
