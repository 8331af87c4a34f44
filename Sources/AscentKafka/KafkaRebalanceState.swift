import AscentLog
import CRdKafka

/// What a group consumer's rebalance callback learned, handed to the next `PollResult`; also
/// decides where newly assigned partitions start (committed position, else the start position).
///
/// `@unchecked Sendable`: librdkafka calls the rebalance callback only from inside
/// `rd_kafka_consumer_poll`/`rd_kafka_consumer_close`, which run on the consumer's one worker
/// thread, and `take()` is also called there; nothing else touches the mutable fields.
final class KafkaRebalanceState: @unchecked Sendable {
    let start: StartPosition
    let timeoutMilliseconds: Int32
    private var assigned: [TopicPartition: Int64] = [:]
    private var revoked: Set<TopicPartition> = []
    /// The last failure inside the callback (C cannot throw), reported by the next poll.
    private var failure: LogError?

    init(start: StartPosition, timeoutMilliseconds: Int32) {
        self.start = start
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// Changes since the last call, and any failure to apply them.
    func take() -> (assigned: [TopicPartition: Int64], revoked: Set<TopicPartition>, failure: LogError?) {
        defer { assigned = [:]; revoked = []; failure = nil }
        return (assigned, revoked, failure)
    }

    /// Whether a rebalance happened since the last `take()`.
    var hasChanges: Bool { !assigned.isEmpty || !revoked.isEmpty || failure != nil }

    /// Handles one rebalance event. `partitions` is lent by librdkafka for the call only.
    func handle(_ client: OpaquePointer, _ event: rd_kafka_resp_err_t,
                _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        // librdkafka returns NULL on error (seen while a consumer closes): then it is not cooperative.
        let protocolName: UnsafePointer<CChar>? = rd_kafka_rebalance_protocol(client)
        let cooperative = protocolName.map { String(cString: $0) } == "COOPERATIVE"
        if event == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS {
            let list = RDKafkaTopicPartitionList(copying: partitions)
            resolveStartOffsets(client, list)
            list.withUnsafeHandle { apply(client, cooperative: cooperative, assign: true, $0) }
            // A partition lost and regained within one poll stays in `revoked` too: the caller
            // must drop what it held for it and restart from the assigned offset.
            for entry in list.entries { assigned[entry.topicPartition] = entry.offset }
        } else {
            let lost = RDKafkaTopicPartitionList(copying: partitions).entries.map(\.topicPartition)
            apply(client, cooperative: cooperative, assign: false, cooperative ? partitions : nil)
            for partition in lost {
                revoked.insert(partition)
                assigned[partition] = nil
            }
        }
    }

    /// Replaces each partition's unknown offset by the group's committed position or, when the
    /// group has none, by the start position's watermark, so reading starts where PollResult says.
    private func resolveStartOffsets(_ client: OpaquePointer, _ list: RDKafkaTopicPartitionList) {
        let committed = list.withUnsafeHandle { rd_kafka_committed(client, $0, timeoutMilliseconds) }
        if committed != RD_KAFKA_RESP_ERR_NO_ERROR {
            failure = LogError(rdKafka: committed, operation: "read committed positions")
        }
        for entry in list.entries where entry.offset < 0 {
            var low: Int64 = -1
            var high: Int64 = -1
            // Blocking, bounded by the timeout; we are on the consumer's own thread.
            let result = rd_kafka_query_watermark_offsets(client, entry.topicPartition.topic, entry.topicPartition.partition,
                                                          &low, &high, timeoutMilliseconds)
            let offset: Int64
            if result == RD_KAFKA_RESP_ERR_NO_ERROR {
                offset = start == .earliest ? low : high
            } else {
                // Leave it to auto.offset.reset, which is set to the same start position.
                offset = start == .earliest ? Int64(RD_KAFKA_OFFSET_BEGINNING) : Int64(RD_KAFKA_OFFSET_END)
            }
            list.withUnsafeHandle { raw in
                let element = rd_kafka_topic_partition_list_find(raw, entry.topicPartition.topic, entry.topicPartition.partition)
                element?.pointee.offset = offset
            }
        }
    }

    private func apply(_ client: OpaquePointer, cooperative: Bool, assign: Bool,
                       _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) {
        if cooperative {
            let error = assign ? rd_kafka_incremental_assign(client, partitions) : rd_kafka_incremental_unassign(client, partitions)
            if let error { failure = LogError(consuming: error, operation: assign ? "assign" : "unassign") }
        } else {
            let result = rd_kafka_assign(client, assign ? partitions : nil)
            if result != RD_KAFKA_RESP_ERR_NO_ERROR {
                failure = LogError(rdKafka: result, operation: assign ? "assign" : "unassign")
            }
        }
    }
}

/// librdkafka's rebalance callback; the opaque is the consumer's `KafkaRebalanceState`, kept alive
/// by its `RDKafkaClient`. A named top-level function, so it carries no actor isolation into C.
func kafkaRebalance(_ client: OpaquePointer?, _ event: rd_kafka_resp_err_t,
                    _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, _ opaque: UnsafeMutableRawPointer?) {
    guard let client, let partitions, let opaque else { return }
    Unmanaged<KafkaRebalanceState>.fromOpaque(opaque).takeUnretainedValue().handle(client, event, partitions)
}
