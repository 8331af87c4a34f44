import AscentLog
import CRdKafka
import Synchronization

/// A `LogConsumer` on a librdkafka consumer: every librdkafka call of one consumer runs on its
/// own worker thread, in call order, so the rebalance callback and polls never race.
public final class KafkaLogConsumer: LogConsumer {
    private let client: RDKafkaClient
    private let worker: KafkaWorkerThread
    /// Nil for explicit positions (no group: nothing to commit, no rebalances).
    private let rebalance: KafkaRebalanceState?
    private let timeoutMilliseconds: Int32
    private let closed = Atomic<Bool>(false)

    /// Makes a consumer placed by `subscription`; `config` already holds bootstrap servers and
    /// pass-through properties.
    static func make(_ subscription: Subscription, config: RDKafkaConfig,
                     timeoutMilliseconds: Int32) async throws -> KafkaLogConsumer {
        try config.set("enable.auto.commit", "false")
        try config.set("enable.auto.offset.store", "false")
        let state: KafkaRebalanceState?
        switch subscription {
        case .group(let group, _, let start):
            try config.set("group.id", group)
            try config.set("auto.offset.reset", start == .earliest ? "earliest" : "latest")
            state = KafkaRebalanceState(start: start, timeoutMilliseconds: timeoutMilliseconds)
            config.withUnsafeHandle { rd_kafka_conf_set_rebalance_cb($0, kafkaRebalance) }
        case .positions:
            // librdkafka 2.0.2 refuses rd_kafka_assign without a group.id (_UNKNOWN_GROUP). A
            // throwaway id satisfies it: assign never joins the group and we never commit.
            try config.set("group.id", "ascent-positions-\(UInt64.random(in: 0...UInt64.max))")
            state = nil
        }
        let client = try RDKafkaClient(.consumer, config: config, context: state)
        let consumer = KafkaLogConsumer(client: client, rebalance: state, timeoutMilliseconds: timeoutMilliseconds)
        try await consumer.worker.run("subscribe") {
            // Errors and logs of a consumer go to its consumer queue, served by consumer_poll.
            _ = client.withUnsafeHandle { rd_kafka_poll_set_consumer($0) }
            switch subscription {
            case .group(_, let topics, _):
                let list = RDKafkaTopicPartitionList(capacity: topics.count)
                for topic in topics { list.add(TopicPartition(topic: topic, partition: Int32(RD_KAFKA_PARTITION_UA))) }
                let result = client.withUnsafeHandle { raw in list.withUnsafeHandle { rd_kafka_subscribe(raw, $0) } }
                guard result == RD_KAFKA_RESP_ERR_NO_ERROR else { throw LogError(rdKafka: result, operation: "subscribe \(topics)") }
            case .positions(let positions):
                let list = RDKafkaTopicPartitionList(positions)
                let result = client.withUnsafeHandle { raw in list.withUnsafeHandle { rd_kafka_assign(raw, $0) } }
                guard result == RD_KAFKA_RESP_ERR_NO_ERROR else { throw LogError(rdKafka: result, operation: "assign") }
            }
        }
        return consumer
    }

    private init(client: RDKafkaClient, rebalance: KafkaRebalanceState?, timeoutMilliseconds: Int32) {
        self.client = client
        self.rebalance = rebalance
        self.timeoutMilliseconds = timeoutMilliseconds
        worker = KafkaWorkerThread(name: "ascent-kafka-consumer")
    }

    deinit {
        // A consumer dropped without close(): let librdkafka leave the group in rd_kafka_destroy.
        worker.stop()
    }

    private func checkOpen(_ operation: String) throws {
        if closed.load(ordering: .acquiring) {
            throw LogError(code: "CLOSED", reason: "the consumer is closed", operation: operation, isRetriable: false)
        }
    }

    /// Up to `maxRecords` records, waiting up to `timeoutMilliseconds` when none is ready; returns
    /// early when a rebalance changed the assignment.
    public func poll(maxRecords: Int, timeoutMilliseconds: Int) async throws -> PollResult {
        try checkOpen("poll")
        precondition(maxRecords > 0, "poll needs maxRecords > 0")
        let (client, rebalance) = (self.client, self.rebalance)
        return try await worker.run("poll") {
            try Self.pollOnThread(client, rebalance, maxRecords: maxRecords, timeoutMilliseconds: timeoutMilliseconds)
        }
    }

    private static func pollOnThread(_ client: RDKafkaClient, _ rebalance: KafkaRebalanceState?,
                                     maxRecords: Int, timeoutMilliseconds: Int) throws -> PollResult {
        var records: [LogRecord] = []
        var lastError: LogError?
        let deadline = ContinuousClock.now + .milliseconds(max(timeoutMilliseconds, 0))
        try client.withUnsafeHandle { raw in
            while records.count < maxRecords {
                // Wait in short slices so that a rebalance (which happens inside the wait) is
                // reported promptly instead of after the whole timeout.
                let remaining = deadline - ContinuousClock.now
                let sliceMilliseconds: Int32 = records.isEmpty
                    ? Int32(clamping: min(max(remaining.components.seconds * 1000
                        + remaining.components.attoseconds / 1_000_000_000_000_000, 0), 50))
                    : 0
                guard let message = rd_kafka_consumer_poll(raw, sliceMilliseconds) else {
                    if !records.isEmpty || rebalance?.hasChanges == true || ContinuousClock.now >= deadline { break }
                    continue
                }
                // Owned by us until rd_kafka_message_destroy; everything is copied out first.
                defer { rd_kafka_message_destroy(message) }
                let error = message.pointee.err
                if error == RD_KAFKA_RESP_ERR_NO_ERROR {
                    records.append(copyRecord(message))
                } else if error != RD_KAFKA_RESP_ERR__PARTITION_EOF {
                    if let fatal = client.fatalError() { throw fatal }
                    lastError = LogError(rdKafka: error, operation: "poll", detail: messageText(message))
                }
            }
        }
        let changes = rebalance?.take()
        if let failure = changes?.failure { throw failure }
        if records.isEmpty, let lastError, !Self.isTransient(lastError) { throw lastError }
        return PollResult(records: records, assigned: changes?.assigned ?? [:], revoked: changes?.revoked ?? [])
    }

    /// Consumer errors librdkafka recovers from by itself (it reconnects and keeps fetching).
    private static func isTransient(_ error: LogError) -> Bool {
        ["_TRANSPORT", "_ALL_BROKERS_DOWN", "_RESOLVE", "_TIMED_OUT"].contains(error.code)
    }

    private static func messageText(_ message: UnsafeMutablePointer<rd_kafka_message_t>) -> String? {
        guard let payload = message.pointee.payload, message.pointee.len > 0 else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: payload, count: message.pointee.len), as: UTF8.self)
    }

    /// Copies a fetched message into a `LogRecord` (the C message is destroyed right after).
    private static func copyRecord(_ message: UnsafeMutablePointer<rd_kafka_message_t>) -> LogRecord {
        let m = message.pointee
        let topic = String(cString: rd_kafka_topic_name(m.rkt))
        let key = m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) } ?? []
        let value = m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: m.len)) } ?? []
        var headers: [LogHeader] = []
        var cHeaders: OpaquePointer?
        // The headers stay owned by the message; names and values are copied out.
        if rd_kafka_message_headers(message, &cHeaders) == RD_KAFKA_RESP_ERR_NO_ERROR, let cHeaders {
            var index = 0
            var name: UnsafePointer<CChar>?
            var valuePointer: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(cHeaders, index, &name, &valuePointer, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                let bytes = valuePointer.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []
                headers.append(LogHeader(name: name.map { String(cString: $0) } ?? "", value: bytes))
                index += 1
            }
        }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &timestampType)
        return LogRecord(topicPartition: TopicPartition(topic: topic, partition: m.partition), offset: m.offset,
                         key: key, value: value, headers: headers, timestampMilliseconds: timestamp)
    }

    /// Stores the group's position for each partition (the next offset to read), synchronously.
    /// A consumer on explicit positions has no group: nothing is stored and this does nothing.
    public func commit(_ positions: [TopicPartition: Int64]) async throws {
        try checkOpen("commit")
        guard rebalance != nil, !positions.isEmpty else { return }
        let client = self.client
        // rd_kafka_commit has no timeout of its own; the caller's wait is bounded here.
        try await worker.run("commit", deadlineMilliseconds: Int(timeoutMilliseconds) + 1_000) {
            let list = RDKafkaTopicPartitionList(positions)
            // Synchronous (async flag 0): returns when the coordinator answered.
            let result = client.withUnsafeHandle { raw in list.withUnsafeHandle { rd_kafka_commit(raw, $0, 0) } }
            guard result == RD_KAFKA_RESP_ERR_NO_ERROR else { throw LogError(rdKafka: result, operation: "commit") }
            if let failed = list.entries.first(where: { $0.error != RD_KAFKA_RESP_ERR_NO_ERROR }) {
                throw LogError(rdKafka: failed.error, operation: "commit \(failed.topicPartition)")
            }
        }
    }

    /// The partitions this consumer reads now.
    public func assignment() async throws -> Set<TopicPartition> {
        try checkOpen("assignment")
        let client = self.client
        return try await worker.run("assignment") {
            var raw: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
            let result = client.withUnsafeHandle { rd_kafka_assignment($0, &raw) }
            guard result == RD_KAFKA_RESP_ERR_NO_ERROR, let raw else { throw LogError(rdKafka: result, operation: "assignment") }
            // Ours to destroy; copied, then freed.
            defer { rd_kafka_topic_partition_list_destroy(raw) }
            return Set(RDKafkaTopicPartitionList(copying: raw).entries.map(\.topicPartition))
        }
    }

    /// Leaves the group (its partitions go to the other members at once) and stops the thread.
    /// Calling it again does nothing.
    public func close() async throws {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let client = self.client
        defer { worker.stop() }
        try await worker.run("close") {
            let result = client.withUnsafeHandle { rd_kafka_consumer_close($0) }
            guard result == RD_KAFKA_RESP_ERR_NO_ERROR else { throw LogError(rdKafka: result, operation: "close") }
        }
    }

    /// Whether `close()` was called.
    var isClosed: Bool { closed.load(ordering: .acquiring) }
}
