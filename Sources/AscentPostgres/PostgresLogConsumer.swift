import AscentLog
import Foundation

/// A reader of the PostgreSQL log with its own connection and thread. An idle consumer blocks in
/// poll() on its socket until a NOTIFY for one of its topics (or its group) arrives, so it costs
/// nothing while waiting and sees a new record within milliseconds.
public final class PostgresLogConsumer: LogConsumer {
    /// The NOTIFY channel appenders signal, with the topic as payload.
    static let recordsChannel = "ascent_log"
    /// The NOTIFY channel membership changes signal, with the group as payload.
    static let groupsChannel = "ascent_log_group"

    private let worker: PQWorker
    private let state: ConsumerState
    private let configuration: PostgresEventLog.Configuration

    init(configuration: PostgresEventLog.Configuration, subscription: Subscription) {
        self.configuration = configuration
        state = ConsumerState(subscription: subscription)
        worker = PQWorker(url: configuration.databaseURL, name: configuration.applicationName + "-consumer", maxPendingJobs: 16,
                          niceness: configuration.niceness) { connection throws(PQError) in
            // Listening before the first fetch means no record committed after that fetch goes unnoticed.
            try connection.executeScript("listen \(PostgresLogConsumer.recordsChannel); listen \(PostgresLogConsumer.groupsChannel)",
                                         operation: "listen")
        }
    }

    public func poll(maxRecords: Int, timeoutMilliseconds: Int) async throws -> PollResult {
        precondition(maxRecords > 0, "poll at least one record")
        let state = self.state
        let configuration = self.configuration
        return try await worker.runLogged("poll") { connection throws(PQError) in
            try state.poll(connection, maxRecords: maxRecords, timeoutMilliseconds: timeoutMilliseconds, configuration: configuration)
        }
    }

    public func commit(_ positions: [TopicPartition: Int64]) async throws {
        guard case .group(let group, _, _) = state.subscription else {
            throw LogError(code: "no_group", reason: "a consumer placed by positions has no group to commit to",
                           operation: "commit", isRetriable: false)
        }
        if positions.isEmpty { return }
        var topics = PQArrayLiteral(), partitions = PQArrayLiteral(), offsets = PQArrayLiteral()
        for (partition, offset) in positions.sorted(by: { $0.key < $1.key }) {
            topics.append(text: partition.topic)
            partitions.append(partition.partition)
            offsets.append(offset)
        }
        let parameters: [PQParameter] = [.text(group), .text(topics.text), .text(partitions.text), .text(offsets.text)]
        _ = try await worker.runLogged("commit") { connection throws(PQError) in
            try connection.execute("""
                insert into log_group_positions (group_name, topic, partition, next_offset)
                select $1, u.topic, u.partition, u.next_offset from unnest($2::text[], $3::int4[], $4::int8[]) as u (topic, partition, next_offset)
                on conflict (group_name, topic, partition) do update
                   set next_offset = excluded.next_offset, committed_at = now()
                """, parameters, operation: "commit", prepared: true)
        }
    }

    public func assignment() async throws -> Set<TopicPartition> {
        let state = self.state
        return try await worker.runLogged("assignment") { _ throws(PQError) in state.assignment }
    }

    public func close() async throws {
        let state = self.state
        let configuration = self.configuration
        defer { worker.stop() }
        if case .group = state.subscription {
            _ = try await worker.runLogged("leave group") { connection throws(PQError) in
                try state.leave(connection, configuration: configuration)
            }
        }
    }
}

/// What a consumer knows: its assignment, positions and group generation.
/// @unchecked Sendable: used only on the consumer's worker thread, inside its jobs.
final class ConsumerState: @unchecked Sendable {
    let subscription: Subscription
    let memberID = UUID().uuidString
    let topics: Set<String>
    var assignment: Set<TopicPartition> = []
    var positions: [TopicPartition: Int64] = [:]
    var generation: Int64 = -1
    var assignmentIncomplete = true
    var heartbeatNeeded = true
    var lastHeartbeat = ContinuousClock.now
    var newlyAssigned: [TopicPartition: Int64] = [:]
    var newlyRevoked: Set<TopicPartition> = []
    var rotation = 0

    init(subscription: Subscription) {
        self.subscription = subscription
        switch subscription {
        case .group(_, let topics, _):
            self.topics = Set(topics)
        case .positions(let positions):
            self.topics = Set(positions.keys.map(\.topic))
            self.positions = positions
            assignment = Set(positions.keys)
        }
    }

    func poll(_ connection: PQConnection, maxRecords: Int, timeoutMilliseconds: Int,
              configuration: PostgresEventLog.Configuration) throws(PQError) -> PollResult {
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(max(0, timeoutMilliseconds))
        let heartbeatInterval = Duration.milliseconds(configuration.heartbeatIntervalMilliseconds)
        var mayHaveRecords = true
        while true {
            if case .group = subscription, heartbeatNeeded || clock.now - lastHeartbeat >= heartbeatInterval {
                try heartbeat(connection, configuration: configuration)
                mayHaveRecords = true
            }
            if mayHaveRecords && !assignment.isEmpty {
                mayHaveRecords = false
                let records = try fetch(connection, maxRecords: maxRecords, maxBytes: configuration.maxFetchBytes)
                if !records.isEmpty { return takeResult(records) }
            }
            if !newlyAssigned.isEmpty || !newlyRevoked.isEmpty { return takeResult([]) }
            let now = clock.now
            guard now < deadline else { return takeResult([]) }
            var wait = deadline - now
            if case .group = subscription { wait = min(wait, max(.milliseconds(1), lastHeartbeat + heartbeatInterval - now)) }
            let waitMilliseconds = Int32(clamping: max(1, wait.components.seconds * 1_000 + wait.components.attoseconds / 1_000_000_000_000_000))
            for notification in try connection.waitForNotifications(timeoutMilliseconds: waitMilliseconds) {
                if notification.channel == PostgresLogConsumer.recordsChannel, topics.contains(notification.payload) {
                    mayHaveRecords = true
                } else if notification.channel == PostgresLogConsumer.groupsChannel, case .group(let group, _, _) = subscription,
                          notification.payload == group {
                    heartbeatNeeded = true
                }
            }
        }
    }

    func leave(_ connection: PQConnection, configuration: PostgresEventLog.Configuration) throws(PQError) {
        guard case .group(let group, let topics, _) = subscription else { return }
        _ = try connection.execute("select * from log_group_heartbeat($1, $2, $3::text[], $4, true)",
                                   [.text(group), .text(memberID), .text(Self.textArray(topics)), .int(configuration.sessionTimeoutMilliseconds)],
                                   operation: "leave group \(group)")
        newlyRevoked = assignment
        assignment = []
        positions = [:]
    }

    private func takeResult(_ records: [LogRecord]) -> PollResult {
        defer { newlyAssigned = [:]; newlyRevoked = [] }
        return PollResult(records: records, assigned: newlyAssigned, revoked: newlyRevoked)
    }

    /// Renews this member's lease and, when the group's generation moved, recomputes the assignment.
    private func heartbeat(_ connection: PQConnection, configuration: PostgresEventLog.Configuration) throws(PQError) {
        guard case .group(let group, let topicList, let start) = subscription else { return }
        let operation = "heartbeat \(group)"
        let result = try connection.execute("select * from log_group_heartbeat($1, $2, $3::text[], $4, false)",
                                            [.text(group), .text(memberID), .text(Self.textArray(topicList)),
                                             .int(configuration.sessionTimeoutMilliseconds)], operation: operation, prepared: true)
        lastHeartbeat = ContinuousClock.now
        heartbeatNeeded = false
        let newGeneration = result.int64(0, 0)!
        guard newGeneration != generation || assignmentIncomplete else { return }
        let members = result.rows.indices.compactMap { result.text($0, 1) }

        let counts = try connection.execute("select topic, partitions from log_topics where topic = any($1::text[])",
                                            [.text(Self.textArray(topicList))], operation: operation)
        var all: [TopicPartition] = []
        for row in counts.rows.indices {
            let topic = counts.text(row, 0)!
            all += (0..<Int32(counts.int64(row, 1)!)).map { TopicPartition(topic: topic, partition: $0) }
        }
        // A topic that does not exist yet gets assigned once it does: keep recomputing till then.
        assignmentIncomplete = counts.rows.count < Set(topicList).count
        let mine = RangeAssignor.partitions(of: memberID, members: members, partitions: all)
        for lost in assignment.subtracting(mine) {
            positions[lost] = nil
            newlyAssigned[lost] = nil
            newlyRevoked.insert(lost)
        }
        let gained = mine.subtracting(assignment)
        if !gained.isEmpty {
            var topics = PQArrayLiteral(), partitions = PQArrayLiteral()
            for partition in gained.sorted() {
                topics.append(text: partition.topic)
                partitions.append(partition.partition)
            }
            let starts = try connection.execute("""
                select w.topic, w.partition, g.next_offset, p.next_offset
                  from unnest($2::text[], $3::int4[]) as w (topic, partition)
                  join log_partitions p on p.topic = w.topic and p.partition = w.partition
                  left join log_group_positions g on g.group_name = $1 and g.topic = w.topic and g.partition = w.partition
                """, [.text(group), .text(topics.text), .text(partitions.text)], operation: operation)
            for row in starts.rows.indices {
                let partition = TopicPartition(topic: starts.text(row, 0)!, partition: Int32(starts.int64(row, 1)!))
                let committed = starts.int64(row, 2)
                let position = committed ?? (start == .earliest ? 0 : starts.int64(row, 3)!)
                positions[partition] = position
                newlyAssigned[partition] = position
                newlyRevoked.remove(partition)
            }
        }
        assignment = mine
        generation = newGeneration
    }

    /// Up to `maxRecords` records (and about `maxBytes` of values) from the assigned partitions at
    /// their positions, starting from a different partition each time so none starves. Records are
    /// stored in batches (one row per partition per append): the query picks batches by their
    /// record counts and value bytes without reading their contents, then reads only the picked
    /// ones; a batch that straddles a position or the limits is cut here.
    private func fetch(_ connection: PQConnection, maxRecords: Int, maxBytes: Int) throws(PQError) -> [LogRecord] {
        var order = assignment.sorted()
        rotation = (rotation + 1) % max(1, order.count)
        order = Array(order[rotation...] + order[..<rotation])
        var topics = PQArrayLiteral(), partitions = PQArrayLiteral(), offsets = PQArrayLiteral()
        for partition in order {
            topics.append(text: partition.topic)
            partitions.append(partition.partition)
            offsets.append(positions[partition] ?? 0)
        }
        let result = try connection.execute("""
            with picked as (
                select z.* from (
                    select w.ordinal, l.topic, l.partition, l.last_offset, l.base_offset, l.record_count,
                           sum(l.record_count) over (order by w.ordinal, l.last_offset) - l.record_count as records_before,
                           sum(l.value_bytes) over (order by w.ordinal, l.last_offset) - l.value_bytes as bytes_before
                      from unnest($1::text[], $2::int4[], $3::int8[]) with ordinality as w (topic, partition, next_offset, ordinal)
                     cross join lateral (
                        select b.topic, b.partition, b.last_offset, b.base_offset, b.record_count, b.value_bytes
                          from log_batches b
                         where b.topic = w.topic and b.partition = w.partition and b.last_offset >= w.next_offset
                         order by b.last_offset limit $4
                     ) as l
                ) as z where z.records_before < $4 and z.bytes_before < $5
            )
            select p.topic, p.partition, p.base_offset, p.record_count, b.records, (extract(epoch from b.appended_at) * 1000)::int8
              from picked p
              join log_batches b on b.topic = p.topic and b.partition = p.partition and b.last_offset = p.last_offset
             order by p.ordinal, p.last_offset
            """, [.text(topics.text), .text(partitions.text), .text(offsets.text), .int(maxRecords), .int(maxBytes)],
            operation: "fetch", prepared: true)
        var records: [LogRecord] = []
        var bytes = 0
        rows: for row in result.rows.indices {
            let partition = TopicPartition(topic: result.text(row, 0)!, partition: Int32(result.int64(row, 1)!))
            let base = result.int64(row, 2)!
            let millis = result.int64(row, 5)!
            var full = false
            LogBatchCodec.forEach(in: result.bytes(row, 4)!, count: Int(result.int64(row, 3)!)) { index, key, value, headers in
                let offset = base + Int64(index)
                guard offset >= positions[partition] ?? 0 else { return true }
                if records.count == maxRecords || (!records.isEmpty && bytes + value.count > maxBytes) {
                    full = true
                    return false
                }
                records.append(LogRecord(topicPartition: partition, offset: offset, key: key, value: value, headers: headers,
                                         timestampMilliseconds: millis))
                bytes += value.count
                positions[partition] = offset + 1
                return true
            }
            if full { break rows }
        }
        return records
    }

    static func textArray(_ values: [String]) -> String {
        var literal = PQArrayLiteral()
        for value in values { literal.append(text: value) }
        return literal.text
    }
}
