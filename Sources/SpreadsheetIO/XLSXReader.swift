import Foundation
/// Reads an XLSX workbook (Excel 2007 and later, LibreOffice, Google Sheets, Numbers, openpyxl,
/// XlsxWriter, transitional or strict OOXML) into raw sheets.
public enum XLSXReader {
    public static func read(path: String, limits: ReadingLimits = ReadingLimits()) throws(SpreadsheetError) -> RawWorkbook {
        try read(try ZipArchive(path: path, limits: limits), limits: limits)
    }

    /// A workbook held in memory (a file inside a district's zip), named `fileName` in what it says.
    public static func read(bytes: [UInt8], fileName: String, limits: ReadingLimits = ReadingLimits()) throws(SpreadsheetError) -> RawWorkbook {
        try read(try ZipArchive(bytes: bytes, fileName: fileName, limits: limits), limits: limits)
    }

    static func read(_ archive: ZipArchive, limits: ReadingLimits) throws(SpreadsheetError) -> RawWorkbook {
        if let kind = try otherOfficeDocument(archive) {
            throw SpreadsheetError(.notASpreadsheet, file: archive.fileName,
                "This is \(kind), not an Excel workbook, though its name ends in .\((archive.fileName as NSString).pathExtension). \(kind.contains("spreadsheet") ? "Open it in LibreOffice or Excel and save it as Excel 2007-365 (.xlsx)." : "Export the report from the finance system as Excel (.xlsx) or CSV instead.")")
        }
        let package = try XLSXPackage.read(archive)
        let sharedStrings = try XLSXSharedStrings.read(part: package.sharedStringsPart, in: archive)
        let (formats, looks) = try XLSXStyles.read(part: package.stylesPart, in: archive)
        var sheets: [RawSheet] = []
        for entry in package.sheets {
            var sheet = RawSheet(name: entry.name, kind: entry.kind, visibility: entry.visibility,
                                 sharedStrings: sharedStrings, numberFormats: formats, looks: looks)
            if entry.kind == .worksheet || entry.kind == .macrosheet || entry.kind == .dialogsheet,
               let part = entry.part, let stream = try archive.open(part) {
                // A sheet is most of a workbook: inflated on the second core while it is read.
                stream.inflateAhead()
                let xml = XMLStream(stream, fileName: archive.fileName)
                sheet = try XLSXSheetParser(xml: xml, sheet: sheet, limits: limits).parse()
            }
            sheets.append(sheet)
        }
        var notes = ReadingNotes(format: .xlsx)
        notes.uses1904Dates = package.uses1904Dates
        if package.uses1904Dates {
            notes.remarks.append("The workbook counts dates from 1904 (an old Mac setting); Pathways reads its dates accordingly.")
        }
        return RawWorkbook(file: archive.fileName, sheets: sheets, notes: notes)
    }
}

extension XLSXReader {
    /// What a zip that is not a workbook is, when it is another office document: Word, PowerPoint
    /// and OpenDocument files are zips too, and are sometimes renamed or saved with the wrong name.
    static func otherOfficeDocument(_ archive: ZipArchive) throws(SpreadsheetError) -> String? {
        if archive.contains("xl/workbook.xml") { return nil }
        if archive.contains("word/document.xml") { return "a Word document" }
        if archive.contains("ppt/presentation.xml") { return "a PowerPoint presentation" }
        guard let type = try archive.text(of: "mimetype")?.trimmingCharacters(in: .whitespacesAndNewlines) else { return nil }
        switch type {
        case "application/vnd.oasis.opendocument.spreadsheet": return "an OpenDocument spreadsheet (LibreOffice Calc, .ods)"
        case "application/vnd.oasis.opendocument.text": return "an OpenDocument text document (LibreOffice Writer, .odt)"
        case let other where other.hasPrefix("application/vnd.oasis.opendocument."): return "an OpenDocument file"
        default: return nil
        }
    }
}

/// Reads any spreadsheet file a finance officer might drop, telling the format from its
/// contents rather than trusting its extension, and refusing what it cannot read with a sentence
/// that says what the file is and what to do.
public enum SpreadsheetReader {
    public static func read(path: String, limits: ReadingLimits = ReadingLimits()) throws(SpreadsheetError) -> RawWorkbook {
        try read(.path(path), name: fileName(of: path), limits: limits)
    }

    /// A file held in memory (one inside a district's zip), named `fileName` in what it says.
    public static func read(bytes: [UInt8], fileName: String, limits: ReadingLimits = ReadingLimits()) throws(SpreadsheetError) -> RawWorkbook {
        try read(.bytes(bytes), name: fileName, limits: limits)
    }

    /// Where a file's bytes are: on disk, read only as far as needed, or already in memory.
    private enum Source {
        case path(String)
        case bytes([UInt8])

        func start(_ count: Int) throws(SpreadsheetError) -> [UInt8] {
            switch self {
            case .path(let path): try readFileStart(path, count: count)
            case .bytes(let bytes): Array(bytes.prefix(count))
            }
        }

        func all() throws(SpreadsheetError) -> [UInt8] {
            switch self {
            case .path(let path): try readWholeFile(path)
            case .bytes(let bytes): bytes
            }
        }
    }

    private static func read(_ source: Source, name: String, limits: ReadingLimits) throws(SpreadsheetError) -> RawWorkbook {
        let start = try source.start(8)
        let lowercasedName = name.lowercased()
        if start.isEmpty {
            throw SpreadsheetError(.notASpreadsheet, file: name,
                "The file is empty (0 bytes). If it was still being copied, wait until the copy finishes; otherwise export the workbook again.")
        }
        if start.starts(with: [0x50, 0x4B]) {  // "PK": a zip archive, as every XLSX is
            if lowercasedName.hasSuffix(".ods") {
                throw SpreadsheetError(.notASpreadsheet, file: name,
                    "This is an OpenDocument spreadsheet (.ods). Open it in LibreOffice and save it as Excel 2007-365 (.xlsx).")
            }
            if lowercasedName.hasSuffix(".xlsb") {
                throw SpreadsheetError(.notASpreadsheet, file: name,
                    "This is an Excel binary workbook (.xlsb). Open it in Excel and save it as Excel Workbook (.xlsx).")
            }
            switch source {
            case .path(let path): return try XLSXReader.read(path: path, limits: limits)
            case .bytes(let bytes): return try XLSXReader.read(bytes: bytes, fileName: name, limits: limits)
            }
        }
        if start.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            throw oleContainerError(try source.all(), name: name)
        }
        if let kind = documentKind(start) {
            throw SpreadsheetError(.notASpreadsheet, file: name,
                "This is \(kind), not a spreadsheet. Export the report from the finance system as Excel (.xlsx) or CSV instead.")
        }
        if lowercasedName.hasSuffix(".xlsx") || lowercasedName.hasSuffix(".xlsm") {
            throw SpreadsheetError(.notASpreadsheet, file: name,
                "This file is named .xlsx but is not an Excel workbook; it may be damaged or misnamed. Open it in Excel and save it as .xlsx or .csv.")
        }
        return try CSVReader.read(bytes: try source.all(), fileName: name)
    }

    /// What a file that is often dropped by mistake is, from its first bytes.
    private static func documentKind(_ start: [UInt8]) -> String? {
        if start.starts(with: Array("%PDF".utf8)) { return "a PDF document" }
        if start.starts(with: [0x89, 0x50, 0x4E, 0x47]) || start.starts(with: [0xFF, 0xD8, 0xFF]) || start.starts(with: Array("GIF8".utf8)) {
            return "a picture"
        }
        if start.starts(with: Array("{\\rtf".utf8)) { return "a Word (RTF) document" }
        return nil
    }

    /// Legacy `.xls` workbooks and password-protected `.xlsx` workbooks are both OLE2 containers;
    /// an encrypted one has an `EncryptionInfo` stream.
    private static func oleContainerError(_ bytes: [UInt8], name: String) -> SpreadsheetError {
        let marker = Array("EncryptionInfo".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        let isEncrypted = bytes.withUnsafeBufferPointer { buffer in
            buffer.count >= marker.count && (0 ... buffer.count - marker.count).contains { offset in
                buffer[offset] == marker[0] && marker.indices.allSatisfy { buffer[offset + $0] == marker[$0] }
            }
        }
        if isEncrypted {
            return SpreadsheetError(.passwordProtected, file: name,
                "This workbook is protected with a password, so Pathways cannot read it. Open it in Excel, remove the password (File › Info › Protect Workbook › Encrypt with Password, then clear it), save it, and try again.")
        }
        return SpreadsheetError(.legacyExcel, file: name,
            "This is an old-style Excel workbook (.xls, Excel 97–2003), which Pathways does not read. Open it in Excel and save it as Excel Workbook (.xlsx).")
    }
}
