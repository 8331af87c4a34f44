import AscentCore
import AscentLog

/// Simulated players that bet and cash out through the log, as real players do through the edge:
/// stakes are reserved with wallet commands, cash-outs are round commands, and what happened is
/// learnt from round events. Used by `ascent up` so a newcomer sees rounds played and settled.
public final class BotPlayers {
    private let log: any EventLog
    private let topics: LogTopics
    private let table: TableConfig
    private let count: Int
    private let clock: any ServiceClock
    private var rng: SplitMix64
    private var manualTargets: [(bet: BetID, player: PlayerID, target: Multiplier)] = []
    private var round: Int64 = 0
    private var tookOffAt: Timestamp?

    /// `count` bots at `table`, choosing with `seed`.
    public init(log: any EventLog, topics: LogTopics = LogTopics(), table: TableConfig, count: Int, seed: UInt64 = 7,
                clock: any ServiceClock = SystemClock()) {
        self.log = log
        self.topics = topics
        self.table = table
        self.count = count
        self.clock = clock
        rng = SplitMix64(seed: seed)
    }

    /// The bots' player ids.
    public var players: [PlayerID] { (0..<count).map { PlayerID("bot-\($0)") } }

    /// Funds every bot with `amount` minor units once (the deposit ids make repeats no-ops).
    public func fund(minorUnits amount: Int64) async throws {
        let money = Money(minorUnits: amount, currency: table.currency)
        let records = players.map { player in
            Records.make(WalletCommand(id: "bot-funding:\(player.rawValue)", player: player,
                                       action: .deposit(money, reference: "bot funding"), at: clock.now()), topics: topics)
        }
        _ = try await log.append(records)
    }

    /// Plays until the task is cancelled.
    public func run() async throws {
        let partitions = try await log.partitionCount(of: topics.roundEvents)
        let partition = TopicPartition(topic: topics.roundEvents,
                                       partition: KafkaPartitioner.partition(forKey: Array(table.table.rawValue.utf8), partitionCount: partitions))
        let end = try await log.endOffsets([partition])[partition] ?? 0
        let consumer = try await log.makeConsumer(.positions([partition: end]))
        while !Task.isCancelled {
            let poll = try await consumer.poll(maxRecords: 1_000, timeoutMilliseconds: 100)
            var outgoing: [OutgoingRecord] = []
            for record in poll.records {
                guard let (eventTable, events) = try? RoundEvent.decodeRecord(json: record.value), eventTable == table.table else { continue }
                for event in events {
                    switch event {
                    case .roundOpened(let number, _, _, _):
                        round = number
                        outgoing += placeBets(round: number)
                    case .tookOff(_, let at):
                        tookOffAt = at
                    case .ticked(_, _, let multiplier):
                        outgoing += cashOuts(upTo: multiplier)
                    case .crashed, .roundVoided:
                        manualTargets.removeAll()
                        tookOffAt = nil
                    default:
                        break
                    }
                }
            }
            if !outgoing.isEmpty { _ = try await log.append(outgoing) }
        }
        try await consumer.close()
    }

    private func placeBets(round: Int64) -> [OutgoingRecord] {
        var records: [OutgoingRecord] = []
        let stakes: [Int64] = [10, 20, 50, 100, 200, 500, 1_000].filter { $0 >= table.minimumStakeMinorUnits && $0 <= table.maximumStakeMinorUnits }
        guard !stakes.isEmpty else { return [] }
        for player in players where rng.next() % 4 != 0 {
            let slots = min(table.maximumBetsPerPlayer, rng.next() % 5 == 0 ? 2 : 1)
            for slot in 0..<slots {
                let betID = BetID("\(player.rawValue)-\(round)-\(slot)")
                let stake = Money(minorUnits: stakes[Int(rng.next() % UInt64(stakes.count))], currency: table.currency)
                // Strategies: cautious (1.1x–1.6x), balanced (1.5x–3x), bold (3x–20x); half set an auto target.
                let target: Int64 = switch rng.next() % 3 {
                case 0: 110 + Int64(rng.next() % 50)
                case 1: 150 + Int64(rng.next() % 150)
                default: 300 + Int64(rng.next() % 1_700)
                }
                let auto = rng.next() % 2 == 0
                let bet = BetReference(table: table.table, round: round, betID: betID)
                let command = WalletCommand(id: "reserve:\(bet)", player: player,
                                            action: .reserveStake(bet, stake, autoCashOut: auto ? Multiplier(hundredths: target) : nil),
                                            at: clock.now())
                records.append(Records.make(command, topics: topics))
                if !auto { manualTargets.append((betID, player, Multiplier(hundredths: target))) }
            }
        }
        manualTargets.sort { $0.target < $1.target }
        return records
    }

    private func cashOuts(upTo multiplier: Multiplier) -> [OutgoingRecord] {
        var records: [OutgoingRecord] = []
        while let first = manualTargets.first, first.target <= multiplier {
            manualTargets.removeFirst()
            let command = RoundCommand.cashOut(betID: first.bet, player: first.player, at: clock.now())
            records.append(Records.make(command, table: table.table, topics: topics, correlation: first.bet.rawValue))
        }
        return records
    }
}

