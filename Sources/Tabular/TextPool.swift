/// Distinct strings of a text or code column, each stored once.
///
/// Ledger columns repeat themselves (vendors, accounts, owners), so a column holds a 4-byte id
/// per row and the pool holds each distinct string's UTF-8 bytes once. Interning works on bytes,
/// so reading a million cells builds no `String` per cell.
public struct TextPool: Sendable {
    /// Id 0 means blank.
    public static let blankID: UInt32 = 0

    private var bytes: [UInt8] = []
    private var starts: [Int] = [0, 0]  // id i spans bytes[starts[i] ..< starts[i + 1]]; id 0 is blank
    private var slots: [UInt32]          // open addressing: 0 empty, otherwise an id
    private var hashes: [UInt32] = [0]

    public init() { slots = [UInt32](repeating: 0, count: 64) }

    /// Number of distinct strings.
    public var count: Int { starts.count - 2 }

    public func string(_ id: UInt32) -> String {
        if id == TextPool.blankID { return "" }
        let range = starts[Int(id)] ..< starts[Int(id) + 1]
        return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
    }

    public func withBytes<Result>(_ id: UInt32, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        let range = starts[Int(id)] ..< starts[Int(id) + 1]
        return try bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    public mutating func intern(_ text: String) -> UInt32 {
        var text = text
        return text.withUTF8 { intern($0) }
    }

    /// The id of these bytes, adding them if they are new. Empty text is blank.
    public mutating func intern(_ text: UnsafeBufferPointer<UInt8>) -> UInt32 {
        if text.isEmpty { return TextPool.blankID }
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

    private static func hash(_ text: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var hash: UInt32 = 2_166_136_261  // FNV-1a
        for byte in text { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return hash
    }
}

@inline(__always)
private func memcmp(_ lhs: UnsafePointer<UInt8>, _ rhs: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
    for index in 0 ..< count where lhs[index] != rhs[index] { return 1 }
    return 0
}
