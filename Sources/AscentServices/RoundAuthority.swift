import AscentCore
import AscentFairness
import AscentLog
import AscentRuntime

/// What a round authority needs to run a table.
public struct AuthorityConfiguration: Sendable {
    /// The table's rules.
    public var table: TableConfig
    /// The secret seed chain the table's rounds use (round i plays seed i).
    public var chain: SeedChain
    /// The public salt of the crash-point scheme, fixed after the chain was committed.
    public var salt: String
    /// The pause between a round's settlement and the next round's opening.
    public var intermissionMilliseconds: Int64
    /// The log's topics.
    public var topics: LogTopics
    /// Most records handled per poll; bounds the work between two looks at the clock.
    public var maxBatch: Int

    /// A configuration for `table` with its chain and salt.
    public init(table: TableConfig, chain: SeedChain, salt: String, intermissionMilliseconds: Int64 = 3_000,
                topics: LogTopics = LogTopics(), maxBatch: Int = 2_000) {
        self.table = table
        self.chain = chain
        self.salt = salt
        self.intermissionMilliseconds = intermissionMilliseconds
        self.topics = topics
        self.maxBatch = maxBatch
    }
}

/// The round authority of one table: the single writer of its round events.
///
/// It plays rounds continuously on its own clock — open with the next commitment, accept funded bets
/// while betting is open, take off, tick, sequence cash-outs against its clock, crash exactly at the
/// crash point's instant, reveal the seed, settle — and writes its decisions to the log in the order
/// it made them. It applies each decision to its state at once and goes on reading and deciding while
/// earlier events are still being appended (`OrderedAppender`), so a cash-out that arrives while
/// thousands of auto cash-outs are being written is decided at the instant it arrives, not after the
/// write. Nothing is visible before it is in the log: readers see the events in decision order. On start it rebuilds the table's state from its own events; a round found
/// betting or in flight is voided (stakes still riding are refunded), because its players could not
/// act while the authority was down; a crashed round is settled. Inputs are read as a consumer group
/// and committed only after the events they caused are appended, so a crash replays them, and
/// replaying is harmless: every command is idempotent.
public final class RoundAuthority {
    private let configuration: AuthorityConfiguration
    private let log: any EventLog
    private let clock: any ServiceClock
    private let logger: any ServiceLogger
    private let metrics: ServiceMetrics
    private let lag: Gauge
    private let decider: Round
    private let scheme: AscentCrashScheme
    private var chain: SeedChain
    private var state = RoundState()
    private var secret: RoundSecret?
    private var nextOpenAt = Timestamp(milliseconds: 0)
    private var nextTickAt = Timestamp(milliseconds: 0)
    /// Bets of the current and previous rounds already refused, so a replayed reservation is not refused twice.
    private var refused: Set<BetReference> = []
    private var table: TableID { configuration.table.table }
    private var cachedCrashInstant: (tookOffAt: Timestamp, instant: Timestamp)?
    private var cachedTriggerInstant: (tookOffAt: Timestamp, multiplier: Multiplier, instant: Timestamp)?
    /// This authority's stamp on its events, set when it claims the table.
    private var stamp: Records.AuthorityStamp?
    /// The table's round-events partition.
    private var ownPartition: TopicPartition?
    /// Reads the table's partition after the claim, to notice another authority taking over.
    private var watch: (any LogConsumer)?
    /// Writes the authority's events in decision order while it goes on deciding.
    private let appender: OrderedAppender
    /// Most events decided but not yet appended before the authority waits for the log.
    private let maxBacklog = 50_000

    /// An authority for `configuration.table` on `log`.
    public init(configuration: AuthorityConfiguration, log: any EventLog, clock: any ServiceClock = SystemClock(),
                logger: any ServiceLogger = SilentLogger(), metrics: ServiceMetrics = ServiceMetrics()) {
        precondition(configuration.table.problems.isEmpty, "table configuration: \(configuration.table.problems)")
        self.configuration = configuration
        self.log = log
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
        lag = metrics.lagGauge("authority")
        decider = Round(config: configuration.table)
        scheme = AscentCrashScheme(salt: configuration.salt, houseEdgeBasisPoints: configuration.table.houseEdgeBasisPoints)
        chain = configuration.chain
        appender = OrderedAppender(log: log, observeAppend: { [metrics] in metrics.appendLatency.observe(nanoseconds: $0) })
    }

    /// The table's state as the authority last decided it.
    public var currentState: RoundState { state }

    /// Plays rounds until the task is cancelled; throws when the log fails (restart to recover).
    ///
    /// A new group starts from the earliest input, so a reservation made while the authority was
    /// still joining is not missed; an existing group resumes from its committed positions.
    public func run() async throws {
        try await recover()
        let topics = configuration.topics
        let consumer = try await log.makeConsumer(.group("authority.\(table.rawValue)", topics: [topics.roundCommands, topics.fundedBets], start: .earliest))
        defer { Task { [consumer, watch] in try? await consumer.close(); try? await watch?.close() } }
        var committer = PositionCommitter()
        var lastFenceCheck: UInt64 = 0
        while !Task.isCancelled {
            try checkAppends()
            let now = SystemClock.monotonicNanoseconds()
            if now - lastFenceCheck >= 100_000_000 {
                try await checkNotFenced()
                lastFenceCheck = now
            }
            try advanceClock()
            // Decisions run ahead of the log by at most `maxBacklog` events.
            if appender.backlog > maxBacklog { try await flushAppends() }
            let wait = max(0, min(deadline().milliseconds - clock.now().milliseconds, 100))
            let poll = try await consumer.poll(maxRecords: configuration.maxBatch, timeoutMilliseconds: Int(wait))
            if !poll.records.isEmpty {
                var events: [RoundEvent] = []
                for record in poll.records { events += try handle(record) }
                var positions: [TopicPartition: Int64] = [:]
                for record in poll.records { positions[record.topicPartition] = record.offset + 1 }
                append(events, inputs: positions)
                ServiceMetrics.setLag(lag, newest: poll.records.last, now: clock.now())
            }
            // Inputs are committed only once the events they caused are in the log.
            for (partition, next) in appender.takeDurablePositions() { committer.processed(partition, next: next) }
            try await committer.commitIfDue(consumer)
        }
        try await flushAppends()
        for (partition, next) in appender.takeDurablePositions() { committer.processed(partition, next: next) }
        try await committer.commitIfDue(consumer, force: true)
    }

    /// Rebuilds the table from its own events and finishes a round the last run left unfinished.
    private func recover() async throws {
        let topics = configuration.topics
        let partitions = try await log.partitionCount(of: topics.roundEvents)
        let partition = TopicPartition(topic: topics.roundEvents, partition: KafkaPartitioner.partition(forKey: Array(table.rawValue.utf8), partitionCount: partitions))
        ownPartition = partition
        var count = 0
        var fence = AuthorityFence()
        var recoveredUpTo: Int64 = 0
        try await log.readToEnd(partition) { records in
            for record in records {
                recoveredUpTo = record.offset + 1
                let (eventTable, events) = try RoundEvent.decodeRecord(json: record.value)
                let stamp = Records.stamp(of: record)
                for event in events {
                    guard eventTable == table, fence.admits(event, epoch: stamp.epoch, writer: stamp.writer) else { continue }
                    if case .roundOpened = event { refused = [] }
                    if case .betRejected(let round, let id, _, _, _, _) = event { refused.insert(BetReference(table: table, round: round, betID: id)) }
                    decider.apply(event, to: &state)
                    count += 1
                }
            }
        }
        logger.info("authority recovered", ["table": table.rawValue, "events": String(count), "round": String(state.round), "phase": state.phase.rawValue])
        try await claim(after: fence, partition: partition, from: recoveredUpTo)
        if state.round > 0 {
            // The chain must be the one the log was played with: the last round's commitment proves it.
            guard state.round <= Int64(chain.length) else { throw AuthorityError.chainExhausted(length: chain.length) }
            let seed = chain.seed(forRound: Int(state.round))
            guard SHA256.hash(seed).hex == state.commitment else { throw AuthorityError.chainDoesNotMatchLog(round: state.round) }
            secret = scheme.roundSecret(seed: seed)
        }
        let now = clock.now()
        switch state.phase {
        case .betting, .closed, .flying:
            try decideAndAppend(.void(reason: "authority restarted while the round was \(state.phase.rawValue)", at: now))
        case .crashed:
            try decideAndAppend(.settle(at: now))
        case .scheduled, .settled, .voided:
            break
        }
        try await flushAppends()
        nextOpenAt = now
    }

    /// Takes the table over with an epoch above every one in the log, then checks that no other
    /// authority claimed it in between; the loser of such a race stops (`fenced`).
    private func claim(after fence: AuthorityFence, partition: TopicPartition, from offset: Int64) async throws {
        var generator = SystemRandomNumberGenerator()
        let writer = String(generator.next(), radix: 36) + String(generator.next(), radix: 36)
        let mine = Records.AuthorityStamp(epoch: fence.epoch + 1, writer: writer)
        let record = Records.make(.authorityClaimed(round: state.round, epoch: mine.epoch, writer: writer, at: clock.now()),
                                  table: table, topics: configuration.topics, stamp: mine)
        guard let landed = try await log.append([record]).first else { throw AuthorityError.fenced(epoch: mine.epoch) }
        var check = fence
        try await log.readToEnd(partition, from: offset, until: landed.offset + 1) { records in
            for record in records {
                guard let (eventTable, events) = try? RoundEvent.decodeRecord(json: record.value), eventTable == table else { continue }
                let stamp = Records.stamp(of: record)
                for event in events { _ = check.admits(event, epoch: stamp.epoch, writer: stamp.writer) }
            }
        }
        guard check.writer == writer else {
            logger.error("another authority claimed the table first; stopping", ["table": table.rawValue, "epoch": String(check.epoch)])
            throw AuthorityError.fenced(epoch: check.epoch)
        }
        stamp = mine
        watch = try await log.makeConsumer(.positions([partition: landed.offset + 1]))
        logger.info("authority claimed the table", ["table": table.rawValue, "epoch": String(mine.epoch), "writer": writer])
    }

    /// Throws `fenced` when another authority has claimed the table since this one did.
    private func checkNotFenced() async throws {
        guard let watch, let stamp else { return }
        for record in try await watch.poll(maxRecords: 1_000, timeoutMilliseconds: 0).records
        where record.header(Records.Header.type) == "authorityClaimed" {
            guard let (eventTable, event) = try? RoundEvent.decode(json: record.value), eventTable == table,
                  case .authorityClaimed(_, let epoch, let writer, _) = event, writer != stamp.writer, epoch > stamp.epoch else { continue }
            logger.error("fenced: another authority took the table over; stopping without writing", ["table": table.rawValue, "epoch": String(epoch)])
            throw AuthorityError.fenced(epoch: epoch)
        }
    }

    /// The next instant the authority must act without any input.
    private func deadline() -> Timestamp {
        switch state.phase {
        case .scheduled, .settled, .voided: return nextOpenAt
        case .betting: return state.bettingClosesAt!
        case .closed, .crashed: return clock.now()
        case .flying: return min(nextTickAt, crashInstant(), nextTriggerInstant() ?? nextTickAt)
        }
    }

    /// The instant the curve reaches the next auto or maximum-win trigger, if any is left.
    private func nextTriggerInstant() -> Timestamp? {
        guard let multiplier = state.nextTriggerMultiplier, let tookOffAt = state.tookOffAt else { return nil }
        if let cached = cachedTriggerInstant, cached.tookOffAt == tookOffAt, cached.multiplier == multiplier { return cached.instant }
        let instant = tookOffAt.advanced(byMilliseconds: configuration.table.curve.firstElapsedMilliseconds(reaching: multiplier))
        cachedTriggerInstant = (tookOffAt, multiplier, instant)
        return instant
    }

    /// The instant the current flight crashes; computed once per flight (the inverse is a search).
    private func crashInstant() -> Timestamp {
        let tookOffAt = state.tookOffAt!
        if let cached = cachedCrashInstant, cached.tookOffAt == tookOffAt { return cached.instant }
        let instant = tookOffAt.advanced(byMilliseconds: configuration.table.curve.firstElapsedMilliseconds(reaching: secret!.crashPoint))
        cachedCrashInstant = (tookOffAt, instant)
        return instant
    }

    /// Makes every move the clock calls for: open, take off, tick, crash, settle.
    private func advanceClock() throws {
        while true {
            let now = clock.now()
            let command: RoundCommand
            switch state.phase {
            case .scheduled, .settled, .voided:
                guard now >= nextOpenAt else { return }
                let round = state.round + 1
                guard round <= Int64(chain.length) else {
                    logger.error("seed chain exhausted: generate and publish a new chain", ["table": table.rawValue, "round": String(round)])
                    throw AuthorityError.chainExhausted(length: chain.length)
                }
                let seed = chain.seed(forRound: Int(round))
                secret = scheme.roundSecret(seed: seed)
                command = .open(round: round, commitment: SHA256.hash(seed).hex, at: now)
            case .betting:
                guard now >= state.bettingClosesAt! else { return }
                command = .takeOff(at: now)
            case .closed:
                command = .takeOff(at: now)
            case .flying:
                if now >= crashInstant() {
                    command = .crash(at: now)
                } else if now >= nextTickAt || nextTriggerInstant().map({ now >= $0 }) == true {
                    // A tick at a trigger's instant writes the cash-outs it set off (and the curve's value).
                    command = .tick(at: now)
                } else {
                    return
                }
            case .crashed:
                command = .settle(at: now)
            }
            try decideAndAppend(command)
        }
    }

    private func decideAndAppend(_ command: RoundCommand) throws {
        append(try decideAndApply(command))
    }

    /// Decides `command` against the current state and applies its events at once, so the next
    /// decision sees them; the caller appends them before committing any input.
    private func decideAndApply(_ command: RoundCommand) throws -> [RoundEvent] {
        guard let secret = secret ?? (state.phase == .scheduled || state.isFinished ? placeholderSecret : nil) else {
            throw AuthorityError.noSecret(round: state.round)
        }
        switch decider.decide(command, state: state, secret: secret) {
        case .success(let events):
            for event in events {
                decider.apply(event, to: &state)
                switch event {
                case .tookOff(_, let at):
                    nextTickAt = at.advanced(byMilliseconds: configuration.table.tickIntervalMilliseconds)
                case .ticked(_, let at, _):
                    nextTickAt = at.advanced(byMilliseconds: configuration.table.tickIntervalMilliseconds)
                case .roundSettled(_, _, _, _, let at), .roundVoided(_, _, let at):
                    nextOpenAt = at.advanced(byMilliseconds: configuration.intermissionMilliseconds)
                case .roundOpened:
                    refused = refused.filter { $0.round >= state.round - 1 }
                default:
                    break
                }
            }
            return events
        case .failure(let rejection):
            throw AuthorityError.ownCommandRejected(command: command.typeName, rejection: rejection.code)
        }
    }

    /// Before a round is open, `decide` needs no secret; this one is never used to pay anything.
    private var placeholderSecret: RoundSecret { RoundSecret(seed: String(repeating: "0", count: 64), crashPoint: .one) }

    /// Decides one input record; returns the events it caused (already applied).
    private func handle(_ record: LogRecord) throws -> [RoundEvent] {
        let topics = configuration.topics
        // Crash first if the curve got there while the record waited: cash-outs at or after the
        // crash instant must lose, and the crash must be in the log before them.
        var events: [RoundEvent] = []
        if state.phase == .flying, clock.now() >= crashInstant() { events += try decideAndApply(.crash(at: clock.now())) }
        if record.topicPartition.topic == topics.fundedBets {
            guard let event = try? WalletEvent.decode(json: record.value) else {
                logger.error("undecodable funded bet", ["offset": String(record.offset)])
                return events
            }
            guard case .stakeReserved(_, let player, let bet, let amount, let autoCashOut, _) = event, bet.table == table else { return events }
            defer { ServiceMetrics.observe(metrics.betAcceptance, from: record, to: clock.now()) }
            let command = RoundCommand.placeBet(PlaceBet(betID: bet.betID, player: player, stake: amount, autoCashOut: autoCashOut, at: clock.now()))
            // A second copy of a bet already placed (the wallet re-sends a reservation it replays) is
            // a no-op, whatever the phase.
            if bet.round == state.round, state.bets[bet.betID] != nil {
                return events + (try decideOrRefuse(command, bet: bet, player: player, amount: amount))
            }
            // A reservation for a round that is no longer betting is refused, however old: a wallet that
            // lagged behind may deliver it late, and its stake must come back. (If the group's position
            // were lost, replayed reservations would be refused again; settlement's release then finds
            // nothing held and the wallet rejects it, so no money moves twice.)
            if bet.round != state.round || state.phase != .betting {
                return events + refuse(bet, player, amount, reason: RoundRejection.bettingClosed.code)
            }
            return events + (try decideOrRefuse(command, bet: bet, player: player, amount: amount))
        }
        guard let (commandTable, command) = try? RoundCommand.decode(json: record.value) else {
            logger.warning("undecodable round command", ["offset": String(record.offset)])
            return events
        }
        guard commandTable == table else { return events }
        switch command {
        case .cashOut(let betID, let player, _):
            defer { ServiceMetrics.observe(metrics.cashOutDecision, from: record, to: clock.now()) }
            return events + decidePlayer(.cashOut(betID: betID, player: player, at: clock.now()))
        case .cancelBet(let betID, let player, _):
            return events + decidePlayer(.cancelBet(betID: betID, player: player, at: clock.now()))
        default:
            // Only the authority decides its own clock-driven commands; from the log they are refused.
            logger.warning("ignored a round command the authority only gives itself", ["type": command.typeName])
            return events
        }
    }

    private func decideOrRefuse(_ command: RoundCommand, bet: BetReference, player: PlayerID, amount: Money) throws -> [RoundEvent] {
        switch decider.decide(command, state: state, secret: secret ?? placeholderSecret) {
        case .success(let events):
            for event in events { decider.apply(event, to: &state) }
            return events
        case .failure(let rejection):
            return refuse(bet, player, amount, reason: rejection.code)
        }
    }

    private func refuse(_ bet: BetReference, _ player: PlayerID, _ amount: Money, reason: String) -> [RoundEvent] {
        guard refused.insert(bet).inserted else { return [] }
        // A funded bet that is refused must give its stake back: the refusal is a fact on the log.
        return [.betRejected(round: bet.round, betID: bet.betID, player: player, stake: amount, reason: reason, at: clock.now())]
    }

    /// A player's cash-out or cancellation: a rejection is the player's answer, not a failure.
    private func decidePlayer(_ command: RoundCommand) -> [RoundEvent] {
        guard let secret else { return [] }
        switch decider.decide(command, state: state, secret: secret) {
        case .success(let events):
            for event in events { decider.apply(event, to: &state) }
            return events
        case .failure(let rejection):
            if case .cashOut = command { metrics.cashOutsRefused.increment() }
            logger.log("debug", "player command rejected", ["command": command.typeName, "rule": rejection.code])
            return []
        }
    }

    /// Queues `events` for the log after everything decided before them; `inputs` are the input
    /// positions they complete.
    private func append(_ events: [RoundEvent], inputs: [TopicPartition: Int64] = [:]) {
        // Encoded on the appender's task: a burst of auto cash-outs does not hold up the next decision.
        let (table, topics, stamp) = (table, configuration.topics, stamp)
        appender.enqueue(size: events.count, positions: inputs, onAppended: { [metrics] in metrics.count(events) }) {
            Records.make(events, table: table, topics: topics, stamp: stamp)
        }
    }

    /// Stops the authority when an append failed: a restart recovers from what the log holds.
    private func checkAppends() throws {
        do {
            try appender.check()
        } catch {
            metrics.errors.increment()
            logger.error("appending round events failed; the authority stops so a restart recovers from the log", ["error": "\(error)"])
            throw error
        }
    }

    /// Waits until every decided event is in the log.
    private func flushAppends() async throws {
        _ = try? await appender.flush()
        try checkAppends()
    }
}

/// Why an authority stopped.
public enum AuthorityError: Error, CustomStringConvertible {
    /// Every seed of the chain has been used.
    case chainExhausted(length: Int)
    /// The authority's own command was refused: its state and the log disagree.
    case ownCommandRejected(command: String, rejection: String)
    /// A round is in progress but its secret is unknown.
    case noSecret(round: Int64)
    /// Another authority took the table over (its claim has a higher epoch).
    case fenced(epoch: Int64)
    /// The seed chain given is not the one the table's log was played with.
    case chainDoesNotMatchLog(round: Int64)

    public var description: String {
        switch self {
        case .chainExhausted(let length): "the seed chain's \(length) rounds are used up"
        case .ownCommandRejected(let command, let rejection): "the authority's own \(command) was rejected (\(rejection))"
        case .noSecret(let round): "no secret for round \(round)"
        case .fenced(let epoch): "fenced: another authority claimed the table with epoch \(epoch)"
        case .chainDoesNotMatchLog(let round):
            "round \(round)'s commitment in the log is not the hash of this chain's seed: wrong chain file for this table"
        }
    }
}
