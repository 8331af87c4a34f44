import AscentLog
import CRdKafka

/// A librdkafka topic-partition list (`rd_kafka_topic_partition_list_t`) owned by Swift.
final class RDKafkaTopicPartitionList {
    /// One entry, copied out of the C list.
    struct Entry: Sendable {
        var topicPartition: TopicPartition
        var offset: Int64
        var error: rd_kafka_resp_err_t
    }

    /// Owned: made here (or copied from a list librdkafka lends us), destroyed in deinit.
    private let handle: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    /// An empty list with room for `capacity` entries (it grows when needed).
    init(capacity: Int = 8) {
        handle = rd_kafka_topic_partition_list_new(Int32(max(capacity, 1)))
    }

    /// A list of `positions` (partition → offset).
    convenience init(_ positions: [TopicPartition: Int64]) {
        self.init(capacity: positions.count)
        for (partition, offset) in positions.sorted(by: { $0.key < $1.key }) { add(partition, offset: offset) }
    }

    /// A copy of a list librdkafka lends us (e.g. in the rebalance callback), so that it is ours.
    init(copying borrowed: UnsafePointer<rd_kafka_topic_partition_list_t>) {
        handle = rd_kafka_topic_partition_list_copy(borrowed)
    }

    deinit { rd_kafka_topic_partition_list_destroy(handle) }

    /// Adds `partition` at `offset` (RD_KAFKA_OFFSET_INVALID leaves the offset to librdkafka).
    func add(_ partition: TopicPartition, offset: Int64 = Int64(RD_KAFKA_OFFSET_INVALID)) {
        // The list copies the topic name; the returned element pointer is the list's.
        let element = rd_kafka_topic_partition_list_add(handle, partition.topic, partition.partition)
        element?.pointee.offset = offset
    }

    /// The entries, copied out.
    var entries: [Entry] {
        let elements = UnsafeBufferPointer(start: handle.pointee.elems, count: Int(handle.pointee.cnt))
        return elements.map {
            Entry(topicPartition: TopicPartition(topic: String(cString: $0.topic), partition: $0.partition),
                  offset: $0.offset, error: $0.err)
        }
    }

    /// Lends the raw list for the duration of `body`; it must not escape.
    func withUnsafeHandle<Result>(_ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws -> Result) rethrows -> Result {
        try body(handle)
    }
}
