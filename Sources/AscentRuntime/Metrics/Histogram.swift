import Synchronization

/// A distribution of durations (request latency, round settle time) in fixed buckets, exposed as
/// Prometheus `_bucket{le=...}`, `_sum` and `_count` series.
///
/// Observing is a bucket search over a few bounds plus two atomic adds: no lock, no allocation.
/// Bounds are kept in nanoseconds so an observation from a monotonic clock needs no conversion.
public final class Histogram: @unchecked Sendable {
    // @unchecked: `counts` is a fixed array of atomics allocated in init and freed in deinit;
    // every access after init goes through the atomics.

    /// Upper bounds (in seconds) of the Prometheus default-style latency buckets, 0.5 ms to 10 s.
    public static let defaultLatencyBuckets: [Double] = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]

    /// Upper bounds of the buckets in seconds, strictly increasing, without +Inf.
    public let upperBounds: [Double]
    private let boundsNanoseconds: [UInt64]
    /// One non-cumulative count per bound, then one for observations above the last bound.
    private let counts: UnsafeMutablePointer<Atomic<UInt64>>
    private let sumNanoseconds = Atomic<UInt64>(0)

    init(upperBounds: [Double]) {
        precondition(!upperBounds.isEmpty, "a histogram needs at least one bucket")
        for (index, bound) in upperBounds.enumerated() {
            precondition(bound.isFinite && bound > 0, "histogram bounds must be positive and finite (got \(bound))")
            if index > 0 {
                precondition(bound > upperBounds[index - 1], "histogram bounds must be strictly increasing")
            }
        }
        self.upperBounds = upperBounds
        self.boundsNanoseconds = upperBounds.map { UInt64(($0 * 1e9).rounded()) }
        counts = .allocate(capacity: upperBounds.count + 1)
        for index in 0...upperBounds.count {
            (counts + index).initialize(to: Atomic<UInt64>(0))
        }
    }

    deinit {
        counts.deinitialize(count: upperBounds.count + 1)
        counts.deallocate()
    }

    /// Records one observation of `nanoseconds` (e.g. the difference of two monotonic readings).
    public func observe(nanoseconds: UInt64) {
        // Linear scan: a dozen or so bounds fit in two cache lines, and latencies cluster low.
        var index = 0
        let bounds = boundsNanoseconds
        while index < bounds.count, nanoseconds > bounds[index] {
            index += 1
        }
        counts[index].wrappingAdd(1, ordering: .relaxed)
        sumNanoseconds.wrappingAdd(nanoseconds, ordering: .relaxed)
    }

    /// Records one observation of a `Duration` (negative durations count as zero).
    public func observe(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0, attoseconds >= 0 else { return observe(nanoseconds: 0) }
        let nanoseconds = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        let total = nanoseconds.partialValue.addingReportingOverflow(UInt64(attoseconds / 1_000_000_000))
        observe(nanoseconds: nanoseconds.overflow || total.overflow ? .max : total.partialValue)
    }

    /// Records one observation given in seconds (negative values count as zero).
    public func observe(seconds: Double) {
        guard seconds > 0 else { return observe(nanoseconds: 0) }
        let nanoseconds = seconds * 1e9
        observe(nanoseconds: nanoseconds >= 1.8e19 ? .max : UInt64(nanoseconds))
    }

    /// Times `body` with the monotonic clock and records how long it took.
    public func time<Result, Failure: Error>(_ body: () throws(Failure) -> Result) throws(Failure) -> Result {
        let start = MonotonicClock.nanoseconds()
        defer { observe(nanoseconds: MonotonicClock.nanoseconds() &- start) }
        return try body()
    }

    /// A consistent-enough copy for rendering: cumulative counts per bound, total count, sum.
    struct Snapshot {
        var cumulativeCounts: [UInt64]
        var count: UInt64
        var sumSeconds: Double
    }

    func snapshot() -> Snapshot {
        var cumulative: [UInt64] = []
        cumulative.reserveCapacity(upperBounds.count)
        var running: UInt64 = 0
        for index in 0..<upperBounds.count {
            running &+= counts[index].load(ordering: .relaxed)
            cumulative.append(running)
        }
        // _count is derived from the buckets so that it always equals the +Inf bucket.
        running &+= counts[upperBounds.count].load(ordering: .relaxed)
        let sum = Double(sumNanoseconds.load(ordering: .relaxed)) / 1e9
        return Snapshot(cumulativeCounts: cumulative, count: running, sumSeconds: sum)
    }

    /// The number of observations so far.
    public var count: UInt64 { snapshot().count }

    /// The sum of all observations in seconds.
    public var sumSeconds: Double { snapshot().sumSeconds }
}
