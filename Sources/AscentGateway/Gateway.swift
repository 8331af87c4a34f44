#if canImport(Glibc)
import Glibc
#endif
import AscentCore
import AscentEdge
import AscentLog
import AscentServices

/// The edge's game side: joins the WebSocket server to the log. It follows the table's round events
/// and the wallet events, keeps only what it read (the round's snapshot, the last crash points, the
/// live bets, the balances of players it has seen), broadcasts each round message encoded once to
/// every connection of the table, routes player-specific messages to that player's connections, and
/// turns players' requests into wallet and round commands. Everything runs on one task, fed by one
/// stream, so its state needs no lock.
public final class Gateway {
    enum Input: Sendable {
        case socket([WebSocketEvent])
        case round(RoundEvent, LogRecord)
        case wallet(WalletEvent)
    }

    struct Session {
        var player: PlayerID?
        var tokens: Double
        var refilledAt: UInt64
    }

    struct LiveBet {
        var player: PlayerID
        var amount: Int64
        var auto: Int64?
        var cashOut: (multiplier: Int64, payout: Int64)?
        var status: String
    }

    /// The broadcast group of the table (one table per gateway).
    static let tableGroup: UInt64 = 1

    private let configuration: GatewayConfiguration
    private let server: WebSocketServer
    private let log: any EventLog
    private let clock: any ServiceClock
    private let logger: any ServiceLogger
    private var sessions: [WebSocketConnectionID: Session] = [:]
    private var connectionsOfPlayer: [PlayerID: Set<WebSocketConnectionID>] = [:]
    /// What the gateway knows of the table's round, from the events it read. Deliberately lenient
    /// (not the decider): a gateway may join a log midway, and it must show, not judge.
    struct Snapshot {
        var round: Int64 = 0
        var phase: RoundPhase = .scheduled
        var commitment: String?
        var openedAt: Timestamp?
        var bettingClosesAt: Timestamp?
        var tookOffAt: Timestamp?
        var crashPoint: Multiplier?
        var seed: String?
    }

    private var round = Snapshot()
    private var fence = AuthorityFence()
    private var history: [(round: Int64, crash: Int64, seed: String)] = []
    private var liveBets: [BetID: LiveBet] = [:]
    private var liveOrder: [BetID] = []
    private var balances: [PlayerID: (available: Int64, reserved: Int64)] = [:]
    private var pendingRequests: [BetID: (connection: WebSocketConnectionID, requestID: String)] = [:]
    /// A token bucket per player across all its connections (twice a connection's rate).
    private var playerBuckets: [PlayerID: (tokens: Double, refilledAt: UInt64)] = [:]

    /// A gateway serving `configuration.table` through `server`, reading and writing `log`.
    public init(configuration: GatewayConfiguration, server: WebSocketServer, log: any EventLog,
                clock: any ServiceClock = SystemClock(), logger: any ServiceLogger = SilentLogger()) {
        self.configuration = configuration
        self.server = server
        self.log = log
        self.clock = clock
        self.logger = logger
    }

    /// Serves until the task is cancelled.
    public func run() async throws {
        let (stream, continuation) = AsyncStream<Input>.makeStream(bufferingPolicy: .bufferingNewest(100_000))
        let topics = configuration.topics
        let table = configuration.table.table
        let log = self.log
        // The table's round events from the start (the snapshot and history), then live.
        let partitions = try await log.partitionCount(of: topics.roundEvents)
        let roundPartition = TopicPartition(topic: topics.roundEvents,
                                            partition: KafkaPartitioner.partition(forKey: Array(table.rawValue.utf8), partitionCount: partitions))
        let walletPartitions = try await log.partitionCount(of: topics.walletEvents)
        let walletStart = Dictionary(uniqueKeysWithValues: (0..<walletPartitions).map { (TopicPartition(topic: topics.walletEvents, partition: $0), Int64(0)) })
        let readers = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    let consumer = try await log.makeConsumer(.positions([roundPartition: 0]))
                    while !Task.isCancelled {
                        for record in try await consumer.poll(maxRecords: 2_000, timeoutMilliseconds: 250).records {
                            let (eventTable, events) = try RoundEvent.decodeRecord(json: record.value)
                            if eventTable == table { for event in events { continuation.yield(.round(event, record)) } }
                        }
                    }
                    try await consumer.close()
                }
                group.addTask {
                    let consumer = try await log.makeConsumer(.positions(walletStart))
                    while !Task.isCancelled {
                        for record in try await consumer.poll(maxRecords: 2_000, timeoutMilliseconds: 250).records {
                            for event in try WalletEvent.decodeRecord(json: record.value) { continuation.yield(.wallet(event)) }
                        }
                    }
                    try await consumer.close()
                }
                try await group.next()
            }
        }
        defer {
            readers.cancel()
            server.stop()
        }
        server.start { events in continuation.yield(.socket(events)) }
        for await input in stream {
            if Task.isCancelled { break }
            switch input {
            case .socket(let events): for event in events { try await handle(event) }
            case .round(let event, let record): roundEvent(event, record)
            case .wallet(let event): walletEvent(event)
            }
        }
    }

    // MARK: Players' sockets

    private func handle(_ event: WebSocketEvent) async throws {
        switch event {
        case .opened(let connection, _):
            sessions[connection] = Session(player: nil, tokens: configuration.messageBurst, refilledAt: SystemClock.monotonicNanoseconds())
        case .closed(let connection, _, _):
            if let player = sessions.removeValue(forKey: connection)?.player {
                connectionsOfPlayer[player]?.remove(connection)
                if connectionsOfPlayer[player]?.isEmpty == true {
                    connectionsOfPlayer[player] = nil
                    playerBuckets[player] = nil
                }
            }
        case .message(let connection, let message):
            guard var session = sessions[connection] else { return }
            // A token bucket per connection: a message over the rate is answered and dropped.
            let now = SystemClock.monotonicNanoseconds()
            session.tokens = min(configuration.messageBurst,
                                 session.tokens + Double(now - session.refilledAt) / 1e9 * configuration.messagesPerSecond)
            session.refilledAt = now
            guard session.tokens >= 1 else {
                sessions[connection] = session
                send(GatewayFrames.error("rateLimited", "Too many messages; slow down."), to: connection)
                return
            }
            session.tokens -= 1
            sessions[connection] = session
            if let player = session.player {
                let rate = configuration.messagesPerSecond * 2, burst = configuration.messageBurst * 2
                var bucket = playerBuckets[player] ?? (burst, now)
                bucket.tokens = min(burst, bucket.tokens + Double(now - bucket.refilledAt) / 1e9 * rate)
                bucket.refilledAt = now
                guard bucket.tokens >= 1 else {
                    playerBuckets[player] = bucket
                    send(GatewayFrames.error("rateLimited", "Too many messages from this player; slow down."), to: connection)
                    return
                }
                bucket.tokens -= 1
                playerBuckets[player] = bucket
            }
            try await request(message, from: connection)
        }
    }

    private func request(_ message: WebSocketMessage, from connection: WebSocketConnectionID) async throws {
        guard message.isText, let value = try? JSONValue.parse(message.bytes), case .object = value,
              case .string(let type)? = value["type"] else {
            send(GatewayFrames.error("malformedMessage", "Messages are JSON objects with a type."), to: connection)
            return
        }
        guard let player = sessions[connection]?.player else {
            guard type == "hello" else { return refuseUnauthenticated(connection) }
            hello(value, from: connection)
            return
        }
        let requestID: String? = if case .string(let id)? = value["requestId"] { id } else { nil }
        func malformed(_ what: String) { send(GatewayFrames.error("malformedMessage", what, requestID: requestID), to: connection) }
        switch type {
        case "ping":
            let t: Int64 = if case .integer(let t)? = value["t"] { t } else { 0 }
            send(GatewayFrames.object { $0.string("type", "pong"); $0.integer("t", t); $0.integer("serverTime", clock.now().milliseconds) }, to: connection)
        case "placeBet":
            guard let requestID, case .string(let betID)? = value["betId"], Self.isValidID(betID), Self.isValidID(requestID),
                  case .integer(let amount)? = value["amountMinor"] else { return malformed("placeBet needs requestId, betId and amountMinor.") }
            var auto: Int64?
            if let target = value["autoCashOutHundredths"] {
                guard case .integer(let hundredths) = target else { return malformed("autoCashOutHundredths must be an integer.") }
                auto = hundredths
            }
            try await placeBet(player: player, connection: connection, requestID: requestID, betID: BetID(betID), amount: amount, auto: auto)
        case "cancelBet", "cashOut":
            guard let requestID, case .string(let betID)? = value["betId"], Self.isValidID(betID) else {
                return malformed("\(type) needs requestId and betId.")
            }
            if let bet = liveBets[BetID(betID)], bet.player != player {
                return send(GatewayFrames.error("betOfAnotherPlayer", GatewayFrames.message(for: "betOfAnotherPlayer"), requestID: requestID), to: connection)
            }
            guard liveBets[BetID(betID)] != nil else {
                return send(GatewayFrames.error("unknownBet", GatewayFrames.message(for: "unknownBet"), requestID: requestID), to: connection)
            }
            pendingRequests[BetID(betID)] = (connection, requestID)
            let command: RoundCommand = type == "cashOut"
                ? .cashOut(betID: BetID(betID), player: player, at: clock.now())
                : .cancelBet(betID: BetID(betID), player: player, at: clock.now())
            _ = try await log.append([Records.make(command, table: configuration.table.table, topics: configuration.topics, correlation: requestID)])
        case "hello":
            send(GatewayFrames.error("malformedMessage", "Already authenticated.", requestID: requestID), to: connection)
        default:
            send(GatewayFrames.error("unknownType", "Unknown message type '\(type)'.", requestID: requestID), to: connection)
        }
    }

    static func isValidID(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count) && text.utf8.allSatisfy {
            ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 95 || $0 == 46 || $0 == 58 || $0 == 45
        }
    }

    private func refuseUnauthenticated(_ connection: WebSocketConnectionID) {
        send(GatewayFrames.error("unauthenticated", "Send hello with a valid token first."), to: connection)
        _ = server.close(connection, code: WebSocketCloseCode(rawValue: 1008), reason: "unauthenticated")
    }

    private func hello(_ value: JSONValue, from connection: WebSocketConnectionID) {
        guard case .string(let text)? = value["token"], case .string(let table)? = value["table"], table == configuration.table.table.rawValue,
              let token = try? PlayerToken.verify(text, secret: configuration.tokenSecret, nowSeconds: clock.now().milliseconds / 1_000) else {
            return refuseUnauthenticated(connection)
        }
        sessions[connection]?.player = token.player
        connectionsOfPlayer[token.player, default: []].insert(connection)
        _ = server.subscribe(connection, to: Self.tableGroup)
        send(welcome(for: token.player), to: connection)
    }

    private func placeBet(player: PlayerID, connection: WebSocketConnectionID, requestID: String, betID: BetID,
                          amount: Int64, auto: Int64?) async throws {
        let config = configuration.table
        func refuse(_ code: String) { send(GatewayFrames.error(code, GatewayFrames.message(for: code), requestID: requestID), to: connection) }
        // Obvious refusals are answered here; every rule is still the authority's and the wallet's.
        if let existing = liveBets[betID] {
            if existing.player == player && existing.amount == amount && existing.auto == auto {
                send(GatewayFrames.object { $0.string("type", "betAccepted"); $0.string("requestId", requestID); $0.string("betId", betID.rawValue); $0.integer("round", round.round) }, to: connection)
            } else {
                refuse("duplicateBetId")
            }
            return
        }
        guard round.phase == .betting, let closes = round.bettingClosesAt, clock.now() < closes else { return refuse("bettingClosed") }
        guard amount >= config.minimumStakeMinorUnits else { return refuse("stakeBelowMinimum") }
        guard amount <= config.maximumStakeMinorUnits else { return refuse("stakeAboveMaximum") }
        if let auto, auto < config.minimumAutoCashOut.hundredths || auto > config.maximumAutoCashOut.hundredths { return refuse("autoCashOutOutOfRange") }
        guard (balances[player]?.available ?? 0) >= amount else { return refuse("insufficientFunds") }
        let reference = BetReference(table: config.table, round: round.round, betID: betID)
        pendingRequests[betID] = (connection, requestID)
        let command = WalletCommand(id: "reserve:\(reference)", player: player,
                                    action: .reserveStake(reference, Money(minorUnits: amount, currency: config.currency),
                                                          autoCashOut: auto.map(Multiplier.init(hundredths:))), at: clock.now())
        _ = try await log.append([Records.make(command, topics: configuration.topics, correlation: requestID)])
    }

    // MARK: The log

    private func roundEvent(_ event: RoundEvent, _ record: LogRecord) {
        let stamp = Records.stamp(of: record)
        guard fence.admits(event, epoch: stamp.epoch, writer: stamp.writer) else { return }
        if case .authorityClaimed = event { return }
        // Events of another round than the one being shown (a gateway joining midway) are skipped.
        if case .roundOpened = event {} else if event.round != round.round { return }
        let group = Self.tableGroup
        switch event {
        case .roundOpened(let number, let commitment, let at, let closes):
            round = Snapshot(round: number, phase: .betting, commitment: commitment, openedAt: at, bettingClosesAt: closes)
            liveBets = [:]
            liveOrder = []
            broadcast(GatewayFrames.object { w in
                w.string("type", "roundOpened"); w.integer("round", number); w.string("commitment", commitment)
                w.integer("bettingClosesAt", closes.milliseconds); w.integer("serverTime", clock.now().milliseconds)
            })
        case .bettingClosed(let number, _):
            round.phase = .closed
            broadcast(GatewayFrames.object { $0.string("type", "bettingClosed"); $0.integer("round", number) })
        case .tookOff(let number, let at):
            round.phase = .flying
            round.tookOffAt = at
            broadcast(GatewayFrames.object { w in
                w.string("type", "tookOff"); w.integer("round", number); w.integer("at", at.milliseconds); w.integer("serverTime", clock.now().milliseconds)
            })
        case .ticked(let number, let at, let multiplier):
            _ = server.broadcast(WebSocketFrame.text(#"{"t":"k","r":\#(number),"m":\#(multiplier.hundredths),"at":\#(at.milliseconds)}"#), to: group)
        case .crashed(let number, let crash, let seed, let at):
            round.phase = .crashed
            round.crashPoint = crash
            round.seed = seed
            history.insert((number, crash.hundredths, seed), at: 0)
            if history.count > 50 { history.removeLast() }
            broadcast(GatewayFrames.object { w in
                w.string("type", "crashed"); w.integer("round", number); w.integer("crashPointHundredths", crash.hundredths)
                w.string("seed", seed); w.integer("at", at.milliseconds)
            })
        case .roundVoided(let number, _, let at):
            round.phase = .voided
            broadcast(GatewayFrames.object { $0.string("type", "roundVoided"); $0.integer("round", number); $0.integer("at", at.milliseconds) })
        case .betPlaced(let number, let id, let player, let stake, let auto, _):
            liveBets[id] = LiveBet(player: player, amount: stake.minorUnits, auto: auto?.hundredths, cashOut: nil, status: "placed")
            liveOrder.append(id)
            broadcast(GatewayFrames.object { w in
                w.string("type", "betPlaced"); w.integer("round", number); w.string("betId", id.rawValue)
                w.string("player", GatewayFrames.masked(player)); w.integer("amountMinor", stake.minorUnits)
                w.integer("autoCashOutHundredths", ifPresent: auto?.hundredths)
            })
            let requestID = pendingRequests.removeValue(forKey: id)?.requestID
            toPlayer(player, GatewayFrames.object { w in
                w.string("type", "betAccepted"); w.string("requestId", requestID ?? id.rawValue); w.string("betId", id.rawValue); w.integer("round", number)
            })
        case .betRejected(let number, let id, let player, _, let reason, _):
            let pending = pendingRequests.removeValue(forKey: id)
            toPlayer(player, GatewayFrames.error(reason, GatewayFrames.message(for: reason), requestID: pending?.requestID))
            toPlayer(player, result(number, id, "rejected", payout: 0, reason: reason))
        case .betCancelled(let number, let id, let player, _, _):
            liveBets[id]?.status = "cancelled"
            broadcast(GatewayFrames.object { $0.string("type", "betCancelled"); $0.integer("round", number); $0.string("betId", id.rawValue) })
            toPlayer(player, result(number, id, "cancelled", payout: 0, requestID: pendingRequests.removeValue(forKey: id)?.requestID))
        case .cashedOut(let number, let id, let player, _, let multiplier, let payout, _, _):
            liveBets[id]?.cashOut = (multiplier.hundredths, payout.minorUnits)
            liveBets[id]?.status = "cashedOut"
            broadcast(GatewayFrames.object { w in
                w.string("type", "cashedOut"); w.integer("round", number); w.string("betId", id.rawValue)
                w.string("player", GatewayFrames.masked(player)); w.integer("multiplierHundredths", multiplier.hundredths)
                w.integer("payoutMinor", payout.minorUnits)
            })
            toPlayer(player, result(number, id, "won", payout: payout.minorUnits, multiplier: multiplier.hundredths,
                                    requestID: pendingRequests.removeValue(forKey: id)?.requestID))
        case .betLost(let number, let id, let player, _):
            toPlayer(player, result(number, id, "lost", payout: 0))
        case .betRefunded(let number, let id, let player, _):
            toPlayer(player, result(number, id, "refunded", payout: 0))
        case .roundSettled:
            round.phase = .settled
        case .authorityClaimed:
            break
        }
    }

    private func walletEvent(_ event: WalletEvent) {
        let player = event.player
        var balance = balances[player] ?? (0, 0)
        switch event {
        case .deposited(_, _, let amount, _, _): balance.available += amount.minorUnits
        case .withdrawn(_, _, let amount, _, _): balance.available -= amount.minorUnits
        case .stakeReserved(_, _, _, let amount, _, _): balance.available -= amount.minorUnits; balance.reserved += amount.minorUnits
        case .stakeReleased(_, _, _, let amount, _, _): balance.available += amount.minorUnits; balance.reserved -= amount.minorUnits
        case .betSettled(_, _, _, let stake, let payout, _): balance.reserved -= stake.minorUnits; balance.available += payout.minorUnits
        case .stakeRefused(_, _, let bet, _, _, let reason, _):
            let pending = pendingRequests.removeValue(forKey: bet.betID)
            toPlayer(player, GatewayFrames.error(reason.code, GatewayFrames.message(for: reason.code), requestID: pending?.requestID))
            return
        case .limitsSet, .selfExcluded:
            return
        }
        balances[player] = balance
        toPlayer(player, GatewayFrames.object { $0.string("type", "balance"); $0.integer("availableMinor", balance.available); $0.integer("reservedMinor", balance.reserved) })
    }

    // MARK: Messages

    private func result(_ round: Int64, _ id: BetID, _ outcome: String, payout: Int64, multiplier: Int64? = nil,
                        reason: String? = nil, requestID: String? = nil) -> [UInt8] {
        GatewayFrames.object { w in
            w.string("type", "result")
            if let requestID { w.string("requestId", requestID) }
            w.integer("round", round); w.string("betId", id.rawValue); w.string("outcome", outcome); w.integer("payoutMinor", payout)
            w.integer("multiplierHundredths", ifPresent: multiplier)
            if let reason { w.string("reason", reason) }
        }
    }

    private func welcome(for player: PlayerID) -> [UInt8] {
        let config = configuration.table
        return GatewayFrames.object { w in
            w.string("type", "welcome")
            w.raw("player", GatewayFrames.object { $0.string("id", player.rawValue); $0.string("name", GatewayFrames.masked(player)) })
            w.string("table", config.table.rawValue)
            w.string("currency", config.currency.code)
            w.integer("currencyExponent", Int64(config.currency.exponent))
            w.raw("limits", GatewayFrames.object { l in
                l.integer("minStakeMinor", config.minimumStakeMinorUnits); l.integer("maxStakeMinor", config.maximumStakeMinorUnits)
                l.integer("maxWinMinor", config.maximumWinMinorUnits); l.integer("maxBetsPerPlayer", Int64(config.maximumBetsPerPlayer))
                l.integer("minAutoHundredths", config.minimumAutoCashOut.hundredths); l.integer("maxAutoHundredths", config.maximumAutoCashOut.hundredths)
            })
            w.raw("curve", GatewayFrames.object { $0.double("ratePerMillisecond", config.curve.ratePerMillisecond) })
            w.raw("fairness", GatewayFrames.object { f in
                f.string("scheme", "ascent"); f.string("salt", configuration.salt)
                f.integer("houseEdgeBasisPoints", config.houseEdgeBasisPoints); f.string("terminatingHash", configuration.terminatingHash)
            })
            w.integer("serverTime", clock.now().milliseconds)
            if round.round > 0 {
                w.raw("round", GatewayFrames.object { r in
                    r.integer("number", round.round)
                    r.string("phase", round.phase == .settled ? "crashed" : (round.phase == .scheduled ? "closed" : round.phase.rawValue))
                    if let commitment = round.commitment { r.string("commitment", commitment) }
                    r.integer("openedAt", ifPresent: round.openedAt?.milliseconds)
                    r.integer("bettingClosesAt", ifPresent: round.bettingClosesAt?.milliseconds)
                    r.integer("tookOffAt", ifPresent: round.tookOffAt?.milliseconds)
                    if round.phase == .flying, let tookOff = round.tookOffAt {
                        r.integer("multiplierHundredths", config.curve.multiplier(atElapsedMilliseconds: clock.now().milliseconds(since: tookOff)).hundredths)
                    }
                    r.integer("crashPointHundredths", ifPresent: round.crashPoint?.hundredths)
                    if let seed = round.seed { r.string("seed", seed) }
                })
            }
            w.raw("myBets", GatewayFrames.array(liveOrder.compactMap { id in
                guard let bet = liveBets[id], bet.player == player, bet.status != "cancelled" else { return nil }
                return GatewayFrames.object { b in
                    b.string("betId", id.rawValue); b.integer("amountMinor", bet.amount); b.integer("autoCashOutHundredths", ifPresent: bet.auto)
                    b.string("status", bet.status)
                    b.integer("multiplierHundredths", ifPresent: bet.cashOut?.multiplier); b.integer("payoutMinor", ifPresent: bet.cashOut?.payout)
                }
            }))
            let balance = balances[player] ?? (0, 0)
            w.raw("balance", GatewayFrames.object { $0.integer("availableMinor", balance.available); $0.integer("reservedMinor", balance.reserved) })
            w.raw("history", GatewayFrames.array(history.map { item in
                GatewayFrames.object { $0.integer("round", item.round); $0.integer("crashPointHundredths", item.crash); $0.string("seed", item.seed) }
            }))
            w.raw("liveBets", GatewayFrames.array(liveOrder.prefix(5_000).compactMap { id in
                guard let bet = liveBets[id], bet.status != "cancelled" else { return nil }
                return GatewayFrames.object { b in
                    b.string("betId", id.rawValue); b.string("player", GatewayFrames.masked(bet.player)); b.integer("amountMinor", bet.amount)
                    b.integer("autoCashOutHundredths", ifPresent: bet.auto)
                    b.integer("multiplierHundredths", ifPresent: bet.cashOut?.multiplier); b.integer("payoutMinor", ifPresent: bet.cashOut?.payout)
                }
            }))
        }
    }

    private func send(_ json: [UInt8], to connection: WebSocketConnectionID) {
        _ = server.send(WebSocketFrame.text(String(decoding: json, as: UTF8.self)), to: connection)
    }

    private func broadcast(_ json: [UInt8]) {
        _ = server.broadcast(WebSocketFrame.text(String(decoding: json, as: UTF8.self)), to: Self.tableGroup)
    }

    private func toPlayer(_ player: PlayerID, _ json: [UInt8]) {
        guard let connections = connectionsOfPlayer[player] else { return }
        let frame = WebSocketFrame.text(String(decoding: json, as: UTF8.self))
        for connection in connections { _ = server.send(frame, to: connection) }
    }
}
