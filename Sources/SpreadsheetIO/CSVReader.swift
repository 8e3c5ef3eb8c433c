import Tabular
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads delimited text files (RFC 4180) into a one-sheet workbook.
///
/// Quoted fields may hold delimiters, doubled quotes and line breaks; lines may end in CRLF, LF
/// or CR; the last line may lack its line break. The delimiter is found among `,` `;` tab and `|`.
public enum CSVReader {
    public static let delimiters: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|")]

    public static func read(path: String) throws(SpreadsheetError) -> RawWorkbook {
        let name = fileName(of: path)
        return try read(bytes: try readWholeFile(path), fileName: name)
    }

    public static func read(bytes: [UInt8], fileName: String) throws(SpreadsheetError) -> RawWorkbook {
        var (encoding, text) = TextEncoding.decode(bytes)
        let hasNulBytes = text.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { memchr($0, 0, buffer.count) != nil } ?? false
        }
        if hasNulBytes {
            let first = text.firstIndex(of: 0)!
            let line = text[..<first].reduce(1) { $0 + ($1 == 10 ? 1 : 0) }
            let zeros = text.reduce(0) { $0 + ($1 == 0 ? 1 : 0) }
            // Text with a few stray NULs is a damaged export: apart from them it has no control
            // characters but tabs and line breaks, where binary data has them everywhere.
            let controls = text.reduce(0) { $0 + (($1 < 32 && $1 != 0 && $1 != 9 && $1 != 10 && $1 != 13) || $1 == 127 ? 1 : 0) }
            throw SpreadsheetError(.notASpreadsheet, file: fileName, zeros * 20 < text.count && controls * 100 < text.count
                ? "Line \(formatCount(line)) holds a NUL character (a zero byte), which text never has: the export is damaged there\(zeros > 1 ? ", and in \(formatCount(zeros - 1)) more places" : ""). Export the file again, or open it in Excel and save it as .xlsx or .csv."
                : "This file holds binary data, not text, so it is neither an Excel workbook nor a CSV file. Save the workbook as .xlsx or .csv and try again.")
        }
        var notes = ReadingNotes(format: .csv, encoding: encoding.rawValue)
        if encoding == .utf16LittleEndianWithoutBOM || encoding == .utf16BigEndianWithoutBOM {
            notes.remarks.append("The file is UTF-16 text without the mark that usually says so; Pathways recognised it and read it as \(encoding.rawValue).")
        }
        if encoding == .windows1252 {
            notes.remarks.append("The file is not UTF-8 text, so it was read as Windows-1252, the usual encoding of older Excel and ERP exports. Check accented names and curly quotes.")
        }
        let delimiter = sniffDelimiter(text)
        notes.delimiter = delimiter == UInt8(ascii: "\t") ? "tab" : String(UnicodeScalar(delimiter))
        var sheet = RawSheet(name: sheetName(forFile: fileName))
        sheet.fieldsArePositional = true
        let cells = text.withUnsafeMutableBufferPointer { buffer in parse(buffer, delimiter: delimiter) }
        sheet.kinds = cells.kinds
        sheet.payloads = cells.payloads
        sheet.rowStarts = cells.rowStarts
        sheet.localText = text
        sheet.problems = cells.problems
        if delimiter != UInt8(ascii: ",") { decideDecimalSeparator(sheet, notes: &notes) }
        if let unclosed = cells.unclosedQuote {
            // Every line after the opening quote went into one cell: say how many, on the row it swallowed them into.
            let ref = TextRef(bits: sheet.payloads[unclosed.cell])
            // Each line break but a last one at the very end starts a line that should have been a row.
            let swallowed = sheet.withText(ref) { bytes in
                bytes.reduce(0) { $0 + ($1 == 10 ? 1 : 0) } - (bytes.last == 10 || bytes.last == 13 ? 1 : 0)
            }
            let lines = swallowed == 1 ? "the line after it was" : "the \(formatCount(swallowed)) lines after it were"
            sheet.problems.append(RawSheet.Problem(row: unclosed.row, column: unclosed.column, text: String(sheet.text(ref).prefix(60)) + "…",
                reason: "opens a quotation mark that is never closed, so \(lines) read into this one cell instead of as rows of their own. Close the quotation mark in the export, or export the file again."))
            notes.remarks.append("Row \(unclosed.row) opens a quoted field that is never closed, so everything after it was read into one cell. Check that row's quotation marks.")
        }
        return RawWorkbook(file: fileName, sheets: [sheet], notes: notes)
    }

    /// Excel's limits, past which a file cannot be shown as it is: a row is cut at the last column
    /// and a long field is kept whole here but reported.
    public static let maxColumns = 16_384
    public static let maxCellCharacters = 32_767

    private struct Cells {
        var kinds: [RawKind] = []
        var payloads: [UInt64] = []
        var rowStarts: [Int] = [0]
        /// The quoted field that is never closed: its row (from 1), its column and its cell's index.
        var unclosedQuote: (row: Int, column: Int, cell: Int)?
        var problems: [RawSheet.Problem] = []
    }

    /// Splits records in place: an escaped field is unescaped over its own bytes, which the
    /// parser has already passed, so cells can refer into the buffer without copying it.
    private static func parse(_ bytes: UnsafeMutableBufferPointer<UInt8>, delimiter: UInt8) -> Cells {
        let quote = UInt8(ascii: "\""), carriageReturn: UInt8 = 13, lineFeed: UInt8 = 10
        var cells = Cells()
        // One table look-up per byte instead of three comparisons.
        var endsField = [Bool](repeating: false, count: 256)
        for byte in [delimiter, carriageReturn, lineFeed] { endsField[Int(byte)] = true }
        let count = bytes.count
        let estimatedCells = count / 8 + 16
        cells.kinds.reserveCapacity(estimatedCells)
        cells.payloads.reserveCapacity(estimatedCells)
        cells.rowStarts.reserveCapacity(count / 64 + 16)
        var position = 0
        var overflowFields = 0
        while position < count {
            var start = position
            var end = position
            var isQuoted = false
            if bytes[position] == quote {
                isQuoted = true
                var read = position + 1
                var write = read
                start = read
                var closed = false
                while read < count {
                    let byte = bytes[read]
                    if byte == quote {
                        if read + 1 < count && bytes[read + 1] == quote {
                            bytes[write] = quote
                            write += 1
                            read += 2
                            continue
                        }
                        read += 1
                        closed = true
                        break
                    }
                    if write != read { bytes[write] = byte }
                    write += 1
                    read += 1
                }
                if !closed && cells.unclosedQuote == nil {
                    cells.unclosedQuote = (cells.rowStarts.count, cells.kinds.count - cells.rowStarts[cells.rowStarts.count - 1], cells.kinds.count)
                }
                // Text after the closing quote (`"a"b`) is kept, as spreadsheet programs do.
                while read < count, bytes[read] != delimiter, bytes[read] != lineFeed, bytes[read] != carriageReturn {
                    if write != read { bytes[write] = bytes[read] }
                    write += 1
                    read += 1
                }
                end = write
                position = read
            } else {
                while position < count && !endsField[Int(bytes[position])] { position += 1 }
                end = position
            }
            // `="001"` is Excel's way of keeping a code's zeros in a CSV file: the cell is 001.
            if end - start >= 3, bytes[start] == UInt8(ascii: "="), bytes[start + 1] == quote, bytes[end - 1] == quote {
                start += 2
                end -= 1
            }
            let length = end - start
            let column = cells.kinds.count - cells.rowStarts[cells.rowStarts.count - 1]
            if column >= maxColumns {
                // Past Excel's last column nothing is kept (a one-line file of millions of fields
                // would otherwise take gigabytes), but the row says how many fields it had.
                overflowFields += 1
            } else if length > 0 {
                if length > maxCellCharacters, let problem = overlong(bytes, start: start, length: length, row: cells.rowStarts.count, column: column) {
                    cells.problems.append(problem)
                }
                cells.kinds.append(.text)
                cells.payloads.append(TextRef.local(offset: start, length: min(length, TextRef.maxLength)).bits)
            } else {
                cells.kinds.append(.blank)
                cells.payloads.append(0)
            }
            // What ends the field: a delimiter, a line end, or the end of the file.
            if position < count && bytes[position] == delimiter {
                position += 1
                if position == count { cells.rowStarts.append(cells.kinds.count) }  // `a,b,` at the very end
                continue
            }
            if position < count && bytes[position] == carriageReturn { position += 1 }
            if position < count && bytes[position] == lineFeed { position += 1 }
            if overflowFields > 0 {
                cells.problems.append(RawSheet.Problem(row: cells.rowStarts.count, column: maxColumns - 1, text: "",
                    reason: "is a row of \(formatCount(maxColumns + overflowFields)) fields, more than the \(formatCount(maxColumns)) columns Excel allows: only the first \(formatCount(maxColumns)) were read. Check the delimiter and the line breaks of the export."))
                overflowFields = 0
            }
            // A line with one empty field is an empty row.
            if cells.kinds.count - cells.rowStarts[cells.rowStarts.count - 1] == 1 && length == 0 && !isQuoted {
                cells.kinds.removeLast()
                cells.payloads.removeLast()
            }
            cells.rowStarts.append(cells.kinds.count)
        }
        return cells
    }

    /// A semicolon (or tab) file from a European locale writes `1.234,56`. The numbers decide:
    /// some that read only with a decimal comma (`12,50`) and none only with a decimal point
    /// (`12.50`) mean a decimal comma. Numbers that read both ways as different values (`1,234`)
    /// and nothing else to go by are said to be ambiguous, rather than quietly read one way.
    static func decideDecimalSeparator(_ sheet: RawSheet, notes: inout ReadingNotes) {
        var onlyComma = 0, onlyPoint = 0, eitherWay = 0
        var example = ""
        var looked = 0
        for index in sheet.kinds.indices where sheet.kinds[index] == .text {
            looked += 1
            if looked > 50_000 { break }
            sheet.withText(TextRef(bits: sheet.payloads[index])) { text in
                let point = ValueText.number(text), comma = ValueText.number(text, decimalComma: true)
                switch (point, comma) {
                case (nil, .some): onlyComma += 1
                case (.some, nil): onlyPoint += 1
                case (.some(let a), .some(let b)) where a != b:
                    eitherWay += 1
                    if example.isEmpty { example = String(decoding: text, as: UTF8.self) }
                default: break
                }
            }
        }
        if onlyComma > 0 && onlyPoint == 0 {
            notes.decimalComma = true
            notes.remarks.append("Numbers are written with a decimal comma (1.234,56), as European exports write them, and were read so.")
        } else if onlyComma > 0 && onlyPoint > 0 {
            notes.remarks.append("Some numbers are written with a decimal comma (12,50) and some with a decimal point (12.50), so amounts may be misread: \(formatCount(onlyComma)) were read as text. Export the file again with one number format.")
        } else if eitherWay > 0 {
            notes.remarks.append("Numbers such as \"\(example)\" could be read two ways (1,234 as one thousand two hundred and thirty-four, or as 1.234 with a decimal comma); nothing else in the file says which, so they were read with a decimal point. Check a few amounts against the finance system.")
        }
    }

    /// A field longer than an Excel cell may be, counted in characters (its bytes are UTF-8).
    private static func overlong(_ bytes: UnsafeMutableBufferPointer<UInt8>, start: Int, length: Int, row: Int, column: Int) -> RawSheet.Problem? {
        let field = UnsafeBufferPointer(rebasing: bytes[start ..< start + length])
        let characters = field.reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
        guard characters > maxCellCharacters else { return nil }
        let kept = length > TextRef.maxLength ? " Only its first \(formatCount(TextRef.maxLength)) bytes were kept." : ""
        return RawSheet.Problem(row: row, column: column, text: String(decoding: field.prefix(60), as: UTF8.self) + "…",
                                reason: "is \(formatCount(characters)) characters long, more than the \(formatCount(maxCellCharacters)) an Excel cell can hold, so the reviewed copy shows only its beginning.\(kept) Check the export: a missing line break or quotation mark often joins many values into one.")
    }

    /// The delimiter that splits the first lines most consistently into the most fields.
    static func sniffDelimiter(_ bytes: [UInt8]) -> UInt8 {
        let sample = bytes.prefix(64 * 1024)
        var counts = [[Int]](repeating: [], count: delimiters.count)
        var current = [Int](repeating: 0, count: delimiters.count)
        var inQuotes = false
        var lines = 0
        for byte in sample {
            if byte == UInt8(ascii: "\"") { inQuotes.toggle(); continue }
            if inQuotes { continue }
            if byte == 10 || byte == 13 {
                if current.contains(where: { $0 > 0 }) || byte == 10 {
                    for index in delimiters.indices { counts[index].append(current[index]) }
                    current = [Int](repeating: 0, count: delimiters.count)
                    lines += 1
                    if lines >= 50 { break }
                }
                continue
            }
            if let index = delimiters.firstIndex(of: byte) { current[index] += 1 }
        }
        if lines < 50 { for index in delimiters.indices { counts[index].append(current[index]) } }
        var best = delimiters[0]
        var bestScore = (0, 0)
        for (index, delimiter) in delimiters.enumerated() {
            let perLine = counts[index].filter { $0 > 0 }
            guard !perLine.isEmpty else { continue }
            var frequency: [Int: Int] = [:]
            for count in perLine { frequency[count, default: 0] += 1 }
            let (mode, modeLines) = frequency.max { ($0.value, $0.key) < ($1.value, $1.key) }!
            let score = (modeLines, mode)
            if score > bestScore {
                bestScore = score
                best = delimiter
            }
        }
        return best
    }

    /// A CSV file has one sheet, named after the file: `GL Detail.csv` gives `GL Detail`, and so
    /// does `springfield.zip/GL Detail.csv`, a file in a zip.
    static func sheetName(forFile path: String) -> String {
        let name = fileName(of: path)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }
}

/// The last path component.
func fileName(of path: String) -> String {
    path.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? path
}
