import AscentCore
import AscentFairness
import AscentLog

/// The audit: fed the log's records in log order (any interleaving of partitions that keeps each
/// partition's order), it rebuilds every round with the pure round decider and checks the fairness
/// proof, every cash-out and payout against the rules, and the wallet side (reservations,
/// settlements, balances) against the rounds. `finish()` returns the report.
///
/// Memory is bounded by what is open: each table's current round, bets whose wallet and round
/// sides have not both been seen yet, and one balance per player and currency. Records that do not
/// fit (a tampered or corrupt log) become findings; the auditor never stops on them.
public struct Auditor {
    /// How to read the log and what to check.
    public let configuration: AuditConfiguration
    var tables: [TableID: TableTrack] = [:]
    var matches: [BetReference: WalletMatch] = [:]
    var balances: [BalanceKey: Balance] = [:]
    var summary = AuditSummary()
    var findings: [AuditFinding] = []
    var details: [AuditRoundDetail] = []
    var schemes: [TableID: AscentCrashScheme?] = [:]
    /// Which authority's events count per table (docs/operations.md, fencing).
    var fences: [TableID: AuthorityFence] = [:]

    /// An auditor with `configuration`.
    public init(configuration: AuditConfiguration) {
        self.configuration = configuration
        summary.configuredReturnToPlayerBasisPoints = 10_000 - configuration.defaultRules.config.houseEdgeBasisPoints
    }

    /// Feeds one record: its topic, partition, offset and JSON value, and for round events the
    /// authority stamp from its headers (nil for logs without them). Records of other topics are
    /// counted and ignored; round events of a fenced authority are counted and not audited.
    public mutating func consume(topic: String, partition: Int32, offset: Int64, value: some Collection<UInt8>,
                                 authorityEpoch: Int64? = nil, authorityWriter: String? = nil) {
        let position = AuditPosition(topic: topic, partition: partition, offset: offset)
        summary.records += 1
        if topic == configuration.roundTopic {
            summary.roundRecords += 1
            do {
                // A cashedOutBatch record holds several cash-outs; each is audited at the record's position.
                let (table, events) = try RoundEvent.decodeRecord(json: Array(value))
                for event in events {
                    guard fences[table, default: AuthorityFence()].admits(event, epoch: authorityEpoch, writer: authorityWriter) else {
                        summary.fencedRecords += 1
                        return
                    }
                    if case .authorityClaimed = event { return }
                    consume(event, table: table, at: position)
                }
            } catch {
                report(.undecodable, position, message: "not a round event: \(error)")
            }
        } else if topic == configuration.walletTopic {
            summary.walletRecords += 1
            do {
                // A betSettledBatch record holds several settled bets; each is audited at the record's position.
                for event in try WalletEvent.decodeRecord(json: Array(value)) { consume(event, at: position) }
            } catch {
                report(.undecodable, position, message: "not a wallet event: \(error)")
            }
        } else {
            summary.otherRecords += 1
        }
    }

    /// Feeds one record read from an `EventLog`.
    public mutating func consume(_ record: LogRecord) {
        consume(topic: record.topicPartition.topic, partition: record.topicPartition.partition, offset: record.offset, value: record.value,
                authorityEpoch: record.header(LogHeader.Name.authorityEpoch).flatMap { Int64($0) },
                authorityWriter: record.header(LogHeader.Name.authorityWriter))
    }

    /// Records a finding, unless it concerns a round outside the audited range.
    mutating func report(_ kind: AuditFindingKind, _ position: AuditPosition?, table: TableID? = nil, round: Int64? = nil,
                         message: String) {
        if let table, let round, !configuration.covers(table, round) { return }
        summary.findings += 1
        if findings.count < configuration.maximumFindings {
            findings.append(AuditFinding(kind: kind, position: position, table: table, round: round, message: message))
        }
    }

    /// Ends the audit: closes every round, reports what was never matched, checks money
    /// conservation, and returns the report.
    public mutating func finish() -> AuditReport {
        for table in tables.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            var track = tables[table]!
            finalize(&track, table: table, atEnd: true)
            tables[table] = track
        }
        finishWallet()
        return AuditReport(summary: summary, findings: findings, rounds: details)
    }
}

/// A player's money in one currency, as the wallet events move it.
struct Balance {
    var available: Int64 = 0
    var reserved: Int64 = 0
    var wentNegative = false
    var isNegative: Bool { available < 0 || reserved < 0 }
}

/// A player and currency.
struct BalanceKey: Hashable {
    var player: PlayerID
    var currency: String
}

/// What settles a bet's money: a settlement paying `payout` or a release for `reason`.
enum MoneyOutcome: Hashable, CustomStringConvertible {
    case settle(payoutMinor: Int64)
    case release(ReleaseReason)

    var description: String {
        switch self {
        case .settle(let payout): "betSettled paying \(payout)"
        case .release(let reason): "stakeReleased (\(reason.rawValue))"
        }
    }
}

/// Both sides of one bet's money until both have been seen: the wallet's reservation and
/// settlement, the round's acceptance and outcome.
struct WalletMatch {
    var reservation: (player: PlayerID, amount: Money, autoCashOut: Multiplier?, position: AuditPosition)?
    var placed: (player: PlayerID, stake: Money, autoCashOut: Multiplier?, position: AuditPosition, rejected: Bool)?
    var expected: (outcome: MoneyOutcome, houseMinor: Int64, currency: String, position: AuditPosition)?
    var settled: (outcome: MoneyOutcome, position: AuditPosition)?

    var isComplete: Bool { reservation != nil && placed != nil && expected != nil && settled != nil }
}
