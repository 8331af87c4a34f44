/// A header of a log record: a name and opaque bytes (event type, schema version, correlation id).
public struct LogHeader: Hashable, Sendable {
    /// The header's name.
    public var name: String
    /// The header's bytes.
    public var value: [UInt8]
    /// A header named `name` with `value` bytes.
    public init(name: String, value: [UInt8]) { self.name = name; self.value = value }
    /// A header whose value is the UTF-8 of `text`.
    public init(name: String, text: String) { self.init(name: name, value: Array(text.utf8)) }
}

extension LogHeader {
    /// The names of the headers Ascent's records carry (docs/events.md). They live here, with the
    /// log, so every reader — the services, the audit — spells them the same.
    public enum Name {
        /// The event or command type.
        public static let type = "type"
        /// The schema version of the value.
        public static let schemaVersion = "schema-version"
        /// The id of the player command that caused the record.
        public static let correlationID = "correlation-id"
        /// The epoch of the authority that wrote a round event (fencing).
        public static let authorityEpoch = "authority-epoch"
        /// The id of the authority process that wrote a round event (fencing).
        public static let authorityWriter = "authority-writer"
    }
}

/// One partition of one topic.
public struct TopicPartition: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The topic's name.
    public var topic: String
    /// The partition's number, from 0.
    public var partition: Int32
    /// Partition `partition` of `topic`.
    public init(topic: String, partition: Int32) { self.topic = topic; self.partition = partition }
    public static func < (lhs: TopicPartition, rhs: TopicPartition) -> Bool {
        (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
    }
    public var description: String { "\(topic)[\(partition)]" }
}

/// A record to append. Its partition is chosen from the key by `KafkaPartitioner` unless given.
public struct OutgoingRecord: Hashable, Sendable {
    /// The topic to append to.
    public var topic: String
    /// The key: table id for round topics, player id for wallet topics.
    public var key: [UInt8]
    /// The event, JSON.
    public var value: [UInt8]
    /// Event type, schema version, correlation id.
    public var headers: [LogHeader]
    /// An explicit partition, overriding the key's.
    public var partition: Int32?

    /// A record for `topic` with `key`, `value` and `headers`.
    public init(topic: String, key: [UInt8], value: [UInt8], headers: [LogHeader] = [], partition: Int32? = nil) {
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
        self.partition = partition
    }
}

/// Where an appended record landed.
public struct AppendResult: Hashable, Sendable {
    /// Its topic and partition.
    public var topicPartition: TopicPartition
    /// Its offset in the partition.
    public var offset: Int64
    /// Where a record landed.
    public init(topicPartition: TopicPartition, offset: Int64) { self.topicPartition = topicPartition; self.offset = offset }
}

/// A record read from the log.
public struct LogRecord: Hashable, Sendable {
    /// Its topic and partition.
    public var topicPartition: TopicPartition
    /// Its offset in the partition.
    public var offset: Int64
    /// Its key.
    public var key: [UInt8]
    /// Its value.
    public var value: [UInt8]
    /// Its headers.
    public var headers: [LogHeader]
    /// When the log stored it, milliseconds since the Unix epoch (the log's clock, not the producer's).
    public var timestampMilliseconds: Int64

    /// A record as read from the log.
    public init(topicPartition: TopicPartition, offset: Int64, key: [UInt8], value: [UInt8],
                headers: [LogHeader], timestampMilliseconds: Int64) {
        self.topicPartition = topicPartition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMilliseconds = timestampMilliseconds
    }

    /// The value of the first header named `name`, as UTF-8 text.
    public func header(_ name: String) -> String? {
        headers.first { $0.name == name }.map { String(decoding: $0.value, as: UTF8.self) }
    }
}

/// How long a topic keeps its records.
public enum TopicRetention: Hashable, Sendable {
    /// Forever: audit topics (rounds, wallets) are the system of record.
    case forever
    /// At least this many milliseconds.
    case milliseconds(Int64)
}

/// Where a consumer starts when its group has no committed position for a partition.
public enum StartPosition: Hashable, Sendable {
    /// The first record still stored.
    case earliest
    /// The end: only records appended from now on.
    case latest
}

/// How a consumer is placed on the log.
public enum Subscription: Hashable, Sendable {
    /// As a member of `group`: the topics' partitions are split among the group's members and
    /// rebalanced as members come and go; reading resumes from the group's committed positions.
    case group(String, topics: [String], start: StartPosition)
    /// Explicit partitions from explicit offsets; no group, nothing committed.
    case positions([TopicPartition: Int64])
}

/// What a poll returned: records in log order per partition, and any change of assignment that
/// happened before them.
public struct PollResult: Sendable {
    /// Records, in offset order within each partition.
    public var records: [LogRecord]
    /// Partitions this member gained in a rebalance during the poll, with the offset reading starts at.
    public var assigned: [TopicPartition: Int64]
    /// Partitions this member lost in a rebalance during the poll; commit what was processed before.
    public var revoked: Set<TopicPartition>

    /// A poll's result.
    public init(records: [LogRecord] = [], assigned: [TopicPartition: Int64] = [:], revoked: Set<TopicPartition> = []) {
        self.records = records
        self.assigned = assigned
        self.revoked = revoked
    }
}

/// The ordered, partitioned, durable log every service reads and writes. Kafka in production,
/// PostgreSQL as the embedded default; both behave the same to callers (one contract suite).
public protocol EventLog: Sendable {
    /// Creates `topic` with `partitions` partitions, or does nothing when it exists with that many.
    func createTopic(_ topic: String, partitions: Int32, retention: TopicRetention) async throws
    /// The number of partitions of `topic`.
    func partitionCount(of topic: String) async throws -> Int32
    /// Appends `records` and returns where each landed, in the same order. Records for one partition
    /// keep their order; a retried append never duplicates a record.
    func append(_ records: [OutgoingRecord]) async throws -> [AppendResult]
    /// The offset the next record appended to each partition will get (the "high watermark").
    func endOffsets(_ partitions: [TopicPartition]) async throws -> [TopicPartition: Int64]
    /// A consumer placed by `subscription`.
    func makeConsumer(_ subscription: Subscription) async throws -> any LogConsumer
    /// Stops background work, flushing what is pending.
    func shutdown() async throws
}

/// Reads records from an `EventLog`. One consumer is used by one task at a time.
public protocol LogConsumer: AnyObject, Sendable {
    /// Up to `maxRecords` records, waiting up to `timeoutMilliseconds` when none is ready.
    func poll(maxRecords: Int, timeoutMilliseconds: Int) async throws -> PollResult
    /// Stores the group's position for each partition: the offset of the next record to read.
    func commit(_ positions: [TopicPartition: Int64]) async throws
    /// The partitions this consumer reads now.
    func assignment() async throws -> Set<TopicPartition>
    /// Leaves the group (handing its partitions to the others) and releases resources.
    func close() async throws
}

/// An infrastructure failure of a log backend: what failed, where, and whether retrying may help.
public struct LogError: Error, CustomStringConvertible, Sendable {
    /// A short machine-readable code (librdkafka error name, SQLSTATE, or one of ours).
    public var code: String
    /// What happened, for people.
    public var reason: String
    /// The operation that failed.
    public var operation: String
    /// Whether the same call may succeed if retried.
    public var isRetriable: Bool

    /// A log failure.
    public init(code: String, reason: String, operation: String, isRetriable: Bool) {
        self.code = code
        self.reason = reason
        self.operation = operation
        self.isRetriable = isRetriable
    }

    public var description: String { "\(operation): \(reason) [\(code)\(isRetriable ? ", retriable" : "")]" }
}
