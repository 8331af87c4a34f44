/// Per-table rules an operator sets: currency, limits, timings, curve and house edge.
public struct TableConfig: Hashable, Sendable {
    /// The table these rules govern.
    public var table: TableID
    /// The only currency bets at this table may be in.
    public var currency: Currency
    /// Smallest stake accepted, in minor units (at least 1).
    public var minimumStakeMinorUnits: Int64
    /// Largest stake accepted, in minor units.
    public var maximumStakeMinorUnits: Int64
    /// Largest payout of one bet in minor units; when a bet's payout reaches it, the bet is cashed
    /// out by force at the first multiplier that reaches it and pays exactly this amount.
    public var maximumWinMinorUnits: Int64
    /// How many bets one player may hold in one round (2, as in Aviator).
    public var maximumBetsPerPlayer: Int
    /// How long betting stays open after a round opens.
    public var bettingWindowMilliseconds: Int64
    /// How often the authority publishes the multiplier while flying.
    public var tickIntervalMilliseconds: Int64
    /// The multiplier curve.
    public var curve: GrowthCurve
    /// The house edge in basis points of stake (100 = 1%).
    public var houseEdgeBasisPoints: Int64
    /// Smallest auto cash-out target accepted (1.01x: a target of 1.00x could never be below the crash point and win).
    public var minimumAutoCashOut: Multiplier
    /// Largest auto cash-out target accepted.
    public var maximumAutoCashOut: Multiplier

    /// A table with the given rules; defaults follow common Aviator-style settings.
    public init(
        table: TableID,
        currency: Currency,
        minimumStakeMinorUnits: Int64 = 10,
        maximumStakeMinorUnits: Int64 = 100_000,
        maximumWinMinorUnits: Int64 = 1_000_000_000,
        maximumBetsPerPlayer: Int = 2,
        bettingWindowMilliseconds: Int64 = 5_000,
        tickIntervalMilliseconds: Int64 = 100,
        curve: GrowthCurve = .standard,
        houseEdgeBasisPoints: Int64 = 100,
        minimumAutoCashOut: Multiplier = Multiplier(hundredths: 101),
        maximumAutoCashOut: Multiplier = Multiplier(hundredths: 1_000_000)
    ) {
        self.table = table
        self.currency = currency
        self.minimumStakeMinorUnits = minimumStakeMinorUnits
        self.maximumStakeMinorUnits = maximumStakeMinorUnits
        self.maximumWinMinorUnits = maximumWinMinorUnits
        self.maximumBetsPerPlayer = maximumBetsPerPlayer
        self.bettingWindowMilliseconds = bettingWindowMilliseconds
        self.tickIntervalMilliseconds = tickIntervalMilliseconds
        self.curve = curve
        self.houseEdgeBasisPoints = houseEdgeBasisPoints
        self.minimumAutoCashOut = minimumAutoCashOut
        self.maximumAutoCashOut = maximumAutoCashOut
    }

    /// What is wrong with these rules, one sentence each; empty when they are usable.
    public var problems: [String] {
        var problems: [String] = []
        if minimumStakeMinorUnits < 1 { problems.append("minimum stake must be at least 1 minor unit") }
        if maximumStakeMinorUnits < minimumStakeMinorUnits { problems.append("maximum stake is below the minimum stake") }
        if maximumWinMinorUnits <= maximumStakeMinorUnits {
            problems.append("maximum win must exceed the maximum stake, or a bet would be forced out at take-off")
        }
        if maximumBetsPerPlayer < 1 { problems.append("players must be allowed at least one bet per round") }
        if bettingWindowMilliseconds < 1 { problems.append("betting window must be positive") }
        if tickIntervalMilliseconds < 1 { problems.append("tick interval must be positive") }
        if !(0..<10_000).contains(houseEdgeBasisPoints) { problems.append("house edge must be 0 to 9999 basis points") }
        if minimumAutoCashOut <= .one { problems.append("minimum auto cash-out must be above 1.00x") }
        if maximumAutoCashOut < minimumAutoCashOut { problems.append("maximum auto cash-out is below the minimum") }
        return problems
    }

    /// The smallest multiplier at which a bet of `stake` minor units pays at least the maximum win.
    public func maximumWinTrigger(stakeMinorUnits stake: Int64) -> Multiplier {
        precondition(stake > 0)
        // ceil(100 · maxWin / stake), exact in 128 bits.
        let numerator = Int128(maximumWinMinorUnits) * 100
        let quotient = (numerator + Int128(stake) - 1) / Int128(stake)
        return Multiplier(hundredths: Int64(min(quotient, Int128(GrowthCurve.ceiling.hundredths))))
    }
}
