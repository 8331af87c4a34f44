import AscentLog
import CRdKafka
import Synchronization

/// The Kafka backend of `EventLog`, on librdkafka: an idempotent producer (no duplicates, order
/// kept per partition across retries), Java-compatible key hashing (murmur2), group consumers
/// with manual commits, and blocking librdkafka calls on dedicated threads.
public final class KafkaEventLog: EventLog {
    /// Producer defaults; any of them can be overridden through `properties`.
    public static let producerDefaults: [String: String] = [
        "enable.idempotence": "true",
        "acks": "all",
        // Idempotence keeps order with up to 5 requests in flight per connection.
        "max.in.flight.requests.per.connection": "5",
        // Kafka's Java default partitioner: murmur2 of the key; keyless records go anywhere.
        "partitioner": "murmur2_random",
        "linger.ms": "5",
        // Small requests go out at once, as the Java client does (TCP_NODELAY).
        "socket.nagle.disable": "true",
        // Bounds the local queue; `append` waits for room (then fails) rather than growing it.
        "queue.buffering.max.messages": "100000",
        "queue.buffering.max.kbytes": "262144",
        // Room for 1 MB values plus their batch overhead (librdkafka's default is exactly 1 MB);
        // a real broker's topic max.message.bytes must allow it too.
        "message.max.bytes": "2000000",
    ]

    /// The message flag telling librdkafka to copy the value (the Swift array is not kept alive).
    private static let copyPayload = Int32(RD_KAFKA_MSG_F_COPY)

    /// A real, never-freed byte whose address stands for an empty key (librdkafka treats a null
    /// key as "no key"); `nonisolated(unsafe)` is safe since nobody ever writes through it.
    nonisolated(unsafe) private static let emptyKey = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)

    private let producer: RDKafkaClient
    private let statistics: KafkaStatistics
    private let poller: KafkaWorkerThread
    private let admin: KafkaWorkerThread
    private let mockCluster: RDKafkaMockCluster?
    private let bootstrapServers: String
    private let consumerProperties: [String: String]
    private let timeoutMilliseconds: Int32
    private let queueFullWaitMilliseconds: Int
    private let isShutDown = Atomic<Bool>(false)
    /// Consumers made here and not yet closed, so `shutdown` can close them.
    private let consumers = Mutex<[ObjectIdentifier: Weak]>([:])

    private struct Weak: @unchecked Sendable {
        // Read and written only under the `consumers` lock; the consumer itself is Sendable.
        weak var consumer: KafkaLogConsumer?
    }

    /// A log on the Kafka cluster at `brokers` ("host:port,host:port").
    ///
    /// `properties` pass through to librdkafka unchanged (CONFIGURATION.md): a plain name goes
    /// to the producer and to every consumer, `producer.<name>` to the producer only and
    /// `consumer.<name>` to consumers only. Two names are ours: `ascent.timeout.ms` bounds each
    /// metadata, offset and commit call (default 10000) and `ascent.queue.full.wait.ms` bounds how
    /// long `append` waits for room in a full local queue (default 30000).
    public convenience init(brokers: String, properties: [String: String] = [:]) throws {
        try self.init(brokers: brokers, properties: properties, mockCluster: nil)
    }

    /// A log on librdkafka's mock cluster: topics are made with the mock's own call (its
    /// CreateTopics request is not served). For tests and benchmarks.
    public convenience init(mockCluster: RDKafkaMockCluster, properties: [String: String] = [:]) throws {
        try self.init(brokers: mockCluster.bootstrapServers, properties: properties, mockCluster: mockCluster)
    }

    private init(brokers: String, properties: [String: String], mockCluster: RDKafkaMockCluster?) throws {
        var shared: [String: String] = [:]
        var producerOnly: [String: String] = [:]
        var consumerOnly: [String: String] = [:]
        var ours: [String: String] = [:]
        for (name, value) in properties {
            if name.hasPrefix("ascent.") { ours[name] = value }
            else if name.hasPrefix("producer.") { producerOnly[String(name.dropFirst("producer.".count))] = value }
            else if name.hasPrefix("consumer.") { consumerOnly[String(name.dropFirst("consumer.".count))] = value }
            else { shared[name] = value }
        }
        func number(_ name: String, _ fallback: Int) throws -> Int {
            guard let text = ours.removeValue(forKey: name) else { return fallback }
            guard let value = Int(text), value > 0, value <= Int(Int32.max) else {
                throw LogError(code: "CONF_INVALID", reason: "\(name) takes a positive whole number of milliseconds, not '\(text)'",
                               operation: "configure \(name)", isRetriable: false)
            }
            return value
        }
        timeoutMilliseconds = Int32(try number("ascent.timeout.ms", 10_000))
        queueFullWaitMilliseconds = try number("ascent.queue.full.wait.ms", 30_000)
        if let unknown = ours.keys.sorted().first {
            throw LogError(code: "CONF_UNKNOWN", reason: "unknown property \(unknown)", operation: "configure \(unknown)", isRetriable: false)
        }

        var producerProperties = Self.producerDefaults
        producerProperties.merge(shared) { $1 }
        producerProperties.merge(producerOnly) { $1 }
        producerProperties["bootstrap.servers"] = brokers
        let config = try RDKafkaConfig(producerProperties)
        config.withUnsafeHandle {
            rd_kafka_conf_set_dr_msg_cb($0, kafkaDeliveryReport)
            rd_kafka_conf_set_stats_cb($0, kafkaStatistics)
        }
        let statistics = KafkaStatistics()
        let producer = try RDKafkaClient(.producer, config: config, context: statistics)

        var consumerProperties = shared
        consumerProperties.merge(consumerOnly) { $1 }
        consumerProperties["bootstrap.servers"] = brokers
        // Fail on a bad consumer property now rather than at the first makeConsumer.
        _ = try RDKafkaConfig(consumerProperties)

        self.producer = producer
        self.statistics = statistics
        self.mockCluster = mockCluster
        self.bootstrapServers = brokers
        self.consumerProperties = consumerProperties
        // Delivery reports are served here; 100 ms keeps stop() prompt, a report wakes it at once.
        poller = KafkaWorkerThread(name: "ascent-kafka-poller") { producer.poll(timeoutMilliseconds: 100) }
        admin = KafkaWorkerThread(name: "ascent-kafka-admin")
    }

    deinit {
        poller.stop()
        admin.stop()
    }

    /// How long a caller waits for one blocking call: librdkafka's own timeout plus the ~1 s
    /// granularity at which it checks timeouts.
    private var deadline: Int { Int(timeoutMilliseconds) + 1_000 }

    private func checkOpen(_ operation: String) throws {
        if isShutDown.load(ordering: .acquiring) {
            throw LogError(code: "CLOSED", reason: "the log is shut down", operation: operation, isRetriable: false)
        }
    }

    // MARK: Topics

    /// Creates `topic` (audit topics keep records forever: retention.ms=-1), or does nothing when
    /// it exists with `partitions` partitions; throws when it exists with another count.
    public func createTopic(_ topic: String, partitions: Int32, retention: TopicRetention) async throws {
        try checkOpen("create topic")
        precondition(partitions > 0, "a topic needs at least one partition")
        if let existing = try await knownPartitionCount(of: topic) {
            guard existing == partitions else {
                throw LogError(code: "TOPIC_ALREADY_EXISTS", reason: "\(topic) has \(existing) partitions, not \(partitions)",
                               operation: "create topic \(topic)", isRetriable: false)
            }
            return
        }
        if let mockCluster {
            try mockCluster.createTopic(topic, partitions: partitions)
            return
        }
        let (producer, timeout) = (self.producer, timeoutMilliseconds)
        let retentionMilliseconds: String = switch retention {
        case .forever: "-1"
        case .milliseconds(let value): String(value)
        }
        try await admin.run("create topic \(topic)") {
            try Self.createTopicOnThread(producer, topic, partitions: partitions,
                                         config: ["retention.ms": retentionMilliseconds], timeoutMilliseconds: timeout)
        }
        // Wait (bounded) until metadata shows it, so an append right after finds its partitions.
        let deadline = ContinuousClock.now + .milliseconds(Int(timeoutMilliseconds))
        while try await knownPartitionCount(of: topic) == nil {
            guard ContinuousClock.now < deadline else {
                throw LogError(code: "_TIMED_OUT", reason: "\(topic) was created but does not show in metadata",
                               operation: "create topic \(topic)", isRetriable: true)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// CreateTopics through the admin API; an existing topic counts as success (the caller
    /// checked its partition count). Blocking: runs on the admin thread.
    private static func createTopicOnThread(_ client: RDKafkaClient, _ topic: String, partitions: Int32,
                                            config: [String: String], timeoutMilliseconds: Int32) throws {
        let operation = "create topic \(topic)"
        try client.withUnsafeHandle { raw in
            var errorText = [CChar](repeating: 0, count: 512)
            // Replication -1: the broker's default.replication.factor.
            guard let newTopic = rd_kafka_NewTopic_new(topic, partitions, -1, &errorText, errorText.count) else {
                let detail = String(decoding: errorText.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                throw LogError(code: "INVALID_TOPIC", reason: detail, operation: operation, isRetriable: false)
            }
            // Ours: NewTopic, options and queue are destroyed here; the event after reading it.
            defer { rd_kafka_NewTopic_destroy(newTopic) }
            for (name, value) in config {
                let result = rd_kafka_NewTopic_set_config(newTopic, name, value)
                guard result == RD_KAFKA_RESP_ERR_NO_ERROR else { throw LogError(rdKafka: result, operation: operation) }
            }
            let options = rd_kafka_AdminOptions_new(raw, RD_KAFKA_ADMIN_OP_CREATETOPICS)
            defer { rd_kafka_AdminOptions_destroy(options) }
            _ = rd_kafka_AdminOptions_set_operation_timeout(options, timeoutMilliseconds, &errorText, errorText.count)
            let queue = rd_kafka_queue_new(raw)
            defer { rd_kafka_queue_destroy(queue) }
            var topics: [OpaquePointer?] = [newTopic]
            rd_kafka_CreateTopics(raw, &topics, 1, options, queue)
            guard let event = rd_kafka_queue_poll(queue, timeoutMilliseconds + 1000) else {
                throw LogError(code: "_TIMED_OUT", reason: "no answer to CreateTopics", operation: operation, isRetriable: true)
            }
            defer { rd_kafka_event_destroy(event) }
            let eventError = rd_kafka_event_error(event)
            guard eventError == RD_KAFKA_RESP_ERR_NO_ERROR else { throw LogError(rdKafka: eventError, operation: operation) }
            var count = 0
            guard let result = rd_kafka_event_CreateTopics_result(event),
                  let results = rd_kafka_CreateTopics_result_topics(result, &count), count == 1, let first = results[0] else {
                throw LogError(code: "_BAD_MSG", reason: "CreateTopics answered without a result", operation: operation, isRetriable: true)
            }
            let topicError = rd_kafka_topic_result_error(first)
            guard topicError == RD_KAFKA_RESP_ERR_NO_ERROR || topicError == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS else {
                let message = rd_kafka_topic_result_error_string(first).map { String(cString: $0) }
                throw LogError(rdKafka: topicError, operation: operation, detail: message)
            }
        }
    }

    private func knownPartitionCount(of topic: String) async throws -> Int32? {
        let (producer, timeout) = (self.producer, timeoutMilliseconds)
        return try await admin.run("partition count of \(topic)", deadlineMilliseconds: deadline) {
            try producer.partitionCount(of: topic, timeoutMilliseconds: timeout)
        }
    }

    /// The number of partitions of `topic`; throws UNKNOWN_TOPIC_OR_PART when there is none.
    public func partitionCount(of topic: String) async throws -> Int32 {
        try checkOpen("partition count")
        guard let count = try await knownPartitionCount(of: topic) else {
            throw LogError(rdKafka: RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, operation: "partition count of \(topic)")
        }
        return count
    }

    // MARK: Appending

    /// Appends `records` and returns where each landed once the cluster acknowledged all of them
    /// (acks=all). Records of one partition keep their order; librdkafka's retries never duplicate
    /// (idempotent producer). When an append fails part-way, records before the failure may
    /// already be stored: the error says which operation failed, not which records landed.
    public func append(_ records: [OutgoingRecord]) async throws -> [AppendResult] {
        try checkOpen("append")
        guard !records.isEmpty else { return [] }
        let batch = KafkaAppendBatch(count: records.count)
        for (index, record) in records.enumerated() {
            do {
                try await enqueueWaitingForRoom(record, slot: KafkaDeliverySlot(batch: batch, index: index, topic: record.topic))
            } catch {
                let failure = error as? LogError
                    ?? LogError(code: "CANCELLED", reason: "\(error)", operation: "append", isRetriable: true)
                batch.abandon(records.count - index, error: failure)
                break
            }
        }
        batch.finishEnqueuing()
        return try await batch.wait()
    }

    /// Enqueues one record; when the local queue is full, waits for delivery reports to make room
    /// (the poller thread serves them), backing off up to `queueFullWaitMilliseconds` in total.
    private func enqueueWaitingForRoom(_ record: OutgoingRecord, slot: KafkaDeliverySlot) async throws {
        let start = ContinuousClock.now
        var backoffMilliseconds = 1
        while true {
            let error = enqueue(record, slot: slot)
            guard let error else { return }
            guard error.code == "_QUEUE_FULL",
                  ContinuousClock.now - start < .milliseconds(queueFullWaitMilliseconds) else { throw error }
            try await Task.sleep(for: .milliseconds(backoffMilliseconds))
            backoffMilliseconds = min(backoffMilliseconds * 2, 50)
        }
    }

    /// One rd_kafka_produceva call; returns its failure instead of throwing so the caller can retry.
    private func enqueue(_ record: OutgoingRecord, slot: KafkaDeliverySlot) -> LogError? {
        // Copied by librdkafka (rd_kafka_header_add copies name and value); owned by the message
        // once produceva succeeds, ours to destroy when it fails.
        let headers = rd_kafka_headers_new(record.headers.count)
        for header in record.headers {
            _ = header.value.withUnsafeBytes { rd_kafka_header_add(headers, header.name, -1, $0.baseAddress, $0.count) }
        }
        // Retained for the message's lifetime: released in the delivery report, or below on failure.
        let opaque = Unmanaged.passRetained(slot).toOpaque()
        let failure: OpaquePointer? = record.topic.withCString { topic in
            record.key.withUnsafeBytes { key in
                record.value.withUnsafeBytes { value in
                    var fields: [rd_kafka_vu_t] = []
                    fields.reserveCapacity(7)
                    var field = rd_kafka_vu_t()
                    field.vtype = RD_KAFKA_VTYPE_TOPIC
                    field.u.cstr = topic  // copied (topic handle lookup) during the call
                    fields.append(field)
                    // Always a non-null key, even when empty: Java hashes an empty key like any
                    // other (KafkaPartitioner does too), only a null key is spread at random.
                    field = rd_kafka_vu_t()
                    field.vtype = RD_KAFKA_VTYPE_KEY
                    field.u.mem.ptr = key.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) } ?? Self.emptyKey
                    field.u.mem.size = key.count
                    fields.append(field)
                    field = rd_kafka_vu_t()
                    field.vtype = RD_KAFKA_VTYPE_VALUE
                    field.u.mem.ptr = record.value.isEmpty ? nil : UnsafeMutableRawPointer(mutating: value.baseAddress)
                    field.u.mem.size = record.value.count
                    fields.append(field)
                    field = rd_kafka_vu_t()
                    field.vtype = RD_KAFKA_VTYPE_MSGFLAGS
                    field.u.i = Self.copyPayload  // keys are always copied; F_COPY copies the value too
                    fields.append(field)
                    if let partition = record.partition {
                        field = rd_kafka_vu_t()
                        field.vtype = RD_KAFKA_VTYPE_PARTITION
                        field.u.i32 = partition
                        fields.append(field)
                    }
                    field = rd_kafka_vu_t()
                    field.vtype = RD_KAFKA_VTYPE_HEADERS
                    field.u.headers = headers
                    fields.append(field)
                    field = rd_kafka_vu_t()
                    field.vtype = RD_KAFKA_VTYPE_OPAQUE
                    field.u.ptr = opaque
                    fields.append(field)
                    return producer.withUnsafeHandle { rd_kafka_produceva($0, fields, fields.count) }
                }
            }
        }
        guard let failure else { return nil }
        Unmanaged<KafkaDeliverySlot>.fromOpaque(opaque).release()
        rd_kafka_headers_destroy(headers)
        return LogError(consuming: failure, operation: "append to \(record.topic)")
    }

    /// The offset the next record appended to each partition will get (the high watermark).
    public func endOffsets(_ partitions: [TopicPartition]) async throws -> [TopicPartition: Int64] {
        try checkOpen("end offsets")
        let (producer, timeout) = (self.producer, timeoutMilliseconds)
        return try await admin.run("end offsets", deadlineMilliseconds: deadline) {
            var ends: [TopicPartition: Int64] = [:]
            for partition in partitions {
                ends[partition] = try producer.watermarks(of: partition, timeoutMilliseconds: timeout).high
            }
            return ends
        }
    }

    // MARK: Consumers

    /// A consumer placed by `subscription`, with its own librdkafka client and thread.
    public func makeConsumer(_ subscription: Subscription) async throws -> any LogConsumer {
        try checkOpen("make consumer")
        let config = try RDKafkaConfig(consumerProperties)
        let consumer = try await KafkaLogConsumer.make(subscription, config: config, timeoutMilliseconds: timeoutMilliseconds)
        consumers.withLock { registry in
            registry = registry.filter { $0.value.consumer != nil }
            registry[ObjectIdentifier(consumer)] = Weak(consumer: consumer)
        }
        return consumer
    }

    // MARK: Shutdown

    /// Closes the consumers made here that are still open, flushes the producer (waiting for the
    /// delivery of everything appended), and stops the threads. Later calls throw CLOSED.
    public func shutdown() async throws {
        guard !isShutDown.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let open = consumers.withLock { registry in
            defer { registry = [:] }
            return registry.values.compactMap(\.consumer)
        }
        var firstError: (any Error)?
        for consumer in open where !consumer.isClosed {
            do { try await consumer.close() } catch { firstError = firstError ?? error }
        }
        let (producer, timeout) = (self.producer, timeoutMilliseconds)
        do {
            try await admin.run("flush") { try producer.flush(timeoutMilliseconds: max(timeout, 30_000)) }
        } catch {
            firstError = firstError ?? error
        }
        poller.stop()
        admin.stop()
        if let firstError { throw firstError }
    }

    /// Messages still waiting in the producer for delivery (for tests and metrics).
    public var pendingDeliveries: Int32 { producer.outQueueLength }

    /// The producer's latest librdkafka statistics JSON (retries, request timeouts, queue depths
    /// per broker), or nil until the first one; set `statistics.interval.ms` to turn them on.
    public var producerStatistics: String? { statistics.json }
}
