import AscentLog

extension EventLog {
    /// Reads `partition` from `offset` up to its end as it was when the call began, handing records
    /// to `body` in batches of at most `batchSize`; memory stays bounded by one batch.
    /// With `until`, it stops before that offset instead.
    public func readToEnd(_ partition: TopicPartition, from offset: Int64 = 0, until: Int64? = nil, batchSize: Int = 2_000,
                          _ body: ([LogRecord]) throws -> Void) async throws {
        guard let current = try await endOffsets([partition])[partition] else { return }
        let end = min(current, until ?? current)
        guard end > offset else { return }
        let consumer = try await makeConsumer(.positions([partition: offset]))
        var next = offset
        var emptyPolls = 0
        do {
            // Offsets need not be contiguous (Kafka transaction markers, compaction): when the log
            // keeps answering with nothing although `end` is not reached, what is left is not records.
            while next < end && emptyPolls < 5 {
                let batch = try await consumer.poll(maxRecords: batchSize, timeoutMilliseconds: 1_000)
                    .records.filter { $0.topicPartition == partition && $0.offset >= next && $0.offset < end }
                if let last = batch.last { next = last.offset + 1 }
                emptyPolls = batch.isEmpty ? emptyPolls + 1 : 0
                if !batch.isEmpty { try body(batch) }
            }
        } catch {
            try? await consumer.close()
            throw error
        }
        try await consumer.close()
    }
}
