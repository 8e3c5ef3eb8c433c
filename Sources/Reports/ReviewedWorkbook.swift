import CXlsxWriter
import Foundation
import RulesEngine
import RulesLanguage
import SpreadsheetIO
import Tabular

/// What the reviewed workbook shows: the input as read, and what the review found.
public struct ReviewContents {
    public var workbook: RawWorkbook
    public var binding: WorkbookBinding
    public var evaluation: Evaluation
    /// Every finding to show, unreadable cells included, in the order of the Findings sheet.
    public var findings: [Finding]
    /// Rules, indicators and tables not assessed, with the reason.
    public var notAssessed: [(item: String, reason: String)]
    public var ruleFiles: [String]
    /// A short fingerprint of the rule files' text, so a reviewer can tell which rules were used.
    public var ruleFingerprint: String
    /// Cells that could not be read as their column's type, and how many there were in all.
    public var dataErrors: [DataError]
    public var dataErrorCount: Int
    /// Rows of the bound sheets that are not data (totals, repeated headers), which the review left out.
    public var leftOutRows: [(sheet: String, row: Int, label: String, reason: SheetLayout.SkippedRow.Reason)]
    /// Choices the reviewer should check before trusting the review (which sheet a table came from).
    public var notes: [String]
    /// The preset of code meanings the review used, if any.
    public var preset: String?
    /// The district's last review, when there was one: what changed since, and the reviewer's
    /// statuses and notes carried to the same findings.
    public var sinceLast: SinceLastReview?
    /// The district's name in the run history, kept in the marker sheet so a review given back
    /// under another name is still known as the district's.
    public var district: String?
    /// Each indicator over the district's reviews in the run history, this one last; nil without
    /// a history of at least one earlier review.
    public var trends: Trends?
    /// Every time-bound goal's progress; the Goal progress sheet when there is any.
    public var goalProgress: [GoalProgress] = []
    /// Each budget owner's scorecard, and the share of the fiscal year gone by.
    public var ownerScorecards: [OwnerScorecard] = []
    public var yearGone: Double?

    public init(workbook: RawWorkbook, binding: WorkbookBinding, evaluation: Evaluation, findings: [Finding],
                notAssessed: [(item: String, reason: String)], ruleFiles: [String], ruleFingerprint: String,
                dataErrors: [DataError], dataErrorCount: Int, leftOutRows: [(sheet: String, row: Int, label: String, reason: SheetLayout.SkippedRow.Reason)] = [],
                notes: [String] = [], preset: String? = nil) {
        self.preset = preset
        self.workbook = workbook
        self.binding = binding
        self.evaluation = evaluation
        self.findings = findings
        self.notAssessed = notAssessed
        self.ruleFiles = ruleFiles
        self.ruleFingerprint = ruleFingerprint
        self.dataErrors = dataErrors
        self.dataErrorCount = dataErrorCount
        self.leftOutRows = leftOutRows
        self.notes = notes
    }
}

/// Each indicator's value and level at each of the district's reviews, oldest first: the Trends
/// sheet, its charts, and the Summary's levels up and down.
public struct Trends: Sendable {
    public struct Row: Sendable {
        public let indicator: String
        public let title: String
        /// The pathway's title.
        public let pathway: String
        /// One per review, nil where it was not assessed (or not yet an indicator).
        public let values: [String?]
        public let levels: [Level?]

        public init(indicator: String, title: String, pathway: String, values: [String?], levels: [Level?]) {
            self.indicator = indicator
            self.title = title
            self.pathway = pathway
            self.values = values
            self.levels = levels
        }
    }

    /// Each review's label, `2025-03-31`, oldest first.
    public let reviews: [String]
    public let rows: [Row]

    public init(reviews: [String], rows: [Row]) {
        self.reviews = reviews
        self.rows = rows
    }

    /// Indicators whose level differs from the review before this one: `(row, before, now)`.
    public var changes: [(row: Row, before: Level, now: Level)] {
        rows.compactMap { row in
            guard row.levels.count >= 2, let now = row.levels[row.levels.count - 1], let before = row.levels[row.levels.count - 2], now != before else { return nil }
            return (row, before, now)
        }
    }
}

/// What changed since the district's last review, for the Summary and the Findings sheet.
public struct SinceLastReview: Sendable {
    public struct Carried: Sendable, Equatable {
        public let status: String
        public let note: String

        public init(status: String, note: String) {
            self.status = status
            self.note = note
        }
    }

    public struct Resolved: Sendable, Equatable {
        public let id: String
        public let rule: String
        public let message: String
        public let status: String
        public let note: String

        public init(id: String, rule: String, message: String, status: String, note: String) {
            self.id = id
            self.rule = rule
            self.message = message
            self.status = status
            self.note = note
        }
    }

    /// What the last review was (`struggling-district.reviewed.xlsx`, or history's review of 2025-03-31).
    public let source: String
    public let asOf: String?
    /// The reviewer's status and note of each finding found again, by finding id.
    public let carried: [String: Carried]
    /// The findings the last review did not have, by id.
    public let new: Set<String>
    /// The last review's findings this one does not have.
    public let resolved: [Resolved]
    /// Their ids, in the last review's order.
    public var resolvedIDs: [String] = []

    public init(source: String, asOf: String?, carried: [String: Carried], new: Set<String>, resolved: [Resolved]) {
        self.source = source
        self.asOf = asOf
        self.carried = carried
        self.new = new
        self.resolved = resolved
        resolvedIDs = resolved.map(\.id)
    }
}

/// Writes `<input>.reviewed.xlsx` with libxlsxwriter: a Summary, the Rubric, the Findings, and
/// every sheet of the input with its flagged cells filled, commented and listed in a Findings
/// column. It is written to a temporary file beside the target and renamed into place.
public enum ReviewedWorkbook {
    /// Most cell comments in one workbook; beyond it, findings are still filled and listed.
    public static let defaultCommentLimit = 10_000

    public struct WriteError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The most rows an Excel sheet can hold.
    public static let excelRowLimit = 1_048_576

    /// The Findings sheet's headers. Status and Note are the reviewer's; the Finding ID, hidden,
    /// lets the next review carry them to the same finding, however the rows were sorted.
    public static let findingsHeaders = ["Severity", "Rule", "Title", "Pathway", "Sheet", "Cell", "Row", "Message", "Fix", "Owner", "School", "Amount",
                                         "Budget line", "Since last review", "Status", "Note", "Finding ID"]

    /// The reviewer's statuses for a finding, in the Findings sheet's drop-down.
    public static let statuses = ["Open", "Explained", "Fixed", "Not an issue"]

    /// The hidden sheet that marks a workbook as Pathways' own review, and its first row.
    public static let markerSheet = "Pathways review"
    public static let markerSchema = "pathways-review/1"

    /// `progress`: told the input rows copied so far and how many there are, every 10,000 rows.
    public static func write(_ contents: ReviewContents, to target: URL, commentLimit: Int = defaultCommentLimit,
                             rowsPerSheet: Int = excelRowLimit,
                             progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws(WriteError) {
        let temporary = AtomicFile.temporaryURL(beside: target)
        // A folder that cannot take the file is found out here, in a sentence, before libxlsxwriter
        // would say so on the terminal in its own words.
        let probe = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard probe >= 0 else {
            throw WriteError(description: "The reviewed workbook could not be written in \(target.deletingLastPathComponent().path): \(AtomicFile.reason(errno: errno)).")
        }
        close(probe)
        // libxlsxwriter writes every part but the big sheets' rows into a package of its own;
        // the rows, written and compressed as they came, are put into it as it is copied.
        let skeleton = AtomicFile.temporaryURL(beside: temporary)
        defer { try? FileManager.default.removeItem(at: skeleton) }
        var writer = Writer(path: skeleton.path, contents: contents, commentLimit: commentLimit,
                            maxRows: max(2, rowsPerSheet))
        writer.progress = progress
        let status = LibraryMessages.withheld { writer.writeAll() }
        let parts = Dictionary(uniqueKeysWithValues: writer.ownParts.map { ($0.name, $0.cells.finish()) })
        func isFull() -> Bool {
            var space = statvfs()
            return statvfs(target.deletingLastPathComponent().path, &space) == 0 && UInt64(space.f_bavail) * UInt64(space.f_frsize) < 1 << 20
        }
        guard status == LXW_NO_ERROR else {
            try? FileManager.default.removeItem(at: temporary)
            throw WriteError(description: "The reviewed workbook could not be written: " + (isFull() ? "the disk is full." : "\(String(cString: lxw_strerror(status)))."))
        }
        do {
            try WorksheetSplice.assemble(skeleton: skeleton.path, parts: parts, into: temporary.path)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw WriteError(description: "The reviewed workbook could not be written: " + (isFull() ? "the disk is full." : "\(error.description)."))
        }
        do {
            try AtomicFile.moveIntoPlace(temporary, as: target)
        } catch {
            throw WriteError(description: "The reviewed workbook could not be put in place at \(target.path).")
        }
    }
}
