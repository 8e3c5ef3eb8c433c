import CZlib
import Dispatch
import Foundation

/// A worksheet's rows written as OOXML by Pathways itself, for the sheets of most size (the
/// district's sheets, the findings): libxlsxwriter's formatted print per cell and its deflate on
/// one core at close were most of a million-row review's write. libxlsxwriter still writes the
/// sheet's settings (widths, panes, filters, comments, tables) and every other part;
/// `WorksheetSplice` puts these rows into its package.
///
/// The XML is cut into pieces of about a megabyte, each compressed as soon as it is full on
/// whichever core is free: raw deflate ended by a sync flush and primed with the last 32 KB of the
/// piece before, as pigz does, so the pieces join into one deflate stream that any reader inflates.
/// Rows come in order, and cells in order within their row; strings are inline, as libxlsxwriter
/// writes them in constant-memory mode.
public final class WorksheetCells: @unchecked Sendable {
    /// A piece of the sheet's XML, compressed; the pieces in order make the sheet's rows.
    public struct Piece: Sendable {
        public let deflated: [UInt8]
        public let crc: UInt32
        public let size: Int
    }

    /// The compression level: zlib's default, as libxlsxwriter uses, so the file is no bigger.
    public static let level: Int32 = 6
    static let pieceSize = 1 << 20
    static let window = 32 * 1024

    private var xml: [UInt8] = []
    private var pieces: [Piece?] = []
    private var tailOfPrevious: [UInt8] = []
    private let lock = NSLock()
    private let group = DispatchGroup()
    /// Pieces waiting for a core, at most a few, so a fast writer does not hold the whole sheet.
    private let waiting = DispatchSemaphore(value: ProcessInfo.processInfo.activeProcessorCount + 1)
    private var rowDigits: [UInt8] = []
    private var rowIsOpen = false
    private var rowHeight: Double?
    private var currentRow = -1
    private var lastColumnInRow = -1
    private var hyperlinkXML: [UInt8] = []
    private var columnNames: [[UInt8]] = []

    /// The rows and columns used (from 0), for the sheet's `<dimension>`.
    public private(set) var firstRow: Int?
    public private(set) var lastRow = 0
    public private(set) var firstColumn = Int.max
    public private(set) var lastColumn = 0
    public private(set) var hyperlinkCount = 0

    public init() {
        xml.reserveCapacity(WorksheetCells.pieceSize + 64 * 1024)
    }

    // MARK: Rows and cells

    /// Starts row `row` (from 0), after every row written so far; `height` in points, if set.
    /// A row with no cells and no height is left out.
    public func startRow(_ row: Int, height: Double? = nil) {
        precondition(row > currentRow, "rows are written in order")
        endRow()
        currentRow = row
        lastColumnInRow = -1
        rowDigits.removeAll(keepingCapacity: true)
        WorksheetCells.appendDecimal(row + 1, to: &rowDigits)
        rowHeight = height
        if height != nil { openRow() }
    }

    private func openRow() {
        xml.append(contentsOf: #"<row r=""#.utf8)
        xml.append(contentsOf: rowDigits)
        if let rowHeight {
            xml.append(contentsOf: #"" ht=""#.utf8)
            appendNumber(rowHeight)
            xml.append(contentsOf: #"" customHeight="1"#.utf8)
        }
        xml.append(contentsOf: #"">"#.utf8)
        rowIsOpen = true
        if firstRow == nil { firstRow = currentRow }
        lastRow = currentRow
    }

    /// A number; one that is not finite is left out, as Excel has no such number.
    public func number(_ column: Int, _ value: Double, style: Int32) {
        guard value.isFinite else { return }
        openCell(column, style: style, type: nil)
        xml.append(contentsOf: "<v>".utf8)
        appendNumber(value)
        xml.append(contentsOf: "</v></c>".utf8)
    }

    /// The characters an Excel cell holds.
    public static let maxCellCharacters = 32_767

    /// Text, never a formula. Past the 32,767 characters an Excel cell holds it is cut, with an
    /// ellipsis (the reading reports such a cell of the district's as a data error).
    public func text(_ column: Int, _ text: String, style: Int32) {
        let limit = WorksheetCells.maxCellCharacters
        guard text.utf8.count <= limit || text.unicodeScalars.count <= limit else {
            return self.text(column, String(String.UnicodeScalarView(text.unicodeScalars.prefix(limit - 1))) + "…", style: style)
        }
        // As libxlsxwriter writes it: an empty text is an empty cell, not an empty string.
        guard !text.isEmpty else { return blank(column, style: style) }
        openCell(column, style: style, type: "inlineStr")
        // XML's own spaces at either end are kept only when the element says so.
        let isSpace = { (byte: UInt8?) in byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        let edges = isSpace(text.utf8.first) || isSpace(text.utf8.last)
        xml.append(contentsOf: (edges ? #"<is><t xml:space="preserve">"# : "<is><t>").utf8)
        WorksheetCells.escape(text, inAttribute: false, into: &xml)
        xml.append(contentsOf: "</t></is></c>".utf8)
    }

    public func boolean(_ column: Int, _ flag: Bool, style: Int32) {
        openCell(column, style: style, type: "b")
        xml.append(contentsOf: (flag ? "<v>1</v></c>" : "<v>0</v></c>").utf8)
    }

    /// An empty cell that shows its style (a fill); with no style, nothing.
    public func blank(_ column: Int, style: Int32) {
        guard style > 0 else { return }
        openCell(column, style: style, type: nil, empty: true)
    }

    /// Text that is a link to a place in the workbook (`'Sheet'!B5`), with a tip shown on hovering.
    public func link(_ column: Int, text shown: String, to location: String, tip: String, style: Int32) {
        text(column, shown, style: style)
        hyperlinkXML.append(contentsOf: #"<hyperlink ref=""#.utf8)
        hyperlinkXML.append(contentsOf: columnName(column))
        hyperlinkXML.append(contentsOf: rowDigits)
        hyperlinkXML.append(contentsOf: #"" location=""#.utf8)
        WorksheetCells.escape(location, inAttribute: true, into: &hyperlinkXML)
        hyperlinkXML.append(contentsOf: #"" display=""#.utf8)
        WorksheetCells.escape(shown, inAttribute: true, into: &hyperlinkXML)
        hyperlinkXML.append(contentsOf: #"" tooltip=""#.utf8)
        WorksheetCells.escape(tip, inAttribute: true, into: &hyperlinkXML)
        hyperlinkXML.append(contentsOf: #""/>"#.utf8)
        hyperlinkCount += 1
    }

    // MARK: Finishing

    /// The sheet's rows, compressed, with what the rest of its XML needs: its dimension and its links.
    public struct Part: Sendable {
        public let pieces: [Piece]
        /// `A1:Q2000`, or nil for a sheet with no cells.
        public let dimension: String?
        /// `<hyperlinks>…</hyperlinks>`, or empty.
        public let hyperlinks: [UInt8]
    }

    /// Waits for the last pieces to be compressed. Nothing may be written after.
    public func finish() -> Part {
        endRow()
        if !xml.isEmpty { compressPiece() }
        group.wait()
        let dimension = firstRow.map { first in
            let from = String(decoding: columnName(firstColumn == .max ? 0 : firstColumn), as: UTF8.self) + String(first + 1)
            let to = String(decoding: columnName(lastColumn), as: UTF8.self) + String(lastRow + 1)
            return from == to ? from : from + ":" + to
        }
        let hyperlinks = hyperlinkXML.isEmpty ? [] : Array("<hyperlinks>".utf8) + hyperlinkXML + Array("</hyperlinks>".utf8)
        return Part(pieces: pieces.map { $0! }, dimension: dimension, hyperlinks: hyperlinks)
    }

    private func endRow() {
        guard rowIsOpen else { return }
        xml.append(contentsOf: "</row>".utf8)
        rowIsOpen = false
        if xml.count >= WorksheetCells.pieceSize { compressPiece() }
    }

    private func openCell(_ column: Int, style: Int32, type: String?, empty: Bool = false) {
        precondition(currentRow >= 0 && column > lastColumnInRow, "cells are written in order within a started row")
        if !rowIsOpen { openRow() }
        lastColumnInRow = column
        firstColumn = min(firstColumn, column)
        lastColumn = max(lastColumn, column)
        xml.append(contentsOf: #"<c r=""#.utf8)
        xml.append(contentsOf: columnName(column))
        xml.append(contentsOf: rowDigits)
        xml.append(UInt8(ascii: "\""))
        if style > 0 {
            xml.append(contentsOf: #" s=""#.utf8)
            WorksheetCells.appendDecimal(Int(style), to: &xml)
            xml.append(UInt8(ascii: "\""))
        }
        if let type {
            xml.append(contentsOf: #" t=""#.utf8)
            xml.append(contentsOf: type.utf8)
            xml.append(UInt8(ascii: "\""))
        }
        xml.append(contentsOf: (empty ? "/>" : ">").utf8)
    }

    /// A column's letters (0 is A, 26 is AA), made once per column.
    private func columnName(_ column: Int) -> [UInt8] {
        while columnNames.count <= column {
            var letters: [UInt8] = []
            var rest = columnNames.count + 1
            while rest > 0 {
                letters.insert(UInt8(ascii: "A") + UInt8((rest - 1) % 26), at: 0)
                rest = (rest - 1) / 26
            }
            columnNames.append(letters)
        }
        return columnNames[column]
    }

    // MARK: Numbers and text

    static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            appendDecimal(-value, to: &bytes)
            return
        }
        if value >= 10 { appendDecimal(value / 10, to: &bytes) }
        bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    /// The shortest digits that read back as the same number: whole numbers and amounts to the
    /// cent (most of a ledger) directly, the rest through Swift's shortest round-trip form.
    private func appendNumber(_ value: Double) {
        let cents = (value * 100).rounded()
        if abs(cents) < 9e15, cents / 100 == value {
            let whole = Int(cents)
            if whole < 0 { xml.append(UInt8(ascii: "-")) }
            let magnitude = whole.magnitude
            WorksheetCells.appendDecimal(Int(magnitude / 100), to: &xml)
            let fraction = Int(magnitude % 100)
            if fraction != 0 {
                xml.append(UInt8(ascii: "."))
                xml.append(UInt8(ascii: "0") + UInt8(fraction / 10))
                if fraction % 10 != 0 { xml.append(UInt8(ascii: "0") + UInt8(fraction % 10)) }
            }
        } else {
            // As Excel writes them: 1E-07, 1.5E+20.
            for byte in value.description.utf8 { xml.append(byte == UInt8(ascii: "e") ? UInt8(ascii: "E") : byte) }
        }
    }

    /// XML's escapes, and Excel's `_xHHHH_` for the control characters XML cannot hold (and for a
    /// carriage return, which XML would read as a line end); a `_x` that would read as such an
    /// escape is itself escaped, as Excel does, so the text reads back as written.
    static func escape(_ text: String, inAttribute: Bool, into bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            var clean = true
            for byte in utf8 where byte < 0x20 || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "&")
                || byte == UInt8(ascii: "_") || (inAttribute && byte == UInt8(ascii: "\"")) {
                clean = false
                break
            }
            if clean {
                bytes.append(contentsOf: utf8)
                return
            }
            var index = 0
            while index < utf8.count {
                let byte = utf8[index]
                switch byte {
                case UInt8(ascii: "<"): bytes.append(contentsOf: "&lt;".utf8)
                case UInt8(ascii: ">"): bytes.append(contentsOf: "&gt;".utf8)
                case UInt8(ascii: "&"): bytes.append(contentsOf: "&amp;".utf8)
                case UInt8(ascii: "\"") where inAttribute: bytes.append(contentsOf: "&quot;".utf8)
                case UInt8(ascii: "\t") where !inAttribute, UInt8(ascii: "\n") where !inAttribute: bytes.append(byte)
                case UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                    bytes.append(contentsOf: "&#\(byte);".utf8)
                // An attribute cannot hold the other control characters at all.
                case 0 ..< 0x20 where inAttribute: bytes.append(UInt8(ascii: " "))
                case 0 ..< 0x20:
                    bytes.append(contentsOf: "_x00".utf8)
                    bytes.append(hexDigits[Int(byte >> 4)])
                    bytes.append(hexDigits[Int(byte & 15)])
                    bytes.append(UInt8(ascii: "_"))
                case UInt8(ascii: "_") where !inAttribute && WorksheetCells.looksLikeEscape(utf8, at: index):
                    bytes.append(contentsOf: "_x005F_".utf8)
                default: bytes.append(byte)
                }
                index += 1
            }
        }
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// `_x` followed by four hexadecimal digits and `_`.
    static func looksLikeEscape(_ utf8: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        guard index + 6 < utf8.count, utf8[index + 1] == UInt8(ascii: "x"), utf8[index + 6] == UInt8(ascii: "_") else { return false }
        return (index + 2 ... index + 5).allSatisfy { position in
            let byte = utf8[position] | 0x20
            return (UInt8(ascii: "0") ... UInt8(ascii: "9")).contains(utf8[position]) || (UInt8(ascii: "a") ... UInt8(ascii: "f")).contains(byte)
        }
    }

    // MARK: Compression

    private func compressPiece() {
        let piece = xml
        let dictionary = tailOfPrevious
        tailOfPrevious = Array(piece.suffix(WorksheetCells.window))
        xml.removeAll(keepingCapacity: true)
        let index = pieces.count
        pieces.append(nil)
        waiting.wait()
        DispatchQueue.global(qos: .userInitiated).async(group: group) { [self] in
            let compressed = WorksheetCells.deflate(piece, primedWith: dictionary, finishing: false)
            lock.lock()
            pieces[index] = compressed
            lock.unlock()
            waiting.signal()
        }
    }

    /// Raw deflate of `bytes`, ended by a sync flush (a stream goes on after it) or, `finishing`,
    /// by the stream's last block.
    public static func deflate(_ bytes: [UInt8], primedWith dictionary: [UInt8] = [], finishing: Bool) -> Piece {
        var stream = z_stream()
        let started = deflateInit2_(&stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(started == Z_OK, "zlib could not start compressing")
        defer { deflateEnd(&stream) }
        if !dictionary.isEmpty {
            dictionary.withUnsafeBufferPointer { _ = deflateSetDictionary(&stream, $0.baseAddress, uInt($0.count)) }
        }
        let bound = Int(deflateBound(&stream, uLong(bytes.count))) + 64
        let scratch = [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
            bytes.withUnsafeBufferPointer { source in
                // zlib reads its input through a pointer it does not write to.
                stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                stream.avail_in = uInt(source.count)
                stream.next_out = buffer.baseAddress
                stream.avail_out = uInt(buffer.count)
                let status = CZlib.deflate(&stream, finishing ? Z_FINISH : Z_SYNC_FLUSH)
                precondition(status == (finishing ? Z_STREAM_END : Z_OK) && stream.avail_in == 0, "zlib could not compress a worksheet")
            }
            count = Int(stream.total_out)
        }
        // Kept at its own size: the scratch's room for the worst case is several times what
        // XML compresses to, and a million rows' pieces are kept until the package is written.
        let output = [UInt8](unsafeUninitializedCapacity: scratch.count) { buffer, count in
            count = buffer.initialize(fromContentsOf: scratch)
        }
        let crc = bytes.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
        return Piece(deflated: output, crc: crc, size: bytes.count)
    }
}
