import AscentCore
import AscentLog
import AscentPostgres
import AscentRuntime
import AscentServices

/// The projector: reads every event topic and keeps the PostgreSQL read models (players, balances,
/// ledger, rounds, bets; finance views on top), storing its log position in the same transaction
/// as the rows, so after any crash the tables reflect an exact prefix of the log and resuming from
/// the stored position neither loses nor repeats anything. Rebuildable from an empty database.
public final class Projector {
    private let log: any EventLog
    private let worker: PQWorker
    private let topics: LogTopics
    private let name: String
    private let logger: any ServiceLogger
    private let maxBatch: Int
    private let metrics: ServiceMetrics
    private let lag: Gauge
    /// Rebuilt on start from the claims before the stored positions, then kept as records arrive.
    private var fences = AuthorityFences()
    /// Players whose row this projector has committed: seeing one again (every bet does) writes
    /// nothing, where an upsert per player per batch cost about a twelfth of the projection's time.
    private var knownPlayers = Set<String>()

    /// A projector named `name` writing to the database at `databaseURL` (migrated); `niceness`
    /// is that of its database thread and session (`Niceness`).
    public init(log: any EventLog, databaseURL: String, topics: LogTopics = LogTopics(), name: String = "main",
                logger: any ServiceLogger = SilentLogger(), maxBatch: Int = 5_000, metrics: ServiceMetrics = ServiceMetrics(),
                niceness: Int32 = 0) {
        self.log = log
        self.worker = PQWorker(url: databaseURL, name: "ascent-projector", niceness: niceness)
        self.topics = topics
        self.name = name
        self.logger = logger
        self.maxBatch = maxBatch
        self.metrics = metrics
        lag = metrics.lagGauge("projector")
    }

    deinit { worker.stop() }

    /// Projects until the task is cancelled. An event that cannot be decoded stops it: it is never skipped.
    public func run() async throws {
        try await project(until: nil)
    }

    /// Projects everything the log holds now, then returns: for `ascent replay` and tests.
    public func catchUp() async throws {
        var ends: [TopicPartition: Int64] = [:]
        for topic in [topics.roundEvents, topics.walletEvents] {
            let partitions = try await log.partitionCount(of: topic)
            let keys = (0..<partitions).map { TopicPartition(topic: topic, partition: $0) }
            for (key, end) in try await log.endOffsets(keys) { ends[key] = end }
        }
        try await project(until: ends)
    }

    private func project(until ends: [TopicPartition: Int64]?) async throws {
        let projected = [topics.roundEvents, topics.walletEvents]
        // Only this deployment's topics: the same database may hold positions of other topic
        // prefixes, which must not be read here (nor decoded as the wrong kind of event).
        var start = try await storedPositions().filter { projected.contains($0.key.topic) }
        for topic in projected {
            let partitions = try await log.partitionCount(of: topic)
            for partition in 0..<partitions {
                let key = TopicPartition(topic: topic, partition: partition)
                if start[key] == nil { start[key] = 0 }
            }
        }
        logger.info("projector starting", ["partitions": String(start.count), "behind": String(start.values.reduce(0, +))])
        for (partition, offset) in start where partition.topic == topics.roundEvents {
            try await fences.replayClaims(from: log, partition: partition, until: offset)
        }
        var reached = start
        func caughtUp() -> Bool { ends.map { $0.allSatisfy { reached[$0.key, default: 0] >= $0.value } } ?? false }
        let consumer = try await log.makeConsumer(.positions(start))
        while !Task.isCancelled && !caughtUp() {
            let poll = try await consumer.poll(maxRecords: maxBatch, timeoutMilliseconds: 250)
            for record in poll.records { reached[record.topicPartition] = record.offset + 1 }
            guard !poll.records.isEmpty else { continue }
            var batch = ProjectionBatch()
            for record in poll.records {
                if record.topicPartition.topic == topics.roundEvents {
                    let (table, events) = try RoundEvent.decodeRecord(json: record.value)
                    for event in events {
                        if fences.admits(event, table: table, record: record) {
                            batch.add(event, table: table, record: record)
                        } else {
                            batch.skip(record)
                        }
                    }
                } else {
                    // A betSettledBatch record holds several events: each gets its own ledger transaction.
                    let events = try WalletEvent.decodeRecord(json: record.value)
                    for (entry, event) in events.enumerated() { batch.add(event, record: record, entry: events.count > 1 ? entry : nil) }
                }
            }
            let started = SystemClock.monotonicNanoseconds()
            try await write(batch)
            metrics.projectionBatch.observe(nanoseconds: SystemClock.monotonicNanoseconds() - started)
            metrics.projectedRecords.increment(by: poll.records.count)
            ServiceMetrics.setLag(lag, newest: poll.records.last, now: SystemClock().now())
        }
        try await consumer.close()
    }

    /// The positions this projector last committed.
    public func storedPositions() async throws -> [TopicPartition: Int64] {
        let name = self.name
        let result = try await worker.run("projector positions") { connection throws(PQError) in
            try connection.execute("select topic, partition, next_offset from projector_positions where projector = $1",
                                   [.text(name)], operation: "projector positions")
        }
        var positions: [TopicPartition: Int64] = [:]
        for row in 0..<result.rows.count {
            positions[TopicPartition(topic: result.text(row, 0)!, partition: Int32(result.int64(row, 1)!))] = result.int64(row, 2)!
        }
        return positions
    }

    /// Writes `batch` and its positions in one transaction.
    ///
    /// The transaction commits without waiting for its WAL to reach the disk (`synchronous_commit =
    /// off`): the rows and the positions they reflect are still atomic, so a database crash can only
    /// lose the last batches together with their positions, and the projector reads those records
    /// again. The log, not the projection, is the record; its appends keep waiting for the disk.
    public func write(_ batch: ProjectionBatch) async throws {
        guard !batch.isEmpty else { return }
        let steps = ProjectionSQL.steps(for: batch, projector: name, knownPlayers: knownPlayers)
        try await worker.run("project batch") { connection throws(PQError) in
            _ = try connection.execute("begin", operation: "project batch")
            do throws(PQError) {
                _ = try connection.execute("set local synchronous_commit = off", operation: "project batch")
                for step in steps {
                    switch step {
                    case .statement(let statement):
                        _ = try connection.execute(statement.sql, statement.parameters, operation: "project batch", prepared: true)
                    case .copy(let sql, let rows):
                        try connection.copyIn(sql, chunks: [rows.bytes], operation: "project batch")
                    }
                }
                _ = try connection.execute("commit", operation: "project batch")
            } catch {
                _ = try? connection.execute("rollback", operation: "project batch")
                throw error
            }
        }
        knownPlayers.formUnion(batch.players.keys)
    }
}
