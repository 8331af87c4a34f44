import AscentCore

/// The player protocol's server messages (docs/protocol.md), encoded once as JSON text.
enum GatewayFrames {
    static func object(_ build: (inout JSONWriter) -> Void) -> [UInt8] {
        var writer = JSONWriter()
        build(&writer)
        return writer.finish()
    }

    static func array(_ items: [[UInt8]]) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        for (index, item) in items.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes += item
        }
        bytes.append(UInt8(ascii: "]"))
        return bytes
    }

    static func error(_ code: String, _ message: String, requestID: String? = nil) -> [UInt8] {
        object { writer in
            writer.string("type", "error")
            if let requestID { writer.string("requestId", requestID) }
            writer.string("code", code)
            writer.string("message", message)
        }
    }

    /// The display name other players see: never the id itself.
    static func masked(_ player: PlayerID) -> String {
        let text = player.rawValue
        guard text.count > 2 else { return "***" }
        return String(text.prefix(1)) + "***" + String(text.suffix(1))
    }

    /// A human sentence for each refusal code the page shows as it is.
    static func message(for code: String) -> String {
        switch code {
        case "bettingClosed": "Betting is closed for this round."
        case "insufficientFunds": "Not enough money for this bet."
        case "stakeBelowMinimum": "The stake is below the table minimum."
        case "stakeAboveMaximum": "The stake is above the table maximum."
        case "tooManyBets": "You already have the most bets allowed this round."
        case "autoCashOutOutOfRange": "The auto cash-out target is outside the allowed range."
        case "duplicateBetId", "duplicateBetID": "That bet id is already used in this round."
        case "unknownBet": "There is no such bet in this round."
        case "betOfAnotherPlayer": "That bet is not yours."
        case "cashOutAfterCrash": "Too late: the plane flew away first."
        case "notFlying": "The round is not flying."
        case "selfExcluded": "You are excluded from betting for now."
        case "dailyStakeLimit": "This bet would pass your daily stake limit."
        case "dailyLossLimit": "This bet could pass your daily loss limit."
        case "wrongCurrency": "Your wallet is in another currency than this table."
        default: "The request was refused (\(code))."
        }
    }
}
