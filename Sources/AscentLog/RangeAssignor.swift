/// Splits a group's partitions among its members the way Kafka's default range assignor does, so
/// every member computes the same answer from the same sorted member list: per topic, partitions
/// in order are cut into contiguous ranges, the first `count % members` members taking one extra.
public enum RangeAssignor {
    /// The partitions `member` owns when `members` share `partitions` (members are sorted here).
    public static func partitions(of member: String, members: [String], partitions: [TopicPartition]) -> Set<TopicPartition> {
        assign(members: members, partitions: partitions)[member] ?? []
    }

    /// Every member's partitions; each partition goes to exactly one member when there is any.
    public static func assign(members: [String], partitions: [TopicPartition]) -> [String: Set<TopicPartition>] {
        let sortedMembers = Array(Set(members)).sorted()
        guard !sortedMembers.isEmpty else { return [:] }
        var result = Dictionary(uniqueKeysWithValues: sortedMembers.map { ($0, Set<TopicPartition>()) })
        let byTopic = Dictionary(grouping: Set(partitions), by: \.topic)
        for topic in byTopic.keys.sorted() {
            let ordered = byTopic[topic]!.sorted()
            let share = ordered.count / sortedMembers.count
            let extra = ordered.count % sortedMembers.count
            var next = 0
            for (index, member) in sortedMembers.enumerated() {
                let count = share + (index < extra ? 1 : 0)
                result[member]!.formUnion(ordered[next..<next + count])
                next += count
            }
        }
        return result
    }
}
