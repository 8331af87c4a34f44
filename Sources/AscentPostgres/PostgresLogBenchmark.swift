import AscentLog
import Foundation
import Synchronization

/// One line of a benchmark report: what was measured, the number, and how.
public struct BenchmarkRow: Sendable, CustomStringConvertible {
    /// What was measured.
    public var metric: String
    /// The measured value with its unit.
    public var value: String
    /// How it was measured, for people comparing runs.
    public var detail: String

    /// A report line.
    public init(metric: String, value: String, detail: String) {
        self.metric = metric
        self.value = value
        self.detail = detail
    }

    public var description: String { metric.padded(to: 44) + value.padded(to: 22) + detail }
}

/// Measures the PostgreSQL log: batched append throughput next to a raw COPY of the same rows, and
/// append-to-delivery latency at a paced rate with a reader woken by LISTEN/NOTIFY. Reusable by any
/// command that prints benchmark rows.
public enum PostgresLogBenchmark {
    /// What to measure.
    public struct Options: Sendable {
        /// A migrated database.
        public var databaseURL: String
        /// Records appended in the throughput run (and copied in the reference run).
        public var records = 200_000
        /// Records per `append` call in the throughput run.
        public var recordsPerAppend = 1_000
        /// `append` calls in flight at once in the throughput run.
        public var appendsInFlight = 4
        /// Appends per second in the latency run (one record each).
        public var pacedRate = 5_000
        /// Length of the latency run.
        public var pacedSeconds = 5
        /// Options for `databaseURL` with defaults.
        public init(databaseURL: String) { self.databaseURL = databaseURL }
    }

    /// Runs both measurements and returns printable rows. Leaves no data behind.
    public static func run(_ options: Options) async throws -> [BenchmarkRow] {
        let suffix = String(UInt64.random(in: 0...UInt64.max) % 1_000_000_000, radix: 36)
        let topic = "bench-\(suffix)"
        let admin = PQWorker(url: options.databaseURL, name: "bench-admin")
        defer { admin.stop() }
        let migrated = try await admin.run("check schema") { connection throws(PQError) in
            try connection.execute("select to_regproc('log_append') is not null", operation: "check schema").bool(0, 0) ?? false
        }
        guard migrated else {
            throw LogError(code: "not_migrated", reason: "the database has no log tables; run `ascent migrate` first",
                           operation: "benchmark", isRetriable: false)
        }
        var configuration = PostgresEventLog.Configuration(databaseURL: options.databaseURL)
        configuration.maxPendingRecords = max(configuration.maxPendingRecords, options.recordsPerAppend * options.appendsInFlight * 2)
        let log = PostgresEventLog(configuration: configuration)
        try await log.createTopic(topic, partitions: 4, retention: .forever)
        var rows: [BenchmarkRow] = []
        do {
            rows += try await throughput(log: log, topic: topic, options: options)
            rows.append(try await catchUp(log: log, topic: topic, options: options))
            rows.append(try await copyReference(admin: admin, suffix: suffix, options: options))
            rows += try await latency(log: log, topic: topic, options: options)
        } catch {
            try? await cleanUp(admin: admin, topic: topic, suffix: suffix)
            throw error
        }
        try await log.shutdown()
        try await cleanUp(admin: admin, topic: topic, suffix: suffix)
        return rows
    }

    /// The benchmark's record `index`: a wallet-like key and a ~120-byte JSON event.
    static func record(_ index: Int, topic: String) -> OutgoingRecord {
        let value = #"{"type":"betPlaced","round":\#(index / 1000),"player":"player-\#(index % 1000)","stake":{"minor":\#(100 + index % 900),"currency":"EUR"},"seq":\#(index)}"#
        return OutgoingRecord(topic: topic, key: Array("player-\(index % 1000)".utf8), value: Array(value.utf8),
                              headers: [LogHeader(name: "type", text: "betPlaced")])
    }

    private static func throughput(log: PostgresEventLog, topic: String, options: Options) async throws -> [BenchmarkRow] {
        let total = options.records
        let per = options.recordsPerAppend
        let batches = (0..<(total + per - 1) / per).map { batch in
            (batch * per..<min(total, (batch + 1) * per)).map { record($0, topic: topic) }
        }
        let next = SharedCounter()
        let clock = ContinuousClock()
        let start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for _ in 0..<options.appendsInFlight {
                tasks.addTask {
                    while true {
                        let index = next.value.wrappingAdd(1, ordering: .relaxed).oldValue
                        guard index < batches.count else { return }
                        _ = try await log.append(batches[index])
                    }
                }
            }
            try await tasks.waitForAll()
        }
        let seconds = (clock.now - start).seconds
        return [BenchmarkRow(metric: "log append, batched", value: "\(Int(Double(total) / seconds)) records/s",
                             detail: "\(total) records, \(per)/append, \(options.appendsInFlight) appends in flight, 4 partitions")]
    }

    /// Reads back everything the throughput run appended, as a consumer catching up would.
    private static func catchUp(log: PostgresEventLog, topic: String, options: Options) async throws -> BenchmarkRow {
        let start = Dictionary(uniqueKeysWithValues: (0..<Int32(4)).map { (TopicPartition(topic: topic, partition: $0), Int64(0)) })
        let consumer = try await log.makeConsumer(.positions(start))
        let clock = ContinuousClock()
        let begin = clock.now
        var read = 0
        while read < options.records {
            let result = try await consumer.poll(maxRecords: 2_000, timeoutMilliseconds: 5_000)
            guard !result.records.isEmpty else { break }
            read += result.records.count
        }
        let seconds = (clock.now - begin).seconds
        try await consumer.close()
        return BenchmarkRow(metric: "read back (catching up)", value: "\(Int(Double(read) / seconds)) records/s",
                            detail: "\(read) records, polls of up to 2000")
    }

    private static func copyReference(admin: PQWorker, suffix: String, options: Options) async throws -> BenchmarkRow {
        // The same rows, as the log stores them, into a plain table with the same primary key.
        var chunks: [[UInt8]] = []
        var chunk: [UInt8] = []
        var offsets = [Int64](repeating: 0, count: 4)
        for index in 0..<options.records {
            let outgoing = record(index, topic: "bench-\(suffix)")
            let partition = KafkaPartitioner.partition(forKey: outgoing.key, partitionCount: 4)
            let line = "\(outgoing.topic)\t\(partition)\t\(offsets[Int(partition)])\t\\\\x\(hex(outgoing.key))\t\\\\x\(hex(outgoing.value))\t\\\\x\(hex(LogHeaderCodec.encode(outgoing.headers)))\t2026-01-01 00:00:00+00\n"
            offsets[Int(partition)] += 1
            chunk += line.utf8
            if chunk.count > 1 << 20 {
                chunks.append(chunk)
                chunk = []
            }
        }
        chunks.append(chunk)
        let table = "bench_copy_\(suffix)"
        let sendable = chunks
        let seconds = try await admin.run("copy reference") { connection throws(PQError) in
            // One row per record, as the log stored them before record batches (migration 0003).
            _ = try connection.execute("""
                create table \(table) (topic text not null, partition integer not null, record_offset bigint not null, key bytea not null,
                                      value bytea not null, headers bytea not null, appended_at timestamptz not null,
                                      primary key (topic, partition, record_offset))
                """, operation: "copy reference")
            let clock = ContinuousClock()
            let start = clock.now
            try connection.copyIn("copy \(table) (topic, partition, record_offset, key, value, headers, appended_at) from stdin",
                                  chunks: sendable, operation: "copy reference")
            return (clock.now - start).seconds
        }
        return BenchmarkRow(metric: "raw reference: COPY of the same rows", value: "\(Int(Double(options.records) / seconds)) rows/s",
                            detail: "a row per record (the pre-batch layout), one COPY FROM STDIN, same run")
    }

    private static func latency(log: PostgresEventLog, topic: String, options: Options) async throws -> [BenchmarkRow] {
        let count = options.pacedRate * options.pacedSeconds
        let partitions = (0..<Int32(4)).map { TopicPartition(topic: topic, partition: $0) }
        let ends = try await log.endOffsets(partitions)
        let consumer = try await log.makeConsumer(.positions(ends))
        let clock = ContinuousClock()
        let starts = SharedStarts(count: count)
        let marker = "lat-"

        // The reader: blocks on LISTEN between records, notes when each record arrives.
        let reader = Task { () throws -> [Duration] in
            var latencies: [Duration] = []
            latencies.reserveCapacity(count)
            let deadline = clock.now + .seconds(options.pacedSeconds + 30)
            while latencies.count < count && clock.now < deadline {
                let result = try await consumer.poll(maxRecords: 1_000, timeoutMilliseconds: 500)
                let arrived = clock.now
                for record in result.records {
                    let text = String(decoding: record.value, as: UTF8.self)
                    guard text.hasPrefix(marker), let index = Int(text.dropFirst(marker.count)) else { continue }
                    if let start = starts.instants.withLock({ $0[index] }) { latencies.append(arrived - start) }
                }
            }
            return latencies
        }

        // The writer: one-record appends at the paced rate, each its own call (the log folds
        // concurrent calls into one transaction).
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            let begin = clock.now
            var sent = 0
            while sent < count {
                let due = min(count, Int((clock.now - begin).seconds * Double(options.pacedRate)) + 1)
                while sent < due {
                    let index = sent
                    tasks.addTask {
                        let outgoing = OutgoingRecord(topic: topic, key: Array("player-\(index % 1000)".utf8), value: Array("\(marker)\(index)".utf8))
                        starts.instants.withLock { $0[index] = clock.now }
                        _ = try await log.append([outgoing])
                    }
                    sent += 1
                }
                try await Task.sleep(for: .microseconds(500))
            }
            try await tasks.waitForAll()
        }
        let latencies = try await reader.value.sorted()
        try await consumer.close()
        guard !latencies.isEmpty else {
            return [BenchmarkRow(metric: "append→delivery latency", value: "no records delivered", detail: "")]
        }
        func percentile(_ p: Double) -> String {
            let value = latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]
            return String(format: "%.2f ms", value.seconds * 1_000)
        }
        let detail = "\(options.pacedRate) appends/s for \(options.pacedSeconds) s, 1 record each, \(latencies.count)/\(count) delivered"
        return [
            BenchmarkRow(metric: "append→delivery latency p50", value: percentile(0.50), detail: detail),
            BenchmarkRow(metric: "append→delivery latency p99", value: percentile(0.99), detail: "reader woken by LISTEN/NOTIFY"),
            BenchmarkRow(metric: "append→delivery latency max", value: percentile(1.0), detail: ""),
        ]
    }

    private static func cleanUp(admin: PQWorker, topic: String, suffix: String) async throws {
        _ = try await admin.run("clean up") { connection throws(PQError) in
            try connection.executeScript("""
                drop table if exists bench_copy_\(suffix);
                delete from log_batches where topic = '\(topic)';
                delete from log_producers where topic = '\(topic)';
                delete from log_partitions where topic = '\(topic)';
                delete from log_topics where topic = '\(topic)';
                """, operation: "clean up")
        }
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A counter shared by benchmark tasks.
private final class SharedCounter: Sendable {
    let value = Atomic<Int>(0)
}

/// When each paced append started, shared by the writer tasks and the reader.
private final class SharedStarts: Sendable {
    let instants: Mutex<[ContinuousClock.Instant?]>
    init(count: Int) { instants = Mutex(Array(repeating: nil, count: count)) }
}

extension Duration {
    /// The duration in seconds, as a Double (for rates and printing only).
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

extension String {
    fileprivate func padded(to width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}
