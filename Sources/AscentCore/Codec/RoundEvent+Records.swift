extension RoundEvent {
    /// The record type of a batch of cash-outs set off together (schemas/round-events/cashedOutBatch.v1.json).
    public static let batchTypeName = "cashedOutBatch"
    /// Most bets one `cashedOutBatch` record holds; a larger set goes into several records.
    public static let maxBetsPerBatch = BatchRecord.maxEntries

    /// Lays `events` into log records, in order: each event is a record of its own, except that a
    /// run of cash-outs one trigger set off together — every auto cash-out at one target, or every
    /// maximum-win cap at one multiplier, reached at one instant — becomes `cashedOutBatch` records
    /// of up to `maxBetsPerBatch` bets. Thousands of players with the same auto target are the
    /// busiest instant of a round; one record for hundreds of them is a fraction of the bytes to
    /// write and read, while every reader still sees each bet's own `cashedOut` event.
    public static func recordGroups(_ events: [RoundEvent], maxBetsPerBatch: Int = maxBetsPerBatch) -> [ArraySlice<RoundEvent>] {
        BatchRecord.runs(events, maxEntries: maxBetsPerBatch) { $0.batchKey }
    }

    private static let batchLists: [StaticString] = ["betIds", "playerIds", "stakesMinor", "payoutsMinor"]

    /// The JSON value of one record holding `group` (one of `recordGroups`): the event's own JSON
    /// for a single event, a `cashedOutBatch` for several.
    public static func json(group: ArraySlice<RoundEvent>, table: TableID) -> [UInt8] {
        precondition(!group.isEmpty, "a record holds at least one event")
        guard group.count > 1 else { return group.first!.json(table: table) }
        guard case .cashedOut(let round, _, _, let stake, let multiplier, _, let reason, let at) = group.first!, reason != .manual else {
            preconditionFailure("only cash-outs set off together share a record")
        }
        var lists = BatchRecord.ListWriter(lists: batchLists.count)
        for event in group {
            // The entries share the first one's key (`batchKey`), checked here in the one pass over them.
            guard case .cashedOut(round, let betID, let player, let betStake, multiplier, let payout, reason, at) = event,
                  betStake.currency == stake.currency else {
                preconditionFailure("only cash-outs set off together share a record")
            }
            lists.nextEntry()
            lists.append(0, betID.rawValue)
            lists.append(1, player.rawValue)
            lists.append(2, betStake.minorUnits)
            lists.append(3, payout.minorUnits)
        }
        var writer = JSONWriter(capacity: 160 + lists.byteCount)
        writer.string("type", batchTypeName)
        writer.string("table", table.rawValue)
        writer.integer("round", round)
        writer.string("currency", stake.currency.code)
        writer.integer("multiplierHundredths", multiplier.hundredths)
        writer.string("reason", reason.rawValue)
        writer.integer("at", at.milliseconds)
        lists.write(into: &writer, names: batchLists)
        return writer.finish()
    }

    /// Decodes one round-topic record: a single event, or every cash-out of a `cashedOutBatch`, in
    /// the batch's order. Throws, naming the member, on anything malformed.
    public static func decodeRecord(json bytes: [UInt8]) throws(JSONError) -> (table: TableID, events: [RoundEvent]) {
        let object = try JSONReader(parsing: bytes, context: "round event")
        guard try object.string("type") == batchTypeName else {
            let (table, event) = try decode(object)
            return (table, [event])
        }
        let reader = object.reading(as: batchTypeName)
        try reader.rejectUnknown(["type", "table", "round", "currency", "multiplierHundredths", "reason", "at"] + batchLists.map(\.description))
        let table = TableID(try reader.string("table"))
        let round = try reader.integer("round")
        let code = try reader.string("currency")
        guard let currency = Currency(code: code) else { throw JSONError("\(batchTypeName): unknown currency '\(code)'") }
        let multiplier = Multiplier(hundredths: try reader.integer("multiplierHundredths"))
        let reasonText = try reader.string("reason")
        guard let reason = CashOutReason(rawValue: reasonText), reason != .manual else {
            throw JSONError("\(batchTypeName): reason must be auto or maximumWin, not '\(reasonText)'")
        }
        let at = Timestamp(milliseconds: try reader.integer("at"))
        let lists = try BatchRecord.ListReader(reader, names: batchLists.map(\.description), type: batchTypeName)
        var events: [RoundEvent] = []
        events.reserveCapacity(lists.count)
        for entry in 0..<lists.count {
            events.append(.cashedOut(round: round, betID: BetID(try lists.string(0, entry)), player: PlayerID(try lists.string(1, entry)),
                                     stake: Money(minorUnits: try lists.integer(2, entry), currency: currency), multiplier: multiplier,
                                     payout: Money(minorUnits: try lists.integer(3, entry), currency: currency), reason: reason, at: at))
        }
        return (table, events)
    }

    /// What cash-outs set off together share; nil for any event that is a record of its own.
    private var batchKey: BatchKey? {
        guard case .cashedOut(let round, _, _, let stake, let multiplier, _, let reason, let at) = self, reason != .manual else { return nil }
        return BatchKey(round: round, multiplier: multiplier, reason: reason, at: at, currency: stake.currency)
    }

    private struct BatchKey: Equatable {
        var round: Int64
        var multiplier: Multiplier
        var reason: CashOutReason
        var at: Timestamp
        var currency: Currency
    }
}
