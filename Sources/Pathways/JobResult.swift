import Foundation

/// What reviewing one workbook came to: a review, or a failure with its sentences. The command
/// line, the drop folder and the error workbook each render it in their own way; none of them
/// reads back a file or a message Pathways wrote to learn what happened.
public enum JobResult: Sendable {
    case reviewed(Review)
    /// A reviewed workbook given back alone: the reviewer's marks were kept in the run history.
    case marksRecorded(MarksRecorded)
    case failed(JobFailure)
}

/// A reviewer's statuses and notes kept in the run history for the district's next review.
public struct MarksRecorded: Sendable {
    public let district: String
    public let count: Int
    public let history: String

    /// As the command line and the drop folder's log say it.
    public var sentence: String {
        "\(count == 1 ? "1 status or note" : "\(count) statuses and notes") of \(district) \(count == 1 ? "was" : "were") recorded in the run history \(history); the next review of \(district) carries \(count == 1 ? "it" : "them")."
    }
}

/// A workbook reviewed: what the review found, and the files written.
public struct Review: Sendable {
    /// What the findings file holds: every finding (unreadable cells included, worst first), the
    /// counts, levels and goals, what was not assessed, and the notes to check first.
    public let report: RunJob.Report
    /// The files written, in the order they were written (the reviewed workbook, then the findings).
    public let written: [String]
    /// The findings file's JSON, as written; `pathways run --format json` prints it.
    public let findingsJSON: Data

    public init(report: RunJob.Report, written: [String], findingsJSON: Data) {
        self.report = report
        self.written = written
        self.findingsJSON = findingsJSON
    }

    /// What the reviewer should check before trusting the review.
    public var notes: [String] { report.notes }
    /// Why the run history was not used or not written, if it was not, as sentences.
    public var historyProblems: [String] = []
}

/// A workbook that was not reviewed, and why.
public struct JobFailure: Error, Sendable, Equatable {
    public enum Cause: Sendable, Equatable {
        /// The rules have mistakes or could not be read: nothing is wrong with the workbook.
        case rules
        /// The workbook could not be read or reviewed as it is, or the run was asked for wrongly.
        case workbook
        /// The review was done but what it writes could not be written (a full disk, a read-only
        /// folder): the drop folder keeps such a workbook and tries it again.
        case outputs
    }

    /// One reason, as a sentence, and the workbook it is about, if it names one.
    public struct Reason: Sendable, Equatable {
        /// The workbook's name, which the command line puts before the sentence (`budget.xlsx: …`).
        public let file: String?
        public let text: String

        public init(_ text: String, about file: String? = nil) {
            self.text = text
            self.file = file
        }

        /// The reason on its own, starting as a sentence does.
        public var sentence: String { text.prefix(1).uppercased() + text.dropFirst() }
    }

    public let cause: Cause
    public let reasons: [Reason]
    /// For rules with mistakes, the checker's report with each mistake's line marked, to be read
    /// before the reasons; empty otherwise.
    public var rulesReport = ""

    public init(_ cause: Cause, _ reasons: [Reason], rulesReport: String = "") {
        self.cause = cause
        self.reasons = reasons
        self.rulesReport = rulesReport
    }

    /// The rules could not be read, or have mistakes.
    public init(_ problem: RunJob.RulesProblem) {
        if let unreadable = problem.unreadable {
            self.init(.rules, [Reason(unreadable), Reason("nothing was reviewed.")])
        } else {
            self.init(.rules, [Reason("the rules in \(problem.folder) have mistakes, so nothing was reviewed. Fix them (see above) and run again.")],
                      rulesReport: problem.report)
        }
    }

    /// As a command prints it on standard error: the checker's report, then a line per reason.
    public var commandLineText: String {
        rulesReport + reasons.map { "pathways: " + ($0.file.map { "\($0): " } ?? "") + $0.text + "\n" }.joined()
    }
}
