import RulesLanguage
import Tabular

/// A grouped rule's groups cut into windows of days (`within 14 days of posted`): for each date
/// a group's rows have, the window of its rows dated from that day to `days - 1` days after it.
/// A window is judged on its own; windows that hold and share a row become one finding.
///
/// Each row is in at most `days` windows (one per distinct date that can start a window holding
/// it), so the windows cost at most `days` times the rows: linear in the table, never quadratic
/// in a busy vendor's payments.
struct Windows {
    /// The windows as groups, in order of their group and then of their first day.
    let grouping: Grouping
    /// The rows of every group with a date, each group's sorted by date (then by row).
    private let sorted: [Int32]
    /// Each window's rows: `sorted[start ..< end]`, and the group it was cut from.
    private let spans: [(group: Int, start: Int, end: Int)]

    init(of groups: Grouping, _ window: CheckedWindow, in frame: Frame, evaluator: Evaluator) throws {
        let length = try evaluator.evaluate(window.days, in: Frame(source: RowSource(view: "window", rowCount: 1, columns: [:]))).value(0)
        guard case .number(let count) = length, count >= 1, count == count.rounded(), count <= 36_600 else {
            throw NotAssessed(reason: "a window of \(length) days is not a whole number of days from 1 to 36,600")
        }
        let days = Int32(count)
        guard case .dates(let dates) = try evaluator.evaluate(window.date, in: Frame(source: frame.source)) else {
            throw NotAssessed(reason: "the window's date could not be worked out")
        }
        var sorted: [Int32] = []
        sorted.reserveCapacity(frame.source.rowCount)
        var spans: [(group: Int, start: Int, end: Int)] = []
        var order: [Int32] = []
        var starts = [0]
        for group in 0 ..< groups.count {
            // A row without a date is in no window.
            let first = sorted.count
            sorted += groups.groups.rows(group).filter { dates[Int($0)] != Vector.blankDate }
                .sorted { (dates[Int($0)], $0) < (dates[Int($1)], $1) }
            var end = first
            var start = first
            while start < sorted.count {
                let day = dates[Int(sorted[start])]
                while end < sorted.count && dates[Int(sorted[end])] - day < days { end += 1 }
                spans.append((group, start, end))
                // The windows' rows, copied: they overlap. Bounded as a correlated total is.
                guard order.count + (end - start) <= Evaluator.correlatedWorkLimit else {
                    throw NotAssessed(reason: "its windows of \(days) days would hold more than \(Evaluator.correlatedWorkLimit) rows between them, more work than one rule may take")
                }
                order += sorted[start ..< end]
                starts.append(order.count)
                // The next window starts at the next day that has a row.
                while start < sorted.count && dates[Int(sorted[start])] == day { start += 1 }
            }
        }
        self.sorted = sorted
        self.spans = spans
        grouping = Grouping(groups: GroupRows(order: order, starts: starts))
    }

    /// The windows at these positions (in order), those of one group that share a row made one.
    func merging(_ windows: [Int]) -> Grouping {
        var order: [Int32] = []
        var starts = [0]
        var current: (group: Int, start: Int, end: Int)?
        func close() {
            guard let span = current else { return }
            // A finding lists its rows in the sheet's order.
            order += sorted[span.start ..< span.end].sorted()
            starts.append(order.count)
        }
        for window in windows {
            let span = spans[window]
            if let open = current, open.group == span.group, span.start < open.end {
                current!.end = max(open.end, span.end)
            } else {
                close()
                current = span
            }
        }
        close()
        return Grouping(groups: GroupRows(order: order, starts: starts))
    }
}
