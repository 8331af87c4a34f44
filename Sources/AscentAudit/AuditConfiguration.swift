import AscentCore

/// What the auditor knows about a table beyond the log: its rules, the public salt, and the
/// terminating hash published before round 1.
public struct AuditRules: Hashable, Sendable {
    /// The table's rules: curve rate, maximum win, house edge, currency.
    public var config: TableConfig
    /// The public salt; without it the crash point cannot be recomputed (the check is skipped and said so).
    public var salt: String?
    /// The chain's terminating hash (64 hex digits), when published: round 1's commitment must equal it.
    public var terminatingHash: String?

    /// Rules for a table with `config`, `salt` and the published `terminatingHash`.
    public init(config: TableConfig, salt: String? = nil, terminatingHash: String? = nil) {
        self.config = config
        self.salt = salt
        self.terminatingHash = terminatingHash?.lowercased()
    }
}

/// How to read the log and which rounds to check.
public struct AuditConfiguration: Sendable {
    /// The round-events topic.
    public var roundTopic: String
    /// The wallet-events topic.
    public var walletTopic: String
    /// Rules for tables not named in `rulesByTable`.
    public var defaultRules: AuditRules
    /// Rules of particular tables.
    public var rulesByTable: [TableID: AuditRules]
    /// Only this table is checked, when given.
    public var table: TableID?
    /// Only these rounds are checked and counted, when given (the chain is followed through all of them).
    public var rounds: ClosedRange<Int64>?
    /// Keep each checked round's rebuilt rows in the report (for `audit round`); costs memory per round.
    public var keepRoundDetails: Bool
    /// Most findings kept in the report; the rest are only counted (memory stays bounded on a broken log).
    public var maximumFindings: Int

    /// A configuration for the topics `roundTopic` and `walletTopic` with `defaultRules` for every table.
    public init(roundTopic: String, walletTopic: String, defaultRules: AuditRules, rulesByTable: [TableID: AuditRules] = [:],
                table: TableID? = nil, rounds: ClosedRange<Int64>? = nil, keepRoundDetails: Bool = false,
                maximumFindings: Int = 1_000) {
        self.roundTopic = roundTopic
        self.walletTopic = walletTopic
        self.defaultRules = defaultRules
        self.rulesByTable = rulesByTable
        self.table = table
        self.rounds = rounds
        self.keepRoundDetails = keepRoundDetails
        self.maximumFindings = maximumFindings
    }

    /// The rules of `table`.
    public func rules(for table: TableID) -> AuditRules { rulesByTable[table] ?? defaultRules }

    /// Whether `round` of `table` is to be checked.
    public func covers(_ table: TableID, _ round: Int64) -> Bool {
        (self.table == nil || self.table == table) && (rounds?.contains(round) ?? true)
    }
}
