/// Settlement as a pure mapping: each round event that decides a bet's money becomes one wallet
/// command whose id is derived from the bet alone, so a redelivered event produces the same id and
/// the wallet applies it once. Settlement keeps no state beyond its position in the log.
public enum Settlement {
    /// The wallet command `event` at `table` calls for, or nil when the event moves no money.
    /// `at` is the instant the command is issued (the wallet records its own clock on receipt).
    public static func walletCommand(for event: RoundEvent, table: TableID, at: Timestamp) -> WalletCommand? {
        func reference(_ round: Int64, _ betID: BetID) -> BetReference { BetReference(table: table, round: round, betID: betID) }
        switch event {
        case .cashedOut(let round, let betID, let player, _, _, let payout, _, _):
            let bet = reference(round, betID)
            return WalletCommand(id: settleID(bet), player: player, action: .settleBet(bet, payout: payout), at: at)
        case .betLost(let round, let betID, let player, let stake):
            let bet = reference(round, betID)
            return WalletCommand(id: settleID(bet), player: player, action: .settleBet(bet, payout: .zero(stake.currency)), at: at)
        case .betCancelled(let round, let betID, let player, _, _):
            return release(reference(round, betID), player, .cancelled, at)
        case .betRefunded(let round, let betID, let player, _):
            return release(reference(round, betID), player, .refunded, at)
        case .betRejected(let round, let betID, let player, _, _, _):
            return release(reference(round, betID), player, .rejected, at)
        case .roundOpened, .betPlaced, .bettingClosed, .tookOff, .ticked, .crashed, .roundVoided, .roundSettled, .authorityClaimed:
            return nil
        }
    }

    /// The id of the command that settles `bet`: one per bet, whatever its outcome.
    public static func settleID(_ bet: BetReference) -> String { "settle:\(bet)" }

    /// The id of the command that gives `bet`'s stake back. It shares the settle id's uniqueness:
    /// a bet is either settled or released, and the wallet refuses the second (unknown reservation).
    public static func releaseID(_ bet: BetReference) -> String { "release:\(bet)" }

    private static func release(_ bet: BetReference, _ player: PlayerID, _ reason: ReleaseReason, _ at: Timestamp) -> WalletCommand {
        WalletCommand(id: releaseID(bet), player: player, action: .releaseStake(bet, reason: reason), at: at)
    }
}
