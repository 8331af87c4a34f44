/// A request to the wallet. `id` is chosen by the sender: a repeat is a no-op, and the same id with
/// different content is rejected.
public struct WalletCommand: Hashable, Sendable {
    /// The sender-chosen command id (settlement derives its ids from the bet, so they are deterministic).
    public var id: String
    /// The player whose wallet it is.
    public var player: PlayerID
    /// What to do.
    public var action: WalletAction
    /// When the wallet received it (its own clock).
    public var at: Timestamp

    /// A wallet command.
    public init(id: String, player: PlayerID, action: WalletAction, at: Timestamp) {
        self.id = id
        self.player = player
        self.action = action
        self.at = at
    }
}

/// What a wallet command asks for.
public enum WalletAction: Hashable, Sendable {
    /// Credit money from the operator (or the development faucet).
    case deposit(Money, reference: String)
    /// Pay money out to the operator.
    case withdraw(Money, reference: String)
    /// Hold a bet's stake so the authority can accept the bet; `autoCashOut` rides along untouched
    /// so the authority learns the bet's terms from the same event that proves it is funded.
    case reserveStake(BetReference, Money, autoCashOut: Multiplier?)
    /// Give a held stake back (bet cancelled, rejected or refunded).
    case releaseStake(BetReference, reason: ReleaseReason)
    /// Settle a held stake: it is spent, and `payout` (zero when the bet lost) is credited.
    case settleBet(BetReference, payout: Money)
    /// Replace the player's daily limits. Tightening applies at once, loosening after a day's cooling-off.
    case setLimits(GamingLimits)
    /// Refuse every stake until `until`.
    case selfExclude(until: Timestamp)
}

/// A fact about a player's wallet, keyed by player id on the wallet topic.
public enum WalletEvent: Hashable, Sendable {
    /// Money came in from the operator.
    case deposited(commandID: String, player: PlayerID, amount: Money, reference: String, at: Timestamp)
    /// Money went out to the operator.
    case withdrawn(commandID: String, player: PlayerID, amount: Money, reference: String, at: Timestamp)
    /// A stake is held for a bet: the funded bet the round authority acts on.
    case stakeReserved(commandID: String, player: PlayerID, bet: BetReference, amount: Money, autoCashOut: Multiplier?, at: Timestamp)
    /// A stake could not be held; the bet is refused before it reaches the authority.
    case stakeRefused(commandID: String, player: PlayerID, bet: BetReference, amount: Money, autoCashOut: Multiplier?,
                      reason: WalletRejection, at: Timestamp)
    /// A held stake was given back.
    case stakeReleased(commandID: String, player: PlayerID, bet: BetReference, amount: Money, reason: ReleaseReason, at: Timestamp)
    /// A held stake was spent and the payout (possibly zero) credited.
    case betSettled(commandID: String, player: PlayerID, bet: BetReference, stake: Money, payout: Money, at: Timestamp)
    /// The player's limits changed; `effectiveAt` is when they apply.
    case limitsSet(commandID: String, player: PlayerID, limits: GamingLimits, effectiveAt: Timestamp, at: Timestamp)
    /// The player excluded themself until `until`.
    case selfExcluded(commandID: String, player: PlayerID, until: Timestamp, at: Timestamp)

    /// The event type's name as written in log headers and schemas.
    public var typeName: String {
        switch self {
        case .deposited: "deposited"
        case .withdrawn: "withdrawn"
        case .stakeReserved: "stakeReserved"
        case .stakeRefused: "stakeRefused"
        case .stakeReleased: "stakeReleased"
        case .betSettled: "betSettled"
        case .limitsSet: "limitsSet"
        case .selfExcluded: "selfExcluded"
        }
    }

    /// The player the event belongs to (the record key).
    public var player: PlayerID {
        switch self {
        case .deposited(_, let player, _, _, _), .withdrawn(_, let player, _, _, _), .stakeReserved(_, let player, _, _, _, _),
             .stakeRefused(_, let player, _, _, _, _, _), .stakeReleased(_, let player, _, _, _, _),
             .betSettled(_, let player, _, _, _, _), .limitsSet(_, let player, _, _, _), .selfExcluded(_, let player, _, _):
            return player
        }
    }

    /// The id of the command that caused it.
    public var commandID: String {
        switch self {
        case .deposited(let id, _, _, _, _), .withdrawn(let id, _, _, _, _), .stakeReserved(let id, _, _, _, _, _),
             .stakeRefused(let id, _, _, _, _, _, _), .stakeReleased(let id, _, _, _, _, _), .betSettled(let id, _, _, _, _, _),
             .limitsSet(let id, _, _, _, _), .selfExcluded(let id, _, _, _):
            return id
        }
    }
}

/// Why the wallet refused a command; each case names the rule.
public enum WalletRejection: Hashable, Sendable, Error {
    /// The amount is zero or negative.
    case nonPositiveAmount
    /// The balance would go below zero.
    case insufficientFunds
    /// The balance would overflow 64 bits of minor units.
    case amountTooLarge
    /// The command id was used before for a different command.
    case duplicateCommandID
    /// The player excluded themself until then.
    case selfExcluded(until: Timestamp)
    /// Today's stakes would exceed the daily stake limit.
    case dailyStakeLimit(limit: Int64)
    /// Today's losses could exceed the daily loss limit.
    case dailyLossLimit(limit: Int64)
    /// No stake is held for that bet.
    case unknownReservation
    /// A stake is already held for that bet under another command.
    case betAlreadyReserved
    /// The amount is in another currency than the reservation or wallet.
    case currencyMismatch
    /// A limit is negative.
    case invalidLimit

    /// A stable code for the player protocol and the log.
    public var code: String {
        switch self {
        case .nonPositiveAmount: "nonPositiveAmount"
        case .insufficientFunds: "insufficientFunds"
        case .amountTooLarge: "amountTooLarge"
        case .duplicateCommandID: "duplicateCommandID"
        case .selfExcluded: "selfExcluded"
        case .dailyStakeLimit: "dailyStakeLimit"
        case .dailyLossLimit: "dailyLossLimit"
        case .unknownReservation: "unknownReservation"
        case .betAlreadyReserved: "betAlreadyReserved"
        case .currencyMismatch: "currencyMismatch"
        case .invalidLimit: "invalidLimit"
        }
    }
}
