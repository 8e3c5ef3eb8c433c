import Tabular

/// A district's fiscal year, starting on the first of a month (July for most US districts, so
/// fiscal year 2025 runs from July 2024 to June 2025).
public struct FiscalYear: Sendable {
    public let startMonth: Int

    public init(startMonth: Int) {
        self.startMonth = startMonth
    }

    /// The fiscal year a date falls in, named by the calendar year it ends in.
    public func name(of date: CalendarDate) -> Int {
        let (year, month, _) = date.components
        return startMonth > 1 && month >= startMonth ? year + 1 : year
    }

    /// The first day of the fiscal year named `year`, in days since 1970: the year after 9999's
    /// fiscal year begins is past what a `CalendarDate` holds, and an ERP's "open-ended" date is 9999-12-31.
    func start(of year: Int) -> Int {
        CalendarDate.daysSince1970(year: startMonth > 1 ? year - 1 : year, month: startMonth, day: 1)
    }

    /// The share of the fiscal year gone by at the end of `date`.
    public func elapsed(on date: CalendarDate) -> Double {
        let year = name(of: date)
        let first = start(of: year), next = start(of: year + 1)
        return Double(Int(date.daysSince1970) - first + 1) / Double(next - first)
    }
}
