import AscentLog
import AscentPostgres
import Testing

/// PostgreSQL-specific guarantees beyond the shared contract: gapless offsets, rollbacks, retries
/// answered with the original offsets, lease expiry, and LISTEN/NOTIFY wake-ups.
@Suite struct PostgresEventLogTests {
    func makeLog(_ url: String, lostAcknowledgements: Int = 0) -> PostgresEventLog {
        var configuration = PostgresEventLog.Configuration(databaseURL: url)
        configuration.heartbeatIntervalMilliseconds = 200
        configuration.sessionTimeoutMilliseconds = 1_500
        configuration.simulatedLostAcknowledgements = lostAcknowledgements
        return PostgresEventLog(configuration: configuration)
    }

    @Test func concurrentAppendersGetGaplessOffsets() async throws {
        guard let url = try await TestDatabase.migratedURL() else { return }
        let topic = TestDatabase.unique("pg-gapless")
        let setup = makeLog(url)
        try await setup.createTopic(topic, partitions: 1, retention: .forever)
        let offsets = try await withThrowingTaskGroup(of: [Int64].self) { tasks in
            for producer in 0..<6 {
                tasks.addTask {
                    let log = makeLog(url)
                    var offsets: [Int64] = []
                    for batch in 0..<20 {
                        let records = (0..<(batch % 5 + 1)).map { OutgoingRecord(topic: topic, key: [], value: Array("\(producer)-\(batch)-\($0)".utf8)) }
                        offsets += try await log.append(records).map(\.offset)
                    }
                    try await log.shutdown()
                    return offsets
                }
            }
            return try await tasks.reduce(into: []) { $0 += $1 }
        }
        #expect(offsets.sorted() == Array(0..<Int64(offsets.count)), "offsets have gaps or repeats")
        #expect(try await setup.endOffsets([TopicPartition(topic: topic, partition: 0)]).values.first == Int64(offsets.count))
        try await setup.shutdown()
    }

    /// Records are stored as one batch per partition per append. A reader resuming in the middle of
    /// a batch, or limited to fewer records than a batch holds, gets exactly the records from its
    /// position on, in order, with their own keys, values and headers; `log_read` unpacks the same
    /// records in SQL.
    @Test func batchesAreCutAtPositionsAndLimitsAndReadableInSQL() async throws {
        guard let url = try await TestDatabase.migratedURL() else { return }
        let topic = TestDatabase.unique("pg-batches")
        let log = makeLog(url)
        try await log.createTopic(topic, partitions: 1, retention: .forever)
        func made(_ index: Int) -> OutgoingRecord {
            OutgoingRecord(topic: topic, key: Array("k\(index)".utf8), value: Array("value \(index)".utf8),
                           headers: index % 2 == 0 ? [LogHeader(name: "type", text: "even\(index)")] : [])
        }
        _ = try await log.append((0..<5).map(made))
        _ = try await log.append((5..<12).map(made))
        let partition = TopicPartition(topic: topic, partition: 0)
        // From offset 3 (inside the first batch), at most 4 records a poll.
        let consumer = try await log.makeConsumer(.positions([partition: 3]))
        var seen: [LogRecord] = []
        for _ in 0..<10 where seen.count < 9 {
            let poll = try await consumer.poll(maxRecords: 4, timeoutMilliseconds: 1_000)
            #expect(poll.records.count <= 4)
            seen += poll.records
        }
        #expect(seen.map(\.offset) == Array(3..<12))
        for record in seen {
            let expected = made(Int(record.offset))
            #expect(record.key == expected.key && record.value == expected.value && record.headers == expected.headers)
        }
        try await consumer.close()
        let rows = try PQConnection(url: url).execute(
            "select record_offset, convert_from(value, 'UTF8'), length(headers) from log_read($1, 0, 4, 3)", [.text(topic)], operation: "log_read")
        #expect(rows.rows.indices.map { rows.int64($0, 0)! } == [4, 5, 6])
        #expect(rows.rows.indices.map { rows.text($0, 1)! } == ["value 4", "value 5", "value 6"])
        #expect(rows.rows.indices.map { rows.int64($0, 2)! > 0 } == [true, false, true])
        try await log.shutdown()
    }

    @Test func failedAppendRollsBackAndLeavesNoGap() async throws {
        guard let url = try await TestDatabase.migratedURL() else { return }
        let topic = TestDatabase.unique("pg-rollback")
        let log = makeLog(url)
        try await log.createTopic(topic, partitions: 1, retention: .forever)
        _ = try await log.append([OutgoingRecord(topic: topic, key: [], value: [1])])
        // A batch whose second partition does not exist fails inside log_append after the first
        // partition's counter moved: the whole transaction must roll back.
        let worker = PQWorker(url: url, name: "rollback-test")
        defer { worker.stop() }
        // Each packed batch is one record: empty key, a 1-byte value, no headers.
        let error = await #expect(throws: PQError.self) {
            try await worker.run("append") { connection throws(PQError) in
                _ = try connection.execute("""
                    select * from log_append('rollback-test', array[$1, $1], array[0, 7], array[0, 0]::int8[], array[1, 1],
                                             array[1, 1]::int8[],
                                             array['\\x00000000000000010100000000'::bytea, '\\x00000000000000010200000000'::bytea])
                    """, [.text(topic)], operation: "append")
            }
        }
        #expect(error?.sqlState == "AL404", "the append must fail on the missing partition, not before: \(String(describing: error))")
        let next = try await log.append([OutgoingRecord(topic: topic, key: [], value: [2])])
        #expect(next.map(\.offset) == [1], "a rolled-back append left a gap")
        try await log.shutdown()
    }

    @Test func retryAfterLostAcknowledgementReturnsTheOriginalOffsets() async throws {
        guard let url = try await TestDatabase.migratedURL() else { return }
        let topic = TestDatabase.unique("pg-lostack")
        let log = makeLog(url, lostAcknowledgements: 1)
        try await log.createTopic(topic, partitions: 2, retention: .forever)
        let records = (0..<10).map { OutgoingRecord(topic: topic, key: Array("k\($0)".utf8), value: Array("v\($0)".utf8)) }
        let results = try await log.append(records)
        let partitions = [TopicPartition(topic: topic, partition: 0), TopicPartition(topic: topic, partition: 1)]
        let ends = try await log.endOffsets(partitions)
        #expect(ends.values.reduce(0, +) == 10, "the retried batch was stored twice: \(ends)")
        for partition in partitions {
            let offsets = results.filter { $0.topicPartition == partition }.map(\.offset)
            #expect(offsets == Array(0..<Int64(offsets.count)), "retry answered with offsets \(offsets)")
        }
        try await log.shutdown()
    }

    @Test func appendSurvivesTheServerDroppingTheWriter() async throws {
        guard let url = try await TestDatabase.migratedURL() else { return }
        let topic = TestDatabase.unique("pg-dropped")
        var configuration = PostgresEventLog.Configuration(databaseURL: url)
        configuration.applicationName = TestDatabase.unique("ascent-dropped")
        let log = PostgresEventLog(configuration: configuration)
        try await log.createTopic(topic, partitions: 1, retention: .forever)
        let first = try await log.append((0..<5).map { OutgoingRecord(topic: topic, key: [], value: [UInt8($0)]) })
        let writerName = configuration.applicationName + "-writer"
        let killer = PQWorker(url: url, name: "pg-dropped-killer")
        defer { killer.stop() }
        let terminated = try await killer.run("terminate writer") { connection throws(PQError) in
            try connection.execute("select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1",
                                   [.text(writerName)], operation: "terminate writer").rows.count
        }
        #expect(terminated == 1, "the writer's session was not found")
        let second = try await log.append((5..<10).map { OutgoingRecord(topic: topic, key: [], value: [UInt8($0)]) })
        #expect((first + second).map(\.offset) == Array(0..<10))
        let read = try await LogContract.readAll(log, topic: topic, partitions: 1, expecting: 10)
        #expect(read.map(\.value) == (0..<10).map { [UInt8($0)] })
        try await log.shutdown()
    }

    @Test func memberThatStopsHeartbeatingLosesItsPartitions() async throws {
        guard let url = try await TestDatabase.migratedURL() else { return }
        let topic = TestDatabase.unique("pg-lease")
        let group = TestDatabase.unique("pg-lease-group")
        let log = makeLog(url)
        try await log.createTopic(topic, partitions: 2, retention: .forever)
        let all = Set([TopicPartition(topic: topic, partition: 0), TopicPartition(topic: topic, partition: 1)])
        let a = try await log.makeConsumer(.group(group, topics: [topic], start: .earliest))
        let silent = try await log.makeConsumer(.group(group, topics: [topic], start: .earliest))
        // Both join, and `silent` keeps its lease until `a` has seen the split (on a loaded machine
        // `a` may take longer than one lease to look); then `silent` never polls again (a hung
        // process) and its lease runs out.
        try await LogContract.pollUntil(a, "a split with the silent member") { _ in
            _ = try await silent.poll(maxRecords: 1, timeoutMilliseconds: 0)
            return try await a.assignment().count == 1
        }
        try await LogContract.pollUntil(a, "the silent member's partition") { _ in try await a.assignment() == all }
        try await a.close()
        try await silent.close()
        try await log.shutdown()
    }

    @Test func idleReaderWakesOnNotify() async throws {
        guard let url = try await TestDatabase.migratedURL() else { return }
        let topic = TestDatabase.unique("pg-notify")
        let log = makeLog(url)
        try await log.createTopic(topic, partitions: 1, retention: .forever)
        let consumer = try await log.makeConsumer(.positions([TopicPartition(topic: topic, partition: 0): 0]))
        // The first poll finds nothing and blocks on the socket; the append's NOTIFY must end it long
        // before its 20 s timeout.
        async let polled = consumer.poll(maxRecords: 10, timeoutMilliseconds: 20_000)
        // Give the poll time to reach its wait (if it has not, it finds the record on its first
        // fetch instead: the test still passes, it just checks less; it cannot fail by timing).
        try await Task.sleep(for: .milliseconds(100))
        let clock = ContinuousClock()
        let start = clock.now
        _ = try await log.append([OutgoingRecord(topic: topic, key: [], value: Array("wake".utf8))])
        let result = try await polled
        let elapsed = clock.now - start
        #expect(result.records.map(\.value) == [Array("wake".utf8)])
        #expect(elapsed < .seconds(2), "the reader took \(elapsed) to see a new record")
        try await consumer.close()
        try await log.shutdown()
    }

    /// An append's own transaction sends no NOTIFY (a notifying transaction holds a database-wide
    /// lock until its commit is on disk, which serialised every append's commit); the appender wakes
    /// readers with a statement of its own after the commit, as `idleReaderWakesOnNotify` shows.
    @Test func logAppendItselfDoesNotNotify() async throws {
        guard let url = try await TestDatabase.migratedURL() else { return }
        let topic = TestDatabase.unique("pg-quiet-append")
        let log = makeLog(url)
        try await log.createTopic(topic, partitions: 1, retention: .forever)
        let worker = PQWorker(url: url, name: "quiet-append-test")
        defer { worker.stop() }
        // A session hears its own notifications as soon as the notifying statement's transaction
        // commits (before the statement's result returns), so no wait is needed either way. Tests
        // running alongside notify the same channel: only this topic's notifications count.
        let (afterAppend, afterNotify) = try await worker.run("append") { connection throws(PQError) in
            try connection.executeScript("listen ascent_log", operation: "listen")
            _ = try connection.execute("""
                select * from log_append('quiet-append-test', array[$1], array[0], array[0]::int8[], array[1], array[1]::int8[],
                                         array['\\x00000000000000010100000000'::bytea])
                """, [.text(topic)], operation: "append")
            let afterAppend = try connection.waitForNotifications(timeoutMilliseconds: 0)
            _ = try connection.execute("select pg_notify('ascent_log', $1)", [.text(topic)], operation: "notify")
            let afterNotify = try connection.waitForNotifications(timeoutMilliseconds: 0)
            return (afterAppend.map(\.payload).filter { $0 == topic }, afterNotify.map(\.payload).filter { $0 == topic })
        }
        #expect(afterAppend == [], "log_append notified inside its transaction")
        #expect(afterNotify == [topic], "the session should hear its own NOTIFY: the check above proves nothing without it")
        let stored = try await log.endOffsets([TopicPartition(topic: topic, partition: 0)])
        #expect(stored[TopicPartition(topic: topic, partition: 0)] == 1)
        try await log.shutdown()
    }
}
