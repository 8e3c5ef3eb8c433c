import CXlsxWriter
import Foundation
import Tabular

/// Sheet names Excel accepts, and sheets that go on past Excel's last row as `Name (2)`, ….
extension Writer {
    /// The sheet that holds input row `row` (from 1) of `sheet` and its row there: past Excel's
    /// 1,048,576 rows a sheet continues on `Name (2)`, `Name (3)`, ….
    func place(sheet: String, row: Int) -> (sheet: String, row: Int) {
        let page = (row - 1) / maxRows
        return (Writer.pageName(sheetNames[sheet] ?? sheet, page: page), (row - 1) % maxRows + 1)
    }

    /// A name Excel accepts for a sheet that wants to be called `wanted`: at most 31 characters,
    /// none of `[ ] : * ? / \`, no apostrophe at either end, not `History` (Excel keeps it for
    /// itself), and none of the names in `taken` (lower-cased), which Excel compares without case.
    static func validSheetName(_ wanted: String, avoiding taken: Set<String>) -> String {
        var name = String(wanted.map { "[]:*?/\\".contains($0) ? "_" : $0 })
        name = String(name.drop { $0 == "'" }.reversed().drop { $0 == "'" }.reversed())
        if name.trimmingCharacters(in: .whitespaces).isEmpty { name = "Sheet" }
        if name.lowercased() == "history" { name = "History (data)" }
        func cut(_ text: String, leaving room: Int) -> String {
            String(String.UnicodeScalarView(text.unicodeScalars.prefix(maxSheetNameLength - room)))
        }
        name = cut(name, leaving: 0)
        var candidate = name
        var attempt = 1
        while taken.contains(candidate.lowercased()) {
            attempt += 1
            let suffix = " (\(attempt))"
            candidate = cut(name, leaving: suffix.unicodeScalars.count) + suffix
        }
        return candidate
    }

    static let maxSheetNameLength = 31

    static func pageName(_ sheet: String, page: Int) -> String {
        guard page > 0 else { return sheet }
        let suffix = " (\(page + 1))"
        return String(sheet.prefix(31 - suffix.count)) + suffix
    }

    /// A finding's cell address as it is in the reviewed workbook.
    func workbookAddress(_ address: String) -> String {
        guard let cell = CellOrigin(file: "", qualifiedAddress: address), cell.row > maxRows || sheetNames[cell.sheet] != cell.sheet else { return address }
        let (name, row) = place(sheet: cell.sheet, row: cell.row)
        return CellOrigin(file: "", sheet: name, row: row, column: cell.column).qualifiedAddress
    }

    /// Where data row `index` (from 0) of a sheet with one header row lands: past Excel's last row
    /// the sheet goes on in `Name (2)`, … under the same header, so each page holds one row fewer.
    func headedPlace(_ index: Int) -> (page: Int, row: Int) {
        (index / (maxRows - 1), index % (maxRows - 1) + 1)
    }

    /// The pages of a sheet with one header row holding `count` data rows: each page's sheet (the
    /// first given, the rest added as `Name (2)`, …) and the data rows on it.
    mutating func pages(of first: UnsafeMutablePointer<lxw_worksheet>, named name: String, count: Int)
        -> [(sheet: UnsafeMutablePointer<lxw_worksheet>, rows: Range<Int>)] {
        let pageCount = max(1, (count + maxRows - 2) / (maxRows - 1))
        return (0 ..< pageCount).compactMap { page in
            guard let sheet = page == 0 ? first : workbook_add_worksheet(workbook, Writer.pageName(name, page: page)) else { return nil }
            return (sheet, page * (maxRows - 1) ..< min(count, (page + 1) * (maxRows - 1)))
        }
    }
}
