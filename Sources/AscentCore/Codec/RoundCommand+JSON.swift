extension RoundCommand {
    /// The version of the round commands' JSON schemas (schemas/round-commands/*.v1.json).
    public static let schemaVersion = 1

    /// The command's type name as written in log headers and schemas (`placeBet`).
    public var typeName: String {
        switch self {
        case .open: "open"
        case .placeBet: "placeBet"
        case .cancelBet: "cancelBet"
        case .closeBetting: "closeBetting"
        case .takeOff: "takeOff"
        case .tick: "tick"
        case .cashOut: "cashOut"
        case .crash: "crash"
        case .void: "void"
        case .settle: "settle"
        }
    }

    /// The command as JSON (schemas/round-commands). Player commands travel the log this way; the
    /// authority's own commands are encoded only for audit trails and tests.
    public func json(table: TableID) -> [UInt8] {
        var writer = JSONWriter()
        writer.string("type", typeName)
        writer.string("table", table.rawValue)
        switch self {
        case .open(let round, let commitment, _):
            writer.integer("round", round)
            writer.string("commitment", commitment)
        case .placeBet(let bet):
            writer.string("betId", bet.betID.rawValue)
            writer.string("playerId", bet.player.rawValue)
            writer.string("currency", bet.stake.currency.code)
            writer.integer("stakeMinor", bet.stake.minorUnits)
            writer.integer("autoCashOutHundredths", ifPresent: bet.autoCashOut?.hundredths)
        case .cancelBet(let betID, let player, _), .cashOut(let betID, let player, _):
            writer.string("betId", betID.rawValue)
            writer.string("playerId", player.rawValue)
        case .void(let reason, _):
            writer.string("reason", reason)
        case .closeBetting, .takeOff, .tick, .crash, .settle:
            break
        }
        writer.integer("at", at.milliseconds)
        return writer.finish()
    }

    /// Decodes a command's JSON; throws, naming the member, on anything malformed or unknown.
    public static func decode(json bytes: some Collection<UInt8>) throws(JSONError) -> (table: TableID, command: RoundCommand) {
        try decode(json: Array(bytes))
    }

    /// Decodes from the bytes of a record's value.
    public static func decode(json bytes: [UInt8]) throws(JSONError) -> (table: TableID, command: RoundCommand) {
        let object = try JSONReader(parsing: bytes, context: "round command")
        let type = try object.string("type")
        let reader = object.reading(as: type)
        let table = TableID(try reader.string("table"))
        let at = Timestamp(milliseconds: try reader.integer("at"))
        let base: [String] = ["type", "table", "at"]
        let command: RoundCommand
        switch type {
        case "open":
            try reader.rejectUnknown(base + ["round", "commitment"])
            command = .open(round: try reader.integer("round"), commitment: try reader.string("commitment"), at: at)
        case "placeBet":
            try reader.rejectUnknown(base + ["betId", "playerId", "currency", "stakeMinor", "autoCashOutHundredths"])
            let code = try reader.string("currency")
            guard let currency = Currency(code: code) else { throw JSONError("placeBet: unknown currency '\(code)'") }
            command = .placeBet(PlaceBet(
                betID: BetID(try reader.string("betId")), player: PlayerID(try reader.string("playerId")),
                stake: Money(minorUnits: try reader.integer("stakeMinor"), currency: currency),
                autoCashOut: try reader.optionalInteger("autoCashOutHundredths").map(Multiplier.init(hundredths:)), at: at))
        case "cancelBet", "cashOut":
            try reader.rejectUnknown(base + ["betId", "playerId"])
            let betID = BetID(try reader.string("betId")), player = PlayerID(try reader.string("playerId"))
            command = type == "cancelBet" ? .cancelBet(betID: betID, player: player, at: at) : .cashOut(betID: betID, player: player, at: at)
        case "void":
            try reader.rejectUnknown(base + ["reason"])
            command = .void(reason: try reader.string("reason"), at: at)
        case "closeBetting": try reader.rejectUnknown(base); command = .closeBetting(at: at)
        case "takeOff": try reader.rejectUnknown(base); command = .takeOff(at: at)
        case "tick": try reader.rejectUnknown(base); command = .tick(at: at)
        case "crash": try reader.rejectUnknown(base); command = .crash(at: at)
        case "settle": try reader.rejectUnknown(base); command = .settle(at: at)
        default: throw JSONError("unknown round command type '\(type)'")
        }
        return (table, command)
    }
}
