import Tabular

/// Turns raw cells into values of a column's type. A cell that does not fit gives a reason,
/// which becomes a data error quoting the cell; it never becomes a silent blank.
struct CellParser: Sendable {
    let view: RawSheetView
    let uses1904Dates: Bool
    /// Numbers in text are written `1.234,56` (see `ReadingNotes.decimalComma`).
    var decimalComma = false

    enum Outcome {
        case blank
        case parsed
        case failed(reason: String)
    }

    /// Parses the cell at `index` (nil: past the row's end) into `column`.
    @inline(__always)
    func append(_ index: Int?, to column: inout ColumnBuilder) -> Outcome {
        guard let index else { column.appendBlank(); return .blank }
        switch view.kinds[index] {
        case .blank:
            column.appendBlank()
            return .blank
        case .error:
            column.appendBlank()
            let error = ExcelError(rawValue: UInt8(truncatingIfNeeded: view.payloads[index])) ?? .other
            return .failed(reason: CellParser.spreadsheetErrorReason(error.text))
        case .bool:
            return appendBool(view.payloads[index] != 0, to: &column)
        case .number:
            return appendNumber(view.number(index), format: view.format(index), to: &column)
        case .text, .isoDateText:
            return appendText(view.text(index), to: &column)
        }
    }

    private func appendBool(_ flag: Bool, to column: inout ColumnBuilder) -> Outcome {
        switch column.type {
        case .yesNo: column.append(flag)
        case .text, .code: column.append(text: flag ? "TRUE" : "FALSE")
        default:
            column.appendBlank()
            return .failed(reason: ColumnBuilder.mismatch(column.type))
        }
        return .parsed
    }

    private func appendNumber(_ value: Double, format: NumberFormat, to column: inout ColumnBuilder) -> Outcome {
        switch column.type {
        case .text, .code:
            let isPlain = format.category == .general || format.category == .number
            column.append(text: isPlain && value == value.rounded() && abs(value) >= 1e15 && abs(value) < 1e21
                ? CellParser.digitsExcelShows(value) : format.display(value, uses1904Dates: uses1904Dates))
        case .number:
            column.append(value)
        case .percent:
            column.append(value)  // a spreadsheet holds 12.5% as 0.125 whatever its format
        case .money:
            guard let money = Money(rounding: value) else {
                column.appendBlank()
                return .failed(reason: "is too large to be an amount.")
            }
            column.append(money)
        case .date:
            // Serial 0 is what an empty date becomes in many exports (Excel shows it as 0 January 1900).
            if value == 0 {
                column.appendBlank()
                return .blank
            }
            // 20250428 stored as a number, where the column is dates.
            if value >= 19_000_101, value < 22_000_000, value == value.rounded(), let date = ValueText.compactDate(Int(value)) {
                column.append(date)
                return .parsed
            }
            guard let date = ExcelDate.date(serial: value, uses1904Dates: uses1904Dates) else {
                column.appendBlank()
                return .failed(reason: value < 0 ? "is a negative number, which cannot be a date." : "is not a date.")
            }
            column.append(date)
        case .yesNo:
            guard value == 0 || value == 1 else {
                column.appendBlank()
                return .failed(reason: ColumnBuilder.mismatch(.yesNo))
            }
            column.append(value == 1)
        }
        return .parsed
    }

    private func appendText(_ text: UnsafeBufferPointer<UInt8>, to column: inout ColumnBuilder) -> Outcome {
        switch column.type {
        case .text:
            column.append(text: text)
            return .parsed
        case .code:
            column.append(text: trimmed(text))
            return .parsed
        default:
            break
        }
        if isBlankText(text) || column.type == .date && CellParser.isPlaceholderDate(trimmed(text)) {
            column.appendBlank()
            return .blank
        }
        switch column.type {
        case .number:
            if CellParser.isAccountingZero(text) {
                column.append(0)
                return .parsed
            }
            guard let value = ValueText.number(text, decimalComma: decimalComma) else { break }
            column.append(value)
            return .parsed
        case .percent:
            guard let value = ValueText.percent(text, decimalComma: decimalComma) else { break }
            column.append(value)
            return .parsed
        case .money:
            if CellParser.isAccountingZero(text) {
                column.append(Money.zero)
                return .parsed
            }
            guard let value = ValueText.money(text, decimalComma: decimalComma) else { break }
            column.append(value)
            return .parsed
        case .date:
            guard let value = ValueText.date(text, compactDigits: true) else { break }
            column.append(value)
            return .parsed
        case .yesNo:
            guard let value = ValueText.yesNo(text) else { break }
            column.append(value)
            return .parsed
        case .text, .code:
            break
        }
        column.appendBlank()
        // CSV exports and formula results carry Excel's error texts as plain text.
        let shown = String(decoding: trimmed(text), as: UTF8.self)
        if ExcelError(text: shown) != .other { return .failed(reason: CellParser.spreadsheetErrorReason(shown)) }
        return .failed(reason: ColumnBuilder.mismatch(column.type))
    }

    /// `-`, `$ -` or `$  -   `: zero as Excel's accounting format shows it, which exports copy as text.
    static func isAccountingZero(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        var dashes = 0
        var index = 0
        while index < text.count {
            switch text[index] {
            case UInt8(ascii: "-"): dashes += 1
            case UInt8(ascii: " "), 0x09, UInt8(ascii: "$"): break
            case 0xC2 where index + 1 < text.count && text[index + 1] == 0xA0: index += 1
            default: return false
            }
            index += 1
        }
        return dashes == 1
    }

    /// `00/00/0000`, `0000-00-00` and `0`: how exports write a date that is not there.
    static func isPlaceholderDate(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        !text.isEmpty && text.allSatisfy { $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
    }

    /// A whole number of 16 or more digits as Excel shows it: Excel keeps 15 significant digits,
    /// so an ID of 1234567890123456789 stored as a number reads 1234567890123460000.
    static func digitsExcelShows(_ value: Double) -> String {
        // The shortest text that gives the number back: "1.2345678901234568e+18".
        let shortest = String(abs(value))
        let parts = shortest.split(separator: "e")
        let exponent = parts.count == 2 ? Int(parts[1].replacing("+", with: "")) ?? 0 : (shortest.split(separator: ".").first?.count ?? 1) - 1
        var digits = Array(parts[0].filter(\.isNumber).map { Int($0.asciiValue! - 48) })
        while digits.count > 1 && digits.first == 0 { digits.removeFirst() }
        digits += [Int](repeating: 0, count: max(0, 16 - digits.count))
        // Round to 15 significant digits, carrying as far as it goes.
        var kept = Array(digits.prefix(15))
        var carry = digits[15] >= 5 ? 1 : 0
        var index = 14
        while carry > 0 && index >= 0 {
            kept[index] += 1
            carry = kept[index] == 10 ? 1 : 0
            if carry == 1 { kept[index] = 0 }
            index -= 1
        }
        var scale = exponent
        if carry > 0 {
            kept.insert(1, at: 0)
            kept.removeLast()
            scale += 1
        }
        let text = kept.map(String.init).joined() + String(repeating: "0", count: max(0, scale - 14))
        return (value < 0 ? "-" : "") + String(text.prefix(scale + 1))
    }

    static func spreadsheetErrorReason(_ errorText: String) -> String {
        "is a spreadsheet error, not a value; fix the formula that gives \(errorText)."
    }
}

/// Spaces and non-breaking spaces only.
@inline(__always) func isBlankText(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
    var index = 0
    while index < text.count {
        let byte = text[index]
        if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
            index += 1
        } else if byte == 0xC2 && index + 1 < text.count && text[index + 1] == 0xA0 {
            index += 2
        } else {
            return false
        }
    }
    return true
}

/// Without leading and trailing spaces (ERP exports pad codes and names).
@inline(__always) func trimmed(_ text: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
    var start = 0
    var end = text.count
    while start < end && (text[start] == 0x20 || text[start] == 0x09) { start += 1 }
    while end > start && (text[end - 1] == 0x20 || text[end - 1] == 0x09) { end -= 1 }
    return UnsafeBufferPointer(rebasing: text[start ..< end])
}

/// Collects one column's values in the storage its type uses.
struct ColumnBuilder {
    let type: ColumnType
    private var ids: [UInt32] = []
    private var pool = TextPool()
    private var doubles: [Double] = []
    private var amounts: [Int64] = []
    private var days: [Int32] = []
    private var flags: [Bool] = []
    private var blanks = BlankMask()

    init(type: ColumnType, capacity: Int) {
        self.type = type
        switch type {
        case .text, .code: ids.reserveCapacity(capacity)
        case .number, .percent: doubles.reserveCapacity(capacity)
        case .money: amounts.reserveCapacity(capacity)
        case .date: days.reserveCapacity(capacity)
        case .yesNo: flags.reserveCapacity(capacity)
        }
        if type != .text && type != .code { blanks.reserveCapacity(capacity) }
    }

    static func mismatch(_ type: ColumnType) -> String {
        switch type {
        case .money: "is not an amount."
        case .date: "is not a date; Pathways reads dates such as 2025-04-28, 04/28/2025 and 28-APR-25."
        case .number: "is not a number."
        case .percent: "is not a percentage."
        case .yesNo: "is not yes or no."
        case .text, .code: "cannot be read as text."
        }
    }

    mutating func appendBlank() {
        switch type {
        case .text, .code: ids.append(TextPool.blankID)
        case .number, .percent: doubles.append(0); blanks.append(isBlank: true)
        case .money: amounts.append(0); blanks.append(isBlank: true)
        case .date: days.append(0); blanks.append(isBlank: true)
        case .yesNo: flags.append(false); blanks.append(isBlank: true)
        }
    }

    mutating func append(text: UnsafeBufferPointer<UInt8>) { ids.append(pool.intern(text)) }
    mutating func append(text: String) { ids.append(pool.intern(text)) }
    mutating func append(_ value: Double) { doubles.append(value); blanks.append(isBlank: false) }
    mutating func append(_ value: Money) { amounts.append(value.scaled); blanks.append(isBlank: false) }
    mutating func append(_ value: CalendarDate) { days.append(value.daysSince1970); blanks.append(isBlank: false) }
    mutating func append(_ value: Bool) { flags.append(value); blanks.append(isBlank: false) }

    consuming func finish(name: String, sourceColumn: Int) -> Column {
        let storage: ColumnStorage
        switch type {
        case .text, .code: storage = .strings(ids: ids, pool: pool)
        case .number, .percent: storage = .doubles(doubles, blanks: blanks)
        case .money: storage = .money(amounts, blanks: blanks)
        case .date: storage = .dates(days, blanks: blanks)
        case .yesNo: storage = .yesNo(flags, blanks: blanks)
        }
        return Column(name: name, type: type, sourceColumn: sourceColumn, storage: storage)
    }
}
