import AscentLog
import Testing

/// Makes a fresh `EventLog` instance connected to the backend under test (a new instance is a new
/// producer and a "restarted process").
typealias LogFactory = @Sendable () async throws -> any EventLog

/// The behaviour every `EventLog` backend must share, as plain async functions so that each backend's
/// test file calls them with its own factory. Backend-neutral on purpose: no SQL, no Kafka here.
/// Every function uses topics and groups named from `prefix`, which callers make unique per run.
enum LogContract {
    /// How long any one wait for the log may take before the contract fails (rebalances are slow on Kafka).
    static let patience: Duration = .seconds(60)

    // MARK: - Order and loss

    /// Records with one key land in the key's Kafka partition and are read back in append order;
    /// offsets rise within each partition; `createTopic` is idempotent.
    static func perPartitionOrder(makeLog: LogFactory, prefix: String) async throws {
        let log = try await makeLog()
        let topic = "\(prefix)-order"
        try await log.createTopic(topic, partitions: 4, retention: .forever)
        try await log.createTopic(topic, partitions: 4, retention: .forever)
        #expect(try await log.partitionCount(of: topic) == 4)

        var sent: [OutgoingRecord] = []
        for sequence in 0..<400 {
            let key = "key-\(sequence % 10)"
            sent.append(OutgoingRecord(topic: topic, key: Array(key.utf8), value: Array("\(key):\(sequence)".utf8),
                                       headers: [LogHeader(name: "sequence", text: "\(sequence)")]))
        }
        var results: [AppendResult] = []
        for batch in stride(from: 0, to: sent.count, by: 37) {
            results += try await log.append(Array(sent[batch..<min(batch + 37, sent.count)]))
        }
        #expect(results.count == sent.count)
        for (record, result) in zip(sent, results) {
            #expect(result.topicPartition.partition == KafkaPartitioner.partition(forKey: record.key, partitionCount: 4),
                    "key \(String(decoding: record.key, as: UTF8.self)) landed in the wrong partition")
        }

        let read = try await readAll(log, topic: topic, partitions: 4, expecting: sent.count)
        #expect(read.count == sent.count)
        var lastSequenceByKey: [[UInt8]: Int] = [:]
        var lastOffsetByPartition: [TopicPartition: Int64] = [:]
        for record in read {
            let sequence = Int(record.header("sequence") ?? "") ?? -1
            #expect(sequence > lastSequenceByKey[record.key, default: -1], "key order broken at sequence \(sequence)")
            lastSequenceByKey[record.key] = sequence
            #expect(record.offset > lastOffsetByPartition[record.topicPartition, default: -1])
            lastOffsetByPartition[record.topicPartition] = record.offset
            let expected = sent[sequence]
            #expect(record.value == expected.value && record.headers == expected.headers)
            #expect(record.offset == results[sequence].offset && record.topicPartition == results[sequence].topicPartition)
        }
        try await log.shutdown()
    }

    /// Every appended record is read back exactly once, and `endOffsets` counts them all.
    static func noLoss(makeLog: LogFactory, prefix: String) async throws {
        try await appendAndCheckExactlyOnce(makeLog: makeLog, topic: "\(prefix)-noloss", count: 1_000)
    }

    /// With a log whose appends hit faults that make the producer retry (a lost commit acknowledgement,
    /// a broker error), every record is still stored exactly once: the backend's idempotence.
    /// `makeFaultyLog` makes a log that injects such faults.
    static func noDuplicatesAcrossRetries(makeFaultyLog: LogFactory, prefix: String) async throws {
        try await appendAndCheckExactlyOnce(makeLog: makeFaultyLog, topic: "\(prefix)-retries", count: 500)
    }

    private static func appendAndCheckExactlyOnce(makeLog: LogFactory, topic: String, count: Int) async throws {
        let log = try await makeLog()
        try await log.createTopic(topic, partitions: 3, retention: .forever)
        var appended = 0
        var batchSize = 1
        while appended < count {
            let size = min(batchSize, count - appended)
            let batch = (appended..<appended + size).map { index in
                OutgoingRecord(topic: topic, key: Array("k\(index % 7)".utf8), value: Array("value-\(index)".utf8))
            }
            let results = try await log.append(batch)
            #expect(results.count == size)
            appended += size
            batchSize = batchSize * 2 % 97 + 1
        }
        let partitions = (0..<Int32(3)).map { TopicPartition(topic: topic, partition: $0) }
        let ends = try await log.endOffsets(partitions)
        #expect(ends.values.reduce(0, +) == Int64(count), "end offsets \(ends) do not count \(count) records")
        let read = try await readAll(log, topic: topic, partitions: 3, expecting: count)
        var seen: [String: Int] = [:]
        for record in read { seen[String(decoding: record.value, as: UTF8.self), default: 0] += 1 }
        #expect(seen.count == count, "read \(seen.count) distinct records of \(count)")
        let duplicated = seen.filter { $0.value > 1 }.keys.sorted()
        #expect(duplicated.isEmpty, "duplicated: \(duplicated.prefix(10))")
        try await log.shutdown()
    }

    // MARK: - Groups

    /// A group's committed positions survive the process: a consumer of a new log instance in the same
    /// group resumes exactly after what was committed.
    static func positionsSurviveRestart(makeLog: LogFactory, prefix: String) async throws {
        let topic = "\(prefix)-restart"
        let group = "\(prefix)-restart-group"
        let first = try await makeLog()
        try await first.createTopic(topic, partitions: 1, retention: .forever)
        let batch = (0..<30).map { OutgoingRecord(topic: topic, key: Array("k".utf8), value: Array("v\($0)".utf8)) }
        _ = try await first.append(batch)

        let consumer = try await first.makeConsumer(.group(group, topics: [topic], start: .earliest))
        var read: [LogRecord] = []
        try await pollUntil(consumer, "first 10 records") { result in
            read += result.records
            return read.count >= 10
        }
        #expect(read.first?.value == Array("v0".utf8), "a new group starting at earliest reads from the first record")
        let tenth = read[9]
        try await consumer.commit([tenth.topicPartition: tenth.offset + 1])
        try await consumer.close()
        try await first.shutdown()

        let second = try await makeLog()
        let resumed = try await second.makeConsumer(.group(group, topics: [topic], start: .earliest))
        var after: [LogRecord] = []
        try await pollUntil(resumed, "records after the committed position") { result in
            after += result.records
            return !after.isEmpty
        }
        #expect(after.first?.value == Array("v10".utf8), "resumed at \(after.first.map { String(decoding: $0.value, as: UTF8.self) } ?? "nothing")")
        try await resumed.close()

        // A new group starting at latest sees only records appended after it joined. When "latest"
        // is resolved is up to the backend (Kafka resolves it lazily), so append one record per poll
        // until something arrives, then check that nothing from before joining came with it.
        let latest = try await second.makeConsumer(.group("\(group)-latest", topics: [topic], start: .latest))
        var fresh: [LogRecord] = []
        var appendedAfterJoining = 0
        try await pollUntil(latest, "a record appended after joining") { result in
            fresh += result.records
            if fresh.isEmpty {
                _ = try await second.append([OutgoingRecord(topic: topic, key: Array("k".utf8), value: Array("new-\(appendedAfterJoining)".utf8))])
                appendedAfterJoining += 1
            }
            return !fresh.isEmpty
        }
        #expect(fresh.allSatisfy { String(decoding: $0.value, as: UTF8.self).hasPrefix("new-") },
                "a group starting at latest read records from before it joined")
        try await latest.close()
        try await second.shutdown()
    }

    /// Two members of a group split the partitions between them with no overlap; when one leaves, the
    /// other takes over its partitions and reads on from the leaver's committed positions.
    static func groupSplitAndHandover(makeLog: LogFactory, prefix: String) async throws {
        let topic = "\(prefix)-split"
        let group = "\(prefix)-split-group"
        let log = try await makeLog()
        try await log.createTopic(topic, partitions: 4, retention: .forever)
        let all = Set((0..<Int32(4)).map { TopicPartition(topic: topic, partition: $0) })

        let a = try await log.makeConsumer(.group(group, topics: [topic], start: .earliest))
        try await pollUntil(a, "the only member owning every partition") { _ in try await a.assignment() == all }
        let b = try await log.makeConsumer(.group(group, topics: [topic], start: .earliest))
        let deadline = ContinuousClock.now + patience
        while true {
            _ = try await a.poll(maxRecords: 100, timeoutMilliseconds: 50)
            _ = try await b.poll(maxRecords: 100, timeoutMilliseconds: 50)
            let (ofA, ofB) = (try await a.assignment(), try await b.assignment())
            if !ofA.isEmpty, !ofB.isEmpty, ofA.isDisjoint(with: ofB), ofA.union(ofB) == all { break }
            guard ContinuousClock.now < deadline else {
                Issue.record("members never split the partitions: a \(ofA), b \(ofB)")
                return
            }
        }
        let ofB = try await b.assignment()

        // B reads and commits what is in its partitions, then leaves.
        var values: [TopicPartition: [String]] = [:]
        let firstRound = (0..<40).map { OutgoingRecord(topic: topic, key: [], value: Array("first-\($0)".utf8), partition: Int32($0 % 4)) }
        _ = try await log.append(firstRound)
        var readByB: [LogRecord] = []
        try await pollUntil(b, "B's share of the first round") { result in
            readByB += result.records
            return readByB.count >= 10 * ofB.count
        }
        for record in readByB { values[record.topicPartition, default: []].append(String(decoding: record.value, as: UTF8.self)) }
        var positions: [TopicPartition: Int64] = [:]
        for record in readByB { positions[record.topicPartition] = max(positions[record.topicPartition] ?? 0, record.offset + 1) }
        try await b.commit(positions)
        try await b.close()

        try await pollUntil(a, "A taking over B's partitions") { _ in try await a.assignment() == all }
        let secondRound = (0..<40).map { OutgoingRecord(topic: topic, key: [], value: Array("second-\($0)".utf8), partition: Int32($0 % 4)) }
        _ = try await log.append(secondRound)
        var readByA: [LogRecord] = []
        try await pollUntil(a, "A reading B's former partitions after B's commit") { result in
            readByA += result.records
            let fromB = readByA.filter { ofB.contains($0.topicPartition) && String(decoding: $0.value, as: UTF8.self).hasPrefix("second-") }
            return fromB.count >= 10 * ofB.count
        }
        let replayed = readByA.filter { ofB.contains($0.topicPartition) && String(decoding: $0.value, as: UTF8.self).hasPrefix("first-") }
        #expect(replayed.isEmpty, "A re-read \(replayed.count) records B had committed")
        try await a.close()
        try await log.shutdown()
    }

    // MARK: - Reading

    /// `endOffsets` marks an end that a reader can read exactly up to, even while appends continue.
    static func readToEnd(makeLog: LogFactory, prefix: String) async throws {
        let topic = "\(prefix)-end"
        let log = try await makeLog()
        try await log.createTopic(topic, partitions: 2, retention: .forever)
        let partitions = [TopicPartition(topic: topic, partition: 0), TopicPartition(topic: topic, partition: 1)]
        let empty = try await log.endOffsets(partitions)
        #expect(empty.values.allSatisfy { $0 == 0 }, "a new topic ends at 0: \(empty)")

        _ = try await log.append((0..<50).map { OutgoingRecord(topic: topic, key: Array("k\($0)".utf8), value: Array("before-\($0)".utf8)) })
        let ends = try await log.endOffsets(partitions)
        _ = try await log.append((0..<20).map { OutgoingRecord(topic: topic, key: Array("k\($0)".utf8), value: Array("after-\($0)".utf8)) })

        let consumer = try await log.makeConsumer(.positions(Dictionary(uniqueKeysWithValues: partitions.map { ($0, 0) })))
        var reached: [TopicPartition: Int64] = [:]
        var upToEnd: [LogRecord] = []
        try await pollUntil(consumer, "the end offsets \(ends)") { result in
            for record in result.records where record.offset < ends[record.topicPartition]! {
                upToEnd.append(record)
            }
            for record in result.records { reached[record.topicPartition] = record.offset + 1 }
            return partitions.allSatisfy { reached[$0, default: 0] >= ends[$0]! }
        }
        #expect(upToEnd.count == 50)
        #expect(upToEnd.allSatisfy { String(decoding: $0.value, as: UTF8.self).hasPrefix("before-") })
        try await consumer.close()
        try await log.shutdown()
    }

    /// Values of `size` bytes (1 MB by default) go through unchanged.
    static func largeValues(makeLog: LogFactory, prefix: String, size: Int = 1_000_000) async throws {
        let topic = "\(prefix)-large"
        let log = try await makeLog()
        try await log.createTopic(topic, partitions: 1, retention: .forever)
        let values = (0..<3).map { seed in (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed &* 7 &+ $0 >> 8) } }
        for value in values {
            _ = try await log.append([OutgoingRecord(topic: topic, key: Array("big".utf8), value: value)])
        }
        let read = try await readAll(log, topic: topic, partitions: 1, expecting: 3)
        #expect(read.count == 3)
        for (record, value) in zip(read, values) {
            #expect(record.value.count == size)
            #expect(record.value == value, "a large value came back changed")
        }
        try await log.shutdown()
    }

    /// Several producers (log instances) appending at once lose nothing, duplicate nothing, and each
    /// keeps its own per-key order.
    static func concurrentProducers(makeLog: @escaping LogFactory, prefix: String) async throws {
        let topic = "\(prefix)-concurrent"
        let setup = try await makeLog()
        try await setup.createTopic(topic, partitions: 2, retention: .forever)
        let producers = 4
        let perProducer = 300
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for producer in 0..<producers {
                tasks.addTask {
                    let log = try await makeLog()
                    for start in stride(from: 0, to: perProducer, by: 25) {
                        let batch = (start..<start + 25).map { index in
                            OutgoingRecord(topic: topic, key: Array("p\(producer)-k\(index % 3)".utf8),
                                           value: Array("\(producer):\(index)".utf8))
                        }
                        _ = try await log.append(batch)
                    }
                    try await log.shutdown()
                }
            }
            try await tasks.waitForAll()
        }
        let read = try await readAll(setup, topic: topic, partitions: 2, expecting: producers * perProducer)
        #expect(read.count == producers * perProducer)
        #expect(Set(read.map(\.value)).count == producers * perProducer, "duplicates among concurrent producers")
        var lastIndexByKey: [[UInt8]: Int] = [:]
        for record in read {
            let index = Int(String(decoding: record.value, as: UTF8.self).split(separator: ":")[1])!
            #expect(index > lastIndexByKey[record.key, default: -1], "a producer's key order broke")
            lastIndexByKey[record.key] = index
        }
        try await setup.shutdown()
    }

    // MARK: - Helpers

    /// Reads partitions 0..<partitions of `topic` from offset 0 until `expecting` records arrived (and
    /// a little longer, to catch extras), in per-partition order.
    static func readAll(_ log: any EventLog, topic: String, partitions: Int32, expecting: Int) async throws -> [LogRecord] {
        let start = Dictionary(uniqueKeysWithValues: (0..<partitions).map { (TopicPartition(topic: topic, partition: $0), Int64(0)) })
        let consumer = try await log.makeConsumer(.positions(start))
        var read: [LogRecord] = []
        try await pollUntil(consumer, "\(expecting) records of \(topic)") { result in
            read += result.records
            return read.count >= expecting
        }
        // One more short poll: anything extra here is a duplicate or a stray record.
        read += try await consumer.poll(maxRecords: 1_000, timeoutMilliseconds: 200).records
        try await consumer.close()
        return read
    }

    /// Polls `consumer` until `done` says so, failing the contract after `patience`.
    static func pollUntil(_ consumer: any LogConsumer, _ what: String,
                          _ done: (PollResult) async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + patience
        while true {
            let result = try await consumer.poll(maxRecords: 500, timeoutMilliseconds: 100)
            if try await done(result) { return }
            guard ContinuousClock.now < deadline else {
                Issue.record("gave up waiting for \(what) after \(patience)")
                throw ContractTimeout(what: what)
            }
        }
    }
}

/// The log did not do what the contract waited for in time.
struct ContractTimeout: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}
