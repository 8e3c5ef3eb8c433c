/// One result slot per task of a `DispatchQueue.concurrentPerform` loop. Each task writes only its
/// own slot and the caller reads them after the loop returns, so no two threads touch one slot.
public final class ParallelSlots<Element>: @unchecked Sendable {
    private let slots: UnsafeMutablePointer<Element?>
    private let count: Int

    public init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil, count: count)
    }

    public subscript(index: Int) -> Element? {
        get { slots[index] }
        set { slots[index] = newValue }
    }

    public func deallocate() {
        slots.deinitialize(count: count)
        slots.deallocate()
    }
}
