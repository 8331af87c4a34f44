import AscentCore
import AscentLog
import AscentRuntime

/// Settlement: turns round events that decide money into wallet commands. It keeps no state
/// beyond its consumer-group position; the command ids come from the bet alone, so a redelivered
/// event produces a command the wallet has already applied. The settlements one poll produces for a
/// wallet partition go out as `settleBatch` records where they share a round and an instant: the
/// thousands of payouts of a popular auto target are a few dozen records, not thousands.
public final class SettlementService {
    private let log: any EventLog
    private let topics: LogTopics
    private let clock: any ServiceClock
    private let logger: any ServiceLogger
    private let maxBatch: Int
    private let metrics: ServiceMetrics
    private let lag: Gauge
    private var fences = AuthorityFences()

    /// Settlement on `log`.
    public init(log: any EventLog, topics: LogTopics = LogTopics(), clock: any ServiceClock = SystemClock(),
                logger: any ServiceLogger = SilentLogger(), maxBatch: Int = 2_000, metrics: ServiceMetrics = ServiceMetrics()) {
        self.log = log
        self.topics = topics
        self.clock = clock
        self.logger = logger
        self.maxBatch = maxBatch
        self.metrics = metrics
        lag = metrics.lagGauge("settlement")
    }

    /// Settles until the task is cancelled; throws when the log fails or an event cannot be
    /// decoded (a round event is a fact: it is never skipped).
    public func run() async throws {
        let walletPartitions = try await log.partitionCount(of: topics.walletCommands)
        let consumer = try await log.makeConsumer(.group("settlement", topics: [topics.roundEvents], start: .earliest))
        var committer = PositionCommitter()
        while !Task.isCancelled {
            let poll = try await consumer.poll(maxRecords: maxBatch, timeoutMilliseconds: 250)
            if !poll.revoked.isEmpty { try await committer.commitIfDue(consumer, force: true) }
            // A partition taken over from another member resumes mid-log: learn its claims first.
            for (partition, offset) in poll.assigned { try await fences.replayClaims(from: log, partition: partition, until: offset) }
            guard !poll.records.isEmpty else {
                try await committer.commitIfDue(consumer)
                continue
            }
            // Each wallet partition's commands, in event order: their relative order is all the wallet sees.
            var commands: [Int32: [WalletCommand]] = [:]
            var count = 0
            let now = clock.now()
            for record in poll.records {
                committer.processed(record.topicPartition, next: record.offset + 1)
                let (table, events) = try RoundEvent.decodeRecord(json: record.value)
                for event in events {
                    // A fenced authority's events decide nothing: no money moves for them.
                    guard fences.admits(event, table: table, record: record) else {
                        logger.warning("ignored an event of a fenced authority", ["table": table.rawValue, "offset": String(record.offset)])
                        continue
                    }
                    if let command = Settlement.walletCommand(for: event, table: table, at: now) {
                        let partition = KafkaPartitioner.partition(forKey: Array(command.player.rawValue.utf8), partitionCount: walletPartitions)
                        commands[partition, default: []].append(command)
                        count += 1
                    }
                }
            }
            if count > 0 {
                let records = commands.keys.sorted().flatMap { Records.make(commands[$0]!, topics: topics, partition: $0) }
                _ = try await log.append(records)
            }
            try await committer.commitIfDue(consumer)
            metrics.settlementCommands.increment(by: count)
            ServiceMetrics.setLag(lag, newest: poll.records.last, now: now)
        }
        try await committer.commitIfDue(consumer, force: true)
        try await consumer.close()
    }
}
