import Tabular

/// Where a sheet's table is: its header row, its columns, and which rows below the header hold
/// data. ERP exports put a report title, a date range and blank rows above the header, and
/// subtotal rows between the data; none of those are data.
public struct SheetLayout: Sendable {
    public struct ColumnHeader: Sendable, Codable, Equatable {
        /// The header text, tidied: line breaks and runs of spaces become one space.
        public let name: String
        /// 0 for column A.
        public let sourceColumn: Int

        public init(name: String, sourceColumn: Int) {
            self.name = name
            self.sourceColumn = sourceColumn
        }
    }

    public struct SkippedRow: Sendable, Codable, Equatable {
        public enum Reason: String, Sendable, Codable {
            case total, repeatedHeader
            /// A line the report adds after or among the data: a count, "*** End of Report ***",
            /// "Report generated …", "Prepared by …", or a label followed only by sums.
            case footer
            /// A CSV line with more fields than the header: its values may sit in the wrong columns.
            case tooManyFields

            /// Why such a row is not data, as the rest of a sentence about it.
            public var explanation: String {
                switch self {
                case .total: "a total of the rows above, not data, so it is not counted twice."
                case .repeatedHeader: "the header repeated inside the data."
                case .footer: "a line the report adds (a count, a footer, a label with sums), not data."
                case .tooManyFields: "a line with more fields than the header, so its values may be in the wrong columns; it was left out rather than misread (see rule DATA on the Findings sheet)."
                }
            }
        }
        /// The row number the spreadsheet shows.
        public let row: Int
        public let reason: Reason
        /// The text that marked it, e.g. "Grand Total".
        public let label: String
    }

    /// The header's row number as the spreadsheet shows it; nil for an empty sheet.
    public let headerRow: Int?
    public var columns: [ColumnHeader]
    /// 0-based indexes of the rows that hold data.
    public let dataRows: [Int]
    public let skippedRows: [SkippedRow]
    /// Empty rows inside the data, left out.
    public let blankRowCount: Int
    /// CSV lines whose number of fields is not the header's: those with more are left out (and are
    /// in `skippedRows` too), those with fewer are read as far as they go.
    public var misalignedRows: [MisalignedRow] = []

    public struct MisalignedRow: Sendable, Codable, Equatable {
        /// The row number the spreadsheet shows.
        public let row: Int
        public let fields: Int
        /// The header's fields, up to its last named column.
        public let expected: Int
    }

    static let rowsSearchedForHeader = 50

    /// Finds the header row, or takes the one given (0-based; when a table's declared columns
    /// found it), and the data rows below it.
    public static func detect(_ sheet: RawSheet, headerRow: Int? = nil) -> SheetLayout {
        sheet.withView { view in detect(sheet, view, headerRow: headerRow) }
    }

    /// The tidied texts of the rows where a header may be: the first 50.
    public static func candidateHeaderRows(_ sheet: RawSheet) -> [[String]] {
        (0 ..< min(sheet.rowCount, rowsSearchedForHeader)).map { row in
            (0 ..< sheet.width(ofRow: row)).map { tidyHeader(sheet.displayText(row: row, column: $0)) }
        }
    }

    private static func detect(_ sheet: RawSheet, _ view: RawSheetView, headerRow: Int?) -> SheetLayout {
        let searched = min(view.rowCount, rowsSearchedForHeader)
        let filledCounts = (0 ..< searched).map { row in filledCells(view, row: row) }
        let widest = filledCounts.max() ?? 0
        guard widest > 0 else {
            return SheetLayout(headerRow: nil, columns: [], dataRows: [], skippedRows: [], blankRowCount: 0)
        }
        // The header is the first row that spans most of the table's width with labels.
        let needed = max(min(2, widest), (widest + 1) / 2)
        var headerIndex = headerRow ?? 0
        for row in 0 ..< searched where headerRow == nil && filledCounts[row] >= needed {
            let labels = (0 ..< view.rowStarts[row + 1] - view.rowStarts[row]).filter { column in
                guard let index = view.index(row: row, column: column), view.kinds[index] == .text else { return false }
                return !isBlankText(view.text(index)) && ValueText.number(view.text(index)) == nil
            }.count
            if labels * 10 >= filledCounts[row] * 7 {
                headerIndex = row
                // A band of labels over the real header ("Budget" over "Original" and "Revised")
                // is sparser than the header below it, which is labels too.
                if row + 1 < searched, filledCounts[row + 1] > filledCounts[row], labelCount(view, row: row + 1) * 10 >= filledCounts[row + 1] * 7 {
                    headerIndex = row + 1
                }
                break
            }
        }
        var width = 0
        for row in headerIndex ..< view.rowCount { width = max(width, view.rowStarts[row + 1] - view.rowStarts[row]) }
        let headerTexts = (0 ..< width).map { column in tidyHeader(sheet.displayText(row: headerIndex, column: column)) }
        let normalizedHeader = headerTexts.map { $0.lowercased() }
        let headerFilled = headerTexts.filter { !$0.isEmpty }.count
        let firstHeaderBytes = Array((headerTexts.first(where: { !$0.isEmpty }) ?? "").utf8)

        var dataRows: [Int] = []
        dataRows.reserveCapacity(view.rowCount - headerIndex)
        var skipped: [SkippedRow] = []
        var misaligned: [MisalignedRow] = []
        let namedFields = (headerTexts.lastIndex { !$0.isEmpty } ?? -1) + 1
        var blankRows = 0
        // Only headerless columns need to be checked for data; the rest are kept regardless.
        var columnHasData = headerTexts.map { !$0.isEmpty }
        let headerlessColumns = (0 ..< width).filter { headerTexts[$0].isEmpty }
        for row in headerIndex + 1 ..< max(headerIndex + 1, view.rowCount) {
            let start = view.rowStarts[row]
            let rowWidth = view.rowStarts[row + 1] - start
            // This runs on every row, so it looks at as few cells as it can: the first filled one
            // decides whether the row can be a total or a repeated header at all.
            var firstFilled = 0
            while firstFilled < rowWidth && isBlankCell(view, start + firstFilled) { firstFilled += 1 }
            if firstFilled == rowWidth {
                blankRows += 1
                continue
            }
            if view.kinds[start + firstFilled] == .text {
                let label = trimmed(view.text(start + firstFilled))
                if containsTotalWord(label) {
                    let text = String(decoding: label, as: UTF8.self)
                    if isTotalLabel(text, filled: filledCells(view, row: row), headerFilled: headerFilled) {
                        skipped.append(SkippedRow(row: row + 1, reason: .total, label: text))
                        continue
                    }
                }
                if equalsIgnoringCase(label, firstHeaderBytes), filledCells(view, row: row) == headerFilled,
                   (0 ..< rowWidth).allSatisfy({ tidyHeader(sheet.displayText(row: row, column: $0)).lowercased() == normalizedHeader[$0] }) {
                    skipped.append(SkippedRow(row: row + 1, reason: .repeatedHeader, label: String(decoding: label, as: UTF8.self)))
                    continue
                }
                if isFooter(view, row: row, label: label, firstFilled: firstFilled, headerFilled: headerFilled) {
                    skipped.append(SkippedRow(row: row + 1, reason: .footer, label: String(decoding: label, as: UTF8.self)))
                    continue
                }
            }
            if sheet.fieldsArePositional && rowWidth != namedFields {
                if rowWidth > namedFields, (namedFields ..< rowWidth).contains(where: { !isBlankCell(view, start + $0) }) {
                    misaligned.append(MisalignedRow(row: row + 1, fields: rowWidth, expected: namedFields))
                    skipped.append(SkippedRow(row: row + 1, reason: .tooManyFields, label: tidyHeader(sheet.displayText(row: row, column: firstFilled))))
                    continue
                }
                if rowWidth < namedFields { misaligned.append(MisalignedRow(row: row + 1, fields: rowWidth, expected: namedFields)) }
            }
            for column in headerlessColumns where column < rowWidth && !isBlankCell(view, start + column) {
                columnHasData[column] = true
            }
            dataRows.append(row)
        }
        // Columns with neither a header nor data are margins, not columns.
        var columns: [ColumnHeader] = []
        var used: [String: Int] = [:]
        for column in 0 ..< width where !headerTexts[column].isEmpty || columnHasData[column] {
            var name = headerTexts[column].isEmpty ? "Column \(columnLetters(column))" : headerTexts[column]
            let key = name.lowercased()
            if let seen = used[key] {
                used[key] = seen + 1
                name += " (\(seen + 1))"
            } else {
                used[key] = 1
            }
            columns.append(ColumnHeader(name: name, sourceColumn: column))
        }
        return SheetLayout(headerRow: headerIndex + 1, columns: columns, dataRows: dataRows,
                           skippedRows: skipped, blankRowCount: blankRows, misalignedRows: misaligned)
    }

    /// Cells of a row that hold a label: text that is not a number.
    private static func labelCount(_ view: RawSheetView, row: Int) -> Int {
        (view.rowStarts[row] ..< view.rowStarts[row + 1]).filter { index in
            view.kinds[index] == .text && !isBlankText(view.text(index)) && ValueText.number(view.text(index)) == nil
        }.count
    }

    /// Words that start the lines reports put after their data, in upper case.
    private static let footerOpenings: [[UInt8]] = ["*** END", "** END", "END OF REPORT", "REPORT GENERATED", "GENERATED ON", "GENERATED BY",
                                                    "PREPARED BY", "PRINTED ON", "PRINTED BY", "RUN DATE", "REPORT RUN", "PAGE "].map { Array($0.utf8) }
    private static let countLabels: Set<String> = ["count", "count:", "record count", "records", "row count", "number of records",
                                                   "transaction count", "line count", "lines"]

    /// A footer: a report line (`*** End of Report ***`, `Report generated 07/01/2025`, `Prepared
    /// by J. Chen`, `Page 3 of 3`) in a sparse row, a count, or a label followed only by sums in a
    /// row sparser than the header (`Count 1,204`, `Net change 12,345.00`). It runs on every data
    /// row, so the dense rows of real data are let go after counting at most half their cells.
    private static func isFooter(_ view: RawSheetView, row: Int, label: UnsafeBufferPointer<UInt8>, firstFilled: Int, headerFilled: Int) -> Bool {
        let sparse = headerFilled / 2
        let filled = filledCells(view, row: row, stoppingAfter: sparse)
        guard filled <= sparse || filled == 1 else { return false }
        if footerOpenings.contains(where: { startsIgnoringCase(label, $0) }) { return true }
        guard filled <= sparse, !label.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        // Every other filled cell is a number: a sum or a count under a label.
        let start = view.rowStarts[row]
        var numbers = 0
        for index in start + firstFilled + 1 ..< view.rowStarts[row + 1] where !isBlankCell(view, index) {
            switch view.kinds[index] {
            case .number: numbers += 1
            case .text where ValueText.number(view.text(index)) != nil: numbers += 1
            default: return false
            }
        }
        return numbers > 0 && (countLabels.contains(String(decoding: label, as: UTF8.self).lowercased()) || filled * 4 < headerFilled * 3)
    }

    private static func startsIgnoringCase(_ text: UnsafeBufferPointer<UInt8>, _ prefix: [UInt8]) -> Bool {
        text.count >= prefix.count && prefix.indices.allSatisfy { (text[$0] >= 0x61 && text[$0] <= 0x7A ? text[$0] - 0x20 : text[$0]) == prefix[$0] }
    }

    /// Filled cells of a row, counted only up to one past `limit`.
    private static func filledCells(_ view: RawSheetView, row: Int, stoppingAfter limit: Int) -> Int {
        var count = 0
        for index in view.rowStarts[row] ..< view.rowStarts[row + 1] where !isBlankCell(view, index) {
            count += 1
            if count > limit { break }
        }
        return count
    }

    private static func filledCells(_ view: RawSheetView, row: Int) -> Int { filledCells(view, row: row, stoppingAfter: .max) }

    @inline(__always) private static func isBlankCell(_ view: RawSheetView, _ index: Int) -> Bool {
        switch view.kinds[index] {
        case .blank: true
        case .text: isBlankText(view.text(index))
        default: false
        }
    }

    /// `Total`, `Grand Total`, `Subtotal`, `Total 101`, `Fund 101 Total`, `Expense Totals:`.
    /// A label that merely starts with the word (a vendor called "Total Wine") counts only when
    /// the row is sparser than the header, as subtotal rows are.
    static func isTotalLabel(_ text: String, filled: Int, headerFilled: Int) -> Bool {
        let words = text.lowercased().split(whereSeparator: { $0 == " " || $0 == ":" || $0 == "-" || $0 == "\u{A0}" })
        guard let first = words.first, let last = words.last else { return false }
        let isTotalWord: (Substring) -> Bool = { ["total", "totals", "subtotal", "subtotals"].contains($0) }
        let qualifiers: Set<Substring> = ["grand", "sub", "report", "fund", "department", "org", "object", "function",
                                          "revenue", "expense", "expenditure", "account", "site", "vendor"]
        let opensWithTotal = isTotalWord(first) || (qualifiers.contains(first) && words.count > 1 && isTotalWord(words[1]))
        guard opensWithTotal || isTotalWord(last) else { return false }
        let isSparse = filled * 4 < headerFilled * 3
        // Nothing but total words, qualifiers and codes: "Grand Total", "Fund 101 Total".
        let isBare = words.allSatisfy { isTotalWord($0) || qualifiers.contains($0) || $0.contains(where: \.isNumber) }
        return isSparse || isBare
    }

    private static func containsTotalWord(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        let word: [UInt8] = Array("TOTAL".utf8)
        guard text.count >= word.count else { return false }
        for start in 0 ... text.count - word.count where text[start] & 0xDF == word[0] {
            if (1 ..< word.count).allSatisfy({ text[start + $0] & 0xDF == word[$0] }) { return true }
        }
        return false
    }

    private static func equalsIgnoringCase(_ text: UnsafeBufferPointer<UInt8>, _ other: [UInt8]) -> Bool {
        guard text.count == other.count else { return false }
        return zip(text, other).allSatisfy { ($0 | 0x20) == ($1 | 0x20) }
    }

    /// Line breaks, tabs and runs of spaces become single spaces; the ends are trimmed.
    public static func tidyHeader(_ text: String) -> String {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" || $0 == "\u{A0}" || $0 == "\r\n" })
            .joined(separator: " ")
    }
}
