import Tabular

/// Guesses each column's type from its cells and header, for sheets whose types no rule file
/// declares yet. Kept apart from typed parsing so that declared types can simply replace it.
///
/// A type is chosen when at least 90% of a sample of the column's cells fit it; the cells that do
/// not fit become data errors when the column is parsed, rather than turning the column to text.
enum TypeInference {
    static let sampleSize = 10_000
    static let requiredShare = 0.9

    private struct Tally {
        var cells = 0
        var dates = 0
        var yesNo = 0
        var percentMarked = 0
        var moneyMarked = 0
        var numbers = 0          // any number, marked or not
        var fitsMoney = 0        // numbers with at most four decimals
        var leadingZeros = 0     // `001`: a code that must keep its zeros
        var codeShaped = 0       // `199-11-6399-00-101`, `V00123`, `001`
        var codeSeparators = 0   // codes with letters or separators, not bare digits
        var integers = 0
    }

    static func infer(_ view: RawSheetView, column: Int, header: String, rows: [Int], uses1904Dates: Bool, decimalComma: Bool = false) -> ColumnType {
        var tally = Tally()
        for row in sample(rows) {
            guard let index = view.index(row: row, column: column) else { continue }
            switch view.kinds[index] {
            case .blank, .error:
                continue
            case .bool:
                tally.cells += 1
                tally.yesNo += 1
            case .isoDateText:
                tally.cells += 1
                tally.dates += 1
            case .number:
                tally.cells += 1
                let value = view.number(index)
                let format = view.format(index)
                switch format.category {
                case .date, .dateTime:
                    if ExcelDate.date(serial: value, uses1904Dates: uses1904Dates) != nil { tally.dates += 1 }
                case .percent:
                    tally.percentMarked += 1
                    tally.numbers += 1
                case .currency:
                    tally.moneyMarked += 1
                    tally.numbers += 1
                    tally.fitsMoney += 1
                case .zeroPadded:
                    tally.leadingZeros += 1
                    tally.codeShaped += 1
                case .text:
                    tally.codeShaped += 1
                default:
                    tally.numbers += 1
                    if Money(rounding: value).map({ $0.doubleValue == value }) ?? false { tally.fitsMoney += 1 }
                    if value == value.rounded() && value >= 0 {
                        tally.integers += 1
                        tally.codeShaped += 1
                    }
                }
            case .text:
                let text = view.text(index)
                if isBlankText(text) { continue }
                tally.cells += 1
                classify(text, decimalComma: decimalComma, into: &tally)
            }
        }
        return decide(tally, header: header)
    }

    private static func classify(_ text: UnsafeBufferPointer<UInt8>, decimalComma: Bool, into tally: inout Tally) {
        if ValueText.date(text) != nil {
            tally.dates += 1
            return
        }
        if let numeric = ValueText.numeric(text, decimalComma: decimalComma) {
            // Leading zeros, or more digits than Excel keeps (16 and up: a check or card number),
            // make an id, not a quantity.
            let isLongId = numeric.fractionDigits == 0 && numeric.exponent == 0 && !numeric.isNegative && numeric.digits >= 1_000_000_000_000_000
            if (numeric.hasLeadingZero || isLongId) && !numeric.hasThousandsSeparators && numeric.fractionDigits == 0 {
                tally.leadingZeros += 1
                tally.codeShaped += 1
                return
            }
            tally.numbers += 1
            if numeric.hasPercentSign { tally.percentMarked += 1 }
            if numeric.hasCurrencySymbol || numeric.hasAccountingSign { tally.moneyMarked += 1 }
            if !numeric.hasPercentSign && !numeric.isInexact && numeric.fractionDigits <= Money.fractionDigits { tally.fitsMoney += 1 }
            if numeric.fractionDigits == 0 && !numeric.isNegative && !numeric.hasPercentSign && !numeric.hasCurrencySymbol {
                tally.integers += 1
                if !numeric.hasThousandsSeparators { tally.codeShaped += 1 }
            }
            return
        }
        if ValueText.yesNo(text) != nil {
            tally.yesNo += 1
            return
        }
        if isCodeShaped(text) {
            tally.codeShaped += 1
            tally.codeSeparators += 1
        }
    }

    /// No spaces, at most 40 characters, at least one digit, only letters, digits and `-./_`.
    private static func isCodeShaped(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        let text = trimmed(text)
        guard !text.isEmpty, text.count <= 40 else { return false }
        var hasDigit = false
        for byte in text {
            switch byte {
            case UInt8(ascii: "0") ... UInt8(ascii: "9"): hasDigit = true
            case UInt8(ascii: "A") ... UInt8(ascii: "Z"), UInt8(ascii: "a") ... UInt8(ascii: "z"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: "_"): continue
            default: return false
            }
        }
        return hasDigit
    }

    private static func decide(_ tally: Tally, header: String) -> ColumnType {
        guard tally.cells > 0 else { return .text }
        func most(_ count: Int) -> Bool { Double(count) >= requiredShare * Double(tally.cells) }
        let words = header.lowercased()
        if most(tally.dates) { return .date }
        if most(tally.yesNo) { return .yesNo }
        if most(tally.codeShaped) && (tally.leadingZeros > 0 || tally.codeSeparators > 0) {
            return .code
        }
        if most(tally.percentMarked) { return .percent }
        if most(tally.integers) && headerSuggestsCode(words) { return .code }
        // A Munis account 11011001.610 is no number, whatever it looks like: read as one, it
        // would show as 11011001.61 and its object as 61.
        if most(tally.numbers) && headerSuggestsCode(words) && !headerSuggestsMoney(words) { return .code }
        if most(tally.fitsMoney) && (tally.moneyMarked > 0 || headerSuggestsMoney(words)) { return .money }
        if most(tally.numbers) { return tally.percentMarked * 2 > tally.numbers ? .percent : .number }
        return .text
    }

    private static let moneyWords = ["amount", "amt", "budget", "balance", "debit", "credit", "expended", "expense",
                                     "encumb", "actual", "cost", "salary", "price", "paid", "payment", "approp",
                                     "revenue", "available", "spent", "total", "transfer", "adjust", "$"]
    private static let codeWords = ["code", "account", "acct", "fund", "object", "function", "site", "location",
                                    "org", "program", "project", "dept", "department", "id", "no", "no.", "number", "#"]

    private static func headerSuggestsMoney(_ header: String) -> Bool {
        moneyWords.contains { header.contains($0) }
    }

    private static func headerSuggestsCode(_ header: String) -> Bool {
        let words = header.split(whereSeparator: { !$0.isLetter && $0 != "#" && $0 != "." }).map(String.init)
        return words.contains { codeWords.contains($0) } || codeWords.contains { $0.count > 3 && header.contains($0) }
    }

    /// Up to `sampleSize` rows spread over the whole column: a ledger's first rows are often
    /// all of one kind (July payroll) while its later rows are not.
    private static func sample(_ rows: [Int]) -> [Int] {
        guard rows.count > sampleSize else { return rows }
        let head = rows.prefix(sampleSize / 2)
        let stride = Swift.max(1, (rows.count - head.count) / (sampleSize / 2))
        return Array(head) + Swift.stride(from: head.count, to: rows.count, by: stride).map { rows[$0] }
    }
}
