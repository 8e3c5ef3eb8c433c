import CZip

/// Limits that keep a hostile or broken workbook from exhausting memory or time.
public struct ReadingLimits: Sendable {
    /// Total bytes all parts may expand to.
    public var maxTotalUncompressedBytes: Int64 = 8 << 30
    /// Largest expansion of one part relative to its compressed size. Genuine sheets reach about
    /// 120:1 (long repeated strings); zip bombs reach 1000:1.
    public var maxCompressionRatio: Int64 = 400
    /// Parts smaller than this are not held to the ratio (tiny parts compress oddly).
    public var ratioCheckFloor: Int64 = 4 << 20
    /// Most cells one sheet may hold, counting blanks inside its used area.
    public var maxCellsPerSheet = 200_000_000

    public init() {}
}

/// An XLSX package (a zip archive), read with libzip, with entry names normalised the way
/// Excel tolerates them: backslashes as slashes, no leading slash, any letter case.
final class ZipArchive {
    private let archive: OpaquePointer
    let fileName: String
    private var entries: [String: UInt64] = [:]
    private let limits: ReadingLimits
    private var uncompressedSoFar: Int64 = 0

    init(path: String, limits: ReadingLimits) throws(SpreadsheetError) {
        fileName = SpreadsheetIO.fileName(of: path)
        self.limits = limits
        var errorCode: Int32 = 0
        guard let archive = zip_open(path, ZIP_RDONLY, &errorCode) else {
            // A file that begins like a zip but has no directory at its end was cut short.
            if errorCode == ZIP_ER_NOZIP, (try? readFileStart(path, count: 4)) == [0x50, 0x4B, 0x03, 0x04] {
                throw ZipArchive.openError(code: ZIP_ER_INCONS, file: fileName)
            }
            throw ZipArchive.openError(code: errorCode, file: fileName)
        }
        self.archive = archive
        let count = zip_get_num_entries(archive, 0)
        for index in 0 ..< UInt64(max(0, count)) {
            guard let raw = zip_get_name(archive, index, zip_flags_t(ZIP_FL_ENC_RAW)) else { continue }
            let name = String(cString: raw)
            let key = ZipArchive.normalise(name)
            // Two parts of one name can hold two different sheets (calamine reads the last, other
            // programs the first): no reading of it can be trusted, so it is refused (deinit closes it).
            if entries[key] != nil {
                throw SpreadsheetError(.damaged, file: fileName,
                    "The workbook is damaged: it holds two parts named \(name), so it could be read two different ways. Open it in Excel, save it again as .xlsx, and try again.")
            }
            entries[key] = index
        }
    }

    /// A small part's whole text (at most `limit` bytes), e.g. an OpenDocument file's `mimetype`.
    func text(of name: String, limit: Int = 4_096) throws(SpreadsheetError) -> String? {
        guard let stream = try open(name) else { return nil }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: limit, alignment: 1)
        defer { buffer.deallocate() }
        var filled = 0
        while filled < limit {
            let count = try stream.read(into: buffer.baseAddress! + filled, capacity: limit - filled)
            if count == 0 { break }
            filled += count
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: buffer[..<filled]), as: UTF8.self)
    }

    deinit { zip_discard(archive) }

    static func normalise(_ name: String) -> String {
        var key = name.replacing("\\", with: "/").lowercased()
        while key.hasPrefix("/") { key.removeFirst() }
        return key
    }

    func contains(_ name: String) -> Bool { entries[ZipArchive.normalise(name)] != nil }

    /// Opens a part for streaming; nil when the archive has no such part.
    func open(_ name: String) throws(SpreadsheetError) -> ZipEntryStream? {
        guard let index = entries[ZipArchive.normalise(name)] else { return nil }
        var status = zip_stat_t()
        zip_stat_init(&status)
        guard zip_stat_index(archive, index, 0, &status) == 0 else { throw damaged("its part \(name) cannot be read") }
        if status.encryption_method != 0 {
            throw SpreadsheetError(.passwordProtected, file: fileName,
                "This workbook is protected with a password, so Pathways cannot read it. Open it in Excel, remove the password (File › Info › Protect Workbook), save it, and try again.")
        }
        let declared = Int64(status.size)
        let compressed = max(Int64(status.comp_size), 1)
        if declared > limits.ratioCheckFloor && declared / compressed > limits.maxCompressionRatio {
            throw SpreadsheetError(.unsafeContent, file: fileName,
                "Its part \(name) would expand \(declared / compressed) times over its stored size, as a \"zip bomb\" does, so Pathways did not read it. If the workbook is genuine, save it again from Excel.")
        }
        guard let file = zip_fopen_index(archive, index, 0) else {
            throw damaged("its part \(name) cannot be opened (\(String(cString: zip_strerror(archive))))")
        }
        return ZipEntryStream(file: file, name: name, declaredSize: declared, archive: self)
    }

    /// Counts bytes as they are inflated, so a lying size or a bomb stops early.
    func account(_ bytes: Int, part: String) throws(SpreadsheetError) {
        uncompressedSoFar += Int64(bytes)
        if uncompressedSoFar > limits.maxTotalUncompressedBytes {
            throw SpreadsheetError(.tooLarge, file: fileName,
                "It expands to more than \(limits.maxTotalUncompressedBytes >> 30) GB, more than Pathways reads from one workbook. Split the workbook or remove sheets Pathways does not need.")
        }
    }

    func damaged(_ detail: String) -> SpreadsheetError {
        SpreadsheetError(.damaged, file: fileName,
            "The workbook is damaged: \(detail). Open it in Excel or LibreOffice, save it again as .xlsx, and try again.")
    }

    private static func openError(code: Int32, file: String) -> SpreadsheetError {
        switch code {
        case ZIP_ER_NOZIP:
            return SpreadsheetError(.notASpreadsheet, file: file,
                "This is not an Excel workbook (.xlsx): its contents are not in the workbook format. Open it in Excel and save it as .xlsx or .csv.")
        case ZIP_ER_INCONS, ZIP_ER_EOF, ZIP_ER_READ, ZIP_ER_SEEK:
            return SpreadsheetError(.damaged, file: file,
                "The workbook is incomplete or damaged, perhaps because it was still being copied. Copy it again, or open it in Excel and save it as .xlsx.")
        case ZIP_ER_NOENT:
            return SpreadsheetError(.unreadableFile, file: file, "There is no file by this name. Check the name and folder.")
        case ZIP_ER_OPEN:
            return SpreadsheetError(.unreadableFile, file: file, "The file could not be opened; Pathways may not be allowed to read it.")
        case ZIP_ER_ENCRNOTSUPP, ZIP_ER_NOPASSWD, ZIP_ER_WRONGPASSWD:
            return SpreadsheetError(.passwordProtected, file: file,
                "This workbook is protected with a password, so Pathways cannot read it. Remove the password in Excel, save it, and try again.")
        default:
            return SpreadsheetError(.damaged, file: file,
                "The workbook could not be opened (zip error \(code)). Open it in Excel or LibreOffice, save it again as .xlsx, and try again.")
        }
    }
}

/// One part of the package, inflated in chunks.
final class ZipEntryStream {
    private let file: OpaquePointer
    let name: String
    private let declaredSize: Int64
    private let archive: ZipArchive
    private var readSoFar: Int64 = 0

    init(file: OpaquePointer, name: String, declaredSize: Int64, archive: ZipArchive) {
        self.file = file
        self.name = name
        self.declaredSize = declaredSize
        self.archive = archive
    }

    deinit { zip_fclose(file) }

    /// Fills up to `capacity` bytes at `destination`; 0 at the end of the part.
    func read(into destination: UnsafeMutableRawPointer, capacity: Int) throws(SpreadsheetError) -> Int {
        let count = zip_fread(file, destination, zip_uint64_t(capacity))
        if count < 0 {
            let message = String(cString: zip_file_strerror(file))
            throw archive.damaged("its part \(name) cannot be inflated (\(message))")
        }
        readSoFar += Int64(count)
        if readSoFar > declaredSize {
            throw archive.damaged("its part \(name) is larger than the archive says it is")
        }
        try archive.account(Int(count), part: name)
        return Int(count)
    }
}
