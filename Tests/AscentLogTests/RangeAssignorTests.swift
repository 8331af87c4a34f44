import AscentLog
import Testing

@Suite struct RangeAssignorTests {
    @Test func splitsLikeKafkasRangeAssignor() {
        let partitions = (0..<Int32(5)).map { TopicPartition(topic: "rounds", partition: $0) }
        let result = RangeAssignor.assign(members: ["b", "a"], partitions: partitions)
        #expect(result["a"] == Set(partitions[0..<3]))
        #expect(result["b"] == Set(partitions[3..<5]))
    }

    @Test func everyPartitionHasExactlyOneOwner() {
        var generator = SplitMix(seed: 42)
        for round in 0..<200 {
            let memberCount = Int(generator.next() % 6) + 1
            let members = (0..<memberCount).map { "m\($0)" }
            let partitions = (0..<3).flatMap { topic in
                (0..<Int32(generator.next() % 9)).map { TopicPartition(topic: "t\(topic)", partition: $0) }
            }
            let result = RangeAssignor.assign(members: members.shuffled(using: &generator), partitions: partitions)
            let owned = result.values.flatMap { $0 }
            #expect(owned.count == partitions.count && Set(owned) == Set(partitions), "seed 42 round \(round)")
            #expect(result == RangeAssignor.assign(members: members, partitions: partitions.reversed()), "seed 42 round \(round): order-dependent")
        }
    }
}

/// A small deterministic generator so failures reproduce from the seed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
