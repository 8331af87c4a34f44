import AscentLog
import AscentPostgres
import Testing

/// Seeded random workloads against the PostgreSQL log: several producers with lost
/// acknowledgements, random batch sizes and keys, appending at once. Every record must be stored
/// exactly once, in each producer's per-key order, at gapless offsets.
@Suite struct PostgresLogPropertyTests {
    @Test(arguments: [UInt64(1), 7, 2026])
    func randomConcurrentWorkloadIsExactlyOnceAndOrdered(seed: UInt64) async throws {
        guard let url = try await TestDatabase.migratedURL() else { return }
        let topic = TestDatabase.unique("pg-property-\(seed)")
        var generator = SplitMix(seed: seed)
        let partitions = Int32(generator.next() % 4 + 1)
        let setup = PostgresEventLog(databaseURL: url)
        try await setup.createTopic(topic, partitions: partitions, retention: .forever)

        // Plan each producer's batches up front, from the seed.
        let producers = Int(generator.next() % 3) + 2
        var plans: [(lostAcknowledgements: Int, batches: [[OutgoingRecord]])] = []
        var total = 0
        for producer in 0..<producers {
            var batches: [[OutgoingRecord]] = []
            var sequence = 0
            for _ in 0..<Int(generator.next() % 12 + 1) {
                let size = Int(generator.next() % 300) + 1
                batches.append((0..<size).map { _ in
                    defer { sequence += 1 }
                    let key = "p\(producer)-k\(generator.next() % 5)"
                    return OutgoingRecord(topic: topic, key: Array(key.utf8), value: Array("\(producer):\(sequence)".utf8))
                })
                total += size
            }
            plans.append((Int(generator.next() % 4), batches))
        }

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for plan in plans {
                tasks.addTask {
                    var configuration = PostgresEventLog.Configuration(databaseURL: url)
                    configuration.simulatedLostAcknowledgements = plan.lostAcknowledgements
                    let log = PostgresEventLog(configuration: configuration)
                    for batch in plan.batches { _ = try await log.append(batch) }
                    try await log.shutdown()
                }
            }
            try await tasks.waitForAll()
        }

        let read = try await LogContract.readAll(setup, topic: topic, partitions: partitions, expecting: total)
        #expect(read.count == total, "seed \(seed): read \(read.count) of \(total)")
        #expect(Set(read.map(\.value)).count == read.count, "seed \(seed): duplicates")
        var lastByKey: [[UInt8]: Int] = [:]
        var nextOffset: [TopicPartition: Int64] = [:]
        for record in read {
            let sequence = Int(String(decoding: record.value, as: UTF8.self).split(separator: ":")[1])!
            #expect(sequence > lastByKey[record.key, default: -1], "seed \(seed): key order broke")
            lastByKey[record.key] = sequence
            #expect(record.offset == nextOffset[record.topicPartition, default: 0], "seed \(seed): gap at \(record.topicPartition)")
            nextOffset[record.topicPartition] = record.offset + 1
            #expect(record.topicPartition.partition == KafkaPartitioner.partition(forKey: record.key, partitionCount: partitions),
                    "seed \(seed): wrong partition")
        }
        try await setup.shutdown()
    }
}
