import AscentCore
import AscentServices

/// What an edge gateway serves: one table, its public fairness parameters, the token secret.
public struct GatewayConfiguration: Sendable {
    /// The table's rules (limits, curve, currency) as players see them.
    public var table: TableConfig
    /// The log's topics.
    public var topics: LogTopics
    /// The public salt of the crash-point scheme.
    public var salt: String
    /// The seed chain's published terminating hash (hex), shown for the fairness panel.
    public var terminatingHash: String
    /// The secret that signs player tokens.
    public var tokenSecret: [UInt8]
    /// Messages a connection may send per second, and the burst it may save up.
    public var messagesPerSecond: Double = 20
    /// The burst of the per-connection token bucket.
    public var messageBurst: Double = 40

    /// A gateway for `table`.
    public init(table: TableConfig, topics: LogTopics = LogTopics(), salt: String, terminatingHash: String, tokenSecret: [UInt8]) {
        self.table = table
        self.topics = topics
        self.salt = salt
        self.terminatingHash = terminatingHash
        self.tokenSecret = tokenSecret
    }
}
