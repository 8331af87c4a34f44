import AscentKafka
import Foundation

/// `ascent bench-kafka-log`: the Kafka log backend's append rate and latency on librdkafka's mock
/// cluster, next to bare librdkafka in the same run. Temporary home until `ascent bench log`.
struct BenchKafkaLogCommand: Subcommand {
    static let name = "bench-kafka-log"
    static let summary = "Measure Kafka log appends/s and delivery latency on librdkafka's mock cluster"
    static let help = """
    usage: ascent bench-kafka-log [--records N] [--value-bytes N] [--batch N] [--concurrency N]
                                  [--latency-samples N] [--partitions N] [--properties k=v,...]

    Starts librdkafka's in-process mock cluster (3 brokers, loopback TCP; not a real broker's disk
    or network) and measures KafkaEventLog.append: records/s with concurrent batched appends,
    and append-to-delivery latency p50/p99. Each line has a raw reference measured in the same run:
    bare rd_kafka_produceva with the same producer settings, without the Swift layer.

    options:
      --records N          records in the throughput phase (default 50000)
      --value-bytes N      bytes per value (default 100)
      --batch N            records per append call (default 100)
      --concurrency N      concurrent appending tasks (default 4)
      --latency-samples N  one-record appends timed one by one (default 2000)
      --partitions N       partitions of the topic (default 3, one per mock broker)
      --properties k=v,... librdkafka properties, passed through as to KafkaEventLog

    example:
      ascent bench-kafka-log --records 100000 --batch 500
    """

    var options = KafkaLogBenchmark.Options()

    init(arguments: inout Arguments) throws {
        if let value = try arguments.integer("--records", in: 1...10_000_000) { options.records = Int(value) }
        if let value = try arguments.integer("--value-bytes", in: 0...1_000_000) { options.valueBytes = Int(value) }
        if let value = try arguments.integer("--batch", in: 1...100_000) { options.batchSize = Int(value) }
        if let value = try arguments.integer("--concurrency", in: 1...256) { options.concurrency = Int(value) }
        if let value = try arguments.integer("--latency-samples", in: 1...1_000_000) { options.latencySamples = Int(value) }
        if let value = try arguments.integer("--partitions", in: 1...1_000) { options.partitions = Int32(value) }
        if let list = try arguments.option("--properties") {
            for pair in list.split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, !parts[0].isEmpty else {
                    throw UsageError("--properties takes name=value pairs separated by commas, not '\(pair)'")
                }
                options.properties[parts[0]] = parts[1]
            }
        }
    }

    func run() async throws -> Int32 {
        print("Kafka log on librdkafka's MOCK cluster (3 brokers, in-process): \(options.records) records of \(options.valueBytes) B")
        let lines = try await KafkaLogBenchmark.run(options)
        let width = lines.map(\.name.count).max() ?? 0
        print("\("".padding(to: width))  records/s   p50 µs   p99 µs")
        for line in lines {
            let rate = String(Int(line.recordsPerSecond.rounded()))
            print("\(line.name.padding(to: width))  \(String(repeating: " ", count: max(0, 9 - rate.count)))\(rate)  \(pad(line.p50Microseconds))  \(pad(line.p99Microseconds))")
        }
        return 0
    }

    private func pad(_ value: Int) -> String {
        let text = String(value)
        return String(repeating: " ", count: max(0, 7 - text.count)) + text
    }
}
