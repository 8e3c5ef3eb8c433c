import CXlsxWriter
import CZip
import Foundation
@testable import SpreadsheetIO

/// Small files written for one test each, in a folder removed afterwards.
final class Fixtures {
    let folder: URL

    init() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("pathways-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    func write(_ name: String, bytes: [UInt8]) -> String {
        _ = FileManager.default.createFile(atPath: path(name), contents: Data(bytes))
        return path(name)
    }

    func write(_ name: String, text: String) -> String { write(name, bytes: Array(text.utf8)) }

    /// A zip archive with these entries, written by libzip, as a hand-made XLSX package.
    func zip(_ name: String, _ entries: [(String, [UInt8])]) -> String {
        let target = path(name)
        var error: Int32 = 0
        let archive = zip_open(target, ZIP_CREATE | ZIP_TRUNCATE, &error)!
        for (entryName, contents) in entries {
            let copy = UnsafeMutableRawPointer.allocate(byteCount: max(contents.count, 1), alignment: 1)
            contents.withUnsafeBytes { if let base = $0.baseAddress { copy.copyMemory(from: base, byteCount: contents.count) } }
            let source = zip_source_buffer(archive, copy, zip_uint64_t(contents.count), 1)  // libzip frees it
            zip_file_add(archive, entryName, source, zip_flags_t(ZIP_FL_OVERWRITE))
        }
        zip_close(archive)
        return target
    }

    /// A minimal XLSX package around one sheet's XML, with optional shared strings and styles.
    func xlsx(_ name: String, sheet: String, sharedStrings: String? = nil, styles: String? = nil, workbookPr: String = "") -> String {
        let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        let relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        var workbookRels = """
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
            <Relationship Id="rId1" Type="\(relationships)/worksheet" Target="worksheets/sheet1.xml"/>
            """
        var entries: [(String, [UInt8])] = [
            ("[Content_Types].xml", Array("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>".utf8)),
            ("_rels/.rels", Array("""
                <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
                <Relationship Id="rId1" Type="\(relationships)/officeDocument" Target="xl/workbook.xml"/></Relationships>
                """.utf8)),
            ("xl/workbook.xml", Array("""
                <workbook xmlns="\(main)" xmlns:r="\(relationships)">\(workbookPr)<sheets><sheet name="Ledger" sheetId="1" r:id="rId1"/></sheets></workbook>
                """.utf8)),
            ("xl/worksheets/sheet1.xml", Array("<worksheet xmlns=\"\(main)\"><sheetData>\(sheet)</sheetData></worksheet>".utf8)),
        ]
        if let sharedStrings {
            workbookRels += "<Relationship Id=\"rId2\" Type=\"\(relationships)/sharedStrings\" Target=\"sharedStrings.xml\"/>"
            entries.append(("xl/sharedStrings.xml", Array("<sst xmlns=\"\(main)\">\(sharedStrings)</sst>".utf8)))
        }
        if let styles {
            workbookRels += "<Relationship Id=\"rId3\" Type=\"\(relationships)/styles\" Target=\"styles.xml\"/>"
            entries.append(("xl/styles.xml", Array("<styleSheet xmlns=\"\(main)\">\(styles)</styleSheet>".utf8)))
        }
        entries.append(("xl/_rels/workbook.xml.rels", Array((workbookRels + "</Relationships>").utf8)))
        return zip(name, entries)
    }

    /// A workbook written by libxlsxwriter, as XlsxWriter-made files are.
    func libxlsxwriter(_ name: String, build: (UnsafeMutablePointer<lxw_workbook>, UnsafeMutablePointer<lxw_worksheet>) -> Void) -> String {
        let target = path(name)
        let workbook = workbook_new(target)!
        let sheet = workbook_add_worksheet(workbook, "Transactions")!
        build(workbook, sheet)
        workbook_close(workbook)
        return target
    }
}
