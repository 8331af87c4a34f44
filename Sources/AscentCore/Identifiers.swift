/// A player, as identified by the operator that issued the player's token.
public struct PlayerID: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The operator's identifier for the player.
    public let rawValue: String
    /// Wraps an operator-chosen player identifier.
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
    public static func < (lhs: PlayerID, rhs: PlayerID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A bet, identified by the id its sender chose; unique within a round.
public struct BetID: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The sender-chosen identifier.
    public let rawValue: String
    /// Wraps a sender-chosen bet identifier.
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
    public static func < (lhs: BetID, rhs: BetID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A game table: one round at a time, one authority writing its events.
public struct TableID: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The operator-chosen table name, also the key of the table's round events in the log.
    public let rawValue: String
    /// Wraps a table name.
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
}
