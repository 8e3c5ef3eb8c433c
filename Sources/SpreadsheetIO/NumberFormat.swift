import Tabular

/// What a cell's number format says about its value: enough to tell dates, percentages,
/// amounts and zero-padded codes from plain numbers.
public struct NumberFormat: Hashable, Sendable {
    public enum Category: String, Sendable, Codable {
        case general, number, currency, percent, date, dateTime, time, duration, text, zeroPadded
    }

    public let category: Category
    /// For `zeroPadded` (`000`): how many digits the sheet shows, so `1` shows as `001`.
    public let width: Int

    public init(_ category: Category, width: Int = 0) {
        self.category = category
        self.width = width
    }

    public static let general = NumberFormat(.general)

    public var isTemporal: Bool { [.date, .dateTime, .time, .duration].contains(category) }

    /// Excel's built-in formats by id (ECMA-376 part 1, 18.8.30), plus the East Asian date ids
    /// that Excel and calamine also treat as dates.
    public static func builtIn(_ id: Int) -> NumberFormat {
        switch id {
        case 1, 2, 3, 4, 11, 12, 13, 37, 38, 39, 40, 48: return NumberFormat(.number)
        case 5, 6, 7, 8, 41, 42, 43, 44: return NumberFormat(.currency)
        case 9, 10: return NumberFormat(.percent)
        case 14, 15, 16, 17, 27, 28, 29, 30, 31, 34, 35, 36, 50, 51, 52, 53, 54, 57, 58: return NumberFormat(.date)
        case 22: return NumberFormat(.dateTime)
        case 18, 19, 20, 21, 32, 33, 45, 47, 55, 56: return NumberFormat(.time)
        case 46: return NumberFormat(.duration)
        case 49: return NumberFormat(.text)
        default: return .general
        }
    }

    /// Classifies a custom format code such as `m/d/yyyy`, `[$$-409]#,##0.00`, `0.0%` or `000`.
    /// Only the first section counts (the one for positive numbers); quoted text, escaped
    /// characters, and colour or locale tags are ignored.
    public static func classify(code: String) -> NumberFormat {
        var letters: [Character] = []
        var hasCurrency = false
        var isElapsed = false
        var characters = Array(code)
        if let end = firstSectionEnd(characters) { characters = Array(characters[..<end]) }
        var index = 0
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "\"":
                index += 1
                while index < characters.count && characters[index] != "\"" { index += 1 }
            case "\\", "_", "*":
                index += 1  // the next character is literal, padding or fill
            case "[":
                var tag = ""
                index += 1
                while index < characters.count && characters[index] != "]" {
                    tag.append(characters[index])
                    index += 1
                }
                let lowered = tag.lowercased()
                if lowered.hasPrefix("$") {
                    let symbol = lowered.dropFirst().prefix { $0 != "-" }
                    if !symbol.isEmpty { hasCurrency = true }
                } else if let first = lowered.first, "hms".contains(first), lowered.allSatisfy({ $0 == first }) {
                    // Elapsed time ([h]:mm) only when it comes before any date or time letter:
                    // `hh[m]` is a time of day, as Excel and calamine read it.
                    if !letters.contains(where: { "dmyhs".contains($0) }) { isElapsed = true }
                    letters.append(first)
                }
            case "$", "€", "£", "¥":
                hasCurrency = true
            default:
                letters.append(Character(character.lowercased()))
            }
            index += 1
        }
        let text = String(letters)
        if text == "general" || text.isEmpty { return hasCurrency ? NumberFormat(.currency) : .general }
        let hasDate = text.contains("d") || text.contains("y") || (text.contains("m") && !text.contains("h") && !text.contains("s"))
        let hasTime = text.contains("h") || text.contains("s") || text.contains("am/pm") || text.contains("a/p")
        if isElapsed { return NumberFormat(.duration) }
        if hasDate && hasTime { return NumberFormat(.dateTime) }
        if hasDate { return NumberFormat(.date) }
        if hasTime { return NumberFormat(.time) }
        if text.contains("%") { return NumberFormat(.percent) }
        if hasCurrency { return NumberFormat(.currency) }
        if text == "@" { return NumberFormat(.text) }
        if text.count > 1, text.allSatisfy({ $0 == "0" }) { return NumberFormat(.zeroPadded, width: text.count) }
        return NumberFormat(.number)
    }

    private static func firstSectionEnd(_ characters: [Character]) -> Int? {
        var inQuotes = false
        for (index, character) in characters.enumerated() {
            if character == "\"" { inQuotes.toggle() }
            if character == ";" && !inQuotes && index > 0 && characters[index - 1] != "\\" { return index }
        }
        return nil
    }

    /// The value as the sheet shows it, in plain ISO forms for dates and times.
    public func display(_ value: Double, uses1904Dates: Bool = false) -> String {
        switch category {
        case .date, .dateTime, .time, .duration:
            return ExcelDate.isoText(serial: value, format: self, uses1904Dates: uses1904Dates) ?? formatNumber(value)
        case .percent: return formatPercent(value)
        case .zeroPadded:
            guard value >= 0, value == value.rounded(), value < 1e15 else { return formatNumber(value) }
            let digits = String(Int64(value))
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        default: return formatNumber(value)
        }
    }
}

/// Excel's date serial numbers: days since 1899-12-30 (with the phantom 1900-02-29 that Lotus
/// 1-2-3 had and Excel kept), or since 1904-01-01 in workbooks made on old Macs.
public enum ExcelDate {
    private static let epoch1900 = CalendarDate(year: 1899, month: 12, day: 30)!
    private static let epoch1904 = CalendarDate(year: 1904, month: 1, day: 1)!

    /// The calendar day of a serial's whole part; nil for negative serials, the phantom
    /// 1900-02-29 (serial 60) and years past 9999.
    public static func date(serial: Double, uses1904Dates: Bool) -> CalendarDate? {
        guard serial.isFinite, serial >= 0, serial < 2_958_466 else { return nil }
        let days = Int(serial.rounded(.down))
        if uses1904Dates { return epoch1904.adding(days: days) }
        if days == 60 { return nil }
        return epoch1900.adding(days: days < 60 ? days + 1 : days)
    }

    /// The serial of a calendar day.
    public static func serial(of date: CalendarDate, uses1904Dates: Bool) -> Int {
        if uses1904Dates { return Int(date.daysSince1970 - epoch1904.daysSince1970) }
        let days = Int(date.daysSince1970 - epoch1900.daysSince1970)
        return days <= 60 ? days - 1 : days
    }

    /// ISO 8601 text for a date-formatted serial, as calamine gives it: `2025-04-28` for a whole
    /// day, `2025-04-28T08:30:00` with a time, `08:30:00` for a time of day under one day,
    /// `P1DT2H3M4S` for elapsed-time formats. nil for serials that are not dates (negative ones, and
    /// ones so large their milliseconds do not fit a whole number: no duration is 270 million years).
    public static func isoText(serial: Double, format: NumberFormat, uses1904Dates: Bool) -> String? {
        guard serial.isFinite, serial >= 0, serial < 100_000_000_000 else { return nil }
        let totalMilliseconds = (serial * 86_400_000).rounded()
        var wholeDays = Int(totalMilliseconds / 86_400_000)
        var millisecondsOfDay = Int(totalMilliseconds - Double(wholeDays) * 86_400_000)
        if millisecondsOfDay < 0 {
            wholeDays -= 1
            millisecondsOfDay += 86_400_000
        }
        let time = timeText(millisecondsOfDay)
        if format.category == .duration {
            let seconds = millisecondsOfDay / 1000
            var fraction = ""
            if millisecondsOfDay % 1000 != 0 {
                fraction = "." + pad(millisecondsOfDay % 1000, 3)
                while fraction.hasSuffix("0") { fraction.removeLast() }
            }
            return "P\(wholeDays)DT\(seconds / 3600)H\((seconds % 3600) / 60)M\(seconds % 60)\(fraction)S"
        }
        if wholeDays == 0 && !uses1904Dates || serial < 1 && format.category == .time {
            return time
        }
        guard let day = date(serial: Double(wholeDays), uses1904Dates: uses1904Dates) else { return nil }
        return millisecondsOfDay == 0 ? day.description : day.description + "T" + time
    }

    private static func timeText(_ milliseconds: Int) -> String {
        let seconds = milliseconds / 1000
        var text = "\(twoDigits(seconds / 3600)):\(twoDigits((seconds % 3600) / 60)):\(twoDigits(seconds % 60))"
        if milliseconds % 1000 != 0 {
            let fraction = String(milliseconds % 1000 * 1000)
            text += "." + String(repeating: "0", count: 6 - fraction.count) + fraction
        }
        return text
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
