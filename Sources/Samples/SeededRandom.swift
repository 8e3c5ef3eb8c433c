/// SplitMix64: the same seed gives the same numbers on every machine and Swift version, which the
/// standard library's generators do not promise. The samples and their answer keys depend on it.
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    /// A whole number in the range, both ends included.
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    /// A fraction in [0, 1).
    mutating func fraction() -> Double { Double(next() >> 11) / Double(1 << 53) }

    mutating func double(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + fraction() * (range.upperBound - range.lowerBound)
    }

    mutating func pick<Element>(_ choices: [Element]) -> Element { choices[int(0 ... choices.count - 1)] }
}
