/// Where a record sits in the log: its topic, partition and offset. Every finding names one, so an
/// auditor can fetch the exact record that disagrees.
public struct AuditPosition: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The record's topic.
    public var topic: String
    /// The record's partition.
    public var partition: Int32
    /// The record's offset in its partition.
    public var offset: Int64

    /// The record at `offset` of `partition` of `topic`.
    public init(topic: String, partition: Int32, offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }

    public static func < (lhs: AuditPosition, rhs: AuditPosition) -> Bool {
        (lhs.topic, lhs.partition, lhs.offset) < (rhs.topic, rhs.partition, rhs.offset)
    }

    /// `topic[partition]@offset`, as the reports print it.
    public var description: String { "\(topic)[\(partition)]@\(offset)" }
}
