import AscentCore

extension AuditReport {
    /// The report as one JSON object: `clean`, `summary`, `findings` and, when kept, `rounds`.
    /// Amounts are integers of minor units; return to player is in basis points.
    public func json() -> [UInt8] {
        var writer = ObjectWriter()
        writer.bool("clean", summary.isClean)
        writer.raw("summary", summary.json())
        writer.raw("findings", Self.array(findings.map { $0.json() }))
        if !rounds.isEmpty { writer.raw("rounds", Self.array(rounds.map { $0.json() })) }
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
}

extension AuditSummary {
    /// The totals as a JSON object.
    public func json() -> [UInt8] {
        var writer = ObjectWriter()
        writer.integer("records", Int64(records))
        writer.integer("roundRecords", Int64(roundRecords))
        writer.integer("walletRecords", Int64(walletRecords))
        writer.integer("otherRecords", Int64(otherRecords))
        writer.integer("rounds", Int64(rounds))
        writer.integer("roundsCrashed", Int64(roundsCrashed))
        writer.integer("roundsVoided", Int64(roundsVoided))
        writer.integer("openRounds", Int64(openRounds))
        writer.integer("bets", Int64(bets))
        writer.integer("betsCashedOut", Int64(betsCashedOut))
        writer.integer("betsLost", Int64(betsLost))
        writer.integer("betsRefunded", Int64(betsRefunded))
        writer.integer("betsCancelled", Int64(betsCancelled))
        writer.integer("betsRejected", Int64(betsRejected))
        writer.integer("crashPointsNotRecomputed", Int64(crashPointsNotRecomputed))
        writer.integer("configuredRtpBasisPoints", configuredReturnToPlayerBasisPoints)
        var currencies = ObjectWriter()
        for code in self.currencies.keys.sorted() {
            let totals = self.currencies[code]!
            var item = ObjectWriter()
            item.integer("stakeMinor", totals.stakeMinor)
            item.integer("payoutMinor", totals.payoutMinor)
            item.integer("rtpBasisPoints", ifPresent: totals.returnToPlayerBasisPoints)
            item.integer("houseResultFromRoundsMinor", totals.houseResultFromRoundsMinor)
            item.integer("houseResultFromWalletMinor", totals.houseResultFromWalletMinor)
            item.integer("depositsMinor", totals.depositsMinor)
            item.integer("withdrawalsMinor", totals.withdrawalsMinor)
            item.integer("availableMinor", totals.availableMinor)
            item.integer("reservedMinor", totals.reservedMinor)
            item.integer("imbalanceMinor", totals.imbalanceMinor)
            currencies.raw(code, item.finish())
        }
        writer.raw("currencies", currencies.finish())
        writer.integer("mismatches", Int64(findings))
        return writer.finish()
    }
}

extension AuditFinding {
    /// The finding as a JSON object.
    public func json() -> [UInt8] {
        var writer = ObjectWriter()
        writer.string("kind", kind.rawValue)
        if let position {
            writer.string("topic", position.topic)
            writer.integer("partition", Int64(position.partition))
            writer.integer("offset", position.offset)
        }
        if let table { writer.string("table", table.rawValue) }
        writer.integer("round", ifPresent: round)
        writer.string("message", message)
        return writer.finish()
    }
}

extension AuditRoundDetail {
    /// The rebuilt round and its bets as a JSON object, with the projection's column names.
    public func json() -> [UInt8] {
        var writer = ObjectWriter()
        writer.string("table_id", table)
        writer.integer("round", round)
        for (name, value) in roundColumns { writer.optionalMember(name, value) }
        writer.raw("bets", AuditReport.array(betRows.map { row in
            var item = ObjectWriter()
            item.string("bet_id", row.betID)
            for (name, value) in row.columns { item.optionalMember(name, value) }
            return item.finish()
        }))
        return writer.finish()
    }
}

/// A JSON object written member by member, with names known only at run time (currency codes,
/// column names); `JSONWriter` takes static names only.
struct ObjectWriter {
    private var bytes: [UInt8] = [UInt8(ascii: "{")]

    private mutating func key(_ name: String) {
        if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
        JSONWriter.appendString(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func raw(_ name: String, _ json: [UInt8]) {
        key(name)
        bytes += json
    }

    mutating func string(_ name: String, _ value: String) {
        key(name)
        JSONWriter.appendString(value, to: &bytes)
    }

    mutating func integer(_ name: String, _ value: Int64) {
        key(name)
        bytes += Array(String(value).utf8)
    }

    mutating func integer(_ name: String, ifPresent value: Int64?) {
        if let value { integer(name, value) }
    }

    mutating func bool(_ name: String, _ value: Bool) {
        key(name)
        bytes += Array((value ? "true" : "false").utf8)
    }

    /// A column value: integers stay numbers, other text is a string, nil is null.
    mutating func optionalMember(_ name: String, _ value: String?) {
        key(name)
        if let value {
            if let number = Int64(value) { bytes += Array(String(number).utf8) } else { JSONWriter.appendString(value, to: &bytes) }
        } else {
            bytes += Array("null".utf8)
        }
    }

    func finish() -> [UInt8] { bytes + [UInt8(ascii: "}")] }
}
