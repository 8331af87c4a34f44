import AscentCore
import AscentFairness
import AscentLog

/// A deterministic log of play, produced by the real pure deciders (round, wallet, settlement
/// mapping) on a virtual clock: the golden logs of the audit tests and the benchmark's busy day.
/// The same parameters always give the same records, byte for byte.
public struct SyntheticLog {
    /// What to play.
    public struct Parameters: Sendable {
        /// The table's rules.
        public var table: TableConfig
        /// The public salt of the crash points.
        public var salt: String
        /// s_N of the seed chain; its terminating hash is `terminatingHash(...)`.
        public var terminalSeed: Bytes32
        /// Rounds to play (the chain is this long).
        public var rounds: Int
        /// Players, each funded before round 1.
        public var players: Int
        /// Seed of the players' choices.
        public var seed: UInt64
        /// The round-events topic's name.
        public var roundTopic: String
        /// The wallet-events topic's name.
        public var walletTopic: String
        /// Partitions of the wallet topic (players spread by Kafka's partitioner); the round topic has one.
        public var walletPartitions: Int32
        /// Every how many rounds one is voided in flight (0: never).
        public var voidEvery: Int
        /// The virtual clock's start, milliseconds since the epoch.
        public var startMilliseconds: Int64
        /// Stop after the first whole round that brings the log to this many records (nil: play every round).
        public var stopAfterRecords: Int?

        /// Parameters with the defaults of the golden logs.
        public init(table: TableConfig, salt: String, terminalSeed: Bytes32, rounds: Int, players: Int, seed: UInt64,
                    roundTopic: String = "ascent.round-events", walletTopic: String = "ascent.wallet-events",
                    walletPartitions: Int32 = 2, voidEvery: Int = 0, startMilliseconds: Int64 = 1_796_300_000_000) {
            self.table = table
            self.salt = salt
            self.terminalSeed = terminalSeed
            self.rounds = rounds
            self.players = players
            self.seed = seed
            self.roundTopic = roundTopic
            self.walletTopic = walletTopic
            self.walletPartitions = walletPartitions
            self.voidEvery = voidEvery
            self.startMilliseconds = startMilliseconds
        }
    }

    private let parameters: Parameters
    private let decider: Round
    private let scheme: AscentCrashScheme
    private var chain: SeedChain
    private var rng: SplitMix64
    private var state = RoundState()
    private var wallets: [PlayerID: WalletState] = [:]
    private var offsets: [TopicPartition: Int64] = [:]
    private var clock: Int64
    private var emitted = 0
    private let emit: (LogLine) -> Void

    /// Plays `parameters` and hands every record to `emit` in a valid reading order (each
    /// partition's records in offset order; causes before effects). Returns the terminating hash.
    @discardableResult
    public static func generate(_ parameters: Parameters, emit: @escaping (LogLine) -> Void) -> Bytes32 {
        var log = SyntheticLog(parameters: parameters, emit: emit)
        log.play()
        return log.chain.terminatingHash
    }

    private init(parameters: Parameters, emit: @escaping (LogLine) -> Void) {
        precondition(parameters.table.problems.isEmpty, "table: \(parameters.table.problems)")
        self.parameters = parameters
        decider = Round(config: parameters.table)
        scheme = AscentCrashScheme(salt: parameters.salt, houseEdgeBasisPoints: parameters.table.houseEdgeBasisPoints)
        chain = SeedChain.generate(terminalSeed: parameters.terminalSeed, length: parameters.rounds)
        rng = SplitMix64(seed: parameters.seed)
        clock = parameters.startMilliseconds
        self.emit = emit
    }

    private var table: TableID { parameters.table.table }
    private var currency: Currency { parameters.table.currency }
    private func player(_ index: Int) -> PlayerID { PlayerID("p-\(index + 1)") }
    private var now: Timestamp { Timestamp(milliseconds: clock) }

    private mutating func random(_ bound: Int) -> Int { Int(rng.next() % UInt64(bound)) }

    private mutating func play() {
        for index in 0..<parameters.players {
            wallet(.deposit(Money(minorUnits: 200_000, currency: currency), reference: "funding-\(index + 1)"), player(index), id: "deposit:p-\(index + 1):0")
            clock += 1
        }
        for round in 1...parameters.rounds {
            playRound(Int64(round))
            clock += 3_000
            if round % 10 == 0 { cashier(round: round) }
            if let stop = parameters.stopAfterRecords, emitted >= stop { break }
        }
    }

    /// Every ten rounds: one player withdraws, players running low are topped up.
    private mutating func cashier(round: Int) {
        let lucky = player(random(parameters.players))
        if (wallets[lucky]?.available(currency).minorUnits ?? 0) >= 10_000 {
            wallet(.withdraw(Money(minorUnits: 5_000, currency: currency), reference: "cash-\(round)"), lucky, id: "withdraw:\(lucky):\(round)")
        }
        for index in 0..<parameters.players where (wallets[player(index)]?.available(currency).minorUnits ?? 0) < 20_000 {
            wallet(.deposit(Money(minorUnits: 100_000, currency: currency), reference: "top-up-\(round)"), player(index),
                   id: "deposit:\(player(index)):\(round)")
        }
        clock += 1
    }

    private mutating func playRound(_ round: Int64) {
        let secret = scheme.roundSecret(seed: chain.seed(forRound: Int(round)))
        let config = parameters.table
        authority(.open(round: round, commitment: chain.commitment(forRound: Int(round)).hex, at: now), secret)
        let closesAt = state.bettingClosesAt!.milliseconds
        let step = max(1, Int((config.bettingWindowMilliseconds - 10) / Int64(2 * parameters.players + 1)))
        var manual: [(BetID, PlayerID, Multiplier)] = []
        for index in 0..<parameters.players where random(3) != 0 {
            let playerID = player(index)
            for slot in 0..<(random(4) == 0 ? 2 : 1) {
                clock += Int64(1 + random(step))
                let stake = Money(minorUnits: Int64([10, 50, 100, 250, 500, 1_000, 5_000][random(7)]), currency: currency)
                let target = Multiplier(hundredths: 101 + Int64(random(random(5) == 0 ? 2_000 : 300)))
                let betID = BetID("r\(round)-\(playerID)-\(slot)")
                let auto = random(2) == 0 ? target : nil
                guard reserveAndPlace(betID, playerID, stake, auto: auto, round: round, secret) else { continue }
                if random(25) == 0 {
                    authority(.cancelBet(betID: betID, player: playerID, at: now), secret)
                } else if auto == nil {
                    manual.append((betID, playerID, target))
                }
            }
        }
        clock = max(clock, closesAt)
        authority(.closeBetting(at: now), secret)
        // A reservation that reaches the authority after betting closed: refused, its stake given back.
        if round % 7 == 3 {
            let late = player(random(parameters.players))
            _ = reserveAndPlace(BetID("r\(round)-\(late)-late"), late, Money(minorUnits: 100, currency: currency), auto: nil,
                                round: round, secret)
        }
        clock += 50
        authority(.takeOff(at: now), secret)
        let tookOff = clock
        let crashAt = tookOff + config.curve.firstElapsedMilliseconds(reaching: secret.crashPoint)
        let voidAt = parameters.voidEvery > 0 && Int(round) % parameters.voidEvery == 0 ? tookOff + 250 : Int64.max
        manual.sort { $0.2 < $1.2 }
        var next = 0
        while true {
            clock += config.tickIntervalMilliseconds
            if clock >= voidAt && clock < crashAt {
                authority(.void(reason: "authority restarted", at: now), secret)
                return
            }
            if clock >= crashAt {
                authority(.crash(at: now), secret)
                break
            }
            let multiplier = config.curve.multiplier(atElapsedMilliseconds: clock - tookOff)
            while next < manual.count, manual[next].2 <= multiplier {
                authority(.cashOut(betID: manual[next].0, player: manual[next].1, at: now), secret)
                next += 1
            }
            authority(.tick(at: now), secret)
        }
        authority(.settle(at: now), secret)
    }

    /// The edge's reservation, the wallet's answer, and the authority's acceptance or refusal.
    private mutating func reserveAndPlace(_ betID: BetID, _ playerID: PlayerID, _ stake: Money, auto: Multiplier?, round: Int64,
                                          _ secret: RoundSecret) -> Bool {
        let bet = BetReference(table: table, round: round, betID: betID)
        let events = wallet(.reserveStake(bet, stake, autoCashOut: auto), playerID, id: "reserve:\(bet)")
        guard events.contains(where: { if case .stakeReserved = $0 { true } else { false } }) else { return false }
        let command = RoundCommand.placeBet(PlaceBet(betID: betID, player: playerID, stake: stake, autoCashOut: auto, at: now))
        switch decider.decide(command, state: state, secret: secret) {
        case .success(let events):
            record(events)
            return true
        case .failure(let rejection):
            // What the authority does with a funded bet it cannot accept.
            record([.betRejected(round: round, betID: betID, player: playerID, stake: stake, reason: rejection.code, at: now)])
            return false
        }
    }

    /// Decides one of the authority's commands; its rejections are answers (a cash-out that lost a race).
    private mutating func authority(_ command: RoundCommand, _ secret: RoundSecret) {
        guard case .success(let events) = decider.decide(command, state: state, secret: secret) else { return }
        record(events)
    }

    /// Appends round events, then what settlement makes of them.
    private mutating func record(_ events: [RoundEvent]) {
        for event in events {
            decider.apply(event, to: &state)
            append(parameters.roundTopic, key: table.rawValue, partitions: 1, value: event.json(table: table))
        }
        for event in events {
            guard let command = Settlement.walletCommand(for: event, table: table, at: now) else { continue }
            wallet(command.action, command.player, id: command.id)
        }
    }

    @discardableResult
    private mutating func wallet(_ action: WalletAction, _ playerID: PlayerID, id: String) -> [WalletEvent] {
        // Taken out so the state is uniquely referenced and updated in place, not copied per command.
        var walletState = wallets.removeValue(forKey: playerID) ?? WalletState()
        guard case .success(let events) = Wallet.decide(WalletCommand(id: id, player: playerID, action: action, at: now), state: walletState) else {
            wallets[playerID] = walletState
            return []
        }
        for event in events {
            Wallet.apply(event, to: &walletState)
            append(parameters.walletTopic, key: playerID.rawValue, partitions: parameters.walletPartitions, value: event.json())
        }
        wallets[playerID] = walletState
        return events
    }

    private mutating func append(_ topic: String, key: String, partitions: Int32, value: [UInt8]) {
        let partition = KafkaPartitioner.partition(forKey: Array(key.utf8), partitionCount: partitions)
        let topicPartition = TopicPartition(topic: topic, partition: partition)
        let offset = offsets[topicPartition, default: 0]
        offsets[topicPartition] = offset + 1
        emitted += 1
        emit(LogLine(topic: topic, partition: partition, offset: offset, key: key, value: value))
    }
}
