import AscentCore
import AscentLog

/// The rows a batch of log records adds or changes in the read models, merged so each round, bet,
/// player and balance is written once per batch. Pure: the projector turns it into SQL.
public struct ProjectionBatch: Sendable {
    /// One balanced ledger entry.
    public struct LedgerEntry: Hashable, Sendable {
        public var transactionID: String
        public var account: String
        public var currency: String
        public var amountMinor: Int64
        public var kind: String
        public var player: String?
        public var table: String?
        public var round: Int64?
        public var betID: String?
        public var atMilliseconds: Int64
        public var source: TopicPartition
        public var sourceOffset: Int64
    }

    /// A round's columns changed by this batch; nil means unchanged.
    public struct RoundChange: Hashable, Sendable {
        public var table: String
        public var round: Int64
        public var phase: String
        public var commitment: String?
        public var seed: String?
        public var crashPointHundredths: Int64?
        public var openedAt: Int64?
        public var bettingClosesAt: Int64?
        public var tookOffAt: Int64?
        public var crashedAt: Int64?
        public var settledAt: Int64?
        public var voidedAt: Int64?
        public var voidReason: String?
        public var bets: Int64?
        public var currency: String?
        public var totalStakeMinor: Int64?
        public var totalPayoutMinor: Int64?
    }

    /// A bet's columns changed by this batch; nil means unchanged.
    public struct BetChange: Hashable, Sendable {
        public var table: String
        public var round: Int64
        public var betID: String
        public var player: String
        public var currency: String
        public var stakeMinor: Int64
        public var status: String
        public var autoCashOutHundredths: Int64?
        public var placedAt: Int64?
        public var cashOutHundredths: Int64?
        public var cashOutReason: String?
        public var payoutMinor: Int64?
        public var settledAt: Int64?
        public var rejectReason: String?
    }

    /// A player's row changes.
    public struct PlayerChange: Hashable, Sendable {
        public var player: String
        public var firstSeenAt: Int64
        public var limits: GamingLimits?
        public var limitsEffectiveAt: Int64?
        public var excludedUntil: Int64?

        /// Whether the player was only seen (a deposit, a bet): nothing that changes a row the
        /// projector has written before.
        public var isSighting: Bool { limits == nil && limitsEffectiveAt == nil && excludedUntil == nil }
    }

    /// Ledger entries, in log order.
    public private(set) var ledger: [LedgerEntry] = []
    /// Changed rounds by (table, round), in first-touched order.
    public private(set) var rounds: [RoundChange] = []
    /// Changed bets, in first-touched order.
    public private(set) var bets: [BetChange] = []
    /// Balance changes by player and currency: (available delta, reserved delta, last instant).
    public private(set) var balances: [BalanceKey: (available: Int64, reserved: Int64, at: Int64)] = [:]
    /// Players seen or changed.
    public private(set) var players: [String: PlayerChange] = [:]
    /// The next offset to read per partition after this batch.
    public private(set) var positions: [TopicPartition: Int64] = [:]
    private var roundIndex: [String: Int] = [:]
    private var betIndex: [String: Int] = [:]

    /// A player's balance in one currency.
    public struct BalanceKey: Hashable, Sendable {
        public var player: String
        public var currency: String
    }

    /// An empty batch.
    public init() {}

    /// Whether nothing changes.
    public var isEmpty: Bool { positions.isEmpty }

    /// Adds the effect of a round event read at `record`.
    public mutating func add(_ event: RoundEvent, table: TableID, record: LogRecord) {
        positions[record.topicPartition] = record.offset + 1
        let t = table.rawValue
        switch event {
        case .roundOpened(let round, let commitment, let at, let closes):
            updateRound(t, round, phase: "betting") { $0.commitment = commitment; $0.openedAt = at.milliseconds; $0.bettingClosesAt = closes.milliseconds }
        case .bettingClosed(let round, _):
            updateRound(t, round, phase: "closed") { _ in }
        case .tookOff(let round, let at):
            updateRound(t, round, phase: "flying") { $0.tookOffAt = at.milliseconds }
        case .ticked, .authorityClaimed:
            break
        case .crashed(let round, let crashPoint, let seed, let at):
            updateRound(t, round, phase: "crashed") { $0.crashPointHundredths = crashPoint.hundredths; $0.seed = seed; $0.crashedAt = at.milliseconds }
        case .roundVoided(let round, let reason, let at):
            updateRound(t, round, phase: "voided") { $0.voidedAt = at.milliseconds; $0.voidReason = reason }
        case .roundSettled(let round, let count, let stake, let payout, let at):
            updateRound(t, round, phase: "settled") {
                $0.settledAt = at.milliseconds; $0.bets = Int64(count); $0.currency = stake.currency.code
                $0.totalStakeMinor = stake.minorUnits; $0.totalPayoutMinor = payout.minorUnits
            }
        case .betPlaced(let round, let id, let player, let stake, let auto, let at):
            touchPlayer(player.rawValue, at: at.milliseconds)
            updateBet(t, round, id, player, stake, status: "placed") { $0.autoCashOutHundredths = auto?.hundredths; $0.placedAt = at.milliseconds }
        case .betRejected(let round, let id, let player, let stake, let reason, let at):
            touchPlayer(player.rawValue, at: at.milliseconds)
            updateBet(t, round, id, player, stake, status: "rejected") { $0.rejectReason = reason; $0.settledAt = at.milliseconds }
        case .betCancelled(let round, let id, let player, let stake, let at):
            updateBet(t, round, id, player, stake, status: "cancelled") { $0.settledAt = at.milliseconds }
        case .cashedOut(let round, let id, let player, let stake, let multiplier, let payout, let reason, let at):
            updateBet(t, round, id, player, stake, status: "cashed_out") {
                $0.cashOutHundredths = multiplier.hundredths; $0.cashOutReason = reason.rawValue
                $0.payoutMinor = payout.minorUnits; $0.settledAt = at.milliseconds
            }
        case .betLost(let round, let id, let player, let stake):
            // The crash instant; when the crash was in an earlier batch the SQL takes it from the round's row.
            let at = roundIndex[roundKey(t, round)].flatMap { rounds[$0].crashedAt }
            updateBet(t, round, id, player, stake, status: "lost") { $0.payoutMinor = 0; $0.settledAt = at }
        case .betRefunded(let round, let id, let player, let stake):
            let at = roundIndex[roundKey(t, round)].flatMap { rounds[$0].voidedAt }
            updateBet(t, round, id, player, stake, status: "refunded") { $0.payoutMinor = 0; $0.settledAt = at }
        }
    }

    /// Adds the effect of a wallet event read at `record`: balances, balanced ledger entries, players.
    /// `entry` is the event's index in a batch record (`betSettledBatch`), nil for a record of one
    /// event: the ledger transaction is the record's position, and the entry's index within it.
    public mutating func add(_ event: WalletEvent, record: LogRecord, entry: Int? = nil) {
        positions[record.topicPartition] = record.offset + 1
        let transactionID = "\(record.topicPartition.topic)/\(record.topicPartition.partition)/\(record.offset)" + (entry.map { "/\($0)" } ?? "")
        func entries(_ kind: String, _ at: Timestamp, _ bet: BetReference?, _ legs: [(String, Money)]) {
            for (account, amount) in legs where amount.minorUnits != 0 {
                ledger.append(LedgerEntry(transactionID: transactionID,
                                          account: account, currency: amount.currency.code, amountMinor: amount.minorUnits, kind: kind,
                                          player: event.player.rawValue, table: bet?.table.rawValue, round: bet?.round,
                                          betID: bet?.betID.rawValue, atMilliseconds: at.milliseconds, source: record.topicPartition,
                                          sourceOffset: record.offset))
            }
        }
        let player = event.player.rawValue
        let available = "player:\(player):available", reserved = "player:\(player):reserved"
        func negative(_ money: Money) -> Money { Money(minorUnits: -money.minorUnits, currency: money.currency) }
        switch event {
        case .deposited(_, _, let amount, _, let at):
            touchPlayer(player, at: at.milliseconds)
            entries("deposit", at, nil, [("operator:funding", negative(amount)), (available, amount)])
            moveBalance(player, amount.currency, available: amount.minorUnits, reserved: 0, at: at)
        case .withdrawn(_, _, let amount, _, let at):
            entries("withdrawal", at, nil, [(available, negative(amount)), ("operator:funding", amount)])
            moveBalance(player, amount.currency, available: -amount.minorUnits, reserved: 0, at: at)
        case .stakeReserved(_, _, let bet, let amount, _, let at):
            touchPlayer(player, at: at.milliseconds)
            entries("stake", at, bet, [(available, negative(amount)), (reserved, amount)])
            moveBalance(player, amount.currency, available: -amount.minorUnits, reserved: amount.minorUnits, at: at)
        case .stakeRefused:
            break
        case .stakeReleased(_, _, let bet, let amount, let reason, let at):
            entries("release:\(reason.rawValue)", at, bet, [(reserved, negative(amount)), (available, amount)])
            moveBalance(player, amount.currency, available: amount.minorUnits, reserved: -amount.minorUnits, at: at)
        case .betSettled(_, _, let bet, let stake, let payout, let at):
            let house = "house:\(bet.table.rawValue)"
            entries("settlement", at, bet, [(reserved, negative(stake)), (house, stake), (house, negative(payout)), (available, payout)])
            moveBalance(player, stake.currency, available: payout.minorUnits, reserved: -stake.minorUnits, at: at)
        case .limitsSet(_, _, let limits, let effectiveAt, let at):
            touchPlayer(player, at: at.milliseconds)
            players[player]!.limits = limits
            players[player]!.limitsEffectiveAt = effectiveAt.milliseconds
        case .selfExcluded(_, _, let until, let at):
            touchPlayer(player, at: at.milliseconds)
            players[player]!.excludedUntil = max(until.milliseconds, players[player]!.excludedUntil ?? until.milliseconds)
        }
    }

    /// Notes the position of a record that changes no row (ticks, undecodable-free skips).
    public mutating func skip(_ record: LogRecord) { positions[record.topicPartition] = record.offset + 1 }

    private func roundKey(_ table: String, _ round: Int64) -> String { "\(table)\u{0}\(round)" }

    private mutating func updateRound(_ table: String, _ round: Int64, phase: String, _ change: (inout RoundChange) -> Void) {
        let key = roundKey(table, round)
        let index: Int
        if let existing = roundIndex[key] {
            index = existing
        } else {
            index = rounds.count
            roundIndex[key] = index
            rounds.append(RoundChange(table: table, round: round, phase: phase))
        }
        rounds[index].phase = phase
        change(&rounds[index])
    }

    private mutating func updateBet(_ table: String, _ round: Int64, _ id: BetID, _ player: PlayerID, _ stake: Money, status: String,
                                    _ change: (inout BetChange) -> Void) {
        let key = "\(table)\u{0}\(round)\u{0}\(id.rawValue)"
        let index: Int
        if let existing = betIndex[key] {
            index = existing
        } else {
            index = bets.count
            betIndex[key] = index
            bets.append(BetChange(table: table, round: round, betID: id.rawValue, player: player.rawValue,
                                  currency: stake.currency.code, stakeMinor: stake.minorUnits, status: status))
        }
        bets[index].status = status
        change(&bets[index])
    }

    private mutating func touchPlayer(_ player: String, at: Int64) {
        if players[player] == nil { players[player] = PlayerChange(player: player, firstSeenAt: at) }
    }

    private mutating func moveBalance(_ player: String, _ currency: Currency, available: Int64, reserved: Int64, at: Timestamp) {
        let key = BalanceKey(player: player, currency: currency.code)
        let current = balances[key] ?? (0, 0, at.milliseconds)
        balances[key] = (current.available + available, current.reserved + reserved, max(current.at, at.milliseconds))
    }
}
