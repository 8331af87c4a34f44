import Synchronization

/// A monotonically increasing count (bets placed, errors seen), kept as a handle so the hot path
/// is one atomic add: no lock, no lookup, no allocation.
public final class Counter: Sendable {
    private let storage = Atomic<UInt64>(0)

    init() {}

    /// Adds one.
    @inlinable
    public func increment() {
        increment(by: 1)
    }

    /// Adds `amount`, which must not be negative (a counter never goes down).
    public func increment(by amount: Int) {
        precondition(amount >= 0, "a counter cannot decrease (got \(amount))")
        storage.wrappingAdd(UInt64(amount), ordering: .relaxed)
    }

    /// The current count.
    public var value: UInt64 {
        storage.load(ordering: .relaxed)
    }
}
