#if canImport(Glibc)
import Glibc
#endif
import AscentCore
import Synchronization

/// Where a service reads the time. The pure core never reads a clock; services pass this reading in.
public protocol ServiceClock: Sendable {
    /// The current instant.
    func now() -> Timestamp
}

/// The machine's real-time clock in milliseconds, never going backwards within one process.
public final class SystemClock: ServiceClock {
    private let last = Mutex<Int64>(0)

    /// The system clock.
    public init() {}

    public func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let milliseconds = Int64(spec.tv_sec) * 1_000 + Int64(spec.tv_nsec) / 1_000_000
        return last.withLock { last in
            // A wall clock stepped back by NTP must not make the authority's instants go backwards.
            last = max(last, milliseconds)
            return Timestamp(milliseconds: last)
        }
    }

    /// Monotonic nanoseconds, for measuring latencies.
    public static func monotonicNanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
