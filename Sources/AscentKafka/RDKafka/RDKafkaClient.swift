import AscentLog
import CRdKafka

/// One librdkafka client instance (`rd_kafka_t`), producer or consumer, destroyed with this object.
///
/// `@unchecked Sendable`: librdkafka documents `rd_kafka_t` as thread-safe for all calls used
/// here (produce, poll, flush, metadata, watermark queries, consumer calls on one thread); the
/// stored properties are immutable after init. Callers keep per-consumer calls on one thread.
public final class RDKafkaClient: @unchecked Sendable {
    /// Which kind of client librdkafka makes.
    public enum Kind: Sendable {
        /// Appends records.
        case producer
        /// Reads records (group member or explicitly assigned).
        case consumer
    }

    /// Owned: made by rd_kafka_new, destroyed in deinit (after the consumer was closed, if one).
    private let handle: OpaquePointer
    /// Kept alive as long as the handle, since librdkafka calls back with it as its opaque.
    private let context: AnyObject?
    /// The kind of client.
    public let kind: Kind

    /// A client of `kind` made from a copy of `config`; `context` becomes the opaque that
    /// callbacks receive (`rd_kafka_opaque`) and lives as long as the client.
    public init(_ kind: Kind, config: RDKafkaConfig, context: AnyObject? = nil) throws {
        let raw = config.makeDuplicate()
        if let context {
            // Unretained: `self.context` holds the strong reference for the handle's lifetime.
            rd_kafka_conf_set_opaque(raw, Unmanaged.passUnretained(context).toOpaque())
        }
        var errorText = [CChar](repeating: 0, count: 512)
        let type = kind == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER
        // rd_kafka_new takes ownership of `raw` only when it succeeds.
        guard let made = rd_kafka_new(type, raw, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(raw)
            let detail = String(decoding: errorText.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw LogError(code: "CLIENT_CREATE", reason: detail, operation: "rd_kafka_new", isRetriable: false)
        }
        handle = made
        self.context = context
        self.kind = kind
    }

    deinit { rd_kafka_destroy(handle) }

    /// Lends the raw handle for the duration of `body`; the pointer must not escape.
    public func withUnsafeHandle<Result>(_ body: (OpaquePointer) throws -> Result) rethrows -> Result {
        try body(handle)
    }

    /// Serves queued callbacks (delivery reports, errors), waiting up to `timeoutMilliseconds`.
    /// Blocking: call it from a dedicated thread only.
    @discardableResult
    public func poll(timeoutMilliseconds: Int32) -> Int32 {
        rd_kafka_poll(handle, timeoutMilliseconds)
    }

    /// Waits up to `timeoutMilliseconds` for every queued message to be delivered or fail.
    /// Blocking: call it from a dedicated thread only.
    public func flush(timeoutMilliseconds: Int32) throws {
        let result = rd_kafka_flush(handle, timeoutMilliseconds)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw LogError(rdKafka: result, operation: "flush", detail: "\(outQueueLength) messages still queued")
        }
    }

    /// Messages and requests waiting to be sent or acknowledged.
    public var outQueueLength: Int32 { rd_kafka_outq_len(handle) }

    /// The fatal error that stopped this client (an idempotent producer that can no longer
    /// guarantee order or no duplicates), or nil.
    public func fatalError() -> LogError? {
        var text = [CChar](repeating: 0, count: 512)
        let code = rd_kafka_fatal_error(handle, &text, text.count)
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        let detail = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return LogError(rdKafka: code, operation: "fatal", detail: detail)
    }

    /// The low (first stored) and high (next to be written) offsets of a partition, asked of its
    /// leader. Blocking up to `timeoutMilliseconds`: call it from a dedicated thread only.
    public func watermarks(of partition: TopicPartition, timeoutMilliseconds: Int32) throws -> (low: Int64, high: Int64) {
        var low: Int64 = -1
        var high: Int64 = -1
        let result = rd_kafka_query_watermark_offsets(handle, partition.topic, partition.partition,
                                                      &low, &high, timeoutMilliseconds)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw LogError(rdKafka: result, operation: "watermarks \(partition)")
        }
        return (low, high)
    }

    /// The number of partitions of `topic` per the cluster's metadata, or nil when the cluster
    /// does not know the topic. Lists all topics so that asking never auto-creates one.
    /// Blocking up to `timeoutMilliseconds`: call it from a dedicated thread only.
    public func partitionCount(of topic: String, timeoutMilliseconds: Int32) throws -> Int32? {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let result = rd_kafka_metadata(handle, 1, nil, &metadata, timeoutMilliseconds)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw LogError(rdKafka: result, operation: "metadata \(topic)")
        }
        // Owned by us until rd_kafka_metadata_destroy; everything needed is copied out first.
        defer { rd_kafka_metadata_destroy(metadata) }
        let topics = UnsafeBufferPointer(start: metadata.pointee.topics, count: Int(metadata.pointee.topic_cnt))
        guard let entry = topics.first(where: { String(cString: $0.topic) == topic }) else { return nil }
        if entry.err != RD_KAFKA_RESP_ERR_NO_ERROR {
            if entry.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART { return nil }
            throw LogError(rdKafka: entry.err, operation: "metadata \(topic)")
        }
        return entry.partition_cnt
    }
}
