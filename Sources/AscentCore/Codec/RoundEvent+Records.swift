extension RoundEvent {
    /// The record type of a batch of cash-outs set off together (schemas/round-events/cashedOutBatch.v1.json).
    public static let batchTypeName = "cashedOutBatch"
    /// Most bets one `cashedOutBatch` record holds; a larger set goes into several records.
    public static let maxBetsPerBatch = 500

    /// Lays `events` into log records, in order: each event is a record of its own, except that a
    /// run of cash-outs one trigger set off together — every auto cash-out at one target, or every
    /// maximum-win cap at one multiplier, reached at one instant — becomes `cashedOutBatch` records
    /// of up to `maxBetsPerBatch` bets. Thousands of players with the same auto target are the
    /// busiest instant of a round; one record for hundreds of them is a fraction of the bytes to
    /// write and read, while every reader still sees each bet's own `cashedOut` event.
    public static func recordGroups(_ events: [RoundEvent], maxBetsPerBatch: Int = maxBetsPerBatch) -> [ArraySlice<RoundEvent>] {
        precondition(maxBetsPerBatch >= 1, "a batch holds at least one bet")
        var groups: [ArraySlice<RoundEvent>] = []
        var start = 0
        while start < events.count {
            var end = start + 1
            if let key = events[start].batchKey {
                while end < events.count, end - start < maxBetsPerBatch, events[end].batchKey == key { end += 1 }
            }
            groups.append(events[start..<end])
            start = end
        }
        return groups
    }

    /// The JSON value of one record holding `group` (one of `recordGroups`): the event's own JSON
    /// for a single event, a `cashedOutBatch` for several.
    public static func json(group: ArraySlice<RoundEvent>, table: TableID) -> [UInt8] {
        precondition(!group.isEmpty, "a record holds at least one event")
        guard group.count > 1 else { return group.first!.json(table: table) }
        guard case .cashedOut(let round, _, _, let stake, let multiplier, _, let reason, let at) = group.first!,
              let key = group.first!.batchKey, group.allSatisfy({ $0.batchKey == key }) else {
            preconditionFailure("only cash-outs set off together share a record")
        }
        var betIDs: [UInt8] = [UInt8(ascii: "[")], players: [UInt8] = [UInt8(ascii: "[")]
        var stakes: [UInt8] = [UInt8(ascii: "[")], payouts: [UInt8] = [UInt8(ascii: "[")]
        for (index, event) in group.enumerated() {
            guard case .cashedOut(_, let betID, let player, let betStake, _, let payout, _, _) = event else { continue }
            if index > 0 {
                betIDs.append(UInt8(ascii: ",")); players.append(UInt8(ascii: ","))
                stakes.append(UInt8(ascii: ",")); payouts.append(UInt8(ascii: ","))
            }
            JSONWriter.appendString(betID.rawValue, to: &betIDs)
            JSONWriter.appendString(player.rawValue, to: &players)
            stakes.append(contentsOf: String(betStake.minorUnits).utf8)
            payouts.append(contentsOf: String(payout.minorUnits).utf8)
        }
        betIDs.append(UInt8(ascii: "]")); players.append(UInt8(ascii: "]"))
        stakes.append(UInt8(ascii: "]")); payouts.append(UInt8(ascii: "]"))
        var writer = JSONWriter(capacity: 160 + betIDs.count + players.count + stakes.count + payouts.count)
        writer.string("type", batchTypeName)
        writer.string("table", table.rawValue)
        writer.integer("round", round)
        writer.string("currency", stake.currency.code)
        writer.integer("multiplierHundredths", multiplier.hundredths)
        writer.string("reason", reason.rawValue)
        writer.integer("at", at.milliseconds)
        writer.raw("betIds", betIDs)
        writer.raw("playerIds", players)
        writer.raw("stakesMinor", stakes)
        writer.raw("payoutsMinor", payouts)
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
        try reader.rejectUnknown(["type", "table", "round", "currency", "multiplierHundredths", "reason", "at",
                                  "betIds", "playerIds", "stakesMinor", "payoutsMinor"])
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
        func list(_ name: String) throws(JSONError) -> [JSONValue] {
            guard case .array(let values)? = reader[name] else { throw JSONError("\(batchTypeName): '\(name)' must be an array") }
            return values
        }
        let betIDs = try list("betIds"), players = try list("playerIds"), stakes = try list("stakesMinor"), payouts = try list("payoutsMinor")
        guard !betIDs.isEmpty, betIDs.count <= maxBetsPerBatch,
              players.count == betIDs.count, stakes.count == betIDs.count, payouts.count == betIDs.count else {
            throw JSONError("\(batchTypeName): betIds, playerIds, stakesMinor and payoutsMinor must be 1 to \(maxBetsPerBatch) long, all alike")
        }
        var events: [RoundEvent] = []
        events.reserveCapacity(betIDs.count)
        for index in betIDs.indices {
            guard case .string(let betID) = betIDs[index], case .string(let player) = players[index],
                  case .integer(let stake) = stakes[index], case .integer(let payout) = payouts[index] else {
                throw JSONError("\(batchTypeName): entry \(index) must be a string bet id, a string player id and two integers")
            }
            events.append(.cashedOut(round: round, betID: BetID(betID), player: PlayerID(player),
                                     stake: Money(minorUnits: stake, currency: currency), multiplier: multiplier,
                                     payout: Money(minorUnits: payout, currency: currency), reason: reason, at: at))
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
