import Foundation

/// What a review found in a workbook, read from its findings file, for hover to show beside the
/// rules: where each table and column was found, each param's value and where it came from, and
/// each indicator's value and level.
struct LastReview {
    let input: String
    let asOf: String?
    /// By table (lower case): its sheet and file, and where each column was found.
    let tables: [String: (sheet: String, file: String, columns: [String: String])]
    /// By param (lower case): its value and where it came from.
    let params: [String: (value: String, source: String)]
    /// By indicator id (lower case): its value and level, or why it was not assessed.
    let indicators: [String: String]

    init?(path: String) {
        guard let data = FileManager.default.contents(atPath: path),
              let report = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        input = report["input"] as? String ?? path
        asOf = report["asOf"] as? String
        var tables: [String: (sheet: String, file: String, columns: [String: String])] = [:]
        for table in report["tables"] as? [[String: Any]] ?? [] {
            guard let name = table["table"] as? String else { continue }
            tables[name.lowercased()] = (table["sheet"] as? String ?? "", table["file"] as? String ?? "", table["columns"] as? [String: String] ?? [:])
        }
        self.tables = tables
        var params: [String: (value: String, source: String)] = [:]
        for param in report["params"] as? [[String: Any]] ?? [] {
            guard let name = param["name"] as? String else { continue }
            params[name.lowercased()] = (param["value"] as? String ?? "", param["source"] as? String ?? "")
        }
        self.params = params
        var indicators: [String: String] = [:]
        for indicator in report["indicators"] as? [[String: Any]] ?? [] {
            guard let id = indicator["indicator"] as? String else { continue }
            indicators[id.lowercased()] = (indicator["value"] as? String).map { value in
                value + ((indicator["level"] as? String).map { ", \($0)" } ?? "")
            } ?? "not assessed: " + (indicator["reason"] as? String ?? "")
        }
        self.indicators = indicators
    }

    /// "In the review of struggling-district.xlsx as of 2025-06-30: …"
    func says(_ text: String) -> String {
        "\n\n*In the review of \(input)\(asOf.map { " as of \($0)" } ?? ""):* \(text)"
    }

    func column(_ column: String, of table: String) -> String? {
        guard let found = tables[table.lowercased()] else { return says("the workbook had no \(table) table.") }
        guard let place = found.columns[column.lowercased()] else { return says("sheet \(found.sheet) of \(found.file) had no such column.") }
        return says("sheet \(found.sheet) of \(found.file), \(place).")
    }

    func param(_ name: String) -> String? {
        params[name.lowercased()].map { says("\($0.value), from the \($0.source).") }
    }

    func indicator(_ id: String) -> String? {
        indicators[id.lowercased()].map { says($0 + ".") }
    }
}
