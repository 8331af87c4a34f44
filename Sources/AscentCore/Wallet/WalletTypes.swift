/// The bet a reservation is for: unique across tables and rounds.
public struct BetReference: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The table the bet was placed at.
    public var table: TableID
    /// The round it was placed in.
    public var round: Int64
    /// The bet's id within the round.
    public var betID: BetID

    /// The bet `betID` of round `round` at `table`.
    public init(table: TableID, round: Int64, betID: BetID) {
        self.table = table
        self.round = round
        self.betID = betID
    }

    public static func < (lhs: BetReference, rhs: BetReference) -> Bool {
        (lhs.table.rawValue, lhs.round, lhs.betID.rawValue) < (rhs.table.rawValue, rhs.round, rhs.betID.rawValue)
    }

    public var description: String { "\(table.rawValue)/\(round)/\(betID.rawValue)" }
}

/// A player's responsible-gaming limits per UTC day; nil means no limit.
public struct GamingLimits: Hashable, Sendable {
    /// Most that may be staked in one day, in minor units of the balance's currency.
    public var dailyStakeMinorUnits: Int64?
    /// Most that may be lost (stakes settled minus payouts) in one day, counting stakes still riding as lost.
    public var dailyLossMinorUnits: Int64?

    /// Limits of the given sizes.
    public init(dailyStakeMinorUnits: Int64? = nil, dailyLossMinorUnits: Int64? = nil) {
        self.dailyStakeMinorUnits = dailyStakeMinorUnits
        self.dailyLossMinorUnits = dailyLossMinorUnits
    }

    /// Whether every limit of `self` is at least as strict as `other`'s (a tightening).
    public func isAtLeastAsStrict(as other: GamingLimits) -> Bool {
        func stricter(_ a: Int64?, _ b: Int64?) -> Bool {
            switch (a, b) {
            case (nil, nil): true
            case (nil, .some): false
            case (.some, nil): true
            case (.some(let a), .some(let b)): a <= b
            }
        }
        return stricter(dailyStakeMinorUnits, other.dailyStakeMinorUnits) && stricter(dailyLossMinorUnits, other.dailyLossMinorUnits)
    }
}

/// Why a reservation was given back.
public enum ReleaseReason: String, Hashable, Sendable, CaseIterable {
    /// The player cancelled the bet during betting.
    case cancelled
    /// The authority did not accept the bet (betting closed, limits).
    case rejected
    /// The round was voided.
    case refunded
}
