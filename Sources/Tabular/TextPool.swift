/// The strings of a text or code column, each repeated string stored once.
///
/// Ledger columns repeat themselves (vendors, accounts, owners), so a column holds a 4-byte id
/// per row and the pool holds each distinct string's UTF-8 bytes once. Interning works on bytes,
/// so reading a million cells builds no `String` per cell. A column whose values are nearly all
/// different (journal numbers, invoice numbers) gains nothing from that, so once most strings
/// turn out to be new the pool stops looking them up and simply appends: then two ids may hold
/// the same text, and ids must be compared through their strings.
public struct TextPool: Sendable {
    /// Id 0 means blank.
    public static let blankID: UInt32 = 0

    private var bytes: [UInt8] = []
    private var starts: [Int] = [0, 0]  // id i spans bytes[starts[i] ..< starts[i + 1]]; id 0 is blank
    private var slots: [UInt32]          // open addressing: 0 empty, otherwise an id
    private var hashes: [UInt32] = [0]
    private var internCount = 0
    /// Whether equal strings are guaranteed to share one id.
    public private(set) var deduplicates = true
    private static let trialSize = 65_536

    public init() { slots = [UInt32](repeating: 0, count: 64) }

    /// Number of distinct strings.
    public var count: Int { starts.count - 2 }

    public func string(_ id: UInt32) -> String {
        if id == TextPool.blankID { return "" }
        let range = starts[Int(id)] ..< starts[Int(id) + 1]
        return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
    }

    /// How many characters (Unicode scalars) a string has, counted from its bytes.
    public func characterCount(_ id: UInt32) -> Int {
        if id == TextPool.blankID { return 0 }
        var count = 0
        for index in starts[Int(id)] ..< starts[Int(id) + 1] where bytes[index] & 0xC0 != 0x80 { count += 1 }
        return count
    }

    public mutating func intern(_ text: String) -> UInt32 {
        var text = text
        return text.withUTF8 { intern($0) }
    }

    /// The id of these bytes, adding them if they are new. Empty text is blank.
    public mutating func intern(_ text: UnsafeBufferPointer<UInt8>) -> UInt32 {
        if text.isEmpty { return TextPool.blankID }
        if !deduplicates { return append(text) }
        internCount += 1
        if internCount == TextPool.trialSize && count * 2 > internCount {
            deduplicates = false
            slots = []
            hashes = []
            return append(text)
        }
        let hash = TextPool.hash(text)
        let mask = slots.count - 1
        var slot = Int(hash) & mask
        while true {
            let id = slots[slot]
            if id == 0 { break }
            if hashes[Int(id)] == hash && matches(Int(id), text) { return id }
            slot = (slot + 1) & mask
        }
        let id = UInt32(starts.count - 1)
        bytes.append(contentsOf: text)
        starts.append(bytes.count)
        hashes.append(hash)
        slots[slot] = id
        if count * 2 > slots.count { grow() }
        return id
    }

    private mutating func append(_ text: UnsafeBufferPointer<UInt8>) -> UInt32 {
        bytes.append(contentsOf: text)
        starts.append(bytes.count)
        return UInt32(starts.count - 2)
    }

    private func matches(_ id: Int, _ text: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = starts[id]
        guard starts[id + 1] - start == text.count else { return false }
        return bytes.withUnsafeBufferPointer { stored in
            memcmp(stored.baseAddress! + start, text.baseAddress!, text.count) == 0
        }
    }

    private mutating func grow() {
        var newSlots = [UInt32](repeating: 0, count: slots.count * 2)
        let mask = newSlots.count - 1
        for id in 1 ..< hashes.count {
            var slot = Int(hashes[id]) & mask
            while newSlots[slot] != 0 { slot = (slot + 1) & mask }
            newSlots[slot] = UInt32(id)
        }
        slots = newSlots
    }

    /// Eight bytes at a time, mixed by multiplication: fast on the short strings of ledgers.
    @inline(__always)
    private static func hash(_ text: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let raw = UnsafeRawPointer(text.baseAddress!)
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(text.count)
        var index = 0
        while index + 8 <= text.count {
            hash = (hash ^ raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            hash ^= hash >> 29
            index += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while index < text.count {
            tail |= UInt64(text[index]) << shift
            shift += 8
            index += 1
        }
        hash = (hash ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        hash ^= hash >> 32
        return UInt32(truncatingIfNeeded: hash)
    }
}

@inline(__always)
private func memcmp(_ lhs: UnsafePointer<UInt8>, _ rhs: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
    for index in 0 ..< count where lhs[index] != rhs[index] { return 1 }
    return 0
}
