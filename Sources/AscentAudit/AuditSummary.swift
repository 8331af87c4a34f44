/// Totals of an audit: what was read, what was checked, the money, and how many findings.
public struct AuditSummary: Hashable, Sendable {
    /// Money totals in one currency, in minor units.
    public struct CurrencyTotals: Hashable, Sendable {
        /// Stakes of bets settled by the rounds (cashed out or lost).
        public var stakeMinor: Int64 = 0
        /// Payouts of those bets.
        public var payoutMinor: Int64 = 0
        /// Stake minus payout of settled bets, from the round events.
        public var houseResultFromRoundsMinor: Int64 = 0
        /// Stake minus payout of `betSettled` wallet events.
        public var houseResultFromWalletMinor: Int64 = 0
        /// Money in: `deposited`.
        public var depositsMinor: Int64 = 0
        /// Money out: `withdrawn`.
        public var withdrawalsMinor: Int64 = 0
        /// Sum of spendable balances at the end.
        public var availableMinor: Int64 = 0
        /// Sum of held stakes at the end.
        public var reservedMinor: Int64 = 0

        /// available + reserved + house result − (deposits − withdrawals): zero when money is conserved.
        public var imbalanceMinor: Int64 {
            availableMinor + reservedMinor + houseResultFromWalletMinor - (depositsMinor - withdrawalsMinor)
        }

        /// Payouts per 10,000 of stake (return to player in basis points), nil without stakes.
        public var returnToPlayerBasisPoints: Int64? {
            stakeMinor == 0 ? nil : Int64((Int128(payoutMinor) * 10_000) / Int128(stakeMinor))
        }
    }

    /// Records read.
    public var records = 0
    /// Records of the round-events topic.
    public var roundRecords = 0
    /// Records of the wallet-events topic.
    public var walletRecords = 0
    /// Records of other topics, ignored.
    public var otherRecords = 0
    /// Round events written by a fenced authority: counted, not audited.
    public var fencedRecords = 0
    /// Rounds checked to their end (settled or voided).
    public var rounds = 0
    /// Checked rounds that crashed.
    public var roundsCrashed = 0
    /// Checked rounds that were voided.
    public var roundsVoided = 0
    /// Rounds still in progress when the log ended (checked as far as they went).
    public var openRounds = 0
    /// Bets accepted (`betPlaced`) in the checked rounds.
    public var bets = 0
    /// Accepted bets cashed out.
    public var betsCashedOut = 0
    /// Accepted bets lost at the crash.
    public var betsLost = 0
    /// Accepted bets refunded by a void.
    public var betsRefunded = 0
    /// Accepted bets cancelled during betting.
    public var betsCancelled = 0
    /// Funded bets the authority refused (`betRejected`).
    public var betsRejected = 0
    /// Rounds whose crash point could not be recomputed because no salt was given.
    public var crashPointsNotRecomputed = 0
    /// Totals per currency code.
    public var currencies: [String: CurrencyTotals] = [:]
    /// The configured return to player, 10,000 − house edge, in basis points.
    public var configuredReturnToPlayerBasisPoints: Int64 = 0
    /// All findings, including those beyond the report's limit.
    public var findings = 0

    /// Whether the log agrees with the rules everywhere.
    public var isClean: Bool { findings == 0 }
}

/// What an audit found: the totals, the findings (up to the configured limit) and, when asked,
/// the rebuilt rounds.
public struct AuditReport: Sendable {
    /// The totals.
    public var summary: AuditSummary
    /// The findings, in the order they were found.
    public var findings: [AuditFinding]
    /// The checked rounds as rebuilt, when `keepRoundDetails` was set.
    public var rounds: [AuditRoundDetail]
}
