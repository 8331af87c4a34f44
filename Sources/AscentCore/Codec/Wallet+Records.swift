// Batch records on the wallet topics: the settlements of many bets of one round, as one record.
//
// Settling a popular auto cash-out is thousands of `settleBet` commands and as many `betSettled`
// events within a few hundred milliseconds, each a record to encode, write, read and decode. Runs of
// them that share a round, a currency and an instant travel as `settleBatch` and `betSettledBatch`
// records instead (schemas/wallet-commands/settleBatch.v1.json, schemas/wallet-events/
// betSettledBatch.v1.json); every reader still sees each bet's own command or event. Only
// settlements under settlement's own command id (`Settlement.settleID`) are batched, so the id of
// each entry is implied by its bet.

extension WalletCommand {
    /// The record type of a batch of settlements (schemas/wallet-commands/settleBatch.v1.json).
    public static let batchTypeName = "settleBatch"

    private static let batchLists: [StaticString] = ["betIds", "playerIds", "payoutsMinor"]

    /// Lays `commands` (all of one partition) into records, in order: each command is a record of its
    /// own, except that runs of settlements of one round in one currency at one instant become
    /// `settleBatch` records of up to `maxEntries` bets.
    public static func recordGroups(_ commands: [WalletCommand], maxEntries: Int = BatchRecord.maxEntries) -> [ArraySlice<WalletCommand>] {
        BatchRecord.runs(commands, maxEntries: maxEntries) { $0.batchKey }
    }

    /// The JSON value of one record holding `group` (one of `recordGroups`): the command's own JSON
    /// for a single command, a `settleBatch` for several.
    public static func json(group: ArraySlice<WalletCommand>) -> [UInt8] {
        precondition(!group.isEmpty, "a record holds at least one command")
        guard group.count > 1 else { return group.first!.json() }
        guard let key = group.first!.batchKey else {
            preconditionFailure("only settlements of one round, currency and instant share a record")
        }
        var lists = BatchRecord.ListWriter(lists: batchLists.count)
        for command in group {
            guard case .settleBet(let bet, let payout) = command.action, command.batchKey == key else {
                preconditionFailure("only settlements of one round, currency and instant share a record")
            }
            lists.nextEntry()
            lists.append(0, bet.betID.rawValue)
            lists.append(1, command.player.rawValue)
            lists.append(2, payout.minorUnits)
        }
        var writer = JSONWriter(capacity: 128 + lists.byteCount)
        writer.string("type", batchTypeName)
        key.write(into: &writer)
        lists.write(into: &writer, names: batchLists)
        return writer.finish()
    }

    /// Decodes one wallet-commands record: a single command, or every settlement of a
    /// `settleBatch`, in the batch's order. Throws, naming the member, on anything malformed.
    public static func decodeRecord(json bytes: [UInt8]) throws(JSONError) -> [WalletCommand] {
        let object = try JSONReader(parsing: bytes, context: "wallet command")
        guard try object.string("type") == batchTypeName else { return [try decode(object)] }
        let reader = object.reading(as: batchTypeName)
        try reader.rejectUnknown(SettleBatchKey.members + batchLists.map(\.description))
        let key = try SettleBatchKey(reader)
        let lists = try BatchRecord.ListReader(reader, names: batchLists.map(\.description), type: batchTypeName)
        var commands: [WalletCommand] = []
        commands.reserveCapacity(lists.count)
        for entry in 0..<lists.count {
            let bet = BetReference(table: key.table, round: key.round, betID: BetID(try lists.string(0, entry)))
            commands.append(WalletCommand(id: Settlement.settleID(bet), player: PlayerID(try lists.string(1, entry)),
                                          action: .settleBet(bet, payout: Money(minorUnits: try lists.integer(2, entry), currency: key.currency)),
                                          at: key.at))
        }
        return commands
    }

    /// What settlements batched together share; nil for a command that is a record of its own.
    private var batchKey: SettleBatchKey? {
        guard case .settleBet(let bet, let payout) = action, id == Settlement.settleID(bet) else { return nil }
        return SettleBatchKey(table: bet.table, round: bet.round, currency: payout.currency, at: at)
    }
}

extension WalletEvent {
    /// The record type of a batch of settled bets (schemas/wallet-events/betSettledBatch.v1.json).
    public static let batchTypeName = "betSettledBatch"

    private static let batchLists: [StaticString] = ["betIds", "playerIds", "stakesMinor", "payoutsMinor"]

    /// Lays `events` (all of one partition) into records, in order: each event is a record of its
    /// own, except that runs of bets settled by settlement's commands, of one round in one currency
    /// at one instant, become `betSettledBatch` records of up to `maxEntries` bets.
    public static func recordGroups(_ events: [WalletEvent], maxEntries: Int = BatchRecord.maxEntries) -> [ArraySlice<WalletEvent>] {
        BatchRecord.runs(events, maxEntries: maxEntries) { $0.batchKey }
    }

    /// The JSON value of one record holding `group` (one of `recordGroups`): the event's own JSON for
    /// a single event, a `betSettledBatch` for several.
    public static func json(group: ArraySlice<WalletEvent>) -> [UInt8] {
        precondition(!group.isEmpty, "a record holds at least one event")
        guard group.count > 1 else { return group.first!.json() }
        guard let key = group.first!.batchKey else {
            preconditionFailure("only bets settled in one round, currency and instant share a record")
        }
        var lists = BatchRecord.ListWriter(lists: batchLists.count)
        for event in group {
            guard case .betSettled(_, let player, let bet, let stake, let payout, _) = event, event.batchKey == key else {
                preconditionFailure("only bets settled in one round, currency and instant share a record")
            }
            lists.nextEntry()
            lists.append(0, bet.betID.rawValue)
            lists.append(1, player.rawValue)
            lists.append(2, stake.minorUnits)
            lists.append(3, payout.minorUnits)
        }
        var writer = JSONWriter(capacity: 128 + lists.byteCount)
        writer.string("type", batchTypeName)
        key.write(into: &writer)
        lists.write(into: &writer, names: batchLists)
        return writer.finish()
    }

    /// Decodes one wallet-events record: a single event, or every settled bet of a
    /// `betSettledBatch`, in the batch's order. Throws, naming the member, on anything malformed.
    public static func decodeRecord(json bytes: [UInt8]) throws(JSONError) -> [WalletEvent] {
        let object = try JSONReader(parsing: bytes, context: "wallet event")
        guard try object.string("type") == batchTypeName else { return [try decode(object)] }
        let reader = object.reading(as: batchTypeName)
        try reader.rejectUnknown(SettleBatchKey.members + batchLists.map(\.description))
        let key = try SettleBatchKey(reader)
        let lists = try BatchRecord.ListReader(reader, names: batchLists.map(\.description), type: batchTypeName)
        var events: [WalletEvent] = []
        events.reserveCapacity(lists.count)
        for entry in 0..<lists.count {
            let bet = BetReference(table: key.table, round: key.round, betID: BetID(try lists.string(0, entry)))
            events.append(.betSettled(commandID: Settlement.settleID(bet), player: PlayerID(try lists.string(1, entry)), bet: bet,
                                      stake: Money(minorUnits: try lists.integer(2, entry), currency: key.currency),
                                      payout: Money(minorUnits: try lists.integer(3, entry), currency: key.currency), at: key.at))
        }
        return events
    }

    /// What settled bets batched together share; nil for an event that is a record of its own.
    private var batchKey: SettleBatchKey? {
        guard case .betSettled(let id, _, let bet, _, let payout, let at) = self, id == Settlement.settleID(bet) else { return nil }
        return SettleBatchKey(table: bet.table, round: bet.round, currency: payout.currency, at: at)
    }
}

/// The members a settlement batch's entries share: the round, the currency and the instant.
private struct SettleBatchKey: Equatable {
    static let members = ["type", "table", "round", "currency", "at"]

    var table: TableID
    var round: Int64
    var currency: Currency
    var at: Timestamp

    init(table: TableID, round: Int64, currency: Currency, at: Timestamp) {
        self.table = table
        self.round = round
        self.currency = currency
        self.at = at
    }

    init(_ reader: JSONReader) throws(JSONError) {
        let code = try reader.string("currency")
        guard let currency = Currency(code: code) else { throw JSONError("\(reader.context): unknown currency '\(code)'") }
        self.init(table: TableID(try reader.string("table")), round: try reader.integer("round"), currency: currency,
                  at: Timestamp(milliseconds: try reader.integer("at")))
    }

    func write(into writer: inout JSONWriter) {
        writer.string("table", table.rawValue)
        writer.integer("round", round)
        writer.string("currency", currency.code)
        writer.integer("at", at.milliseconds)
    }
}
