import CXlsxWriter
import Foundation
import Tabular

/// Writes plain workbooks — typed cells, a bold header, column widths — as an ERP or a person
/// would export them. (The reviewed workbook, with its fills and comments, is written by Reports.)
public enum XLSXWriter {
    public enum Cell: Sendable, Equatable {
        case blank
        case text(String)
        case number(Double)
        /// An amount with two decimals and negatives in brackets, as finance exports show them.
        case money(Money)
        /// A fraction shown as a percentage: 0.125 is 12.5%.
        case percent(Double)
        case date(CalendarDate)
    }

    public struct Sheet: Sendable {
        public var name: String
        public var rows: [[Cell]]
        /// Rows (from 0) written in bold: titles, headers and total rows.
        public var boldRows: Set<Int>
        public var columnWidths: [Double]
        /// Long texts wrap within their column, in rows tall enough for them, printed one page wide.
        public var wrapsText: Bool
        /// Columns kept out of sight (an id a program reads back).
        public var hiddenColumns: Set<Int> = []
        /// A drop-down of choices in each row below the header, by column.
        public var choices: [Int: [String]] = [:]
        /// Rows and columns kept in view (and printed on every page), as Excel's freeze panes.
        public var frozen: (rows: Int, columns: Int) = (0, 0)

        public init(name: String, rows: [[Cell]], boldRows: Set<Int> = [0], columnWidths: [Double] = [], wrapsText: Bool = false) {
            self.name = name
            self.rows = rows
            self.boldRows = boldRows
            self.columnWidths = columnWidths
            self.wrapsText = wrapsText
        }
    }

    public struct WriteError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Sets a row tall enough for its wrapped texts (text, column width). Excel and LibreOffice do
    /// not grow a row for wrapped text written by a program, so without this the lines overlap.
    /// The row's height in points.
    @discardableResult
    public static func fitRow(_ sheet: UnsafeMutablePointer<lxw_worksheet>, _ row: lxw_row_t, _ texts: [(String, Double)]) -> Double {
        guard let height = wrappedHeight(texts) else { return 15 }
        worksheet_set_row(sheet, row, height, nil)
        return height
    }

    /// The height in points (15 a line) of a row tall enough for its wrapped texts (text, column
    /// width); nil when they fit on one line, which Excel sizes itself.
    public static func wrappedHeight(_ texts: [(String, Double)]) -> Double? {
        let lines = texts.map { text, width -> Int in
            // A column holds about its width in characters of the default font. Counted in the
            // text's bytes, a character at the first byte of each: this runs for every finding.
            let perLine = max(1, Int(width * 1.2))
            var lines = 0, characters = 0
            for byte in text.utf8 {
                if byte == 10 {
                    lines += max(1, (characters + perLine - 1) / perLine)
                    characters = 0
                } else if byte & 0xC0 != 0x80 {
                    characters += 1
                }
            }
            return lines + max(1, (characters + perLine - 1) / perLine)
        }.max() ?? 1
        return lines > 1 ? Double(lines) * 15 : nil
    }

    /// A drop-down list of `choices` in the cells of `rows` (from 0) of a column.
    public static func addChoices(_ choices: [String], to sheet: UnsafeMutablePointer<lxw_worksheet>, column: Int, rows: ClosedRange<Int>) {
        let texts = choices.map { strdup($0) }
        defer { for text in texts { free(text) } }
        var list: [UnsafeMutablePointer<CChar>?] = texts + [nil]
        list.withUnsafeMutableBufferPointer { values in
            var validation = lxw_data_validation()
            validation.validate = UInt8(LXW_VALIDATION_TYPE_LIST.rawValue)
            validation.value_list = values.baseAddress
            worksheet_data_validation_range(sheet, lxw_row_t(rows.lowerBound), lxw_col_t(column), lxw_row_t(rows.upperBound), lxw_col_t(column), &validation)
        }
    }

    /// Writes the sheets through a temporary file beside `path` and a rename, so the workbook
    /// appears only complete. The document is dated `created`, not the clock's time, so the same
    /// sheets give the same bytes.
    public static func write(_ sheets: [Sheet], to path: String, created: CalendarDate) throws(WriteError) {
        let target = URL(fileURLWithPath: path)
        let temporary = AtomicFile.temporaryURL(beside: target)
        guard let workbook = workbook_new(temporary.path) else {
            throw WriteError(description: "The workbook \(path) could not be created.")
        }
        var properties = lxw_doc_properties()
        // A created time of 0 would mean "now" to libxlsxwriter.
        properties.created = time_t(max(1, Int(created.daysSince1970) * 86_400))
        workbook_set_properties(workbook, &properties)
        let bold = workbook_add_format(workbook)
        format_set_bold(bold)
        // Wrapped text sits at the top of its row, beside the first line of its neighbours.
        let wrapped = workbook_add_format(workbook)
        format_set_text_wrap(wrapped)
        format_set_align(wrapped, UInt8(LXW_ALIGN_VERTICAL_TOP.rawValue))
        let boldWrapped = workbook_add_format(workbook)
        format_set_bold(boldWrapped)
        format_set_text_wrap(boldWrapped)
        format_set_align(boldWrapped, UInt8(LXW_ALIGN_VERTICAL_TOP.rawValue))
        let money = workbook_add_format(workbook)
        format_set_num_format(money, "#,##0.00;(#,##0.00)")
        let percent = workbook_add_format(workbook)
        format_set_num_format(percent, "0.0%")
        let date = workbook_add_format(workbook)
        format_set_num_format(date, "m/d/yyyy")
        for format in [money, percent, date] { format_set_align(format, UInt8(LXW_ALIGN_VERTICAL_TOP.rawValue)) }
        for sheet in sheets {
            guard let worksheet = workbook_add_worksheet(workbook, sheet.name) else {
                workbook_close(workbook)
                try? FileManager.default.removeItem(at: temporary)
                throw WriteError(description: "\(path): \"\(sheet.name)\" cannot be a sheet name (too long, repeated or with one of [ ] : * ? / \\).")
            }
            for (column, width) in sheet.columnWidths.enumerated() {
                var options = lxw_row_col_options(hidden: sheet.hiddenColumns.contains(column) ? 1 : 0, level: 0, collapsed: 0)
                worksheet_set_column_opt(worksheet, lxw_col_t(column), lxw_col_t(column), width, nil, &options)
            }
            if sheet.frozen.rows > 0 || sheet.frozen.columns > 0 {
                worksheet_freeze_panes(worksheet, lxw_row_t(sheet.frozen.rows), lxw_col_t(sheet.frozen.columns))
            }
            // Sentences are printed whole and legible: see PrintSetup.
            if sheet.wrapsText {
                let widths = Dictionary(uniqueKeysWithValues: sheet.columnWidths.enumerated().map { ($0, sheet.hiddenColumns.contains($0) ? 0 : $1) })
                PrintSetup.apply(to: worksheet, widths: widths, lastColumn: max(0, (sheet.rows.map(\.count).max() ?? 1) - 1))
            }
            for (column, choices) in sheet.choices where sheet.rows.count > 1 {
                addChoices(choices, to: worksheet, column: column, rows: 1 ... sheet.rows.count - 1)
            }
            for (rowIndex, cells) in sheet.rows.enumerated() {
                let row = lxw_row_t(rowIndex)
                let isBold = sheet.boldRows.contains(rowIndex)
                let rowFormat = sheet.wrapsText ? (isBold ? boldWrapped : wrapped) : (isBold ? bold : nil)
                if sheet.wrapsText {
                    fitRow(worksheet, row, cells.enumerated().compactMap { column, cell in
                        guard case .text(let text) = cell, column < sheet.columnWidths.count else { return nil }
                        return (text, sheet.columnWidths[column])
                    })
                }
                for (columnIndex, cell) in cells.enumerated() {
                    let column = lxw_col_t(columnIndex)
                    switch cell {
                    case .blank: break
                    case .text(let text): worksheet_write_string(worksheet, row, column, text, rowFormat)
                    case .number(let number): worksheet_write_number(worksheet, row, column, number, rowFormat)
                    case .money(let amount): worksheet_write_number(worksheet, row, column, amount.doubleValue, money)
                    case .percent(let fraction): worksheet_write_number(worksheet, row, column, fraction, percent)
                    case .date(let day):
                        worksheet_write_number(worksheet, row, column, Double(ExcelDate.serial(of: day, uses1904Dates: false)), date)
                    }
                }
            }
        }
        let status = LibraryMessages.withheld { workbook_close(workbook) }
        guard status == LXW_NO_ERROR else {
            try? FileManager.default.removeItem(at: temporary)
            throw WriteError(description: "The workbook \(path) could not be written (\(String(cString: lxw_strerror(status)))).")
        }
        do {
            try AtomicFile.moveIntoPlace(temporary, as: target)
        } catch {
            throw WriteError(description: error.description)
        }
    }
}
