/// Direct, read-only access to a sheet's cells for the loops that turn them into typed columns:
/// no bounds-checked array access or reference counting per cell. Valid only inside
/// `RawSheet.withView(_:)`, during which the sheet is not mutated, so concurrent readers are safe.
struct RawSheetView: @unchecked Sendable {
    let kinds: UnsafeBufferPointer<RawKind>
    let payloads: UnsafeBufferPointer<UInt64>
    let styles: UnsafeBufferPointer<UInt16>
    let rowStarts: UnsafeBufferPointer<Int>
    let localText: UnsafeBufferPointer<UInt8>
    let sharedText: UnsafeBufferPointer<UInt8>
    let sharedStarts: UnsafeBufferPointer<Int>
    let numberFormats: UnsafeBufferPointer<NumberFormat>

    var rowCount: Int { rowStarts.count - 1 }

    /// The index of a cell in the flat arrays, or nil when the row is shorter.
    @inline(__always) func index(row: Int, column: Int) -> Int? {
        let start = rowStarts[row]
        return column < rowStarts[row + 1] - start ? start + column : nil
    }

    @inline(__always) func kind(_ index: Int?) -> RawKind {
        guard let index else { return .blank }
        return kinds[index]
    }

    @inline(__always) func number(_ index: Int) -> Double { Double(bitPattern: payloads[index]) }

    @inline(__always) func format(_ index: Int) -> NumberFormat {
        guard !styles.isEmpty else { return .general }
        let style = Int(styles[index])
        return style < numberFormats.count ? numberFormats[style] : .general
    }

    /// A text cell's UTF-8 bytes.
    @inline(__always) func text(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        let ref = TextRef(bits: payloads[index])
        if ref.isShared {
            let start = sharedStarts[ref.sharedIndex]
            return UnsafeBufferPointer(rebasing: sharedText[start ..< sharedStarts[ref.sharedIndex + 1]])
        }
        return UnsafeBufferPointer(rebasing: localText[ref.offset ..< ref.offset + ref.length])
    }
}

extension RawSheet {
    func withView<Result>(_ body: (RawSheetView) throws -> Result) rethrows -> Result {
        try kinds.withUnsafeBufferPointer { kinds in
            try payloads.withUnsafeBufferPointer { payloads in
                try styles.withUnsafeBufferPointer { styles in
                    try rowStarts.withUnsafeBufferPointer { rowStarts in
                        try localText.withUnsafeBufferPointer { localText in
                            try sharedStrings.bytes.withUnsafeBufferPointer { sharedText in
                                try sharedStrings.starts.withUnsafeBufferPointer { sharedStarts in
                                    try numberFormats.withUnsafeBufferPointer { numberFormats in
                                        try body(RawSheetView(kinds: kinds, payloads: payloads, styles: styles, rowStarts: rowStarts,
                                                              localText: localText, sharedText: sharedText,
                                                              sharedStarts: sharedStarts, numberFormats: numberFormats))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
