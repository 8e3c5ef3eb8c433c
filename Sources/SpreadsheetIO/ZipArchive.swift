import Foundation
import CZip
import Tabular
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
    /// Most spreadsheet files read as one district (from a folder, a zip, or the files given).
    public var maxFilesInDistrict = 500
    /// Largest file inside a district's zip: it is inflated in memory, never onto the disk.
    public var maxBytesOfFileInZip: Int64 = 2 << 30

    public init() {}
}

/// An XLSX package (a zip archive), read with libzip, with entry names normalised the way
/// Excel tolerates them: backslashes as slashes, no leading slash, any letter case. A district's
/// zip of exports (`springfield.zip`) is read the same way, one member at a time, never extracted.
final class ZipArchive {
    /// What the archive is to the finance officer, for the sentences that say what is wrong with it.
    enum Holds { case workbook, district }

    private let archive: OpaquePointer
    let fileName: String
    let holds: Holds
    private var entries: [String: UInt64] = [:]
    /// Every entry's name as stored, in the archive's order.
    private(set) var names: [String] = []
    private let limits: ReadingLimits
    private var uncompressedSoFar: Int64 = 0

    init(path: String, limits: ReadingLimits, holds: Holds = .workbook) throws(SpreadsheetError) {
        fileName = SpreadsheetIO.fileName(of: path)
        self.limits = limits
        self.holds = holds
        var errorCode: Int32 = 0
        guard let archive = zip_open(path, ZIP_RDONLY, &errorCode) else {
            // A file that begins like a zip but has no directory at its end was cut short.
            if errorCode == ZIP_ER_NOZIP, (try? readFileStart(path, count: 4)) == [0x50, 0x4B, 0x03, 0x04] {
                throw ZipArchive.openError(code: ZIP_ER_INCONS, file: fileName, holds: holds)
            }
            throw ZipArchive.openError(code: errorCode, file: fileName, holds: holds)
        }
        self.archive = archive
        try readEntries()
    }

    /// A workbook held in memory: a member of a district's zip, which is never written to disk.
    init(bytes: [UInt8], fileName: String, limits: ReadingLimits) throws(SpreadsheetError) {
        self.fileName = fileName
        self.limits = limits
        holds = .workbook
        var error = zip_error_t()
        zip_error_init(&error)
        // libzip frees the copy when the archive is closed (the last argument).
        guard let copy = malloc(max(1, bytes.count)) else { throw ZipArchive.openError(code: ZIP_ER_MEMORY, file: fileName, holds: .workbook) }
        bytes.withUnsafeBytes { if let base = $0.baseAddress { copy.copyMemory(from: base, byteCount: bytes.count) } }
        guard let source = zip_source_buffer_create(copy, zip_uint64_t(bytes.count), 1, &error) else {
            free(copy)
            throw ZipArchive.openError(code: ZIP_ER_MEMORY, file: fileName, holds: .workbook)
        }
        guard let archive = zip_open_from_source(source, ZIP_RDONLY, &error) else {
            let code = zip_error_code_zip(&error)
            zip_source_free(source)
            throw ZipArchive.openError(code: code == ZIP_ER_NOZIP && bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) ? ZIP_ER_INCONS : code,
                                       file: fileName, holds: .workbook)
        }
        self.archive = archive
        try readEntries()
    }

    private func readEntries() throws(SpreadsheetError) {
        let count = zip_get_num_entries(archive, 0)
        for index in 0 ..< UInt64(max(0, count)) {
            guard let raw = zip_get_name(archive, index, zip_flags_t(ZIP_FL_ENC_RAW)) else { continue }
            let name = String(cString: raw)
            let key = ZipArchive.normalise(name)
            // Two parts of one name can hold two different sheets (calamine reads the last, other
            // programs the first): no reading of it can be trusted, so it is refused (deinit closes it).
            if entries[key] != nil {
                throw SpreadsheetError(.damaged, file: fileName, holds == .workbook
                    ? "The workbook is damaged: it holds two parts named \(name), so it could be read two different ways. Open it in Excel, save it again as .xlsx, and try again."
                    : "The zip file holds two files named \(name), so Pathways cannot tell which one to review. Make the zip again from the folder of exports.")
            }
            entries[key] = index
            names.append(name)
        }
    }

    /// A member's size expanded and as stored, as the archive's directory says; nil when there is no such member.
    func sizes(of name: String) -> (expanded: Int64, stored: Int64)? {
        guard let index = entries[ZipArchive.normalise(name)] else { return nil }
        var status = zip_stat_t()
        zip_stat_init(&status)
        guard zip_stat_index(archive, index, 0, &status) == 0 else { return nil }
        return (Int64(clamping: status.size), Int64(clamping: status.comp_size))
    }

    /// A member's whole contents, inflated in memory (its size was checked against the limits
    /// first; a member larger than the archive says it is stops with an error as it is read).
    func contents(of name: String) throws(SpreadsheetError) -> [UInt8] {
        guard let stream = try open(name) else { return [] }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(sizes(of: name)?.expanded ?? 0))
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 1)
        defer { chunk.deallocate() }
        while true {
            let count = try stream.read(into: chunk.baseAddress!, capacity: chunk.count)
            if count == 0 { break }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[..<count]))
        }
        return bytes
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
            throw SpreadsheetError(.passwordProtected, file: fileName, holds == .workbook
                ? "This workbook is protected with a password, so Pathways cannot read it. Open it in Excel, remove the password (File › Info › Protect Workbook), save it, and try again."
                : "Its file \(name) is protected with a password, so Pathways cannot read it. Make the zip again without a password.")
        }
        let declared = Int64(status.size)
        let compressed = max(Int64(status.comp_size), 1)
        if declared > limits.ratioCheckFloor && declared / compressed > limits.maxCompressionRatio {
            throw SpreadsheetError(.unsafeContent, file: fileName, holds == .workbook
                ? "Its part \(name) would expand \(declared / compressed) times over its stored size, as a \"zip bomb\" does, so Pathways did not read it. If the workbook is genuine, save it again from Excel."
                : "Its file \(name) would expand \(declared / compressed) times over its stored size, as a \"zip bomb\" does, so Pathways did not read it. If the exports are genuine, zip them again or drop them as a folder.")
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
            throw SpreadsheetError(.tooLarge, file: fileName, holds == .workbook
                ? "It expands to more than \(limits.maxTotalUncompressedBytes >> 30) GB, more than Pathways reads from one workbook. Split the workbook or remove sheets Pathways does not need."
                : "Its files expand to more than \(ZipArchive.size(limits.maxTotalUncompressedBytes)), more than Pathways reads as one district. Zip only the exports to review.")
        }
    }

    func damaged(_ detail: String) -> SpreadsheetError {
        SpreadsheetError(.damaged, file: fileName, holds == .workbook
            ? "The workbook is damaged: \(detail). Open it in Excel or LibreOffice, save it again as .xlsx, and try again."
            : "The zip file is damaged: \(detail). Make the zip again from the folder of exports, and try again.")
    }

    /// `8 GB`, `300 MB`, `12 KB`: a size as a finance officer reads it.
    static func size(_ bytes: Int64) -> String {
        if bytes >= 1 << 30 { return "\(formatCount(Int(bytes >> 30))) GB" }
        if bytes >= 1 << 20 { return "\(formatCount(Int(bytes >> 20))) MB" }
        return "\(formatCount(Int(max(1, bytes >> 10)))) KB"
    }

    private static func openError(code: Int32, file: String, holds: Holds) -> SpreadsheetError {
        if holds == .district {
            switch code {
            case ZIP_ER_NOZIP:
                return SpreadsheetError(.notASpreadsheet, file: file,
                    "This file is named .zip but is not a zip file; it may be damaged or misnamed. Make the zip again from the folder of exports.")
            case ZIP_ER_INCONS, ZIP_ER_EOF, ZIP_ER_READ, ZIP_ER_SEEK:
                return SpreadsheetError(.damaged, file: file,
                    "The zip file is incomplete or damaged, perhaps because it was still being copied. Copy it again, or make the zip again from the folder of exports.")
            default: break
            }
        }
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

/// One part of the package, inflated in chunks: as they are asked for, or, for a big part, on a
/// thread of its own a chunk or two ahead of the reader, so inflating and reading share two cores.
final class ZipEntryStream {
    private let part: PartInflater
    private var ahead: InflatingAhead?
    var name: String { part.name }

    init(file: OpaquePointer, name: String, declaredSize: Int64, archive: ZipArchive) {
        part = PartInflater(file: file, name: name, declaredSize: declaredSize, archive: archive)
    }

    deinit {
        // The thread inflating ahead is stopped before the part is closed: libzip is not to be
        // used by two threads at once, and the next part is opened once this one is gone.
        ahead?.stop()
        zip_fclose(part.file)
    }

    /// Inflates the rest of the part on a thread of its own, ahead of `read`. Nothing else may use
    /// the archive until this stream is gone.
    func inflateAhead(chunkSize: Int = 1 << 20) {
        guard ahead == nil else { return }
        ahead = InflatingAhead(chunkSize: chunkSize, part: part)
    }

    /// Fills up to `capacity` bytes at `destination`; 0 at the end of the part.
    func read(into destination: UnsafeMutableRawPointer, capacity: Int) throws(SpreadsheetError) -> Int {
        if let ahead { return try ahead.read(into: destination, capacity: capacity) }
        return try part.inflate(into: destination, capacity: capacity)
    }
}

/// A part's inflating, counted against what the archive says of it. One thread at a time uses
/// it: the reader's, or, once the stream inflates ahead, that thread alone.
private final class PartInflater: @unchecked Sendable {
    let file: OpaquePointer
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

    func inflate(into destination: UnsafeMutableRawPointer, capacity: Int) throws(SpreadsheetError) -> Int {
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

/// A thread that inflates chunks into a short queue while the reader takes them from its front.
private final class InflatingAhead: @unchecked Sendable {
    private let condition = NSCondition()
    private var chunks: [[UInt8]] = []
    private var front = 0  // bytes of the first chunk already taken
    private var finished = false
    private var stopped = false
    private var failure: SpreadsheetError?
    private let done = DispatchSemaphore(value: 0)
    private static let queueLength = 2

    init(chunkSize: Int, part: PartInflater) {
        let thread = Thread { [self] in
            defer { done.signal() }
            while true {
                var chunk = [UInt8](repeating: 0, count: chunkSize)
                let count: Int
                do {
                    count = try chunk.withUnsafeMutableBytes { buffer throws(SpreadsheetError) in try part.inflate(into: buffer.baseAddress!, capacity: buffer.count) }
                } catch {
                    condition.lock()
                    failure = error as? SpreadsheetError
                    finished = true
                    condition.broadcast()
                    condition.unlock()
                    return
                }
                chunk.removeSubrange(count...)
                condition.lock()
                while chunks.count >= Self.queueLength && !stopped { condition.wait() }
                if stopped || count == 0 {
                    finished = true
                    condition.broadcast()
                    condition.unlock()
                    return
                }
                chunks.append(chunk)
                condition.broadcast()
                condition.unlock()
            }
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    func read(into destination: UnsafeMutableRawPointer, capacity: Int) throws(SpreadsheetError) -> Int {
        condition.lock()
        defer { condition.unlock() }
        while chunks.isEmpty && !finished { condition.wait() }
        guard let chunk = chunks.first else {
            if let failure { throw failure }
            return 0
        }
        let count = min(capacity, chunk.count - front)
        chunk.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress! + front, byteCount: count) }
        front += count
        if front == chunk.count {
            chunks.removeFirst()
            front = 0
            condition.broadcast()
        }
        return count
    }

    /// Stops the thread and waits for it, so the part can be closed.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
        done.wait()
    }
}
