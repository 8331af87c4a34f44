/// One player's wallet, rebuilt exactly by folding the player's wallet events.
public struct WalletState: Hashable, Sendable {
    /// A stake held for a bet.
    public struct Reservation: Hashable, Sendable {
        /// The command that made it.
        public var commandID: String
        /// The held amount.
        public var amount: Money
        /// When it was made.
        public var at: Timestamp
    }

    /// Spendable money per currency code, in minor units (reservations already taken out).
    public internal(set) var available: [String: Int64] = [:]
    /// Stakes held for bets.
    public internal(set) var reservations: [BetReference: Reservation] = [:]
    /// Every command applied, by id, so repeats are recognised and reused ids refused.
    public internal(set) var commands: [String: WalletAction] = [:]
    /// Limits in force.
    public internal(set) var limits = GamingLimits()
    /// Looser limits waiting out their cooling-off period.
    public internal(set) var pendingLimits: (limits: GamingLimits, effectiveAt: Timestamp)?
    /// Stakes are refused until then.
    public internal(set) var excludedUntil: Timestamp?
    /// The UTC day (days since the epoch) the daily counters are for.
    public internal(set) var day: Int64 = 0
    /// Stakes reserved today, minus those given back.
    public internal(set) var stakedToday: Int64 = 0
    /// Stakes settled today minus payouts (negative when the player is ahead).
    public internal(set) var lostToday: Int64 = 0

    /// An empty wallet.
    public init() {}

    /// Spendable money in `currency`.
    public func available(_ currency: Currency) -> Money { Money(minorUnits: available[currency.code] ?? 0, currency: currency) }

    /// Money held for bets in `currency`.
    public func reserved(_ currency: Currency) -> Money {
        Money(minorUnits: reservations.values.filter { $0.amount.currency == currency }.reduce(0) { $0 + $1.amount.minorUnits },
              currency: currency)
    }

    /// The limits in force at `at`, counting a pending loosening whose cooling-off has passed.
    public func limits(at: Timestamp) -> GamingLimits {
        if let pending = pendingLimits, at >= pending.effectiveAt { return pending.limits }
        return limits
    }

    public static func == (lhs: WalletState, rhs: WalletState) -> Bool {
        lhs.available == rhs.available && lhs.reservations == rhs.reservations && lhs.commands == rhs.commands
            && lhs.limits == rhs.limits && lhs.pendingLimits?.limits == rhs.pendingLimits?.limits
            && lhs.pendingLimits?.effectiveAt == rhs.pendingLimits?.effectiveAt && lhs.excludedUntil == rhs.excludedUntil
            && lhs.day == rhs.day && lhs.stakedToday == rhs.stakedToday && lhs.lostToday == rhs.lostToday
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(available)
        hasher.combine(reservations)
        hasher.combine(stakedToday)
        hasher.combine(lostToday)
    }
}
