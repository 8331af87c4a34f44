import AscentLog

/// Commits a consumer's positions at most every `intervalMilliseconds` instead of after every batch.
///
/// Every part's inputs are idempotent (commands carry ids, events are deduplicated by state), so a
/// crash that loses up to one interval of commits only replays work whose effects are already in
/// the log, while each commit saved is a database transaction (and an fsync) off the hot path.
struct PositionCommitter {
    private var pending: [TopicPartition: Int64] = [:]
    private var lastCommit: UInt64 = 0
    private let intervalNanoseconds: UInt64

    init(intervalMilliseconds: UInt64 = 200) { intervalNanoseconds = intervalMilliseconds * 1_000_000 }

    /// Notes that every record up to `offset` − 1 of `partition` is done.
    mutating func processed(_ partition: TopicPartition, next offset: Int64) {
        pending[partition] = max(pending[partition] ?? 0, offset)
    }

    /// Commits what is pending when the interval has passed (or always, with `force`).
    mutating func commitIfDue(_ consumer: any LogConsumer, force: Bool = false) async throws {
        guard !pending.isEmpty else { return }
        let now = SystemClock.monotonicNanoseconds()
        guard force || now - lastCommit >= intervalNanoseconds else { return }
        try await consumer.commit(pending)
        pending = [:]
        lastCommit = now
    }
}
