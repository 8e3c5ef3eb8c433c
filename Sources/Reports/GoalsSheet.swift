import CXlsxWriter
import RulesEngine

/// A time-bound goal at one review: where it started, where it should be by now on the straight
/// path to its target, where it is, and its values at the district's earlier reviews.
public struct GoalProgress: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case met
        case onTrack = "on track"
        case atRisk = "at risk"
        case missed
        /// A rule's goal without a straight path: not met, deadline not past.
        case notYetMet = "not yet met"
        case notMeasured = "not measured"
    }

    public let goal: String
    public let title: String
    /// The indicator that measures it, when there is one.
    public let indicator: String?
    public var baseline: String?
    public let target: String?
    public let deadline: String?
    public let current: String?
    /// Where the straight path from the baseline to the target is at this review's date.
    public var expected: String?
    public var status: Status = .notMeasured
    /// Why it is not measured, in a sentence.
    public var reason: String?
    /// Its indicator's value at each earlier review in the run history, oldest first.
    public let history: [String?]
    /// The same as numbers (a share as a fraction), for a program that follows the goal.
    public var numbers: Numbers?

    public struct Numbers: Codable, Sendable, Equatable {
        public let baseline: Double
        public let target: Double
        public let expected: Double?
        public let current: Double

        public init(baseline: Double, target: Double, expected: Double?, current: Double) {
            self.baseline = baseline
            self.target = target
            self.expected = expected
            self.current = current
        }
    }

    public init(goal: String, title: String, indicator: String?, baseline: String?, target: String?, deadline: String?, current: String?,
                history: [String?]) {
        self.goal = goal
        self.title = title
        self.indicator = indicator
        self.baseline = baseline
        self.target = target
        self.deadline = deadline
        self.current = current
        self.history = history
    }
}

/// The Goal progress sheet: every goal, its path and its status, coloured as a reviewer reads it.
extension Writer {
    mutating func writeGoalProgress(_ sheet: UnsafeMutablePointer<lxw_worksheet>, goals: [GoalProgress], earlierReviews: [String]) {
        let headers = ["Goal", "Title", "Measured by", "Baseline", "Target", "Deadline", "Expected by now", "Now", "Status", "Why not measured"]
            + earlierReviews.map { "At \($0)" }
        let widths: [Double] = [8, 34, 11, 18, 10, 12, 14, 10, 12, 50] + earlierReviews.map { _ in 14 }
        for (column, header) in headers.enumerated() {
            setColumn(sheet, column, column, widths[column])
            worksheet_write_string(sheet, 0, lxw_col_t(column), header, format("header|wrap"))
        }
        for (index, goal) in goals.enumerated() {
            let row = lxw_row_t(index + 1)
            let fill: Fill? = switch goal.status {
            case .met, .onTrack: .level(.exemplary)
            case .atRisk, .notYetMet: .severity(.warning)
            case .missed: .severity(.error)
            case .notMeasured: nil
            }
            let cells = [goal.goal, goal.title, goal.indicator ?? "", goal.baseline ?? "", goal.target ?? "", goal.deadline ?? "", goal.expected ?? "",
                         goal.current ?? "", goal.status.rawValue, goal.reason ?? ""] + goal.history.map { $0 ?? "" }
            for (column, text) in cells.enumerated() {
                worksheet_write_string(sheet, row, lxw_col_t(column), text, format("wrap", fill: column == 8 ? fill : nil))
            }
        }
        worksheet_freeze_panes(sheet, 1, 2)
    }
}
