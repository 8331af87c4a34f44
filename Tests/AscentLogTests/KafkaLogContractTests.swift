import AscentKafka
import AscentLog
import Testing

/// The backend-neutral log contract (LogContract.swift) run against the Kafka backend: on a mock
/// cluster of 3 brokers started per test, or on ASCENT_KAFKA_BROKERS when set.
@Suite struct KafkaLogContractTests {
    @Test func perPartitionOrder() async throws {
        let cluster = try KafkaTestCluster("order")
        try await LogContract.perPartitionOrder(makeLog: { try cluster.makeLog() }, prefix: cluster.prefix)
    }

    @Test func noLoss() async throws {
        let cluster = try KafkaTestCluster("noloss")
        try await LogContract.noLoss(makeLog: { try cluster.makeLog() }, prefix: cluster.prefix)
    }

    /// Faults: the first Produce requests are refused with retriable errors, so the producer
    /// resends batches (and the records queued behind them); order and exactly-once must hold.
    /// Lost acknowledgements (stored, then resent) are in KafkaFaultTests: the mock cannot
    /// deduplicate those for a non-transactional producer.
    @Test func noDuplicatesAcrossRetries() async throws {
        let cluster = try KafkaTestCluster("retries")
        try await LogContract.noDuplicatesAcrossRetries(makeFaultyLog: {
            let log = try cluster.makeLog(["producer.retry.backoff.ms": "10"])
            cluster.mock?.pushRequestErrors(.produce, [.notLeaderForPartition, .requestTimedOut, .notEnoughReplicas,
                                                       .notLeaderForPartition, .leaderNotAvailable, .disconnect])
            return log
        }, prefix: cluster.prefix)
    }

    @Test func positionsSurviveRestart() async throws {
        let cluster = try KafkaTestCluster("restart")
        try await LogContract.positionsSurviveRestart(makeLog: { try cluster.makeLog() }, prefix: cluster.prefix)
    }

    @Test func groupSplitAndHandover() async throws {
        let cluster = try KafkaTestCluster("split")
        try await LogContract.groupSplitAndHandover(makeLog: { try cluster.makeLog() }, prefix: cluster.prefix)
    }

    @Test func readToEnd() async throws {
        let cluster = try KafkaTestCluster("end")
        try await LogContract.readToEnd(makeLog: { try cluster.makeLog() }, prefix: cluster.prefix)
    }

    /// 1 MB values: three of them fit in the mock's ~5 MB per partition.
    @Test func largeValues() async throws {
        let cluster = try KafkaTestCluster("large")
        try await LogContract.largeValues(makeLog: { try cluster.makeLog() }, prefix: cluster.prefix)
    }

    @Test func concurrentProducers() async throws {
        let cluster = try KafkaTestCluster("concurrent")
        try await LogContract.concurrentProducers(makeLog: { try cluster.makeLog() }, prefix: cluster.prefix)
    }
}
