extension WalletAction {
    /// The command type's name as written in log headers and schemas (`reserveStake`).
    public var typeName: String {
        switch self {
        case .deposit: "deposit"
        case .withdraw: "withdraw"
        case .reserveStake: "reserveStake"
        case .releaseStake: "releaseStake"
        case .settleBet: "settleBet"
        case .setLimits: "setLimits"
        case .selfExclude: "selfExclude"
        }
    }
}

extension WalletCommand {
    /// The version of the wallet commands' JSON schemas (schemas/wallet-commands/*.v1.json).
    public static let schemaVersion = 1

    /// The command as the JSON value of a wallet-command record (keyed by player id).
    public func json() -> [UInt8] {
        var writer = JSONWriter()
        writer.string("type", action.typeName)
        writer.string("commandId", id)
        writer.string("playerId", player.rawValue)
        switch action {
        case .deposit(let amount, let reference), .withdraw(let amount, let reference):
            writeMoney(&writer, "amountMinor", amount)
            writer.string("reference", reference)
        case .reserveStake(let bet, let amount, let autoCashOut):
            writeBet(&writer, bet)
            writeMoney(&writer, "amountMinor", amount)
            writer.integer("autoCashOutHundredths", ifPresent: autoCashOut?.hundredths)
        case .releaseStake(let bet, let reason):
            writeBet(&writer, bet)
            writer.string("reason", reason.rawValue)
        case .settleBet(let bet, let payout):
            writeBet(&writer, bet)
            writeMoney(&writer, "payoutMinor", payout)
        case .setLimits(let limits):
            writer.integer("dailyStakeMinor", ifPresent: limits.dailyStakeMinorUnits)
            writer.integer("dailyLossMinor", ifPresent: limits.dailyLossMinorUnits)
        case .selfExclude(let until):
            writer.integer("until", until.milliseconds)
        }
        writer.integer("at", at.milliseconds)
        return writer.finish()
    }

    /// Decodes a wallet command; throws, naming the member, on anything malformed or unknown.
    public static func decode(json bytes: some Collection<UInt8>) throws(JSONError) -> WalletCommand {
        try decode(json: Array(bytes))
    }

    /// Decodes from the bytes of a record's value (a `settleBatch` holds several: `decodeRecord`).
    public static func decode(json bytes: [UInt8]) throws(JSONError) -> WalletCommand {
        try decode(try JSONReader(parsing: bytes, context: "wallet command"))
    }

    /// Decodes one command from its parsed members.
    static func decode(_ object: JSONReader) throws(JSONError) -> WalletCommand {
        let type = try object.string("type")
        let reader = object.reading(as: type)
        let base: [String] = ["type", "commandId", "playerId", "at"]
        let betFields: [String] = ["table", "round", "betId"]
        let action: WalletAction
        switch type {
        case "deposit", "withdraw":
            try reader.rejectUnknown(base + ["currency", "amountMinor", "reference"])
            let amount = try readMoney(reader, "amountMinor"), reference = try reader.string("reference")
            action = type == "deposit" ? .deposit(amount, reference: reference) : .withdraw(amount, reference: reference)
        case "reserveStake":
            try reader.rejectUnknown(base + (betFields) + ["currency", "amountMinor", "autoCashOutHundredths"])
            action = .reserveStake(try readBet(reader), try readMoney(reader, "amountMinor"), autoCashOut: try readAuto(reader))
        case "releaseStake":
            try reader.rejectUnknown(base + (betFields) + ["reason"])
            action = .releaseStake(try readBet(reader), reason: try readReleaseReason(reader))
        case "settleBet":
            try reader.rejectUnknown(base + (betFields) + ["currency", "payoutMinor"])
            action = .settleBet(try readBet(reader), payout: try readMoney(reader, "payoutMinor"))
        case "setLimits":
            try reader.rejectUnknown(base + ["dailyStakeMinor", "dailyLossMinor"])
            action = .setLimits(GamingLimits(dailyStakeMinorUnits: try reader.optionalInteger("dailyStakeMinor"),
                                             dailyLossMinorUnits: try reader.optionalInteger("dailyLossMinor")))
        case "selfExclude":
            try reader.rejectUnknown(base + ["until"])
            action = .selfExclude(until: Timestamp(milliseconds: try reader.integer("until")))
        case batchTypeName:
            throw JSONError("a \(batchTypeName) record holds several commands: read it with WalletCommand.decodeRecord")
        default:
            throw JSONError("unknown wallet command type '\(type)'")
        }
        return WalletCommand(id: try reader.string("commandId"), player: PlayerID(try reader.string("playerId")), action: action,
                             at: Timestamp(milliseconds: try reader.integer("at")))
    }
}

extension WalletEvent {
    /// The version of the wallet events' JSON schemas (schemas/wallet-events/*.v1.json).
    public static let schemaVersion = 1

    /// The event as the JSON value of a wallet-topic record (keyed by player id).
    public func json() -> [UInt8] {
        var writer = JSONWriter()
        writer.string("type", typeName)
        writer.string("commandId", commandID)
        writer.string("playerId", player.rawValue)
        let at: Timestamp
        switch self {
        case .deposited(_, _, let amount, let reference, let time), .withdrawn(_, _, let amount, let reference, let time):
            writeMoney(&writer, "amountMinor", amount)
            writer.string("reference", reference)
            at = time
        case .stakeReserved(_, _, let bet, let amount, let autoCashOut, let time):
            writeBet(&writer, bet)
            writeMoney(&writer, "amountMinor", amount)
            writer.integer("autoCashOutHundredths", ifPresent: autoCashOut?.hundredths)
            at = time
        case .stakeRefused(_, _, let bet, let amount, let autoCashOut, let reason, let time):
            writeBet(&writer, bet)
            writeMoney(&writer, "amountMinor", amount)
            writer.integer("autoCashOutHundredths", ifPresent: autoCashOut?.hundredths)
            writer.string("reason", reason.code)
            if case .selfExcluded(let until) = reason { writer.integer("excludedUntil", until.milliseconds) }
            if case .dailyStakeLimit(let limit) = reason { writer.integer("limitMinor", limit) }
            if case .dailyLossLimit(let limit) = reason { writer.integer("limitMinor", limit) }
            at = time
        case .stakeReleased(_, _, let bet, let amount, let reason, let time):
            writeBet(&writer, bet)
            writeMoney(&writer, "amountMinor", amount)
            writer.string("reason", reason.rawValue)
            at = time
        case .betSettled(_, _, let bet, let stake, let payout, let time):
            writeBet(&writer, bet)
            writeMoney(&writer, "stakeMinor", stake)
            writer.integer("payoutMinor", payout.minorUnits)
            at = time
        case .limitsSet(_, _, let limits, let effectiveAt, let time):
            writer.integer("dailyStakeMinor", ifPresent: limits.dailyStakeMinorUnits)
            writer.integer("dailyLossMinor", ifPresent: limits.dailyLossMinorUnits)
            writer.integer("effectiveAt", effectiveAt.milliseconds)
            at = time
        case .selfExcluded(_, _, let until, let time):
            writer.integer("until", until.milliseconds)
            at = time
        }
        writer.integer("at", at.milliseconds)
        return writer.finish()
    }

    /// Decodes a wallet event; throws, naming the member, on anything malformed or unknown.
    public static func decode(json bytes: some Collection<UInt8>) throws(JSONError) -> WalletEvent {
        try decode(json: Array(bytes))
    }

    /// Decodes from the bytes of a record's value (a `betSettledBatch` holds several: `decodeRecord`).
    public static func decode(json bytes: [UInt8]) throws(JSONError) -> WalletEvent {
        try decode(try JSONReader(parsing: bytes, context: "wallet event"))
    }

    /// Decodes one event from its parsed members.
    static func decode(_ object: JSONReader) throws(JSONError) -> WalletEvent {
        let type = try object.string("type")
        if type == batchTypeName {
            throw JSONError("a \(batchTypeName) record holds several events: read it with WalletEvent.decodeRecord")
        }
        let reader = object.reading(as: type)
        let id = try reader.string("commandId"), player = PlayerID(try reader.string("playerId"))
        let at = Timestamp(milliseconds: try reader.integer("at"))
        let base: [String] = ["type", "commandId", "playerId", "at"]
        let betFields: [String] = ["table", "round", "betId"]
        switch type {
        case "deposited", "withdrawn":
            try reader.rejectUnknown(base + ["currency", "amountMinor", "reference"])
            let amount = try readMoney(reader, "amountMinor"), reference = try reader.string("reference")
            return type == "deposited" ? .deposited(commandID: id, player: player, amount: amount, reference: reference, at: at)
                : .withdrawn(commandID: id, player: player, amount: amount, reference: reference, at: at)
        case "stakeReserved":
            try reader.rejectUnknown(base + (betFields) + ["currency", "amountMinor", "autoCashOutHundredths"])
            return .stakeReserved(commandID: id, player: player, bet: try readBet(reader), amount: try readMoney(reader, "amountMinor"),
                                  autoCashOut: try readAuto(reader), at: at)
        case "stakeRefused":
            try reader.rejectUnknown(base + (betFields) + ["currency", "amountMinor", "autoCashOutHundredths", "reason",
                                                                  "excludedUntil", "limitMinor"])
            let code = try reader.string("reason")
            let reason: WalletRejection
            switch code {
            case "insufficientFunds": reason = .insufficientFunds
            case "selfExcluded": reason = .selfExcluded(until: Timestamp(milliseconds: try reader.integer("excludedUntil")))
            case "dailyStakeLimit": reason = .dailyStakeLimit(limit: try reader.integer("limitMinor"))
            case "dailyLossLimit": reason = .dailyLossLimit(limit: try reader.integer("limitMinor"))
            default: throw JSONError("stakeRefused: unknown reason '\(code)'")
            }
            return .stakeRefused(commandID: id, player: player, bet: try readBet(reader), amount: try readMoney(reader, "amountMinor"),
                                 autoCashOut: try readAuto(reader), reason: reason, at: at)
        case "stakeReleased":
            try reader.rejectUnknown(base + (betFields) + ["currency", "amountMinor", "reason"])
            return .stakeReleased(commandID: id, player: player, bet: try readBet(reader), amount: try readMoney(reader, "amountMinor"),
                                  reason: try readReleaseReason(reader), at: at)
        case "betSettled":
            try reader.rejectUnknown(base + (betFields) + ["currency", "stakeMinor", "payoutMinor"])
            return .betSettled(commandID: id, player: player, bet: try readBet(reader), stake: try readMoney(reader, "stakeMinor"),
                               payout: try readMoney(reader, "payoutMinor"), at: at)
        case "limitsSet":
            try reader.rejectUnknown(base + ["dailyStakeMinor", "dailyLossMinor", "effectiveAt"])
            return .limitsSet(commandID: id, player: player,
                              limits: GamingLimits(dailyStakeMinorUnits: try reader.optionalInteger("dailyStakeMinor"),
                                                   dailyLossMinorUnits: try reader.optionalInteger("dailyLossMinor")),
                              effectiveAt: Timestamp(milliseconds: try reader.integer("effectiveAt")), at: at)
        case "selfExcluded":
            try reader.rejectUnknown(base + ["until"])
            return .selfExcluded(commandID: id, player: player, until: Timestamp(milliseconds: try reader.integer("until")), at: at)
        default:
            throw JSONError("unknown wallet event type '\(type)'")
        }
    }
}

private func writeMoney(_ writer: inout JSONWriter, _ name: StaticString, _ amount: Money) {
    writer.string("currency", amount.currency.code)
    writer.integer(name, amount.minorUnits)
}

private func writeBet(_ writer: inout JSONWriter, _ bet: BetReference) {
    writer.string("table", bet.table.rawValue)
    writer.integer("round", bet.round)
    writer.string("betId", bet.betID.rawValue)
}

private func readMoney(_ reader: JSONReader, _ name: String) throws(JSONError) -> Money {
    let code = try reader.string("currency")
    guard let currency = Currency(code: code) else { throw JSONError("\(reader.context): unknown currency '\(code)'") }
    return Money(minorUnits: try reader.integer(name), currency: currency)
}

private func readBet(_ reader: JSONReader) throws(JSONError) -> BetReference {
    BetReference(table: TableID(try reader.string("table")), round: try reader.integer("round"), betID: BetID(try reader.string("betId")))
}

private func readReleaseReason(_ reader: JSONReader) throws(JSONError) -> ReleaseReason {
    let text = try reader.string("reason")
    guard let reason = ReleaseReason(rawValue: text) else { throw JSONError("\(reader.context): unknown reason '\(text)'") }
    return reason
}

private func readAuto(_ reader: JSONReader) throws(JSONError) -> Multiplier? {
    try reader.optionalInteger("autoCashOutHundredths").map(Multiplier.init(hundredths:))
}
