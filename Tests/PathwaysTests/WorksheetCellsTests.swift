import CXlsxWriter
import Foundation
import SpreadsheetIO
import Testing

/// The rows Pathways writes itself (`WorksheetCells`), put into a package libxlsxwriter wrote
/// (`WorksheetSplice`), read back by an independent reader, openpyxl.
@Suite struct WorksheetCellsTests {
    /// Texts that XML, Excel's escapes or a careless writer would change.
    static let awkwardTexts = ["plain", "  spaces at both ends  ", "tab\there", "two\nlines", "carriage\r\nreturn", "<b>&amp; \"quoted\" 'single'</b>",
                               "bell\u{07}and\u{1F}unit", "_x000D_ is not a return", "snake_case_x12", "Ünïcödé — 😀", ""]
    static let numbers: [Double] = [0, 1, -1, 1234.56, -1234.5, 0.1 + 0.2, 1e-7, 1.5e20, 123_456_789.01, 9_007_199_254_740_992, 123_456.789_012_345_6, 2.675]

    /// Writes the skeleton (a sheet with a fill format, widths and a frozen header, and a sheet of
    /// libxlsxwriter's own), then the cells, and splices them; `bulk` rows fill several pieces.
    func writeWorkbook(to path: String, bulk: Int) throws {
        let skeleton = path + ".skeleton"
        defer { try? FileManager.default.removeItem(atPath: skeleton) }
        var options = lxw_workbook_options(constant_memory: 0, tmpdir: nil, use_zip64: 1)
        let book = workbook_new_opt(skeleton, &options)!
        // Dated, so that two writes can be the same bytes.
        var properties = lxw_doc_properties()
        properties.created = 86_400
        workbook_set_properties(book, &properties)
        let cellsSheet = workbook_add_worksheet(book, "Cells")!
        let other = workbook_add_worksheet(book, "Other")!
        worksheet_write_string(other, 0, 0, "written by libxlsxwriter", nil)
        let fill = workbook_add_format(book)!
        format_set_pattern(fill, UInt8(LXW_PATTERN_SOLID.rawValue))
        format_set_bg_color(fill, 0xF1937A)
        let money = workbook_add_format(book)!
        format_set_num_format(money, "#,##0.00")
        worksheet_set_column(cellsSheet, 0, 3, 20, nil)
        worksheet_freeze_panes(cellsSheet, 1, 0)
        let fillStyle = Int32(lxw_format_get_xf_index(fill))
        let moneyStyle = Int32(lxw_format_get_xf_index(money))

        let cells = WorksheetCells()
        cells.startRow(0)
        for (column, text) in WorksheetCellsTests.awkwardTexts.enumerated() { cells.text(column, text, style: 0) }
        cells.startRow(1)
        for (column, number) in WorksheetCellsTests.numbers.enumerated() { cells.number(column, number, style: moneyStyle) }
        cells.number(WorksheetCellsTests.numbers.count, .nan, style: 0)
        // Row 3 is left out altogether; row 4 is tall, with a boolean, a filled blank and a link.
        cells.startRow(2)
        cells.startRow(3, height: 45)
        cells.boolean(0, true, style: 0)
        cells.boolean(1, false, style: 0)
        cells.blank(2, style: fillStyle)
        cells.link(3, text: "Other!A1", to: "'Other'!A1", tip: "Go to the cell", style: 0)
        for row in 0 ..< bulk {
            cells.startRow(4 + row)
            cells.text(0, "Line \(row) <&> _x0041_", style: row % 7 == 0 ? fillStyle : 0)
            cells.number(1, Double(row) * 1.01, style: moneyStyle)
        }
        var sheets: [UnsafeMutablePointer<lxw_worksheet>] = []
        var sheet = book.pointee.worksheets.pointee.stqh_first
        while let current = sheet {
            sheets.append(current)
            sheet = current.pointee.list_pointers.stqe_next
        }
        #expect(workbook_close(book) == LXW_NO_ERROR)
        try WorksheetSplice.assemble(skeleton: skeleton, parts: ["xl/worksheets/sheet\(sheets.firstIndex(of: cellsSheet)! + 1).xml": cells.finish()], into: path)
    }

    @Test func everyKindOfCellReadsBackAsWrittenInAnIndependentReader() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pathways-cells-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("cells.xlsx").path
        // 60,000 rows of about 100 bytes: several pieces, each primed with the one before.
        let bulk = 60_000
        try writeWorkbook(to: path, bulk: bulk)
        let read = try python(#"""
            import sys, json, re, zipfile, openpyxl
            assert zipfile.ZipFile(sys.argv[1]).testzip() is None
            wb = openpyxl.load_workbook(sys.argv[1])
            ws = wb["Cells"]
            # Excel reads _xHHHH_ as the character it names (_x005F_ is the underscore); openpyxl leaves them.
            excel = lambda text: re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text) if isinstance(text, str) else text
            bulk = list(ws.iter_rows(min_row=5, values_only=True))
            print(json.dumps({
                "sheets": wb.sheetnames,
                "other": wb["Other"]["A1"].value,
                "texts": [excel(c.value) for c in ws[1]],
                "numbers": [repr(c.value) for c in ws[2] if c.value is not None],
                "numberFormat": ws["A2"].number_format,
                "row3": [c.value for c in ws[3]],
                "row4": [ws["A4"].value, ws["B4"].value, ws["C4"].value, ws["D4"].value],
                "height": ws.row_dimensions[4].height,
                "fill": ws["C4"].fill.fgColor.rgb,
                "link": ws["D4"].hyperlink.location if ws["D4"].hyperlink else None,
                "tip": ws["D4"].hyperlink.tooltip if ws["D4"].hyperlink else None,
                "dimension": ws.dimensions,
                "frozen": ws.freeze_panes,
                "width": ws.column_dimensions["A"].width,
                "bulkRows": len(bulk),
                "bulkLast": excel(bulk[-1][0]),
                "bulkTotal": sum(row[1] for row in bulk),
                "bulkFilled": sum(1 for row in ws.iter_rows(min_row=5, max_col=1) if row[0].fill.fgColor.rgb == "FFF1937A"),
            }))
            """#, [path])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(read.utf8)) as? [String: Any])
        #expect(json["sheets"] as? [String] == ["Cells", "Other"])
        #expect(json["other"] as? String == "written by libxlsxwriter", "libxlsxwriter's own sheet is copied as it was")
        // An empty text is an empty cell to openpyxl.
        #expect((json["texts"] as? [Any])?.prefix(WorksheetCellsTests.awkwardTexts.count).map { $0 as? String ?? "" } == WorksheetCellsTests.awkwardTexts)
        // Python's repr, so no JSON parser rounds them on the way.
        let numbers = try #require(json["numbers"] as? [String])
        #expect(numbers.map { Double($0) } == WorksheetCellsTests.numbers, "every number reads back to its last bit")
        #expect(numbers.count == WorksheetCellsTests.numbers.count, "a number that is not finite is left out")
        #expect(json["numberFormat"] as? String == "#,##0.00")
        #expect((json["row3"] as? [Any])?.allSatisfy { $0 is NSNull } ?? true, "an empty row is left out")
        let row4 = try #require(json["row4"] as? [Any])
        #expect(row4[0] as? Bool == true && row4[1] as? Bool == false && row4[2] is NSNull && row4[3] as? String == "Other!A1")
        #expect(json["height"] as? Double == 45)
        #expect(json["fill"] as? String == "FFF1937A")
        #expect(json["link"] as? String == "'Other'!A1" && json["tip"] as? String == "Go to the cell")
        #expect(json["dimension"] as? String == "A1:L\(4 + bulk)")
        #expect(json["frozen"] as? String == "A2" && json["width"] as? Double ?? 0 > 19, "the sheet's settings from libxlsxwriter are kept")
        #expect(json["bulkRows"] as? Int == bulk)
        #expect(json["bulkLast"] as? String == "Line \(bulk - 1) <&> _x0041_")
        let total = (0 ..< bulk).reduce(0.0) { $0 + Double($1) * 1.01 }
        #expect(abs((json["bulkTotal"] as? Double ?? 0) - total) < 1e-3)
        #expect(json["bulkFilled"] as? Int == (bulk + 6) / 7)
    }

    @Test func theSameCellsGiveTheSameBytes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pathways-cells-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = folder.appendingPathComponent("first.xlsx").path, second = folder.appendingPathComponent("second.xlsx").path
        try writeWorkbook(to: first, bulk: 30_000)
        try writeWorkbook(to: second, bulk: 30_000)
        #expect(FileManager.default.contents(atPath: first) == FileManager.default.contents(atPath: second))
    }
}
