import Reports
import RulesEngine
import SpreadsheetIO

/// What a reviewer wrote in a workbook Pathways reviewed: each finding's Status and Note, by its
/// Finding ID. Read from a reviewed workbook dropped back, or from the one the next review replaces.
public struct ReviewerNotes: Sendable, Equatable {
    public struct Note: Sendable, Equatable, Codable {
        public let id: String
        public let rule: String
        public let message: String
        public let status: String
        public let note: String
    }

    /// What the review was of, as its marker sheet says.
    public let reviewed: String
    /// The district it was of, when the marker sheet names it.
    public var district: String?
    public let asOf: String?
    /// Every finding the review listed, with whatever the reviewer wrote (often nothing).
    public let findings: [Note]

    /// The findings the reviewer wrote something for: a status other than Open, or a note.
    public var edited: [Note] { findings.filter { !($0.status.isEmpty || $0.status == "Open") || !$0.note.isEmpty } }

    /// The files of a district that are Pathways' own reviews, by their index among its inputs.
    public static func reviewInputs(of workbook: RawWorkbook) -> Set<Int> {
        Set(workbook.sheets.filter(isMarker).map(\.input))
    }

    private static func isMarker(_ sheet: RawSheet) -> Bool {
        sheet.name.lowercased() == ReviewedWorkbook.markerSheet.lowercased() && sheet.rowCount > 0
            && sheet.displayText(row: 0, column: 0) == "Schema" && sheet.displayText(row: 0, column: 1).hasPrefix("pathways-review/")
    }

    /// The notes of the reviewed workbook that is input `index` of `workbook`; nil when it is not one.
    public static func read(_ workbook: RawWorkbook, input index: Int = 0) -> ReviewerNotes? {
        let sheets = workbook.sheets.filter { $0.input == index }
        guard let marker = sheets.first(where: isMarker) else { return nil }
        var about: [String: String] = [:]
        for row in 0 ..< marker.rowCount where marker.width(ofRow: row) >= 2 {
            about[marker.displayText(row: row, column: 0)] = marker.displayText(row: row, column: 1)
        }
        let headers = ReviewedWorkbook.findingsHeaders
        var notes: [Note] = []
        // The Findings sheet, and its continuations past Excel's last row, in order.
        for sheet in sheets where sheet.rowCount > 0 && (0 ..< headers.count).allSatisfy({ sheet.displayText(row: 0, column: $0) == headers[$0] }) {
            let column = { (name: String) in headers.firstIndex(of: name)! }
            for row in 1 ..< sheet.rowCount {
                let id = sheet.displayText(row: row, column: column("Finding ID"))
                guard !id.isEmpty else { continue }
                notes.append(Note(id: id, rule: sheet.displayText(row: row, column: column("Rule")),
                                  message: sheet.displayText(row: row, column: column("Message")),
                                  status: sheet.displayText(row: row, column: column("Status")).trimmingCharacters(in: .whitespaces),
                                  note: sheet.displayText(row: row, column: column("Note")).trimmingCharacters(in: .whitespacesAndNewlines)))
            }
        }
        return ReviewerNotes(reviewed: about["Reviewed"] ?? workbook.input(of: marker).file, district: about["District"].flatMap { $0.isEmpty ? nil : $0 },
                             asOf: about["As of"].flatMap { $0.isEmpty ? nil : $0 }, findings: notes)
    }

    /// What changed between this review and `findings`, with the marks written in it.
    func since(_ findings: [Finding], source: String) -> SinceLastReview {
        Self.change(since: self.findings, marks: Dictionary(edited.map { ($0.id, SinceLastReview.Carried(status: $0.status, note: $0.note)) },
                                                            uniquingKeysWith: { first, _ in first }),
                    source: source, asOf: asOf, to: findings)
    }
}
