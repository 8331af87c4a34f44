import AscentLog
import Foundation
import Synchronization

/// The embedded `EventLog`: topics, partitions, offsets, idempotent producers and consumer groups
/// in PostgreSQL tables (migrations/0001_log.sql; design in docs/log.md). Expects a migrated
/// database. Each instance is one producer: its appends go through one writer connection that
/// folds concurrent appends into one `log_append` call per round trip (group commit).
public final class PostgresEventLog: EventLog {
    /// How the log connects, batches and keeps group members alive.
    public struct Configuration: Sendable {
        /// The libpq URL of a migrated database.
        public var databaseURL: String
        /// Most records in one append transaction.
        public var maxBatchRecords = 5_000
        /// Most key+value bytes in one append transaction (a single larger record goes alone).
        public var maxBatchBytes = 16 << 20
        /// Largest value accepted, in bytes.
        public var maxRecordBytes = 64 << 20
        /// Most records waiting for the writer; beyond it `append` fails with a retriable error.
        public var maxPendingRecords = 200_000
        /// Tries per append transaction when the connection drops (outcome unknown).
        public var appendAttempts = 5
        /// A member whose lease is not renewed for this long is expelled from its group.
        public var sessionTimeoutMilliseconds = 10_000
        /// How often a polling member renews its lease.
        public var heartbeatIntervalMilliseconds = 1_000
        /// Most value bytes one poll returns (at least one record always).
        public var maxFetchBytes = 16 << 20
        /// Fault injection for tests: the first attempts of this many append transactions behave as if
        /// the connection dropped after COMMIT and before its acknowledgement, so each is retried
        /// with the same producer sequences and must not be stored twice.
        public var simulatedLostAcknowledgements = 0

        /// The prefix of this log's sessions' application_name (`<prefix>-writer`, `-admin`,
        /// `-consumer`), to find them in pg_stat_activity.
        public var applicationName = "ascent-log"

        /// The nice value of this log's threads and, where permitted, its sessions (`Niceness`):
        /// `Niceness.background` for a background part's log in the embedded stack, else 0.
        public var niceness: Int32 = 0

        /// Defaults for `databaseURL`.
        public init(databaseURL: String) { self.databaseURL = databaseURL }

        /// Defaults for one part of the system (`authority`, `wallet`, …): its sessions are named
        /// `ascent-<part>-writer`, `-consumer`, `-admin`, at nice value `niceness`.
        public init(databaseURL: String, part: String, niceness: Int32 = 0) {
            self.init(databaseURL: databaseURL)
            applicationName = "ascent-\(part)"
            self.niceness = niceness
        }
    }

    /// The configuration the log runs with.
    public let configuration: Configuration
    private let writer: PQWorker
    private let admin: PQWorker
    private let producer: ProducerState
    private let queue = Mutex(AppendQueue())

    /// A log on the database in `configuration` (connections open on first use).
    public init(configuration: Configuration) {
        self.configuration = configuration
        writer = PQWorker(url: configuration.databaseURL, name: configuration.applicationName + "-writer", niceness: configuration.niceness)
        admin = PQWorker(url: configuration.databaseURL, name: configuration.applicationName + "-admin", niceness: configuration.niceness)
        producer = ProducerState(simulatedLostAcknowledgements: configuration.simulatedLostAcknowledgements)
    }

    /// A log with default settings on `databaseURL`.
    public convenience init(databaseURL: String) { self.init(configuration: Configuration(databaseURL: databaseURL)) }

    public func createTopic(_ topic: String, partitions: Int32, retention: TopicRetention) async throws {
        try Self.validate(topic: topic)
        guard (1...10_000).contains(partitions) else {
            throw LogError(code: "invalid_partitions", reason: "a topic has 1 to 10000 partitions, not \(partitions)",
                           operation: "create topic \(topic)", isRetriable: false)
        }
        let retentionParameter: PQParameter = switch retention {
        case .forever: .null
        case .milliseconds(let milliseconds): .int(milliseconds)
        }
        let existing = try await admin.runLogged("create topic \(topic)") { connection throws(PQError) in
            _ = try connection.execute("""
                with created as (
                    insert into log_topics (topic, partitions, retention_ms) values ($1, $2, $3)
                    on conflict (topic) do nothing returning topic, partitions)
                insert into log_partitions (topic, partition)
                select created.topic, p from created, generate_series(0, created.partitions - 1) as p
                """, [.text(topic), .int(partitions), retentionParameter], operation: "create topic \(topic)")
            return try connection.execute("select partitions from log_topics where topic = $1", [.text(topic)],
                                          operation: "create topic \(topic)").int64(0, 0)
        }
        guard existing == Int64(partitions) else {
            throw LogError(code: "topic_exists", reason: "topic \(topic) exists with \(existing ?? 0) partitions, not \(partitions)",
                           operation: "create topic \(topic)", isRetriable: false)
        }
    }

    public func partitionCount(of topic: String) async throws -> Int32 {
        let count = try await admin.runLogged("partition count of \(topic)") { connection throws(PQError) in
            let result = try connection.execute("select partitions from log_topics where topic = $1", [.text(topic)],
                                                operation: "partition count of \(topic)")
            return result.rows.isEmpty ? nil : result.int64(0, 0)
        }
        guard let count else { throw Self.unknownTopic(topic, operation: "partition count") }
        return Int32(count)
    }

    public func endOffsets(_ partitions: [TopicPartition]) async throws -> [TopicPartition: Int64] {
        if partitions.isEmpty { return [:] }
        var topics = PQArrayLiteral()
        var numbers = PQArrayLiteral()
        for partition in partitions {
            topics.append(text: partition.topic)
            numbers.append(partition.partition)
        }
        let (topicList, numberList) = (topics.text, numbers.text)
        let result = try await admin.runLogged("end offsets") { connection throws(PQError) in
            try connection.execute("""
                select p.topic, p.partition, p.next_offset
                  from log_partitions p join unnest($1::text[], $2::int4[]) as wanted (topic, partition)
                    on p.topic = wanted.topic and p.partition = wanted.partition
                """, [.text(topicList), .text(numberList)], operation: "end offsets")
        }
        var ends: [TopicPartition: Int64] = [:]
        for row in result.rows.indices {
            ends[TopicPartition(topic: result.text(row, 0)!, partition: Int32(result.int64(row, 1)!))] = result.int64(row, 2)!
        }
        if let missing = partitions.first(where: { ends[$0] == nil }) {
            throw LogError(code: "unknown_partition", reason: "no partition \(missing)", operation: "end offsets", isRetriable: false)
        }
        return ends
    }

    public func makeConsumer(_ subscription: Subscription) async throws -> any LogConsumer {
        switch subscription {
        case .group(let group, let topics, _):
            guard !group.isEmpty, !topics.isEmpty else {
                throw LogError(code: "invalid_subscription", reason: "a group subscription needs a group name and topics",
                               operation: "make consumer", isRetriable: false)
            }
        case .positions(let positions):
            if let negative = positions.first(where: { $0.value < 0 }) {
                throw LogError(code: "invalid_subscription", reason: "negative offset for \(negative.key)",
                               operation: "make consumer", isRetriable: false)
            }
        }
        return PostgresLogConsumer(configuration: configuration, subscription: subscription)
    }

    public func shutdown() async throws {
        // Jobs already queued (appends in flight) still run; then the threads end.
        writer.stop()
        admin.stop()
    }

    // MARK: - Appending

    public func append(_ records: [OutgoingRecord]) async throws -> [AppendResult] {
        if records.isEmpty { return [] }
        for record in records {
            try Self.validate(topic: record.topic)
            if record.value.count + record.key.count > configuration.maxRecordBytes {
                throw LogError(code: "record_too_large",
                               reason: "a record of \(record.value.count + record.key.count) bytes exceeds \(configuration.maxRecordBytes)",
                               operation: "append to \(record.topic)", isRetriable: false)
            }
        }
        var results: [AppendResult] = []
        results.reserveCapacity(records.count)
        var start = 0
        while start < records.count {
            var end = start
            var bytes = 0
            while end < records.count, end - start < configuration.maxBatchRecords {
                let size = records[end].key.count + records[end].value.count
                if end > start && bytes + size > configuration.maxBatchBytes { break }
                bytes += size
                end += 1
            }
            results += try await appendChunk(Array(records[start..<end]), bytes: bytes)
            start = end
        }
        return results
    }

    private func appendChunk(_ records: [OutgoingRecord], bytes: Int) async throws -> [AppendResult] {
        let limit = configuration.maxPendingRecords
        let result: Result<[AppendResult], LogError> = await withCheckedContinuation { continuation in
            let request = PendingAppend(records: records, bytes: bytes, continuation: continuation)
            let (accepted, mustSchedule) = queue.withLock { queue -> (Bool, Bool) in
                guard queue.pendingRecords + records.count <= limit else { return (false, false) }
                queue.pending.append(request)
                queue.pendingRecords += records.count
                defer { queue.drainScheduled = true }
                return (true, !queue.drainScheduled)
            }
            guard accepted else {
                continuation.resume(returning: .failure(LogError(code: "queue_full",
                    reason: "\(limit) records already wait to be appended", operation: "append", isRetriable: true)))
                return
            }
            if mustSchedule, case .failure(let error) = writer.enqueue("append", { [self] in drain() }) {
                let stranded = queue.withLock { queue in
                    defer { queue.pending.removeAll(); queue.pendingRecords = 0; queue.drainScheduled = false }
                    return queue.pending
                }
                for request in stranded { request.continuation.resume(returning: .failure(Self.logError(error))) }
            }
        }
        return try result.get()
    }

    /// Appends everything queued, a bounded batch per transaction. Writer thread only.
    private func drain() {
        while true {
            let batch = queue.withLock { queue -> [PendingAppend] in
                var count = 0
                var records = 0
                var bytes = 0
                for next in queue.pending {
                    if count > 0 && (records + next.records.count > configuration.maxBatchRecords
                                     || bytes + next.bytes > configuration.maxBatchBytes) { break }
                    count += 1
                    records += next.records.count
                    bytes += next.bytes
                }
                // One removal for the whole prefix: removing one at a time is quadratic under load.
                let taken = Array(queue.pending.prefix(count))
                queue.pending.removeFirst(count)
                queue.pendingRecords -= records
                if taken.isEmpty { queue.drainScheduled = false }
                return taken
            }
            if batch.isEmpty { return }
            appendBatch(batch)
        }
    }

    /// One `log_append` call for `batch`, retried on connection loss with the same sequences.
    private func appendBatch(_ batch: [PendingAppend]) {
        // Where each record goes; a request naming an unknown topic or partition fails alone.
        var accepted: [(request: PendingAppend, partitions: [TopicPartition])] = []
        let unknownTopics = Set(batch.flatMap { $0.records.map(\.topic) }).filter { producer.partitionCounts[$0] == nil }
        if !unknownTopics.isEmpty {
            do throws(PQError) {
                try loadPartitionCounts(Array(unknownTopics))
            } catch {
                if error.isConnectionLoss { writer.dropConnection() }
                for request in batch { request.continuation.resume(returning: .failure(Self.logError(error))) }
                return
            }
        }
        for request in batch {
            do throws(LogError) {
                accepted.append((request, try request.records.map(resolvePartition)))
            } catch {
                request.continuation.resume(returning: .failure(error))
            }
        }
        if accepted.isEmpty { return }

        // Group records by partition (order kept within each), partitions sorted for lock order.
        var groups: [TopicPartition: [(request: Int, index: Int)]] = [:]
        for (requestIndex, entry) in accepted.enumerated() {
            for (index, partition) in entry.partitions.enumerated() {
                groups[partition, default: []].append((requestIndex, index))
            }
        }
        let order = groups.keys.sorted()
        var topics = PQArrayLiteral(), partitions = PQArrayLiteral(), sequences = PQArrayLiteral(), counts = PQArrayLiteral()
        var valueBytes = PQArrayLiteral(), batches = PQByteaArray(reservingCapacity: batch.reduce(0) { $0 + $1.bytes + 64 * $1.records.count })
        for partition in order {
            let members = groups[partition]!
            topics.append(text: partition.topic)
            partitions.append(partition.partition)
            sequences.append(producer.sequences[partition, default: 0])
            counts.append(members.count)
            // One packed value per partition: the whole group is one row of log_batches.
            var packed: [UInt8] = []
            packed.reserveCapacity(members.reduce(0) { $0 + LogBatchCodec.encodedSize(accepted[$1.request].request.records[$1.index]) })
            var bytes = 0
            for member in members {
                let record = accepted[member.request].request.records[member.index]
                LogBatchCodec.append(record, to: &packed)
                bytes += record.value.count
            }
            valueBytes.append(bytes)
            batches.append(packed)
        }
        let parameters: [PQParameter] = [.text(producer.id), .text(topics.text), .text(partitions.text), .text(sequences.text),
                                         .text(counts.text), .text(valueBytes.text), .bytes(batches.binary)]
        let sql = "select * from log_append($1, $2::text[], $3::int4[], $4::int8[], $5::int4[], $6::int8[], $7::bytea[])"
        let statements = [PQConnection.Statement(sql, parameters, operation: "append", prepared: true),
                          Self.wakeReaders(topics: Set(order.map(\.topic)))]

        var bases: [Int64] = []
        var attempt = 0
        while true {
            do throws(PQError) {
                // The wake-up's outcome does not matter: should it fail, every reader fetches again on its next poll.
                let result = try writer.connection().executePipeline(statements)[0].get()
                if producer.simulatedLostAcknowledgements > 0 && attempt == 0 {
                    producer.simulatedLostAcknowledgements -= 1
                    throw PQError(sqlState: "08006", message: "simulated loss of the connection after COMMIT", operation: "append")
                }
                bases = result.rows.indices.map { result.int64($0, 0)! }
                precondition(bases.count == order.count, "log_append returned \(bases.count) offsets for \(order.count) partitions")
                break
            } catch {
                attempt += 1
                if error.isConnectionLoss { writer.dropConnection() }
                if error.isRetriable && attempt < configuration.appendAttempts {
                    // The commit may or may not have happened: resend the same sequences; log_append
                    // answers a repeat with the original offsets.
                    usleep(UInt32(min(20_000 << attempt, 1_000_000)))
                    continue
                }
                // Unknown outcome with no retries left: abandon this producer identity, so a later
                // batch can never be mistaken for a repeat of this one.
                producer.reset()
                for entry in accepted { entry.request.continuation.resume(returning: .failure(Self.logError(error))) }
                return
            }
        }

        var results = accepted.map { Array(repeating: AppendResult(topicPartition: TopicPartition(topic: "", partition: 0), offset: -1),
                                           count: $0.request.records.count) }
        for (groupIndex, partition) in order.enumerated() {
            let members = groups[partition]!
            producer.sequences[partition, default: 0] += Int64(members.count)
            for (position, member) in members.enumerated() {
                results[member.request][member.index] = AppendResult(topicPartition: partition, offset: bases[groupIndex] + Int64(position))
            }
        }
        for (entry, result) in zip(accepted, results) { entry.request.continuation.resume(returning: .success(result)) }
    }

    private func resolvePartition(_ record: OutgoingRecord) throws(LogError) -> TopicPartition {
        guard let count = producer.partitionCounts[record.topic] else { throw Self.unknownTopic(record.topic, operation: "append") }
        if let partition = record.partition {
            guard (0..<count).contains(partition) else {
                throw LogError(code: "unknown_partition", reason: "topic \(record.topic) has no partition \(partition)",
                               operation: "append", isRetriable: false)
            }
            return TopicPartition(topic: record.topic, partition: partition)
        }
        return TopicPartition(topic: record.topic, partition: KafkaPartitioner.partition(forKey: record.key, partitionCount: count))
    }

    /// The statement that wakes the readers of `topics` once their records are committed: a NOTIFY
    /// in a transaction of its own, pipelined right behind the append (`PQConnection.executePipeline`),
    /// so it costs no extra round trip. Not inside the append's transaction: a transaction that
    /// notifies holds a database-wide lock until its commit is on disk, which made every append wait
    /// for the one before it (migrations/0004_notify_after_commit.sql). Should it fail, the records
    /// are stored all the same and every reader fetches again on its next poll.
    private static func wakeReaders(topics: Set<String>) -> PQConnection.Statement {
        var list = PQArrayLiteral()
        for topic in topics.sorted() { list.append(text: topic) }
        return PQConnection.Statement("select pg_notify('\(PostgresLogConsumer.recordsChannel)', t) from unnest($1::text[]) as t",
                                      [.text(list.text)], operation: "wake readers", prepared: true)
    }

    private func loadPartitionCounts(_ topics: [String]) throws(PQError) {
        var list = PQArrayLiteral()
        for topic in topics { list.append(text: topic) }
        var attempt = 0
        var found: PQResult?
        while found == nil {
            do throws(PQError) {
                found = try writer.connection().execute("select topic, partitions from log_topics where topic = any($1::text[])",
                                                        [.text(list.text)], operation: "look up topics")
            } catch {
                attempt += 1
                guard error.isConnectionLoss, attempt < configuration.appendAttempts else { throw error }
                writer.dropConnection()
                usleep(UInt32(min(20_000 << attempt, 1_000_000)))
            }
        }
        let result = found!
        for row in result.rows.indices { producer.partitionCounts[result.text(row, 0)!] = Int32(result.int64(row, 1)!) }
    }

    // MARK: - Helpers

    static func validate(topic: String) throws(LogError) {
        let allowed = topic.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "-")
        }
        // Kafka's topic name rules, so a name valid here is valid on Kafka too.
        guard allowed, (1...249).contains(topic.utf8.count), topic != ".", topic != ".." else {
            throw LogError(code: "invalid_topic", reason: "topic name '\(topic)' must be 1-249 characters of [a-zA-Z0-9._-]",
                           operation: "validate topic", isRetriable: false)
        }
    }

    static func unknownTopic(_ topic: String, operation: String) -> LogError {
        LogError(code: "unknown_topic", reason: "no topic \(topic)", operation: operation, isRetriable: false)
    }

    static func logError(_ error: PQError) -> LogError {
        LogError(code: error.sqlState, reason: error.message, operation: error.operation, isRetriable: error.isRetriable)
    }
}

/// An append waiting for the writer thread.
private struct PendingAppend: Sendable {
    var records: [OutgoingRecord]
    var bytes: Int
    var continuation: CheckedContinuation<Result<[AppendResult], LogError>, Never>
}

/// Appends waiting for the writer, guarded by the log's mutex.
private struct AppendQueue: ~Copyable {
    var pending: [PendingAppend] = []
    var pendingRecords = 0
    var drainScheduled = false
}

/// The producer's identity and per-partition sequence numbers, and cached partition counts.
/// @unchecked Sendable: read and written only on the writer thread (inside its jobs).
private final class ProducerState: @unchecked Sendable {
    var id = UUID().uuidString
    var sequences: [TopicPartition: Int64] = [:]
    var partitionCounts: [String: Int32] = [:]
    var simulatedLostAcknowledgements: Int

    init(simulatedLostAcknowledgements: Int) { self.simulatedLostAcknowledgements = simulatedLostAcknowledgements }

    /// A new identity: sequences restart at 0 and nothing can be taken for a repeat of the past.
    func reset() {
        id = UUID().uuidString
        sequences = [:]
    }
}

extension PQWorker {
    /// `run`, with PostgreSQL errors turned into `LogError`s.
    func runLogged<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (PQConnection) throws(PQError) -> T) async throws(LogError) -> T {
        do {
            return try await run(operation, body)
        } catch {
            throw PostgresEventLog.logError(error)
        }
    }
}
