import AscentCore
import AscentLog

/// The names of the topics the parts talk through; a prefix lets several deployments share a log.
public struct LogTopics: Hashable, Sendable {
    /// Round events, keyed by table id; written by the round authority.
    public var roundEvents: String
    /// Player requests for a table (cash-outs, cancellations), keyed by table id.
    public var roundCommands: String
    /// Wallet commands, keyed by player id.
    public var walletCommands: String
    /// Wallet events, keyed by player id; written by the wallet.
    public var walletEvents: String
    /// Funded bets, keyed by table id; written by the wallet: a copy of each `stakeReserved` routed
    /// to its table's partition, so a round authority reads its own table's bets and nothing else
    /// (not every player's deposits and payouts). The wallet-events copy is the record of money.
    public var fundedBets: String

    /// Topics named `<prefix>round-events` and so on.
    public init(prefix: String = "ascent.") {
        roundEvents = prefix + "round-events"
        roundCommands = prefix + "round-commands"
        walletCommands = prefix + "wallet-commands"
        walletEvents = prefix + "wallet-events"
        fundedBets = prefix + "funded-bets"
    }

    /// Every topic with its retention: the event topics are the system of record and kept forever.
    public var all: [(name: String, retention: TopicRetention)] {
        let week: Int64 = 7 * 86_400_000
        return [(roundEvents, .forever), (roundCommands, .milliseconds(week)),
                (walletCommands, .milliseconds(week)), (walletEvents, .forever), (fundedBets, .milliseconds(week))]
    }

    /// Creates every topic with `partitions` partitions (wallet commands and events must have the
    /// same count, so a player's commands and events share a partition number).
    public func create(on log: any EventLog, partitions: Int32) async throws {
        for topic in all { try await log.createTopic(topic.name, partitions: partitions, retention: topic.retention) }
    }
}

/// Turns events and commands into log records and back, with the headers every record carries.
public enum Records {
    /// The header names every record carries.
    public typealias Header = LogHeader.Name

    /// An authority's stamp on the round events it writes.
    public struct AuthorityStamp: Hashable, Sendable {
        /// The epoch it claimed.
        public let epoch: Int64
        /// Its writer id.
        public let writer: String
        /// The two headers that carry the stamp, built once: every round event carries them.
        let headers: [LogHeader]
        /// A stamp of `epoch` and `writer`.
        public init(epoch: Int64, writer: String) {
            self.epoch = epoch
            self.writer = writer
            headers = [LogHeader(name: Header.authorityEpoch, text: String(epoch)), LogHeader(name: Header.authorityWriter, text: writer)]
        }
    }

    /// The authority stamp a round-event record carries, if any.
    public static func stamp(of record: LogRecord) -> (epoch: Int64?, writer: String?) {
        (record.header(Header.authorityEpoch).flatMap { Int64($0) }, record.header(Header.authorityWriter))
    }

    static func headers(type: String, version: Int, correlation: String?, reservingCapacity extra: Int = 0) -> [LogHeader] {
        var headers: [LogHeader] = []
        headers.reserveCapacity(3 + extra)
        headers.append(LogHeader(name: Header.type, text: type))
        headers.append(LogHeader(name: Header.schemaVersion, value: version == 1 ? versionOne : Array(String(version).utf8)))
        if let correlation { headers.append(LogHeader(name: Header.correlationID, text: correlation)) }
        return headers
    }

    private static let versionOne = Array("1".utf8)

    /// A round-events record for `event` at `table`, stamped by the authority that wrote it.
    public static func make(_ event: RoundEvent, table: TableID, topics: LogTopics, stamp: AuthorityStamp? = nil) -> OutgoingRecord {
        roundRecord(type: event.typeName, correlation: event.betID?.rawValue, value: event.json(table: table), table: table,
                    topics: topics, stamp: stamp)
    }

    private static func roundRecord(type: String, correlation: String?, value: [UInt8], table: TableID, topics: LogTopics,
                                    stamp: AuthorityStamp?) -> OutgoingRecord {
        var headers = headers(type: type, version: RoundEvent.schemaVersion, correlation: correlation, reservingCapacity: stamp == nil ? 0 : 2)
        if let stamp { headers += stamp.headers }
        return OutgoingRecord(topic: topics.roundEvents, key: Array(table.rawValue.utf8), value: value, headers: headers)
    }

    /// The round-events records for `events` at `table`, in order: one per event, except that
    /// cash-outs set off together share `cashedOutBatch` records (`RoundEvent.recordGroups`).
    public static func make(_ events: [RoundEvent], table: TableID, topics: LogTopics, stamp: AuthorityStamp? = nil) -> [OutgoingRecord] {
        RoundEvent.recordGroups(events).map { group in
            guard group.count > 1 else { return make(group.first!, table: table, topics: topics, stamp: stamp) }
            return roundRecord(type: RoundEvent.batchTypeName, correlation: nil, value: RoundEvent.json(group: group, table: table),
                               table: table, topics: topics, stamp: stamp)
        }
    }

    /// A round-commands record for a player's `command` at `table`.
    public static func make(_ command: RoundCommand, table: TableID, topics: LogTopics, correlation: String? = nil) -> OutgoingRecord {
        OutgoingRecord(topic: topics.roundCommands, key: Array(table.rawValue.utf8), value: command.json(table: table),
                       headers: headers(type: command.typeName, version: RoundCommand.schemaVersion, correlation: correlation))
    }

    /// A wallet-commands record for `command`.
    public static func make(_ command: WalletCommand, topics: LogTopics, correlation: String? = nil) -> OutgoingRecord {
        OutgoingRecord(topic: topics.walletCommands, key: Array(command.player.rawValue.utf8), value: command.json(),
                       headers: headers(type: command.action.typeName, version: WalletCommand.schemaVersion, correlation: correlation ?? command.id))
    }

    /// A wallet-events record for `event`, on `partition` (the partition of the command that caused it).
    public static func make(_ event: WalletEvent, topics: LogTopics, partition: Int32?) -> OutgoingRecord {
        OutgoingRecord(topic: topics.walletEvents, key: Array(event.player.rawValue.utf8), value: event.json(),
                       headers: headers(type: event.typeName, version: WalletEvent.schemaVersion, correlation: event.commandID),
                       partition: partition)
    }

    /// The wallet-commands records for `commands`, all of players of `partition`, in order: one per
    /// command, except that settlements of one round and instant share `settleBatch` records
    /// (`WalletCommand.recordGroups`). A batch record is keyed by its first player, whose key hashes
    /// to the same partition.
    public static func make(_ commands: [WalletCommand], topics: LogTopics, partition: Int32) -> [OutgoingRecord] {
        WalletCommand.recordGroups(commands).map { group in
            guard group.count > 1 else { return make(group.first!, topics: topics) }
            return OutgoingRecord(topic: topics.walletCommands, key: Array(group.first!.player.rawValue.utf8),
                                  value: WalletCommand.json(group: group),
                                  headers: headers(type: WalletCommand.batchTypeName, version: WalletCommand.schemaVersion, correlation: nil),
                                  partition: partition)
        }
    }

    /// The wallet-events records for `events`, all on `partition`, in order: one per event, except
    /// that bets settled together share `betSettledBatch` records (`WalletEvent.recordGroups`).
    public static func make(_ events: [WalletEvent], topics: LogTopics, partition: Int32) -> [OutgoingRecord] {
        WalletEvent.recordGroups(events).map { group in
            guard group.count > 1 else { return make(group.first!, topics: topics, partition: partition) }
            return OutgoingRecord(topic: topics.walletEvents, key: Array(group.first!.player.rawValue.utf8),
                                  value: WalletEvent.json(group: group),
                                  headers: headers(type: WalletEvent.batchTypeName, version: WalletEvent.schemaVersion, correlation: nil),
                                  partition: partition)
        }
    }
}

extension Records {
    /// A funded-bets record for a `stakeReserved` event: the same value as its wallet-events record,
    /// keyed by the bet's table so it reaches that table's authority.
    public static func funded(_ event: WalletEvent, topics: LogTopics) -> OutgoingRecord? {
        guard case .stakeReserved(_, _, let bet, _, _, _) = event else { return nil }
        return OutgoingRecord(topic: topics.fundedBets, key: Array(bet.table.rawValue.utf8), value: event.json(),
                              headers: headers(type: event.typeName, version: WalletEvent.schemaVersion, correlation: event.commandID))
    }
}

/// The fences of every table a reader sees: which round events count (see `AuthorityFence`).
public struct AuthorityFences: Sendable {
    private var fences: [TableID: AuthorityFence] = [:]

    /// No table seen yet.
    public init() {}

    /// Whether `event` of `table`, read at `record`, counts.
    public mutating func admits(_ event: RoundEvent, table: TableID, record: LogRecord) -> Bool {
        let stamp = Records.stamp(of: record)
        return fences[table, default: AuthorityFence()].admits(event, epoch: stamp.epoch, writer: stamp.writer)
    }

    /// The fence of `table`.
    public func fence(of table: TableID) -> AuthorityFence { fences[table] ?? AuthorityFence() }

    /// Applies the claims recorded in `partition` before offset `end`, so a reader that resumes from
    /// a stored position knows which authority is in force. Reads the partition's records up to there.
    public mutating func replayClaims(from log: any EventLog, partition: TopicPartition, until end: Int64) async throws {
        guard end > 0 else { return }
        try await log.readToEnd(partition, until: end) { records in
            for record in records where record.header(Records.Header.type) == "authorityClaimed" {
                let (table, event) = try RoundEvent.decode(json: record.value)
                _ = admits(event, table: table, record: record)
            }
        }
    }
}
