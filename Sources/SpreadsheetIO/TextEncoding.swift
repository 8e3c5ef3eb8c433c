/// The character encodings finance exports arrive in, and their conversion to UTF-8.
enum TextEncoding: String {
    case utf8 = "UTF-8"
    case utf8WithBOM = "UTF-8 with byte-order mark"
    case utf16LittleEndian = "UTF-16 (little-endian)"
    case utf16BigEndian = "UTF-16 (big-endian)"
    case utf16LittleEndianWithoutBOM = "UTF-16 (little-endian, without byte-order mark)"
    case utf16BigEndianWithoutBOM = "UTF-16 (big-endian, without byte-order mark)"
    case windows1252 = "Windows-1252"

    /// Finds the encoding and returns the text as UTF-8 without a byte-order mark.
    static func decode(_ bytes: [UInt8]) -> (encoding: TextEncoding, utf8: [UInt8]) {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return (.utf8WithBOM, Array(bytes.dropFirst(3))) }
        if bytes.starts(with: [0xFF, 0xFE]) { return (.utf16LittleEndian, utf16ToUTF8(bytes.dropFirst(2), bigEndian: false)) }
        if bytes.starts(with: [0xFE, 0xFF]) { return (.utf16BigEndian, utf16ToUTF8(bytes.dropFirst(2), bigEndian: true)) }
        if let bigEndian = utf16WithoutBOM(bytes) {
            return (bigEndian ? .utf16BigEndianWithoutBOM : .utf16LittleEndianWithoutBOM, utf16ToUTF8(bytes[...], bigEndian: bigEndian))
        }
        if isValidUTF8(bytes) { return (.utf8, bytes) }
        return (.windows1252, windows1252ToUTF8(bytes))
    }

    /// UTF-16 text saved without its byte-order mark (some ERP and PowerShell exports): most
    /// characters of a report are ASCII, so one byte of nearly every pair is zero, always the same
    /// one. True for big-endian, false for little-endian, nil when the text is not UTF-16.
    static func utf16WithoutBOM(_ bytes: [UInt8]) -> Bool? {
        let sample = bytes.prefix(4_096)
        let pairs = sample.count / 2
        guard pairs >= 2, sample.count % 2 == 0 || bytes.count > sample.count else { return nil }
        var zeroFirst = 0, zeroSecond = 0
        var index = sample.startIndex
        while index + 1 < sample.endIndex {
            if sample[index] == 0 { zeroFirst += 1 }
            if sample[index + 1] == 0 { zeroSecond += 1 }
            index += 2
        }
        if zeroSecond * 10 >= pairs * 7 && zeroFirst * 20 <= pairs { return false }
        if zeroFirst * 10 >= pairs * 7 && zeroSecond * 20 <= pairs { return true }
        return nil
    }

    static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            var index = 0
            let count = buffer.count
            while index < count {
                // ASCII runs eight bytes at a time.
                while index + 8 <= count,
                      UnsafeRawPointer(buffer.baseAddress! + index).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                    index += 8
                }
                guard index < count else { break }
                let lead = buffer[index]
                if lead < 0x80 { index += 1; continue }
                let length: Int
                var minimum: UInt32
                var scalar: UInt32
                switch lead {
                case 0xC2...0xDF: length = 2; minimum = 0x80; scalar = UInt32(lead & 0x1F)
                case 0xE0...0xEF: length = 3; minimum = 0x800; scalar = UInt32(lead & 0x0F)
                case 0xF0...0xF4: length = 4; minimum = 0x10000; scalar = UInt32(lead & 0x07)
                default: return false
                }
                guard index + length <= count else { return false }
                for offset in 1 ..< length {
                    let continuation = buffer[index + offset]
                    guard continuation & 0xC0 == 0x80 else { return false }
                    scalar = scalar << 6 | UInt32(continuation & 0x3F)
                }
                if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return false }
                index += length
            }
            return true
        }
    }

    private static func utf16ToUTF8(_ bytes: ArraySlice<UInt8>, bigEndian: Bool) -> [UInt8] {
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var index = bytes.startIndex
        while index + 1 < bytes.endIndex {
            let first = UInt16(bytes[index]), second = UInt16(bytes[index + 1])
            units.append(bigEndian ? first << 8 | second : second << 8 | first)
            index += 2
        }
        return Array(String(decoding: units, as: UTF16.self).utf8)
    }

    /// Windows-1252 is Latin-1 except for 0x80–0x9F, where it has curly quotes, dashes and €.
    private static let windows1252High: [UInt16] = [
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
        0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
    ]

    private static func windows1252ToUTF8(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 8)
        for byte in bytes {
            if byte < 0x80 {
                output.append(byte)
                continue
            }
            let scalar = byte < 0xA0 ? UInt32(windows1252High[Int(byte - 0x80)]) : UInt32(byte)
            output.append(contentsOf: Array(String(Unicode.Scalar(scalar)!).utf8))
        }
        return output
    }
}
