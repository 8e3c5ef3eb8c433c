import Tabular

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
        let (encoding, decoded) = TextEncoding.decode(bytes)
        if decoded.contains(0) && encoding != .utf8WithBOM {
            throw SpreadsheetError(.notASpreadsheet, file: fileName,
                "This file holds binary data, not text, so it is not a CSV file. Save the workbook as .xlsx or .csv and try again.")
        }
        var notes = ReadingNotes(format: .csv, encoding: encoding.rawValue)
        if encoding == .windows1252 {
            notes.remarks.append("The file is not UTF-8 text, so it was read as Windows-1252, the usual encoding of older Excel and ERP exports. Check accented names and curly quotes.")
        }
        let delimiter = sniffDelimiter(decoded)
        notes.delimiter = delimiter == UInt8(ascii: "\t") ? "tab" : String(UnicodeScalar(delimiter))
        var sheet = RawSheet(name: sheetName(forFile: fileName))
        var text = decoded
        var unclosedQuoteRow: Int?
        text.withUnsafeMutableBufferPointer { buffer in
            unclosedQuoteRow = parse(buffer, delimiter: delimiter, into: &sheet)
        }
        sheet.localText = text
        if let row = unclosedQuoteRow {
            notes.remarks.append("Row \(row) opens a quoted field that is never closed, so everything after it was read into one cell. Check that row's quotation marks.")
        }
        return RawWorkbook(file: fileName, sheets: [sheet], notes: notes)
    }

    /// Splits records in place: an escaped field is unescaped over its own bytes, which the
    /// parser has already passed, so cells can refer into the buffer without copying it.
    /// Returns the row of a quoted field that never closes, if any.
    private static func parse(_ bytes: UnsafeMutableBufferPointer<UInt8>, delimiter: UInt8, into sheet: inout RawSheet) -> Int? {
        let quote = UInt8(ascii: "\""), carriageReturn: UInt8 = 13, lineFeed: UInt8 = 10
        let count = bytes.count
        var position = 0
        var column = 0
        var unclosedQuoteRow: Int?
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
                if !closed && unclosedQuoteRow == nil { unclosedQuoteRow = sheet.rowCount + 1 }
                // Text after the closing quote (`"a"b`) is kept, as spreadsheet programs do.
                while read < count, bytes[read] != delimiter, bytes[read] != lineFeed, bytes[read] != carriageReturn {
                    if write != read { bytes[write] = bytes[read] }
                    write += 1
                    read += 1
                }
                end = write
                position = read
            } else {
                while position < count {
                    let byte = bytes[position]
                    if byte == delimiter || byte == lineFeed || byte == carriageReturn { break }
                    position += 1
                }
                end = position
            }
            let length = end - start
            if length > 0 {
                let ref = TextRef.local(offset: start, length: min(length, TextRef.maxLength))
                sheet.set(column: column, kind: .text, payload: ref.bits)
            } else if isQuoted {
                sheet.set(column: column, kind: .blank, payload: 0)
            }
            // What ends the field: a delimiter, a line end, or the end of the file.
            if position < count && bytes[position] == delimiter {
                position += 1
                column += 1
                if position == count { sheet.endRow() }  // `a,b,` at the very end
                continue
            }
            if position < count && bytes[position] == carriageReturn { position += 1 }
            if position < count && bytes[position] == lineFeed { position += 1 }
            sheet.endRow()
            column = 0
        }
        return unclosedQuoteRow
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

    /// A CSV file has one sheet, named after the file: `GL Detail.csv` gives `GL Detail`.
    static func sheetName(forFile name: String) -> String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }
}

/// The last path component.
func fileName(of path: String) -> String {
    path.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? path
}
