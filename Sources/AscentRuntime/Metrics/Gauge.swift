import Synchronization

/// A value that goes up and down (open connections, in-flight rounds), set or adjusted atomically.
///
/// The value is a `Double` stored as its bit pattern in one atomic word, so `set` is a single
/// atomic store and `add` a short compare-and-exchange loop; neither takes a lock.
public final class Gauge: Sendable {
    private let bits = Atomic<UInt64>(Double(0).bitPattern)

    init() {}

    /// Replaces the value.
    public func set(_ value: Double) {
        bits.store(value.bitPattern, ordering: .relaxed)
    }

    /// Adds `delta` (negative to subtract).
    public func add(_ delta: Double) {
        var current = bits.load(ordering: .relaxed)
        while true {
            let next = (Double(bitPattern: current) + delta).bitPattern
            let (exchanged, original) = bits.weakCompareExchange(
                expected: current, desired: next, successOrdering: .relaxed, failureOrdering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    /// Adds one.
    public func increment() { add(1) }

    /// Subtracts one.
    public func decrement() { add(-1) }

    /// The current value.
    public var value: Double {
        Double(bitPattern: bits.load(ordering: .relaxed))
    }
}
