import AscentKafka
import AscentLog
import Foundation
import Testing

/// Where the Kafka tests run: librdkafka's mock cluster started by the test (3 brokers), or the
/// real cluster named by ASCENT_KAFKA_BROKERS when that is set.
struct KafkaTestCluster: Sendable {
    /// The mock cluster, nil when testing against a real broker.
    let mock: RDKafkaMockCluster?
    /// Bootstrap servers of whichever cluster is used.
    let brokers: String
    /// Unique per test run, so topics and groups never collide with earlier runs on a real broker.
    let prefix: String

    /// Properties that keep the tests quick on the mock; harmless on a real cluster.
    static let testProperties: [String: String] = [
        "ascent.timeout.ms": "10000",
        "producer.linger.ms": "1",
        "consumer.session.timeout.ms": "6000",
        "consumer.heartbeat.interval.ms": "500",
        "consumer.fetch.wait.max.ms": "50",
        "topic.metadata.refresh.interval.ms": "1000",
        "reconnect.backoff.max.ms": "1000",
        // A stuck append fails within 30 s instead of librdkafka's default 5 minutes.
        "producer.message.timeout.ms": "30000",
    ]

    /// A cluster for one test called `name`.
    init(_ name: String) throws {
        prefix = "\(name)-\(UInt32.random(in: 0...UInt32.max))"
        if let real = ProcessInfo.processInfo.environment["ASCENT_KAFKA_BROKERS"], !real.isEmpty {
            mock = nil
            brokers = real
        } else {
            let cluster = try RDKafkaMockCluster(brokerCount: 3)
            mock = cluster
            brokers = cluster.bootstrapServers
        }
    }

    /// A new log instance (a new producer: a "restarted process") on this cluster.
    func makeLog(_ extra: [String: String] = [:]) throws -> KafkaEventLog {
        let properties = Self.testProperties.merging(extra) { $1 }
        if let mock { return try KafkaEventLog(mockCluster: mock, properties: properties) }
        return try KafkaEventLog(brokers: brokers, properties: properties)
    }
}

/// Polls `consumer` until `done` returns true, giving up (and failing) after `seconds`.
func pollKafkaUntil(_ consumer: any LogConsumer, _ what: String, seconds: Int = 60,
                    _ done: (PollResult) async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while true {
        let result = try await consumer.poll(maxRecords: 500, timeoutMilliseconds: 100)
        if try await done(result) { return }
        guard ContinuousClock.now < deadline else {
            Issue.record("gave up waiting for \(what) after \(seconds) s")
            throw KafkaTestTimeout(what: what)
        }
    }
}

/// A bounded wait in a Kafka test ran out.
struct KafkaTestTimeout: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}
