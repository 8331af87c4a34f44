import AscentLog
import Synchronization

/// Appends batches of records in the order they were given, one append at a time, while its owner
/// goes on deciding: the round authority reads and decides the next cash-out at its own clock while
/// a large batch (thousands of auto cash-outs reached at one instant) is still being written.
///
/// Order is kept: a batch is appended only after every batch given before it, and batches waiting
/// together go out in one append. The input positions handed in with a batch become `durable` once
/// it is appended, so the owner commits an input only after the events it caused are in the log. A
/// failed append stops the appender: everything queued after it is dropped and `check()` throws, so
/// the owner stops and recovers from the log, as it would had it appended the batch itself.
public final class OrderedAppender: @unchecked Sendable {
    // @unchecked Sendable: `state` is a Mutex; `log` and the metrics are thread-safe.
    private struct Batch {
        /// The records, or what they are made from until it is the batch's turn (`enqueue(size:…)`).
        var records: @Sendable () -> [OutgoingRecord]
        /// How many records (or entries) the batch counts for in the backlog and in one append.
        var size: Int
        var positions: [TopicPartition: Int64]
        var onAppended: @Sendable () -> Void
    }

    private struct State: ~Copyable {
        var queue: [Batch] = []
        var queuedRecords = 0
        var writing: Task<Void, Never>?
        var durable: [TopicPartition: Int64] = [:]
        var failure: (any Error)?
    }

    private let log: any EventLog
    private let maxRecordsPerAppend: Int
    private let observeAppend: @Sendable (UInt64) -> Void
    private let state = Mutex(State())

    /// An appender on `log`; `observeAppend` gets each append's duration in nanoseconds.
    public init(log: any EventLog, maxRecordsPerAppend: Int = 5_000, observeAppend: @escaping @Sendable (UInt64) -> Void = { _ in }) {
        self.log = log
        self.maxRecordsPerAppend = maxRecordsPerAppend
        self.observeAppend = observeAppend
    }

    /// Records given but not yet appended (counted by `size` for batches made later).
    public var backlog: Int { state.withLock { $0.queuedRecords } }

    /// Queues `records`; `positions` (inputs fully handled once they are appended) become durable,
    /// and `onAppended` runs, after the append.
    public func enqueue(_ records: [OutgoingRecord], positions: [TopicPartition: Int64] = [:], onAppended: @escaping @Sendable () -> Void = {}) {
        enqueue(size: records.count, positions: positions, onAppended: onAppended) { records }
    }

    /// Queues the records `make` builds, counted as `size` in the backlog; `make` runs on the
    /// appender's task when the batch's turn comes, not on the caller's. Encoding the thousands of
    /// cash-outs one instant sets off takes milliseconds the owner spends deciding the next request
    /// instead (the order of the log is the order of `enqueue` all the same).
    public func enqueue(size: Int, positions: [TopicPartition: Int64] = [:], onAppended: @escaping @Sendable () -> Void = {},
                        make: @escaping @Sendable () -> [OutgoingRecord]) {
        if size == 0 && positions.isEmpty { return }
        state.withLock { state in
            guard state.failure == nil else { return }
            state.queue.append(Batch(records: make, size: size, positions: positions, onAppended: onAppended))
            state.queuedRecords += size
            // An unstructured task runs on the global pool, whatever executor the caller prefers.
            if state.writing == nil { state.writing = Task { await self.write() } }
        }
    }

    /// Throws the error of a failed append, if one failed.
    public func check() throws {
        if let failure = state.withLock({ $0.failure }) { throw failure }
    }

    /// The input positions whose events are all appended, handed over once.
    public func takeDurablePositions() -> [TopicPartition: Int64] {
        state.withLock { state in
            defer { state.durable = [:] }
            return state.durable
        }
    }

    /// Waits until everything queued so far is appended (or an append failed), then throws a failure.
    public func flush() async throws {
        while let writing = state.withLock({ $0.writing }) { await writing.value }
        try check()
    }

    private func write() async {
        while true {
            // Take the queued batches that fit one append (at least one); stop when none are left.
            let batches = state.withLock { state -> [Batch] in
                var count = 0, records = 0
                for batch in state.queue {
                    if count > 0 && records + batch.size > maxRecordsPerAppend { break }
                    count += 1
                    records += batch.size
                }
                if count == 0 { state.writing = nil }
                let taken = Array(state.queue.prefix(count))
                state.queue.removeFirst(count)
                return taken
            }
            if batches.isEmpty { return }
            let records = batches.flatMap { $0.records() }
            do {
                if !records.isEmpty {
                    let started = SystemClock.monotonicNanoseconds()
                    _ = try await log.append(records)
                    observeAppend(SystemClock.monotonicNanoseconds() - started)
                }
            } catch {
                state.withLock { state in
                    state.failure = error
                    state.queue = []
                    state.queuedRecords = 0
                    state.writing = nil
                }
                return
            }
            state.withLock { state in
                state.queuedRecords -= batches.reduce(0) { $0 + $1.size }
                for batch in batches {
                    state.durable.merge(batch.positions) { max($0, $1) }
                }
            }
            for batch in batches { batch.onAppended() }
        }
    }
}
