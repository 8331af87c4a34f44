import AscentCore
import AscentFairness
import AscentLog
import AscentServices

/// Prints each finished round of a table as it happens, with the check that its revealed seed
/// proves the commitment published before betting.
final class RoundPrinter {
    private let log: any EventLog
    private let topics: LogTopics
    private let table: TableID
    private var commitment: String?
    private var crashed: (crashPoint: Multiplier, seed: String)?
    private let stopAfter: Int64?
    private var finished: Int64 = 0

    /// Prints rounds of `table`; returns after `stopAfter` rounds have finished, if given.
    init(log: any EventLog, topics: LogTopics, table: TableID, stopAfter: Int64? = nil) {
        self.log = log
        self.topics = topics
        self.table = table
        self.stopAfter = stopAfter
    }

    func run() async throws {
        let partitions = try await log.partitionCount(of: topics.roundEvents)
        let partition = TopicPartition(topic: topics.roundEvents,
                                       partition: KafkaPartitioner.partition(forKey: Array(table.rawValue.utf8), partitionCount: partitions))
        let end = try await log.endOffsets([partition])[partition] ?? 0
        let consumer = try await log.makeConsumer(.positions([partition: end]))
        while !Task.isCancelled {
            for record in try await consumer.poll(maxRecords: 1_000, timeoutMilliseconds: 250).records {
                guard let (eventTable, events) = try? RoundEvent.decodeRecord(json: record.value), eventTable == table else { continue }
                for event in events {
                    if let line = line(for: event) { print(line) }
                    if case .roundSettled = event { finished += 1 }
                    if case .roundVoided = event { finished += 1 }
                    if let stopAfter, finished >= stopAfter {
                        try await consumer.close()
                        return
                    }
                }
            }
        }
        try await consumer.close()
    }

    private func line(for event: RoundEvent) -> String? {
        switch event {
        case .roundOpened(let round, let commitment, _, _):
            self.commitment = commitment
            return "round \(round) open · commitment \(commitment)"
        case .crashed(_, let crashPoint, let seed, _):
            crashed = (crashPoint, seed)
            return nil
        case .roundSettled(let round, let bets, let stake, let payout, _):
            guard let crashed else { return "round \(round) settled" }
            let proves = Bytes32(hex: crashed.seed).map { SHA256.hash($0).hex == commitment } ?? false
            return "round \(round) crashed at \(crashed.crashPoint) · \(bets) bets · stake \(stake) · paid \(payout) · seed \(crashed.seed) "
                + (proves ? "✓ proves the commitment" : "✗ DOES NOT PROVE THE COMMITMENT")
        case .roundVoided(let round, let reason, _):
            return "round \(round) voided (\(reason)); stakes still riding are refunded"
        default:
            return nil
        }
    }
}
