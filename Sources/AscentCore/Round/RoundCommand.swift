/// What the authority is asked to do with the current round. Every command carries the instant it
/// is decided at, read from the authority's clock; player commands carry the sender's ids.
public enum RoundCommand: Hashable, Sendable {
    /// Open round `round` for betting, publishing `commitment` (the hash of the round's seed).
    case open(round: Int64, commitment: String, at: Timestamp)
    /// Place a bet that the wallet has already funded.
    case placeBet(PlaceBet)
    /// Withdraw a bet while betting is still open.
    case cancelBet(betID: BetID, player: PlayerID, at: Timestamp)
    /// Stop accepting bets.
    case closeBetting(at: Timestamp)
    /// Start the curve.
    case takeOff(at: Timestamp)
    /// Publish the multiplier now, cashing out bets whose auto target or maximum win has been reached.
    case tick(at: Timestamp)
    /// Cash a bet out at the curve's value at `at`.
    case cashOut(betID: BetID, player: PlayerID, at: Timestamp)
    /// End the flight: the curve has reached the crash point.
    case crash(at: Timestamp)
    /// Cancel the round and refund every bet still riding.
    case void(reason: String, at: Timestamp)
    /// Mark a crashed round as fully settled.
    case settle(at: Timestamp)

    /// The instant the command is decided at.
    public var at: Timestamp {
        switch self {
        case .open(_, _, let at), .cancelBet(_, _, let at), .closeBetting(let at), .takeOff(let at),
             .tick(let at), .cashOut(_, _, let at), .crash(let at), .void(_, let at), .settle(let at):
            return at
        case .placeBet(let bet):
            return bet.at
        }
    }
}

/// A funded bet to be placed on the round that is open for betting.
public struct PlaceBet: Hashable, Sendable {
    /// The sender-chosen bet id, unique within the round.
    public var betID: BetID
    /// Whose bet it is.
    public var player: PlayerID
    /// The stake, already reserved by the wallet.
    public var stake: Money
    /// The multiplier at which to cash out automatically, if any.
    public var autoCashOut: Multiplier?
    /// When the authority received it.
    public var at: Timestamp

    /// A bet of `stake` by `player`, with an optional auto cash-out target.
    public init(betID: BetID, player: PlayerID, stake: Money, autoCashOut: Multiplier? = nil, at: Timestamp) {
        self.betID = betID
        self.player = player
        self.stake = stake
        self.autoCashOut = autoCashOut
        self.at = at
    }

    /// Whether `bet` is this very bet: same id, player, stake and target (time is not content).
    func isSameBet(as bet: Bet) -> Bool {
        bet.id == betID && bet.player == player && bet.stake == stake && bet.autoCashOut == autoCashOut
    }
}
