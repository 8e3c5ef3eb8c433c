import Tabular

/// The calendar facts the generator needs, computed as Excel computes them, so that what it
/// plants (a weekend posting, the last working day of a month) is what the rules see.
extension CalendarDate {
    /// 1 for Sunday to 7 for Saturday, as Excel's WEEKDAY.
    var weekday: Int { ((Int(daysSince1970) % 7 + 7) % 7 + 4) % 7 + 1 }

    var isWeekend: Bool { weekday == 1 || weekday == 7 }

    /// The last Monday-to-Friday day of this date's month.
    var lastWorkingDayOfMonth: CalendarDate {
        let (year, month, _) = components
        var day = CalendarDate(year: year, month: month, day: CalendarDate.daysIn(month: month, year: year))!
        while day.isWeekend { day = day.adding(days: -1) }
        return day
    }

    /// The working day on or after this date.
    var workingDayOnOrAfter: CalendarDate {
        var day = self
        while day.isWeekend { day = day.adding(days: 1) }
        return day
    }

    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                             "October", "November", "December"]

    var monthAndYear: String { "\(CalendarDate.monthNames[components.month - 1]) \(components.year)" }
}
