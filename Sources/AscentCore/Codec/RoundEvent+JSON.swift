extension RoundEvent {
    /// The version of the round events' JSON schemas (schemas/round-events/*.v1.json).
    public static let schemaVersion = 1

    /// The event as the JSON value of a round-topic record. Field names and units are those of
    /// schemas/round-events: amounts in minor units with their currency, multipliers in hundredths,
    /// instants in milliseconds since the Unix epoch.
    public func json(table: TableID) -> [UInt8] {
        var writer = JSONWriter()
        writer.string("type", typeName)
        writer.string("table", table.rawValue)
        writer.integer("round", round)
        switch self {
        case .roundOpened(_, let commitment, let at, let bettingClosesAt):
            writer.string("commitment", commitment)
            writer.integer("at", at.milliseconds)
            writer.integer("bettingClosesAt", bettingClosesAt.milliseconds)
        case .betPlaced(_, let betID, let player, let stake, let autoCashOut, let at):
            writeBet(&writer, betID, player, stake)
            writer.integer("autoCashOutHundredths", ifPresent: autoCashOut?.hundredths)
            writer.integer("at", at.milliseconds)
        case .betRejected(_, let betID, let player, let stake, let reason, let at):
            writeBet(&writer, betID, player, stake)
            writer.string("reason", reason)
            writer.integer("at", at.milliseconds)
        case .betCancelled(_, let betID, let player, let stake, let at):
            writeBet(&writer, betID, player, stake)
            writer.integer("at", at.milliseconds)
        case .bettingClosed(_, let at), .tookOff(_, let at):
            writer.integer("at", at.milliseconds)
        case .ticked(_, let at, let multiplier):
            writer.integer("at", at.milliseconds)
            writer.integer("multiplierHundredths", multiplier.hundredths)
        case .cashedOut(_, let betID, let player, let stake, let multiplier, let payout, let reason, let at):
            writeBet(&writer, betID, player, stake)
            writer.integer("multiplierHundredths", multiplier.hundredths)
            writer.integer("payoutMinor", payout.minorUnits)
            writer.string("reason", reason.rawValue)
            writer.integer("at", at.milliseconds)
        case .crashed(_, let crashPoint, let seed, let at):
            writer.integer("crashPointHundredths", crashPoint.hundredths)
            writer.string("seed", seed)
            writer.integer("at", at.milliseconds)
        case .betLost(_, let betID, let player, let stake), .betRefunded(_, let betID, let player, let stake):
            writeBet(&writer, betID, player, stake)
        case .roundVoided(_, let reason, let at):
            writer.string("reason", reason)
            writer.integer("at", at.milliseconds)
        case .authorityClaimed(_, let epoch, let writerID, let at):
            writer.integer("epoch", epoch)
            writer.string("writer", writerID)
            writer.integer("at", at.milliseconds)
        case .roundSettled(_, let bets, let totalStake, let totalPayout, let at):
            writer.integer("bets", Int64(bets))
            writer.string("currency", totalStake.currency.code)
            writer.integer("totalStakeMinor", totalStake.minorUnits)
            writer.integer("totalPayoutMinor", totalPayout.minorUnits)
            writer.integer("at", at.milliseconds)
        }
        return writer.finish()
    }

    private func writeBet(_ writer: inout JSONWriter, _ betID: BetID, _ player: PlayerID, _ stake: Money) {
        writer.string("betId", betID.rawValue)
        writer.string("playerId", player.rawValue)
        writer.string("currency", stake.currency.code)
        writer.integer("stakeMinor", stake.minorUnits)
    }

    /// Decodes a round-topic record's JSON value; throws, naming the member, on anything malformed
    /// or unknown (a consumer stops on such a record rather than skip it).
    public static func decode(json bytes: some Collection<UInt8>) throws(JSONError) -> (table: TableID, event: RoundEvent) {
        try decode(json: Array(bytes))
    }

    /// Decodes from the bytes of a record's value.
    public static func decode(json bytes: [UInt8]) throws(JSONError) -> (table: TableID, event: RoundEvent) {
        try decode(try JSONReader(parsing: bytes, context: "round event"))
    }

    /// Decodes one event from its parsed members (a `cashedOutBatch` holds several: `decodeRecord`).
    static func decode(_ object: JSONReader) throws(JSONError) -> (table: TableID, event: RoundEvent) {
        let type = try object.string("type")
        let reader = object.reading(as: type)
        let table = TableID(try reader.string("table"))
        let round = try reader.integer("round")
        func at(_ name: String = "at") throws(JSONError) -> Timestamp { Timestamp(milliseconds: try reader.integer(name)) }
        func money(_ name: String) throws(JSONError) -> Money {
            let code = try reader.string("currency")
            guard let currency = Currency(code: code) else { throw JSONError("\(type): unknown currency '\(code)'") }
            return Money(minorUnits: try reader.integer(name), currency: currency)
        }
        func bet() throws(JSONError) -> (BetID, PlayerID, Money) {
            (BetID(try reader.string("betId")), PlayerID(try reader.string("playerId")), try money("stakeMinor"))
        }
        let betFields: [String] = ["type", "table", "round", "betId", "playerId", "currency", "stakeMinor"]
        let base: [String] = ["type", "table", "round"]
        let event: RoundEvent
        switch type {
        case "roundOpened":
            try reader.rejectUnknown(base + ["commitment", "at", "bettingClosesAt"])
            event = .roundOpened(round: round, commitment: try reader.string("commitment"), at: try at(),
                                 bettingClosesAt: try at("bettingClosesAt"))
        case "betPlaced":
            try reader.rejectUnknown(betFields + ["autoCashOutHundredths", "at"])
            let (id, player, stake) = try bet()
            event = .betPlaced(round: round, betID: id, player: player, stake: stake,
                               autoCashOut: try reader.optionalInteger("autoCashOutHundredths").map(Multiplier.init(hundredths:)),
                               at: try at())
        case "betRejected":
            try reader.rejectUnknown(betFields + ["reason", "at"])
            let (id, player, stake) = try bet()
            event = .betRejected(round: round, betID: id, player: player, stake: stake, reason: try reader.string("reason"), at: try at())
        case "betCancelled":
            try reader.rejectUnknown(betFields + ["at"])
            let (id, player, stake) = try bet()
            event = .betCancelled(round: round, betID: id, player: player, stake: stake, at: try at())
        case "bettingClosed":
            try reader.rejectUnknown(base + ["at"])
            event = .bettingClosed(round: round, at: try at())
        case "tookOff":
            try reader.rejectUnknown(base + ["at"])
            event = .tookOff(round: round, at: try at())
        case "ticked":
            try reader.rejectUnknown(base + ["at", "multiplierHundredths"])
            event = .ticked(round: round, at: try at(), multiplier: Multiplier(hundredths: try reader.integer("multiplierHundredths")))
        case "cashedOut":
            try reader.rejectUnknown(betFields + ["multiplierHundredths", "payoutMinor", "reason", "at"])
            let (id, player, stake) = try bet()
            let reasonText = try reader.string("reason")
            guard let reason = CashOutReason(rawValue: reasonText) else { throw JSONError("cashedOut: unknown reason '\(reasonText)'") }
            event = .cashedOut(round: round, betID: id, player: player, stake: stake,
                               multiplier: Multiplier(hundredths: try reader.integer("multiplierHundredths")),
                               payout: try money("payoutMinor"), reason: reason, at: try at())
        case "crashed":
            try reader.rejectUnknown(base + ["crashPointHundredths", "seed", "at"])
            event = .crashed(round: round, crashPoint: Multiplier(hundredths: try reader.integer("crashPointHundredths")),
                             seed: try reader.string("seed"), at: try at())
        case "betLost":
            try reader.rejectUnknown(betFields)
            let (id, player, stake) = try bet()
            event = .betLost(round: round, betID: id, player: player, stake: stake)
        case "roundVoided":
            try reader.rejectUnknown(base + ["reason", "at"])
            event = .roundVoided(round: round, reason: try reader.string("reason"), at: try at())
        case "betRefunded":
            try reader.rejectUnknown(betFields)
            let (id, player, stake) = try bet()
            event = .betRefunded(round: round, betID: id, player: player, stake: stake)
        case "roundSettled":
            try reader.rejectUnknown(base + ["bets", "currency", "totalStakeMinor", "totalPayoutMinor", "at"])
            event = .roundSettled(round: round, bets: Int(try reader.integer("bets")), totalStake: try money("totalStakeMinor"),
                                  totalPayout: try money("totalPayoutMinor"), at: try at())
        case "authorityClaimed":
            try reader.rejectUnknown(base + ["epoch", "writer", "at"])
            event = .authorityClaimed(round: round, epoch: try reader.integer("epoch"), writer: try reader.string("writer"), at: try at())
        case batchTypeName:
            throw JSONError("a \(batchTypeName) record holds several events: read it with RoundEvent.decodeRecord")
        default:
            throw JSONError("unknown round event type '\(type)'")
        }
        return (table, event)
    }
}
