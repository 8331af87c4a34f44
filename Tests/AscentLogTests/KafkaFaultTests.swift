import AscentKafka
import AscentLog
import Foundation
import Testing

/// Faults injected through librdkafka's mock cluster: brokers going down, retriable errors and
/// lost acknowledgements on Produce, consumer restarts, request timeouts. Every wait is on a
/// condition with a deadline. Mock-only: skipped (with a note) when ASCENT_KAFKA_BROKERS is set.
@Suite struct KafkaFaultTests {
    /// Sums a per-broker counter (e.g. "req_timeouts", "txretries") in a statistics JSON.
    static func brokerCounter(_ name: String, in json: String?) -> Int {
        guard let data = json?.data(using: .utf8),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let brokers = root["brokers"] as? [String: Any] else { return 0 }
        return brokers.values.compactMap { ($0 as? [String: Any])?[name] as? Int }.reduce(0, +)
    }

    /// Records transmitted beyond those produced (retries resend whole batches), summed over the
    /// partitions in a statistics JSON.
    static func retransmittedRecords(in json: String?) -> Int {
        guard let data = json?.data(using: .utf8),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let topics = root["topics"] as? [String: Any] else { return 0 }
        var extra = 0
        for case let topic as [String: Any] in topics.values {
            for case let partition as [String: Any] in (topic["partitions"] as? [String: Any] ?? [:]).values
            where (partition["partition"] as? Int ?? -1) >= 0 {
                extra += (partition["txmsgs"] as? Int ?? 0) - (partition["msgs"] as? Int ?? 0)
            }
        }
        return extra
    }

    /// The leader of `partition` as the producer knows it, per a statistics JSON.
    static func leader(of partition: TopicPartition, in json: String?) -> Int32? {
        guard let data = json?.data(using: .utf8),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let topics = root["topics"] as? [String: Any],
              let topic = topics[partition.topic] as? [String: Any],
              let partitions = topic["partitions"] as? [String: Any],
              let entry = partitions[String(partition.partition)] as? [String: Any],
              let leader = entry["leader"] as? Int else { return nil }
        return Int32(leader)
    }

    /// The state ("UP", "DOWN", "CONNECT", ...) of the broker with `id` per a statistics JSON.
    static func brokerState(_ id: Int32, in json: String?) -> String? {
        guard let data = json?.data(using: .utf8),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let brokers = root["brokers"] as? [String: Any] else { return nil }
        for case let broker as [String: Any] in brokers.values where (broker["nodeid"] as? Int) == Int(id) {
            return broker["state"] as? String
        }
        return nil
    }

    /// Waits (bounded) until `condition` holds, checking every 20 ms.
    static func waitUntil(_ what: String, seconds: Int = 30, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while try await !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("gave up waiting for \(what) after \(seconds) s")
                throw KafkaTestTimeout(what: what)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Reads `partition` from offset 0 until `count` records arrived, plus one short poll to catch
    /// extras (duplicates).
    static func readPartition(_ log: any EventLog, _ partition: TopicPartition, count: Int) async throws -> [LogRecord] {
        let consumer = try await log.makeConsumer(.positions([partition: 0]))
        var read: [LogRecord] = []
        try await pollKafkaUntil(consumer, "\(count) records of \(partition)") { result in
            read += result.records
            return read.count >= count
        }
        read += try await consumer.poll(maxRecords: 1_000, timeoutMilliseconds: 300).records
        try await consumer.close()
        return read
    }

    static func records(_ topic: String, _ range: Range<Int>, label: String) -> [OutgoingRecord] {
        range.map { OutgoingRecord(topic: topic, key: Array("k".utf8), value: Array("\(label)-\($0)".utf8), partition: 0) }
    }

    /// Exactly `sent`, in order, offsets rising.
    static func expectExactly(_ read: [LogRecord], _ sent: [OutgoingRecord], _ context: String) {
        let values = read.map { String(decoding: $0.value, as: UTF8.self) }
        let expected = sent.map { String(decoding: $0.value, as: UTF8.self) }
        let firstDifference = zip(values, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? min(values.count, expected.count)
        #expect(values == expected, "\(context): read \(values.count) records, expected \(expected.count); first difference at \(firstDifference)")
        let offsets = read.map(\.offset)
        #expect(zip(offsets, offsets.dropFirst()).allSatisfy { $0 < $1 }, "\(context): offsets not rising")
    }

    func mockCluster(_ name: String) throws -> KafkaTestCluster? {
        let cluster = try KafkaTestCluster(name)
        if cluster.mock == nil { print("KafkaFaultTests.\(name): skipped, fault injection needs the mock cluster (ASCENT_KAFKA_BROKERS is set)") }
        return cluster.mock == nil ? nil : cluster
    }

    /// Retriable errors injected on Produce requests: the producer retries them, and the partition
    /// holds every record once, in append order.
    @Test func retriableProduceErrorsNeitherDuplicateNorReorder() async throws {
        guard let cluster = try mockCluster("produce-errors"), let mock = cluster.mock else { return }
        let log = try cluster.makeLog(["producer.statistics.interval.ms": "100", "producer.retry.backoff.ms": "10"])
        let topic = "\(cluster.prefix)-t"
        try await log.createTopic(topic, partitions: 1, retention: .forever)
        _ = try await log.append(Self.records(topic, 0..<1, label: "warmup"))
        mock.pushRequestErrors(.produce, [.notLeaderForPartition, .requestTimedOut, .notEnoughReplicas,
                                          .leaderNotAvailable, .notLeaderForPartition, .requestTimedOut])
        var sent = Self.records(topic, 0..<1, label: "warmup")
        // One big append (librdkafka splits it into several requests, up to 5 in flight), then
        // small ones back to back.
        let big = Self.records(topic, 0..<400, label: "big")
        let results = try await log.append(big)
        #expect(results.map(\.offset) == Array(1...400).map(Int64.init))
        sent += big
        for start in stride(from: 0, to: 100, by: 10) {
            let small = Self.records(topic, start..<start + 10, label: "small")
            _ = try await log.append(small)
            sent += small
        }
        // Evidence that the errors were hit: the producer transmitted records more than once.
        try await Self.waitUntil("statistics counting retransmitted records") {
            Self.retransmittedRecords(in: log.producerStatistics) > 0
        }
        let read = try await Self.readPartition(log, TopicPartition(topic: topic, partition: 0), count: sent.count)
        Self.expectExactly(read, sent, "after injected Produce errors")
        try await log.shutdown()
    }

    /// The leader stores a batch but the connection drops before its acknowledgement arrives
    /// (responses are held back 3 s, then the broker goes down), so the producer sends the batch
    /// again after reconnecting: idempotence must keep exactly one copy.
    @Test func lostAcknowledgementsAreNotDuplicated() async throws {
        guard let cluster = try mockCluster("lost-acks"), let mock = cluster.mock else { return }
        // The slow batch must outlive the held-back responses, the broker going down and the
        // reconnect on a loaded machine: its timeout only catches a hang.
        let log = try cluster.makeLog(["producer.statistics.interval.ms": "50", "producer.retry.backoff.ms": "10",
                                       "producer.message.timeout.ms": "120000"])
        let topic = "\(cluster.prefix)-t"
        try await log.createTopic(topic, partitions: 1, retention: .forever)
        let partition = TopicPartition(topic: topic, partition: 0)
        try mock.setLeader(partition, broker: 1)
        let first = Self.records(topic, 0..<50, label: "before")
        _ = try await log.append(first)

        try mock.setBrokerRoundTrip(1, milliseconds: 3_000)
        let slow = Self.records(topic, 0..<200, label: "slow")
        let appending = Task { try await log.append(slow) }
        try await Self.waitUntil("the batch sent and awaiting its acknowledgement") {
            Self.brokerCounter("waitresp_msg_cnt", in: log.producerStatistics) > 0
        }
        try mock.setBrokerDown(1)
        try await Self.waitUntil("the producer losing the connection") {
            let state = Self.brokerState(1, in: log.producerStatistics)
            return state != nil && state != "UP"
        }
        try mock.setBrokerRoundTrip(1, milliseconds: 0)
        try mock.setBrokerUp(1)
        let results = try await appending.value
        try await Self.waitUntil("statistics counting retransmitted records") {
            Self.retransmittedRecords(in: log.producerStatistics) > 0
        }
        let read = try await Self.readPartition(log, partition, count: 250)
        // Nothing lost, and order kept: each record's first copy comes in append order.
        var firstCopies: [String] = []
        for value in read.map({ String(decoding: $0.value, as: UTF8.self) }) where !firstCopies.contains(value) {
            firstCopies.append(value)
        }
        #expect(firstCopies == (first + slow).map { String(decoding: $0.value, as: UTF8.self) })
        // Exactly once needs the broker's per-producer sequence check. librdkafka 2.0.2's mock
        // does that check only for transactional producers (rd_kafka_mock_validate_records returns
        // early without a TransactionalId), so the resent batch is stored twice on the mock; a
        // real broker drops it. Kept as a known issue so that it reports when the mock improves.
        withKnownIssue("the mock cluster does not deduplicate idempotent (non-transactional) producers", isIntermittent: true) {
            #expect(results.map(\.offset) == Array(50..<250).map(Int64.init))
            Self.expectExactly(read, first + slow, "after lost acknowledgements")
        }
        try await log.shutdown()
    }

    /// The partition's leader goes down while records are being appended and comes back: the
    /// append completes once it is up, and nothing is lost, duplicated or reordered.
    @Test func brokerDownThenUpDuringProduce() async throws {
        guard let cluster = try mockCluster("broker-down"), let mock = cluster.mock else { return }
        let log = try cluster.makeLog(["producer.statistics.interval.ms": "100"])
        let topic = "\(cluster.prefix)-t"
        try await log.createTopic(topic, partitions: 1, retention: .forever)
        let partition = TopicPartition(topic: topic, partition: 0)
        try mock.setLeader(partition, broker: 1)
        let before = Self.records(topic, 0..<100, label: "before")
        _ = try await log.append(before)

        try mock.setBrokerDown(1)
        try await Self.waitUntil("the producer noticing broker 1 is down") {
            let state = Self.brokerState(1, in: log.producerStatistics)
            return state != nil && state != "UP"
        }
        let during = Self.records(topic, 0..<100, label: "during")
        let appending = Task { try await log.append(during) }
        try await Self.waitUntil("the records queued in the producer") { log.pendingDeliveries > 0 }
        try mock.setBrokerUp(1)
        let results = try await appending.value
        #expect(results.map(\.offset) == Array(100..<200).map(Int64.init))
        let after = Self.records(topic, 0..<50, label: "after")
        _ = try await log.append(after)
        let read = try await Self.readPartition(log, partition, count: 250)
        Self.expectExactly(read, before + during + after, "after broker 1 down and up")
        try await log.shutdown()
    }

    /// A group consumer that read past its last commit is closed; a new one (another process)
    /// resumes exactly at the committed position, re-reading the uncommitted records.
    @Test func restartedConsumerResumesFromCommit() async throws {
        guard let cluster = try mockCluster("consumer-restart") else { return }
        let topic = "\(cluster.prefix)-t"
        let group = "\(cluster.prefix)-g"
        let log = try cluster.makeLog()
        try await log.createTopic(topic, partitions: 1, retention: .forever)
        let sent = Self.records(topic, 0..<40, label: "r")
        _ = try await log.append(sent)
        let first = try await log.makeConsumer(.group(group, topics: [topic], start: .earliest))
        var read: [LogRecord] = []
        var assigned: [TopicPartition: Int64] = [:]
        try await pollKafkaUntil(first, "20 records") { result in
            read += result.records
            assigned.merge(result.assigned) { $1 }
            return read.count >= 20
        }
        #expect(assigned == [TopicPartition(topic: topic, partition: 0): 0], "a new group starts at the first record")
        try await first.commit([read[11].topicPartition: read[11].offset + 1])
        try await first.close()
        try await log.shutdown()

        let restarted = try cluster.makeLog()
        let second = try await restarted.makeConsumer(.group(group, topics: [topic], start: .earliest))
        var again: [LogRecord] = []
        var reassigned: [TopicPartition: Int64] = [:]
        try await pollKafkaUntil(second, "the records after the commit") { result in
            again += result.records
            reassigned.merge(result.assigned) { $1 }
            return again.count >= 28
        }
        #expect(reassigned == [TopicPartition(topic: topic, partition: 0): read[11].offset + 1])
        Self.expectExactly(again, Array(sent[12...]), "after restart")
        try await second.close()
        try await restarted.shutdown()
    }

    /// Calls that outlast their timeout fail with a retriable error instead of hanging, and the
    /// same log works again once the brokers answer.
    @Test func requestTimeoutsFailRetriablyAndRecover() async throws {
        guard let cluster = try mockCluster("timeouts"), let mock = cluster.mock else { return }
        let log = try cluster.makeLog(["ascent.timeout.ms": "300", "producer.message.timeout.ms": "3000",
                                       "producer.statistics.interval.ms": "50"])
        let topic = "\(cluster.prefix)-t"
        try await log.createTopic(topic, partitions: 1, retention: .forever)
        let partition = TopicPartition(topic: topic, partition: 0)
        _ = try await log.append(Self.records(topic, 0..<5, label: "ok"))
        var leader: Int32 = -1
        try await Self.waitUntil("the producer's statistics naming the partition's leader") {
            leader = Self.leader(of: partition, in: log.producerStatistics) ?? -1
            return leader > 0
        }

        // librdkafka checks request timeouts about once a second, so a 300 ms timeout fires
        // within ~1.3 s; answers held back 5 s cannot beat it.
        for broker in 1...mock.brokerCount { try mock.setBrokerRoundTrip(broker, milliseconds: 5_000) }
        let started = ContinuousClock.now
        await #expect {
            _ = try await log.endOffsets([partition])
        } throws: { error in
            (error as? LogError).map { $0.isRetriable && $0.code == "_TIMED_OUT" } ?? false
        }
        // Throwing _TIMED_OUT already proves it gave up before the held-back answer; the bound only
        // catches a hang (timings belong in benchmarks; a loaded CI machine stretches them).
        #expect(ContinuousClock.now - started < .seconds(60), "endOffsets must give up instead of waiting for the answer")
        for broker in 1...mock.brokerCount { try mock.setBrokerRoundTrip(broker, milliseconds: 0) }

        try mock.setBrokerDown(leader)
        await #expect {
            _ = try await log.append(Self.records(topic, 0..<3, label: "lost"))
        } throws: { error in
            (error as? LogError).map { $0.isRetriable && $0.code == "_MSG_TIMED_OUT" } ?? false
        }
        try mock.setBrokerUp(leader)
        // A caller retries a retriable failure; bounded here by the wait's deadline.
        var results: [AppendResult] = []
        try await Self.waitUntil("an append succeeding again") {
            do {
                results = try await log.append(Self.records(topic, 0..<5, label: "again"))
                return true
            } catch let error as LogError where error.isRetriable {
                return false
            }
        }
        #expect(results.count == 5)
        try await Self.waitUntil("end offsets answering again") {
            (try? await log.endOffsets([partition]))?[partition] == 10
        }
        try await log.shutdown()
    }

    /// The leader goes down while a consumer reads the partition and comes back: the consumer
    /// resumes where it was, with no gap and no record twice.
    @Test func brokerDownThenUpDuringConsume() async throws {
        guard let cluster = try mockCluster("consume-down"), let mock = cluster.mock else { return }
        // Small fetches and almost no prefetch, so most records are still on the broker when it goes down.
        let log = try cluster.makeLog(["consumer.max.partition.fetch.bytes": "1024", "consumer.fetch.max.bytes": "1024",
                                       "consumer.message.max.bytes": "1000",
                                       "consumer.queued.min.messages": "1"])
        let topic = "\(cluster.prefix)-t"
        try await log.createTopic(topic, partitions: 1, retention: .forever)
        let partition = TopicPartition(topic: topic, partition: 0)
        try mock.setLeader(partition, broker: 3)
        let sent = Self.records(topic, 0..<300, label: "c")
        // Ten records per append, so the log holds many small batches (a fetch returns whole batches).
        for start in stride(from: 0, to: sent.count, by: 10) { _ = try await log.append(Array(sent[start..<start + 10])) }
        let consumer = try await log.makeConsumer(.positions([partition: 0]))
        var read: [LogRecord] = []
        try await pollKafkaUntil(consumer, "the first records") { result in
            read += result.records
            return !read.isEmpty
        }
        try mock.setBrokerDown(3)
        // Polls while the leader is down return nothing new (or what was already fetched).
        for _ in 0..<5 { read += try await consumer.poll(maxRecords: 50, timeoutMilliseconds: 100).records }
        #expect(read.count < sent.count, "the consumer had everything before the leader went down: the fault was not exercised")
        try mock.setBrokerUp(3)
        try await pollKafkaUntil(consumer, "the rest after the leader came back") { result in
            read += result.records
            return read.count >= sent.count
        }
        read += try await consumer.poll(maxRecords: 1_000, timeoutMilliseconds: 300).records
        Self.expectExactly(read, sent, "after the leader went down during reading")
        try await consumer.close()
        try await log.shutdown()
    }

    /// A commit the coordinator refuses throws a LogError naming the failure; the next commit
    /// succeeds and is where a restarted member resumes.
    @Test func refusedCommitThrowsAndNextCommitCounts() async throws {
        guard let cluster = try mockCluster("commit-error"), let mock = cluster.mock else { return }
        let log = try cluster.makeLog()
        let topic = "\(cluster.prefix)-t"
        let group = "\(cluster.prefix)-g"
        try await log.createTopic(topic, partitions: 1, retention: .forever)
        let partition = TopicPartition(topic: topic, partition: 0)
        let sent = Self.records(topic, 0..<20, label: "r")
        _ = try await log.append(sent)
        let consumer = try await log.makeConsumer(.group(group, topics: [topic], start: .earliest))
        var read: [LogRecord] = []
        try await pollKafkaUntil(consumer, "20 records") { result in
            read += result.records
            return read.count >= 20
        }
        // 30 = GROUP_AUTHORIZATION_FAILED: not something librdkafka retries by itself.
        mock.pushRequestErrors(.offsetCommit, [.code(30)])
        await #expect {
            try await consumer.commit([partition: 5])
        } throws: { error in
            (error as? LogError).map { $0.code == "GROUP_AUTHORIZATION_FAILED" && !$0.isRetriable } ?? false
        }
        try await consumer.commit([partition: 7])
        try await consumer.close()

        let again = try await log.makeConsumer(.group(group, topics: [topic], start: .earliest))
        var resumed: [LogRecord] = []
        try await pollKafkaUntil(again, "the records after the commit") { result in
            resumed += result.records
            return resumed.count >= 13
        }
        Self.expectExactly(resumed, Array(sent[7...]), "after a refused and an accepted commit")
        try await again.close()
        try await log.shutdown()
    }

    /// `shutdown` closes the consumers still open; using one afterwards is a clear error.
    @Test func shutdownClosesOpenConsumers() async throws {
        guard let cluster = try mockCluster("shutdown") else { return }
        let log = try cluster.makeLog()
        let topic = "\(cluster.prefix)-t"
        try await log.createTopic(topic, partitions: 1, retention: .forever)
        let consumer = try await log.makeConsumer(.group("\(cluster.prefix)-g", topics: [topic], start: .earliest))
        try await pollKafkaUntil(consumer, "an assignment") { _ in try await !consumer.assignment().isEmpty }
        try await log.shutdown()
        await #expect { _ = try await consumer.poll(maxRecords: 1, timeoutMilliseconds: 0) } throws: { error in
            (error as? LogError)?.code == "CLOSED"
        }
        try await consumer.close()  // a second close does nothing
    }
}
