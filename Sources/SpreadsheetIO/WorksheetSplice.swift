import CZip
import CZlib
import Foundation

/// Makes the finished workbook from the package libxlsxwriter wrote and the rows Pathways wrote
/// itself (`WorksheetCells`): every part is copied as it is, still compressed, except each
/// worksheet given rows, whose empty `<sheetData/>` takes them, with its dimension and links.
public enum WorksheetSplice {
    public struct SpliceError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Writes `target` from the package at `skeleton` and the rows of `parts`, by part name
    /// (`xl/worksheets/sheet3.xml`). The skeleton is left as it is.
    public static func assemble(skeleton: String, parts: [String: WorksheetCells.Part], into target: String) throws(SpliceError) {
        var code: Int32 = 0
        guard let source = zip_open(skeleton, ZIP_RDONLY, &code) else {
            throw SpliceError(description: "the workbook's parts could not be read back (\(libzipMessage(code)))")
        }
        defer { zip_discard(source) }
        guard let output = zip_open(target, ZIP_CREATE | ZIP_TRUNCATE, &code) else {
            throw SpliceError(description: libzipMessage(code))
        }
        var spliced = 0
        for index in 0 ..< zip_uint64_t(zip_get_num_entries(source, 0)) {
            var stat = zip_stat_t()
            guard zip_stat_index(source, index, 0, &stat) == 0, let name = stat.name.map({ String(cString: $0) }) else { continue }
            let entry: OpaquePointer?
            if let part = parts[name] {
                guard let xml = readWhole(source, index: index, size: Int(stat.size)),
                      let pieces = splice(part, into: xml) else {
                    zip_discard(output)
                    throw SpliceError(description: "the sheet \(name) that libxlsxwriter wrote has no place for its rows")
                }
                entry = PrecompressedSource.make(in: output, pieces: pieces, modified: stat.mtime)
                spliced += 1
            } else {
                // The whole entry, so libzip copies its compressed bytes without inflating them.
                entry = zip_source_zip(output, source, index, 0, 0, -1)
            }
            guard let entry, zip_file_add(output, name, entry, ZIP_FL_ENC_UTF_8) >= 0 else {
                let message = String(cString: zip_strerror(output))
                zip_discard(output)
                throw SpliceError(description: message)
            }
        }
        guard spliced == parts.count else {
            zip_discard(output)
            throw SpliceError(description: "\(parts.count - spliced) of the sheets Pathways wrote have no part in the workbook")
        }
        guard zip_close(output) == 0 else {
            let error = zip_get_error(output)
            let system = zip_error_code_system(error)
            let message = system != 0 && zip_error_system_type(error) == ZIP_ET_SYS ? AtomicFile.reason(errno: system) : String(cString: zip_strerror(output))
            zip_discard(output)
            throw SpliceError(description: message)
        }
    }

    /// The sheet's XML around its rows, compressed, with the rows' own pieces between; nil if the
    /// sheet has no `<sheetData>`. Pathways writes every row of such a sheet: what libxlsxwriter
    /// wrote there (an Excel table's header row) is written again in `part` and replaced.
    static func splice(_ part: WorksheetCells.Part, into xml: [UInt8]) -> [WorksheetCells.Piece]? {
        let range: Range<Int>
        if let empty = find(Array("<sheetData/>".utf8), in: xml) {
            range = empty ..< empty + "<sheetData/>".utf8.count
        } else if let start = find(Array("<sheetData>".utf8), in: xml), let end = find(Array("</sheetData>".utf8), in: xml), start < end {
            range = start ..< end + "</sheetData>".utf8.count
        } else {
            return nil
        }
        var before = Array(xml[..<range.lowerBound])
        var after = Array(xml[range.upperBound...])
        if let dimension = part.dimension, let start = find(Array("<dimension ref=\"".utf8), in: before),
           let end = before[(start + 16)...].firstIndex(of: UInt8(ascii: "\"")) {
            before.replaceSubrange((start + 16) ..< end, with: Array(dimension.utf8))
        }
        before += Array("<sheetData>".utf8)
        // Links come after the data validations and before the page's settings (ECMA-376's order).
        if !part.hyperlinks.isEmpty {
            let place = ["<printOptions", "<pageMargins", "<pageSetup", "<headerFooter", "<drawing", "<legacyDrawing", "<tableParts", "</worksheet>"]
                .lazy.compactMap { find(Array($0.utf8), in: after) }.first!
            after.insert(contentsOf: part.hyperlinks, at: place)
        }
        after = Array("</sheetData>".utf8) + after
        return [WorksheetCells.deflate(before, finishing: false)] + part.pieces + [WorksheetCells.deflate(after, finishing: true)]
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        let first = needle[0]
        var index = 0
        while index <= haystack.count - needle.count {
            if haystack[index] == first, haystack[index ..< index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    private static func readWhole(_ archive: OpaquePointer, index: zip_uint64_t, size: Int) -> [UInt8]? {
        guard let file = zip_fopen_index(archive, index, 0) else { return nil }
        defer { zip_fclose(file) }
        var bytes = [UInt8](repeating: 0, count: size)
        let read = bytes.withUnsafeMutableBytes { zip_fread(file, $0.baseAddress, zip_uint64_t(size)) }
        return read == size ? bytes : nil
    }

    private static func libzipMessage(_ code: Int32) -> String {
        var error = zip_error_t()
        zip_error_init_with_code(&error, code)
        defer { zip_error_fini(&error) }
        return String(cString: zip_error_strerror(&error))
    }
}

/// A libzip source of data already deflated: libzip writes it as it is (its method, size and CRC
/// come from here), so the pieces compressed on every core are not compressed again.
private final class PrecompressedSource {
    let pieces: [WorksheetCells.Piece]
    let size: Int
    let compressedSize: Int
    let crc: UInt32
    let modified: time_t
    var piece = 0
    var offset = 0

    init(pieces: [WorksheetCells.Piece], modified: time_t) {
        self.pieces = pieces
        self.modified = modified
        size = pieces.reduce(0) { $0 + $1.size }
        compressedSize = pieces.reduce(0) { $0 + $1.deflated.count }
        crc = pieces.reduce(UInt32(crc32(0, nil, 0))) { UInt32(crc32_combine(uLong($0), uLong($1.crc), off_t($1.size))) }
    }

    static func make(in archive: OpaquePointer, pieces: [WorksheetCells.Piece], modified: time_t) -> OpaquePointer? {
        let source = Unmanaged.passRetained(PrecompressedSource(pieces: pieces, modified: modified))
        guard let made = zip_source_function(archive, { context, data, length, command in
            PrecompressedSource.answer(Unmanaged<PrecompressedSource>.fromOpaque(context!), data, length, command)
        }, source.toOpaque()) else {
            source.release()
            return nil
        }
        return made
    }

    static func answer(_ reference: Unmanaged<PrecompressedSource>, _ data: UnsafeMutableRawPointer?, _ length: zip_uint64_t,
                       _ command: zip_source_cmd_t) -> zip_int64_t {
        let source = reference.takeUnretainedValue()
        switch command {
        case ZIP_SOURCE_OPEN:
            source.piece = 0
            source.offset = 0
            return 0
        case ZIP_SOURCE_READ:
            var written = 0
            while written < Int(length), source.piece < source.pieces.count {
                let bytes = source.pieces[source.piece].deflated
                let count = min(Int(length) - written, bytes.count - source.offset)
                bytes.withUnsafeBytes { (data! + written).copyMemory(from: $0.baseAddress! + source.offset, byteCount: count) }
                written += count
                source.offset += count
                if source.offset == bytes.count {
                    source.piece += 1
                    source.offset = 0
                }
            }
            return zip_int64_t(written)
        case ZIP_SOURCE_CLOSE:
            return 0
        case ZIP_SOURCE_STAT:
            let stat = data!.assumingMemoryBound(to: zip_stat_t.self)
            zip_stat_init(stat)
            stat.pointee.valid = zip_uint64_t(ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD | ZIP_STAT_CRC | ZIP_STAT_MTIME)
            stat.pointee.size = zip_uint64_t(source.size)
            stat.pointee.comp_size = zip_uint64_t(source.compressedSize)
            stat.pointee.comp_method = zip_uint16_t(ZIP_CM_DEFLATE)
            stat.pointee.crc = source.crc
            stat.pointee.mtime = source.modified
            return zip_int64_t(MemoryLayout<zip_stat_t>.size)
        case ZIP_SOURCE_ERROR:
            // Never asked: no command here fails.
            data?.initializeMemory(as: Int32.self, repeating: 0, count: 2)
            return zip_int64_t(2 * MemoryLayout<Int32>.size)
        case ZIP_SOURCE_FREE:
            reference.release()
            return 0
        case ZIP_SOURCE_SUPPORTS:
            return [ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, ZIP_SOURCE_SUPPORTS]
                .reduce(0) { $0 | (zip_int64_t(1) << zip_int64_t($1.rawValue)) }
        default:
            return -1
        }
    }
}
