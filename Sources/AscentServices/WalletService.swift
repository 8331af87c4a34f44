import AscentCore
import AscentLog
import AscentRuntime

/// The wallet: the single writer of wallet events for the player partitions it is assigned.
///
/// It reads wallet commands as the `wallet` consumer group, so partitions are split among wallet
/// instances and handed over when one leaves. On being assigned a partition it rebuilds the
/// partition's players from their own wallet events, then decides each command with its own clock,
/// appends the events to the same partition number of the wallet-events topic, and only once they
/// are appended commits the commands. A crash between append and commit replays commands that are already in the events:
/// the rebuilt state knows their ids, so they are no-ops (a reservation still held is sent to its
/// table's authority again). Each stake reservation is also appended to the funded-bets topic under
/// its table's key, which is what the round authority reads.
public final class WalletService {
    private let log: any EventLog
    private let topics: LogTopics
    private let clock: any ServiceClock
    private let logger: any ServiceLogger
    private let maxBatch: Int
    private let metrics: ServiceMetrics
    private let lag: Gauge
    private var players: [Int32: [PlayerID: WalletState]] = [:]
    private let faucetMinorUnits: Int64?

    /// The reference that marks a deposit as a development-faucet request rather than an operator's.
    public static let faucetReference = "faucet"

    /// A wallet on `log`.
    public init(log: any EventLog, topics: LogTopics = LogTopics(), clock: any ServiceClock = SystemClock(),
                logger: any ServiceLogger = SilentLogger(), maxBatch: Int = 2_000, metrics: ServiceMetrics = ServiceMetrics(),
                faucetMinorUnits: Int64? = nil) {
        self.faucetMinorUnits = faucetMinorUnits
        self.log = log
        self.topics = topics
        self.clock = clock
        self.logger = logger
        self.maxBatch = maxBatch
        self.metrics = metrics
        lag = metrics.lagGauge("wallet")
    }

    /// Serves commands until the task is cancelled; throws when the log fails (restart to recover).
    ///
    /// Decisions are applied to the players' state at once and their events appended in order while
    /// the next commands are read (`OrderedAppender`); a command's position is committed only once
    /// its events are in the log, and a partition is handed over or rebuilt only after everything
    /// decided for it is.
    public func run() async throws {
        let partitionCount = try await log.partitionCount(of: topics.walletCommands)
        let consumer = try await log.makeConsumer(.group("wallet", topics: [topics.walletCommands], start: .earliest))
        let appender = OrderedAppender(log: log)
        var committer = PositionCommitter()
        func commitDurable(force: Bool = false) async throws {
            for (partition, next) in appender.takeDurablePositions() { committer.processed(partition, next: next) }
            try await committer.commitIfDue(consumer, force: force)
        }
        while !Task.isCancelled {
            try appender.check()
            if appender.backlog > 4 * maxBatch { try await appender.flush() }
            let poll = try await consumer.poll(maxRecords: maxBatch, timeoutMilliseconds: 250)
            if !poll.revoked.isEmpty || !poll.assigned.isEmpty {
                try await appender.flush()
                try await commitDurable(force: true)
            }
            for partition in poll.revoked { players[partition.partition] = nil }
            for partition in poll.assigned.keys.sorted() { try await rebuild(partition.partition) }
            guard !poll.records.isEmpty else {
                try await commitDurable()
                continue
            }
            // One instant for the whole poll: the wallet's clock decides days and limits, and the bets
            // one poll settles share a `betSettledBatch` record.
            let now = clock.now()
            var events: [Int32: [WalletEvent]] = [:]
            var funded: [OutgoingRecord] = []
            var positions: [TopicPartition: Int64] = [:]
            for record in poll.records {
                positions[record.topicPartition] = record.offset + 1
                let partition = record.topicPartition.partition
                if players[partition] == nil { try await rebuild(partition) }
                let commands: [WalletCommand]
                do {
                    commands = try WalletCommand.decodeRecord(json: record.value)
                } catch {
                    metrics.walletCommands.increment()
                    metrics.walletRejections.increment()
                    logger.error("undecodable wallet command", ["partition": String(partition), "offset": String(record.offset), "error": "\(error)"])
                    continue
                }
                for var command in commands {
                    metrics.walletCommands.increment()
                    // One writer per partition: a command for another partition's player (a batch put
                    // together wrongly, or a record sent to an explicit partition) is refused, not applied
                    // where that player's wallet does not live.
                    guard KafkaPartitioner.partition(forKey: Array(command.player.rawValue.utf8), partitionCount: partitionCount) == partition else {
                        metrics.walletRejections.increment()
                        logger.error("wallet command for a player of another partition", ["command": command.id, "player": command.player.rawValue,
                                                                                          "partition": String(partition), "offset": String(record.offset)])
                        continue
                    }
                    // The wallet's clock decides days and limits, not the sender's.
                    command.at = now
                    if case .deposit(let amount, let reference) = command.action, reference == Self.faucetReference {
                        // The development faucet is off unless configured, and never pays more than its size.
                        guard let faucetMinorUnits, amount.minorUnits <= faucetMinorUnits else {
                            metrics.walletRejections.increment()
                            logger.warning("faucet deposit refused", ["command": command.id, "player": command.player.rawValue,
                                                                      "rule": faucetMinorUnits == nil ? "faucetDisabled" : "faucetAmountTooLarge"])
                            continue
                        }
                    }
                    // Decide on a borrowed state, then apply in place: a copy taken out of the dictionary
                    // would be copied again on the first mutation, and a player's state grows with every
                    // command id it has seen.
                    let decision = Wallet.decide(command, state: players[partition]![command.player] ?? WalletState())
                    switch decision {
                    case .success(let decided):
                        for event in decided {
                            Wallet.apply(event, to: &players[partition]![command.player, default: WalletState()])
                            events[partition, default: []].append(event)
                            if let copy = Records.funded(event, topics: topics) { funded.append(copy) }
                        }
                        if decided.isEmpty, let copy = fundedAgain(command, partition: partition) { funded.append(copy) }
                    case .failure(let rejection):
                        metrics.walletRejections.increment()
                        logger.warning("wallet command rejected", ["command": command.id, "player": command.player.rawValue, "rule": rejection.code])
                    }
                }
            }
            var records = events.keys.sorted().flatMap { Records.make(events[$0]!, topics: topics, partition: $0) }
            records += funded
            appender.enqueue(records, positions: positions)
            try await commitDurable()
            ServiceMetrics.setLag(lag, newest: poll.records.last, now: clock.now())
        }
        try await appender.flush()
        try await commitDurable(force: true)
        try await consumer.close()
    }

    /// A replayed reservation whose stake is still held is sent to its table again: the wallet may
    /// have died after its wallet-events record and before the funded-bets copy were both stored
    /// (they can land in different transactions or, on Kafka, batches). The authority places a bet
    /// once, so a second copy changes nothing.
    private func fundedAgain(_ command: WalletCommand, partition: Int32) -> OutgoingRecord? {
        guard case .reserveStake(let bet, let amount, let autoCashOut) = command.action,
              let reservation = players[partition]?[command.player]?.reservations[bet], reservation.commandID == command.id else { return nil }
        let event = WalletEvent.stakeReserved(commandID: command.id, player: command.player, bet: bet, amount: amount,
                                              autoCashOut: autoCashOut, at: reservation.at)
        return Records.funded(event, topics: topics)
    }

    /// Rebuilds every player of `partition` from the partition's wallet events.
    private func rebuild(_ partition: Int32) async throws {
        var states: [PlayerID: WalletState] = [:]
        try await log.readToEnd(TopicPartition(topic: topics.walletEvents, partition: partition)) { records in
            for record in records {
                for event in try WalletEvent.decodeRecord(json: record.value) {
                    Wallet.apply(event, to: &states[event.player, default: WalletState()])
                }
            }
        }
        players[partition] = states
        logger.info("wallet partition rebuilt", ["partition": String(partition), "players": String(states.count)])
    }
}
