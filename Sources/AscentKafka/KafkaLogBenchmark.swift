import AscentLog
import CRdKafka
import Glibc
import Synchronization

/// Measures the Kafka backend's appends/s and append-to-delivery latency on librdkafka's mock
/// cluster (in-process, loopback TCP: not a real broker's disk or network), each next to a raw
/// reference measured in the same run: bare `rd_kafka_produceva` with the same producer settings,
/// without our Swift layer.
public enum KafkaLogBenchmark {
    /// What to measure.
    public struct Options: Sendable {
        /// Records appended in the throughput phase.
        public var records: Int = 50_000
        /// Bytes per value.
        public var valueBytes: Int = 100
        /// Records per `append` call in the throughput phase.
        public var batchSize: Int = 100
        /// Concurrent appending tasks in the throughput phase.
        public var concurrency: Int = 4
        /// Sequential one-record appends in the latency phase.
        public var latencySamples: Int = 2_000
        /// Partitions of the benchmark topic.
        /// 3: one per mock broker. With more, two ProduceRequests share a connection and the
        /// mock's Nagle-delayed replies add ~40 ms (see docs/performance.md).
        public var partitions: Int32 = 3
        /// Extra librdkafka properties (same pass-through as `KafkaEventLog`).
        public var properties: [String: String] = [:]
        /// The defaults.
        public init() {}
    }

    /// One measured line: a rate and latency percentiles in microseconds.
    public struct Line: Sendable {
        /// What was measured.
        public var name: String
        /// Records per second.
        public var recordsPerSecond: Double
        /// Median latency, microseconds.
        public var p50Microseconds: Int
        /// 99th percentile latency, microseconds.
        public var p99Microseconds: Int
    }

    /// Runs the benchmark and returns its lines: ours and the raw reference for each phase.
    public static func run(_ options: Options) async throws -> [Line] {
        precondition(options.records > 0 && options.batchSize > 0 && options.concurrency > 0 && options.latencySamples > 0)
        let cluster = try RDKafkaMockCluster(brokerCount: 3)
        let value = [UInt8](repeating: 0x61, count: options.valueBytes)
        var lines: [Line] = []

        // Ours: KafkaEventLog.append, batches from concurrent tasks.
        let log = try KafkaEventLog(mockCluster: cluster, properties: options.properties)
        let topic = "bench-log"
        try await log.createTopic(topic, partitions: options.partitions, retention: .forever)
        // The mock picks leaders at random; spread them so that partitions share brokers evenly.
        for partition in 0..<options.partitions {
            try cluster.setLeader(TopicPartition(topic: topic, partition: partition), broker: partition % cluster.brokerCount + 1)
        }
        _ = try await log.append((0..<options.partitions).map {
            OutgoingRecord(topic: topic, key: Array("warm".utf8), value: value, partition: $0)
        })
        var oneByOne: [Int] = []
        let oneStart = monotonicNanoseconds()
        var appended = 0
        while appended < options.records {
            let count = min(options.batchSize, options.records - appended)
            let batch = (0..<count).map { OutgoingRecord(topic: topic, key: Array("b-k\((appended + $0) % 64)".utf8), value: value) }
            let began = monotonicNanoseconds()
            _ = try await log.append(batch)
            oneByOne.append((monotonicNanoseconds() - began) / 1_000)
            appended += count
        }
        lines.append(line("KafkaEventLog.append, 1×\(options.batchSize)-record batches (batch latency)", count: options.records,
                          seconds: Double(monotonicNanoseconds() - oneStart) / 1e9, latencies: oneByOne))

        let perTask = options.records / options.concurrency
        let start = monotonicNanoseconds()
        let batchLatencies = try await withThrowingTaskGroup(of: [Int].self) { tasks in
            for task in 0..<options.concurrency {
                tasks.addTask {
                    var latencies: [Int] = []
                    var sent = 0
                    while sent < perTask {
                        let count = min(options.batchSize, perTask - sent)
                        let batch = (0..<count).map { index in
                            OutgoingRecord(topic: topic, key: Array("t\(task)-k\((sent + index) % 64)".utf8), value: value)
                        }
                        let began = monotonicNanoseconds()
                        _ = try await log.append(batch)
                        latencies.append((monotonicNanoseconds() - began) / 1_000)
                        sent += count
                    }
                    return latencies
                }
            }
            return try await tasks.reduce(into: [Int]()) { $0 += $1 }
        }
        let elapsed = Double(monotonicNanoseconds() - start) / 1e9
        lines.append(line("KafkaEventLog.append, \(options.concurrency)×\(options.batchSize)-record batches (batch latency)",
                          count: perTask * options.concurrency, seconds: elapsed, latencies: batchLatencies))
        var single: [Int] = []
        for index in 0..<options.latencySamples {
            let began = monotonicNanoseconds()
            _ = try await log.append([OutgoingRecord(topic: topic, key: Array("s\(index % 64)".utf8), value: value)])
            single.append((monotonicNanoseconds() - began) / 1_000)
        }
        let singleSeconds = Double(single.reduce(0, +)) / 1e6
        lines.append(line("KafkaEventLog.append, one record at a time", count: single.count, seconds: singleSeconds, latencies: single))
        try await log.shutdown()

        // Raw reference on a dedicated thread: the same producer settings, bare produceva.
        let properties = KafkaEventLog.producerDefaults.merging(options.properties.filter { !$0.key.hasPrefix("consumer.") && !$0.key.hasPrefix("ascent.") }) { $1 }
        let raw = try await runRaw(bootstrap: cluster.bootstrapServers, properties: properties, topic: topic,
                                   records: perTask * options.concurrency, samples: options.latencySamples,
                                   batchSize: options.batchSize, value: value)
        lines.append(line("raw rd_kafka_produceva, 1×\(options.batchSize)-record batches (batch latency)", count: raw.count,
                          seconds: raw.batchSeconds, latencies: raw.batches))
        lines.append(line("raw rd_kafka_produceva, all in flight (per-record delivery latency)", count: raw.count,
                          seconds: raw.seconds, latencies: raw.latencies))
        lines.append(line("raw rd_kafka_produceva, one record at a time", count: raw.single.count,
                          seconds: Double(raw.single.reduce(0, +)) / 1e6, latencies: raw.single))
        return lines
    }

    private static func line(_ name: String, count: Int, seconds: Double, latencies: [Int]) -> Line {
        let sorted = latencies.sorted()
        func percentile(_ p: Double) -> Int { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        return Line(name: name, recordsPerSecond: Double(count) / max(seconds, 1e-9),
                    p50Microseconds: percentile(0.50), p99Microseconds: percentile(0.99))
    }

    private struct RawResult: Sendable {
        var count: Int
        var seconds: Double
        var latencies: [Int]
        var single: [Int]
        var batches: [Int]
        var batchSeconds: Double
    }

    private static func runRaw(bootstrap: String, properties: [String: String], topic: String, records: Int,
                               samples: Int, batchSize: Int, value: [UInt8]) async throws -> RawResult {
        var settings = properties
        settings["bootstrap.servers"] = bootstrap
        let config = try RDKafkaConfig(settings)
        config.withUnsafeHandle { rd_kafka_conf_set_dr_msg_cb($0, rawBenchmarkDelivery) }
        let deliveries = KafkaRawDeliveries()
        let client = try RDKafkaClient(.producer, config: config, context: deliveries)
        let worker = KafkaWorkerThread(name: "ascent-kafka-bench-raw")
        defer { worker.stop() }
        return try await worker.run("raw benchmark") {
            try client.withUnsafeHandle { handle in
                func produce(_ key: String) throws {
                    while true {
                        let failure: OpaquePointer? = topic.withCString { topicName in
                            key.withCString { keyBytes in
                                value.withUnsafeBytes { bytes in
                                    var fields = [rd_kafka_vu_t](repeating: rd_kafka_vu_t(), count: 5)
                                    fields[0].vtype = RD_KAFKA_VTYPE_TOPIC
                                    fields[0].u.cstr = topicName
                                    fields[1].vtype = RD_KAFKA_VTYPE_KEY
                                    fields[1].u.mem.ptr = UnsafeMutableRawPointer(mutating: keyBytes)
                                    fields[1].u.mem.size = strlen(keyBytes)
                                    fields[2].vtype = RD_KAFKA_VTYPE_VALUE
                                    fields[2].u.mem.ptr = UnsafeMutableRawPointer(mutating: bytes.baseAddress)
                                    fields[2].u.mem.size = bytes.count
                                    fields[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS
                                    fields[3].u.i = Int32(RD_KAFKA_MSG_F_COPY)
                                    // The opaque carries the enqueue time (never 0), not a pointer.
                                    fields[4].vtype = RD_KAFKA_VTYPE_OPAQUE
                                    fields[4].u.ptr = UnsafeMutableRawPointer(bitPattern: UInt(monotonicNanoseconds()))
                                    return rd_kafka_produceva(handle, fields, fields.count)
                                }
                            }
                        }
                        guard let failure else { return }
                        let error = LogError(consuming: failure, operation: "raw produce")
                        guard error.code == "_QUEUE_FULL" else { throw error }
                        rd_kafka_poll(handle, 1)
                    }
                }
                try produce("warm")
                try client.flush(timeoutMilliseconds: 30_000)
                deliveries.reset()
                let start = monotonicNanoseconds()
                for index in 0..<records {
                    try produce("raw-k\(index % 64)")
                    if index % 1_000 == 0 { rd_kafka_poll(handle, 0) }
                }
                try client.flush(timeoutMilliseconds: 120_000)
                let seconds = Double(monotonicNanoseconds() - start) / 1e9
                let inFlight = deliveries.reset()
                // Batches like ours: enqueue a batch, wait for all its delivery reports, repeat.
                var batches: [Int] = []
                let batchStart = monotonicNanoseconds()
                var produced = 0
                while produced < records {
                    let count = min(batchSize, records - produced)
                    let began = monotonicNanoseconds()
                    for index in 0..<count { try produce("b-k\((produced + index) % 64)") }
                    while deliveries.count < count { rd_kafka_poll(handle, 100) }
                    deliveries.reset()
                    batches.append((monotonicNanoseconds() - began) / 1_000)
                    produced += count
                }
                let batchSeconds = Double(monotonicNanoseconds() - batchStart) / 1e9
                var single: [Int] = []
                for index in 0..<samples {
                    try produce("s\(index % 64)")
                    while deliveries.count == 0 { rd_kafka_poll(handle, 100) }
                    single += deliveries.reset()
                }
                if let failure = deliveries.failure { throw failure }
                return RawResult(count: records, seconds: seconds, latencies: inFlight, single: single,
                                 batches: batches, batchSeconds: batchSeconds)
            }
        }
    }
}

/// CLOCK_MONOTONIC in nanoseconds (for latencies; never compared across processes).
func monotonicNanoseconds() -> Int {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return now.tv_sec * 1_000_000_000 + now.tv_nsec
}
