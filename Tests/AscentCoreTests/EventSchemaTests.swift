import AscentCore
import Testing

/// Every event and command the core can produce, encoded by the code, validates against its schema;
/// every schema has a producer; and decoding gives back the same value.
@Suite struct EventSchemaTests {
    static let table: TableID = "main"

    static var sampleEvents: [RoundEvent] {
        let played = opened + [placed("b1", auto: x(150)), placed("b2", "bob", stake: 1_000), placed("b3", "carol", stake: 100_000),
                               .betRejected(round: 1, betID: "b8", player: "erin", stake: euros(10), reason: "bettingClosed", at: at(1_050)),
                               .betCancelled(round: 1, betID: "b9", player: "dave", stake: euros(10), at: at(1_100))] + tookOff
        var events = played
        for reason in CashOutReason.allCases {
            events.append(.cashedOut(round: 1, betID: "b1", player: "alice", stake: euros(100), multiplier: x(150),
                                     payout: euros(150), reason: reason, at: instant(x(150))))
        }
        events += [
            .ticked(round: 1, at: at(10_100), multiplier: x(100)),
            .crashed(round: 1, crashPoint: x(250), seed: seed, at: instant(x(250))),
            .betLost(round: 1, betID: "b2", player: "bob", stake: euros(1_000)),
            .roundVoided(round: 1, reason: "authority restarted during the flight \"quoted\"\n", at: at(10_200)),
            .betRefunded(round: 1, betID: "b2", player: "bob", stake: euros(1_000)),
            .roundSettled(round: 1, bets: 3, totalStake: euros(101_100), totalPayout: euros(150), at: at(30_000)),
            .roundSettled(round: 7, bets: 0, totalStake: euros(0), totalPayout: euros(0), at: at(30_000)),
            .authorityClaimed(round: 7, epoch: 2, writer: "w-1", at: at(30_001)),
        ]
        return events
    }

    static var sampleCommands: [RoundCommand] {
        [.open(round: 2, commitment: commitment, at: at(1)), place("b1", auto: x(200)), place("b2"),
         .cancelBet(betID: "b1", player: "alice", at: at(2)), .closeBetting(at: at(3)), .takeOff(at: at(4)), .tick(at: at(5)),
         .cashOut(betID: "b1", player: "alice", at: at(6)), .crash(at: at(7)), .void(reason: "operator", at: at(8)), .settle(at: at(9))]
    }

    @Test func everyEventValidatesAndRoundTrips() throws {
        for event in Self.sampleEvents {
            let bytes = event.json(table: Self.table)
            let schema = try SchemaValidator.schema("round-events", event.typeName, version: RoundEvent.schemaVersion)
            let problems = SchemaValidator.problems(try JSONValue.parse(bytes), against: schema)
            #expect(problems.isEmpty, "\(event.typeName): \(problems) in \(String(decoding: bytes, as: UTF8.self))")
            let decoded = try RoundEvent.decode(json: bytes)
            #expect(decoded.table == Self.table && decoded.event == event)
        }
        #expect(Set(Self.sampleEvents.map(\.typeName)).union([RoundEvent.batchTypeName]) == (try SchemaValidator.schemaNames("round-events")),
                "every event type needs a sample here and a schema in schemas/round-events")
    }

    /// Cash-outs at one auto target: `count` bets of alternating players and stakes.
    static func autoCashOuts(_ count: Int, reason: CashOutReason = .auto, at instant: Timestamp = at(12_000)) -> [RoundEvent] {
        (0..<count).map { index in
            .cashedOut(round: 4, betID: BetID("b\(index)"), player: PlayerID(index % 2 == 0 ? "alice" : "bob\u{e9}"),
                       stake: euros(100 + Int64(index)), multiplier: x(150), payout: euros((100 + Int64(index)) * 3 / 2),
                       reason: reason, at: instant)
        }
    }

    @Test func cashOutsSetOffTogetherShareRecordsThatValidateAndExpandToTheSameEvents() throws {
        let schema = try SchemaValidator.schema("round-events", RoundEvent.batchTypeName, version: RoundEvent.schemaVersion)
        let manual = RoundEvent.cashedOut(round: 4, betID: "m1", player: "carol", stake: euros(10), multiplier: x(151),
                                          payout: euros(15), reason: .manual, at: at(12_001))
        // 1,201 auto cash-outs at one instant, then a manual one, then a cap at another instant.
        let events = Self.autoCashOuts(1_201) + [manual] + Self.autoCashOuts(1, reason: .maximumWin, at: at(12_002))
        let groups = RoundEvent.recordGroups(events)
        #expect(groups.map(\.count) == [500, 500, 201, 1, 1])
        var decoded: [RoundEvent] = []
        for group in groups {
            let bytes = RoundEvent.json(group: group, table: Self.table)
            let value = try JSONValue.parse(bytes)
            if group.count > 1 {
                #expect(value["type"] == .string(RoundEvent.batchTypeName))
                let problems = SchemaValidator.problems(value, against: schema)
                #expect(problems.isEmpty, "\(problems)")
                #expect(throws: JSONError.self) { try RoundEvent.decode(json: bytes) }
            }
            let record = try RoundEvent.decodeRecord(json: bytes)
            #expect(record.table == Self.table)
            decoded += record.events
        }
        #expect(decoded == events)
    }

    @Test func onlyTriggeredCashOutsOfOneInstantAndMultiplierAreGrouped() {
        let manual = (0..<3).map { RoundEvent.cashedOut(round: 4, betID: BetID("m\($0)"), player: "carol", stake: euros(10), multiplier: x(150),
                                                         payout: euros(15), reason: .manual, at: at(12_000)) }
        #expect(RoundEvent.recordGroups(manual).map(\.count) == [1, 1, 1], "manual cash-outs stay records of their own")
        let twoInstants = Self.autoCashOuts(2) + Self.autoCashOuts(2, at: at(12_500))
        #expect(RoundEvent.recordGroups(twoInstants).map(\.count) == [2, 2])
        let mixedReasons = Self.autoCashOuts(2) + Self.autoCashOuts(2, reason: .maximumWin)
        #expect(RoundEvent.recordGroups(mixedReasons).map(\.count) == [2, 2])
        #expect(RoundEvent.recordGroups(Self.autoCashOuts(7), maxBetsPerBatch: 3).map(\.count) == [3, 3, 1])
        #expect(RoundEvent.recordGroups([]).isEmpty)
    }

    @Test func malformedBatchesAreRejectedWithTheirReason() {
        let head = #"{"type":"cashedOutBatch","table":"main","round":4,"currency":"EUR","multiplierHundredths":150,"at":1,"#
        let cases: [(String, String)] = [
            (head + #""reason":"manual","betIds":["b"],"playerIds":["p"],"stakesMinor":[1],"payoutsMinor":[1]}"#, "reason"),
            (head + #""reason":"auto","betIds":["b","c"],"playerIds":["p"],"stakesMinor":[1],"payoutsMinor":[1]}"#, "all alike"),
            (head + #""reason":"auto","betIds":[],"playerIds":[],"stakesMinor":[],"payoutsMinor":[]}"#, "all alike"),
            (head + #""reason":"auto","betIds":[1],"playerIds":["p"],"stakesMinor":[1],"payoutsMinor":[1]}"#, "entry 0"),
            (head + #""reason":"auto","betIds":["b"],"playerIds":["p"],"stakesMinor":[1.5],"payoutsMinor":[1]}"#, "entry 0"),
            (head + #""reason":"auto","betIds":"b","playerIds":["p"],"stakesMinor":[1],"payoutsMinor":[1]}"#, "must be an array"),
            (head + #""reason":"auto","betIds":["b"],"playerIds":["p"],"stakesMinor":[1],"payoutsMinor":[1],"x":1}"#, "unknown member"),
        ]
        Self.expectRejected(cases) { (bytes: [UInt8]) throws(JSONError) in _ = try RoundEvent.decodeRecord(json: bytes) }
    }

    /// Each text of `cases` must be rejected by `decode` with an error naming its reason.
    static func expectRejected(_ cases: [(String, String)], sourceLocation: SourceLocation = #_sourceLocation,
                               by decode: ([UInt8]) throws(JSONError) -> Void) {
        for (text, reason) in cases {
            do throws(JSONError) {
                try decode(Array(text.utf8))
                Issue.record("accepted \(text)", sourceLocation: sourceLocation)
            } catch {
                #expect(error.description.contains(reason), "\(text): \(error.description)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func everyCommandValidatesAndRoundTrips() throws {
        for command in Self.sampleCommands {
            let bytes = command.json(table: Self.table)
            let schema = try SchemaValidator.schema("round-commands", command.typeName, version: RoundCommand.schemaVersion)
            let problems = SchemaValidator.problems(try JSONValue.parse(bytes), against: schema)
            #expect(problems.isEmpty, "\(command.typeName): \(problems)")
            let decoded = try RoundCommand.decode(json: bytes)
            #expect(decoded.table == Self.table && decoded.command == command)
        }
        #expect(Set(Self.sampleCommands.map(\.typeName)) == (try SchemaValidator.schemaNames("round-commands")))
    }

    @Test func theValidatorCatchesDrift() throws {
        let schema = try SchemaValidator.schema("round-events", "betPlaced", version: 1)
        let bad: [String] = [
            #"{"type":"betPlaced","table":"main","round":1,"betId":"b","playerId":"p","currency":"EUR","stakeMinor":1.5,"at":1}"#,
            #"{"type":"betPlaced","table":"main","round":1,"betId":"b","playerId":"p","currency":"eur","stakeMinor":1,"at":1}"#,
            #"{"type":"betPlaced","table":"main","round":1,"betId":"b","playerId":"p","currency":"EUR","stakeMinor":1}"#,
            #"{"type":"betPlaced","table":"main","round":1,"betId":"b","playerId":"p","currency":"EUR","stakeMinor":1,"at":1,"x":0}"#,
            #"{"type":"betPlaced","table":"main","round":0,"betId":"b","playerId":"p","currency":"EUR","stakeMinor":1,"at":1}"#,
        ]
        for text in bad {
            #expect(!SchemaValidator.problems(try JSONValue.parse(Array(text.utf8)), against: schema).isEmpty, "accepted \(text)")
        }
    }

    @Test func stringsWithEscapesAndNonASCIIDecodeExactly() throws {
        // Plain ASCII strings take a fast path; these take the full one.
        let text = #"{"type":"betLost","table":"t\u00e9\"\\/\n","round":1,"betId":"b-\ud83d\ude80","playerId":"josé","currency":"EUR","stakeMinor":1}"#
        let (table, event) = try RoundEvent.decode(json: Array(text.utf8))
        #expect(table == TableID("t\u{e9}\"\\/\n"))
        guard case .betLost(_, let betID, let player, _) = event else { Issue.record("decoded \(event)"); return }
        #expect(betID == BetID("b-\u{1F680}"))
        #expect(player == PlayerID("jos\u{e9}"))
        // Round-trips through the writer, which escapes what JSON needs.
        #expect(try RoundEvent.decode(json: event.json(table: table)).event == event)
        // A wide object: a repeated name is still caught past the linear check's reach.
        let members = (0..<40).map { "\"k\($0)\":1" }.joined(separator: ",")
        #expect(throws: JSONError.self) { try JSONReader(parsing: Array("{\(members),\"k3\":2}".utf8), context: "wide") }
        #expect(try JSONReader(parsing: Array("{\(members)}".utf8), context: "wide").entries.count == 40)
    }

    @Test func theWriterSpellsIntegersAndStringsAsJSONDoes() throws {
        // Integers are written digit by digit (no String made); every width and sign, and both ends of Int64.
        let numbers: [Int64] = [0, 1, -1, 9, 10, -10, 99, 100, 1_234_567_890, -987_654_321_012, .max, .min, .max - 1, .min + 1]
        for number in numbers {
            var writer = JSONWriter()
            writer.integer("n", number)
            #expect(String(decoding: writer.finish(), as: UTF8.self) == "{\"n\":\(number)}")
            var bytes: [UInt8] = [UInt8(ascii: "[")]
            JSONWriter.appendInteger(number, to: &bytes)
            #expect(bytes == Array("[\(number)".utf8))
        }
        // Strings with nothing to escape are copied whole; the rest are escaped byte by byte.
        let cases: [(String, String)] = [("", #""""#), ("r12-4471", #""r12-4471""#), ("josé 🚀", "\"josé 🚀\""),
                                         ("a\"b\\c", #""a\"b\\c""#), ("line\nfeed\ttab\r", #""line\nfeed\ttab\r""#),
                                         ("\u{1}\u{1f}", #""\u0001\u001f""#)]
        for (text, json) in cases {
            var bytes: [UInt8] = []
            JSONWriter.appendString(text, to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == json)
        }
    }

    @Test func malformedRecordsAreRejectedWithTheirReason() {
        let cases: [(String, String)] = [
            (#"{"type":"betPlaced","table":"main","round":1}"#, "betId"),
            (#"{"type":"nonsense","table":"main","round":1}"#, "unknown round event type"),
            (#"{"type":"betLost","table":"main","round":1,"betId":"b","playerId":"p","currency":"ZZZ","stakeMinor":1}"#, "unknown currency"),
            (#"{"type":"betLost","table":"main","round":1,"betId":"b","playerId":"p","currency":"EUR","stakeMinor":1.0}"#, "stakeMinor"),
            (#"{"type":"betLost","table":"main","round":1,"betId":"b","playerId":"p","currency":"EUR","stakeMinor":1,"evil":1}"#, "unknown member"),
            (#"{"type":"tookOff","table":"main","round":1,"at":99999999999999999999}"#, "out of range"),
            (#"{"type":"tookOff","table":"main","round":1,"at":1}   x"#, "trailing"),
            (#"{"type":"tookOff","type":"tookOff","table":"main","round":1,"at":1}"#, "duplicate"),
            ("[" + String(repeating: "[", count: 100) , "nesting"),
            ("{\"type\":\"tookOff\",\"table\":\"m\u{01}\",\"round\":1,\"at\":1}", "control character"),
        ]
        Self.expectRejected(cases) { (bytes: [UInt8]) throws(JSONError) in _ = try RoundEvent.decode(json: bytes) }
    }
}

@Suite struct WalletSchemaTests {
    static let bet = BetReference(table: "main", round: 3, betID: "b1")
    static var sampleCommands: [WalletCommand] {
        let actions: [WalletAction] = [
            .deposit(euros(1_000), reference: "op-1"), .withdraw(euros(5), reference: "op-2"), .reserveStake(bet, euros(100), autoCashOut: nil), .reserveStake(bet, euros(100), autoCashOut: x(250)),
            .releaseStake(bet, reason: .cancelled), .settleBet(bet, payout: euros(0)), .settleBet(bet, payout: euros(250)),
            .setLimits(GamingLimits()), .setLimits(GamingLimits(dailyStakeMinorUnits: 5, dailyLossMinorUnits: 0)),
            .selfExclude(until: at(99)),
        ]
        return actions.enumerated().map { WalletCommand(id: "c\($0.offset)", player: "alice", action: $0.element, at: at(7)) }
    }
    static var sampleEvents: [WalletEvent] {
        var events: [WalletEvent] = [
            .deposited(commandID: "c", player: "alice", amount: euros(10), reference: "r", at: at(1)),
            .withdrawn(commandID: "c", player: "alice", amount: euros(10), reference: "r", at: at(1)),
            .stakeReserved(commandID: "c", player: "alice", bet: bet, amount: euros(10), autoCashOut: x(300), at: at(1)),
            .betSettled(commandID: "c", player: "alice", bet: bet, stake: euros(10), payout: euros(0), at: at(1)),
            .limitsSet(commandID: "c", player: "alice", limits: GamingLimits(dailyLossMinorUnits: 7), effectiveAt: at(2), at: at(1)),
            .selfExcluded(commandID: "c", player: "alice", until: at(5), at: at(1)),
        ]
        for reason in [WalletRejection.insufficientFunds, .selfExcluded(until: at(9)), .dailyStakeLimit(limit: 1), .dailyLossLimit(limit: 2)] {
            events.append(.stakeRefused(commandID: "c", player: "alice", bet: bet, amount: euros(10), autoCashOut: nil, reason: reason, at: at(1)))
        }
        for reason in ReleaseReason.allCases {
            events.append(.stakeReleased(commandID: "c", player: "alice", bet: bet, amount: euros(10), reason: reason, at: at(1)))
        }
        return events
    }

    @Test func everyWalletCommandValidatesAndRoundTrips() throws {
        for command in Self.sampleCommands {
            let bytes = command.json()
            let schema = try SchemaValidator.schema("wallet-commands", command.action.typeName, version: WalletCommand.schemaVersion)
            let problems = SchemaValidator.problems(try JSONValue.parse(bytes), against: schema)
            #expect(problems.isEmpty, "\(command.action.typeName): \(problems)")
            #expect(try WalletCommand.decode(json: bytes) == command)
        }
        #expect(Set(Self.sampleCommands.map(\.action.typeName)).union([WalletCommand.batchTypeName])
                == (try SchemaValidator.schemaNames("wallet-commands")))
    }

    @Test func everyWalletEventValidatesAndRoundTrips() throws {
        for event in Self.sampleEvents {
            let bytes = event.json()
            let schema = try SchemaValidator.schema("wallet-events", event.typeName, version: WalletEvent.schemaVersion)
            let problems = SchemaValidator.problems(try JSONValue.parse(bytes), against: schema)
            #expect(problems.isEmpty, "\(event.typeName): \(problems)")
            #expect(try WalletEvent.decode(json: bytes) == event)
        }
        #expect(Set(Self.sampleEvents.map(\.typeName)).union([WalletEvent.batchTypeName]) == (try SchemaValidator.schemaNames("wallet-events")))
    }

    /// Settlements of round 4 as settlement issues them: `count` bets of alternating players, some lost.
    static func settlements(_ count: Int, round: Int64 = 4, at instant: Timestamp = at(12_000)) -> [WalletCommand] {
        (0..<count).map { index in
            let bet = BetReference(table: "main", round: round, betID: BetID("b\(index)"))
            return WalletCommand(id: Settlement.settleID(bet), player: PlayerID(index % 2 == 0 ? "alice" : "bob\u{e9}"),
                                 action: .settleBet(bet, payout: euros(index % 3 == 0 ? 0 : 150 + Int64(index))), at: instant)
        }
    }

    /// The events the wallet records for `settlements`: the stake held was 100 + index.
    static func settled(_ commands: [WalletCommand]) -> [WalletEvent] {
        commands.enumerated().map { index, command in
            guard case .settleBet(let bet, let payout) = command.action else { preconditionFailure("settlements only") }
            return .betSettled(commandID: command.id, player: command.player, bet: bet, stake: euros(100 + Int64(index)), payout: payout, at: command.at)
        }
    }

    @Test func settlementsShareBatchRecordsThatValidateAndExpandToTheSameCommandsAndEvents() throws {
        let commandSchema = try SchemaValidator.schema("wallet-commands", WalletCommand.batchTypeName, version: WalletCommand.schemaVersion)
        let eventSchema = try SchemaValidator.schema("wallet-events", WalletEvent.batchTypeName, version: WalletEvent.schemaVersion)
        // 1,201 settlements of one round and instant, then a release, then one of another round.
        let release = WalletCommand(id: "release:main/4/r", player: "carol", action: .releaseStake(Self.bet, reason: .refunded), at: at(12_000))
        let commands = Self.settlements(1_201) + [release] + Self.settlements(1, round: 5)
        let groups = WalletCommand.recordGroups(commands)
        #expect(groups.map(\.count) == [500, 500, 201, 1, 1])
        var decodedCommands: [WalletCommand] = []
        for group in groups {
            let bytes = WalletCommand.json(group: group)
            if group.count > 1 {
                let value = try JSONValue.parse(bytes)
                #expect(value["type"] == .string(WalletCommand.batchTypeName))
                let problems = SchemaValidator.problems(value, against: commandSchema)
                #expect(problems.isEmpty, "\(problems)")
                #expect(throws: JSONError.self) { try WalletCommand.decode(json: bytes) }
            }
            decodedCommands += try WalletCommand.decodeRecord(json: bytes)
        }
        #expect(decodedCommands == commands)

        let events = Self.settled(Self.settlements(1_201)) + [.stakeReleased(commandID: release.id, player: "carol", bet: Self.bet, amount: euros(10),
                                                                              reason: .refunded, at: at(12_000))]
        let eventGroups = WalletEvent.recordGroups(events)
        #expect(eventGroups.map(\.count) == [500, 500, 201, 1])
        var decodedEvents: [WalletEvent] = []
        for group in eventGroups {
            let bytes = WalletEvent.json(group: group)
            if group.count > 1 {
                let value = try JSONValue.parse(bytes)
                #expect(value["type"] == .string(WalletEvent.batchTypeName))
                let problems = SchemaValidator.problems(value, against: eventSchema)
                #expect(problems.isEmpty, "\(problems)")
                #expect(throws: JSONError.self) { try WalletEvent.decode(json: bytes) }
            }
            decodedEvents += try WalletEvent.decodeRecord(json: bytes)
        }
        #expect(decodedEvents == events)
    }

    @Test func onlySettlementsOfOneRoundCurrencyAndInstantUnderTheirOwnIdAreGrouped() {
        let twoInstants = Self.settlements(2) + Self.settlements(2, at: at(12_500))
        #expect(WalletCommand.recordGroups(twoInstants).map(\.count) == [2, 2])
        #expect(WalletEvent.recordGroups(Self.settled(twoInstants)).map(\.count) == [2, 2])
        let twoRounds = Self.settlements(2) + Self.settlements(2, round: 5)
        #expect(WalletCommand.recordGroups(twoRounds).map(\.count) == [2, 2])
        // A settlement under an id of the sender's own choosing keeps its id: a record of its own.
        var custom = Self.settlements(3)
        custom[1].id = "operator-correction-7"
        #expect(WalletCommand.recordGroups(custom).map(\.count) == [1, 1, 1])
        #expect(WalletEvent.recordGroups(Self.settled(custom)).map(\.count) == [1, 1, 1])
        var dollars = Self.settlements(2)
        dollars[1].action = .settleBet(BetReference(table: "main", round: 4, betID: "b1"), payout: Money(minorUnits: 5, currency: Currency(code: "USD")!))
        #expect(WalletCommand.recordGroups(dollars).map(\.count) == [1, 1])
        #expect(WalletCommand.recordGroups(Self.settlements(7), maxEntries: 3).map(\.count) == [3, 3, 1])
        #expect(WalletCommand.recordGroups([]).isEmpty)
    }

    @Test func malformedSettlementBatchesAreRejectedWithTheirReason() {
        let head = #"{"type":"settleBatch","table":"main","round":4,"currency":"EUR","at":1,"#
        EventSchemaTests.expectRejected([
            (head + #""betIds":["b","c"],"playerIds":["p"],"payoutsMinor":[1]}"#, "all alike"),
            (head + #""betIds":[],"playerIds":[],"payoutsMinor":[]}"#, "all alike"),
            (head + #""betIds":["b"],"playerIds":[7],"payoutsMinor":[1]}"#, "entry 0 of 'playerIds'"),
            (head + #""betIds":["b"],"playerIds":["p"],"payoutsMinor":[1.5]}"#, "entry 0 of 'payoutsMinor'"),
            (head + #""betIds":"b","playerIds":["p"],"payoutsMinor":[1]}"#, "must be an array"),
            (head + #""betIds":["b"],"playerIds":["p"],"payoutsMinor":[1],"commandId":"x"}"#, "unknown member"),
            (#"{"type":"settleBatch","table":"main","round":4,"currency":"XYZ","at":1,"betIds":["b"],"playerIds":["p"],"payoutsMinor":[1]}"#,
             "unknown currency"),
            (#"{"type":"settleBatch","table":"main","round":4,"currency":"EUR","betIds":["b"],"playerIds":["p"],"payoutsMinor":[1]}"#, "'at'"),
        ]) { (bytes: [UInt8]) throws(JSONError) in _ = try WalletCommand.decodeRecord(json: bytes) }
        let eventHead = #"{"type":"betSettledBatch","table":"main","round":4,"currency":"EUR","at":1,"#
        EventSchemaTests.expectRejected([
            (eventHead + #""betIds":["b"],"playerIds":["p"],"stakesMinor":[1,2],"payoutsMinor":[1]}"#, "all alike"),
            (eventHead + #""betIds":["b"],"playerIds":["p"],"stakesMinor":["1"],"payoutsMinor":[1]}"#, "entry 0 of 'stakesMinor'"),
            (eventHead + #""betIds":["b"],"playerIds":["p"],"payoutsMinor":[1]}"#, "'stakesMinor' must be an array"),
        ]) { (bytes: [UInt8]) throws(JSONError) in _ = try WalletEvent.decodeRecord(json: bytes) }
    }

    @Test func settlementDerivesOneCommandPerBetWithDeterministicIds() {
        let table: TableID = "main"
        let cashed = RoundEvent.cashedOut(round: 3, betID: "b1", player: "alice", stake: euros(100), multiplier: x(250),
                                          payout: euros(250), reason: .manual, at: at(5))
        let command = Settlement.walletCommand(for: cashed, table: table, at: at(6))!
        #expect(command.id == "settle:main/3/b1" && command.action == .settleBet(Self.bet, payout: euros(250)))
        let lost = Settlement.walletCommand(for: .betLost(round: 3, betID: "b1", player: "alice", stake: euros(100)), table: table, at: at(6))!
        #expect(lost.id == command.id && lost.action == .settleBet(Self.bet, payout: euros(0)))
        let refunded = Settlement.walletCommand(for: .betRefunded(round: 3, betID: "b1", player: "alice", stake: euros(100)), table: table, at: at(6))!
        #expect(refunded.action == .releaseStake(Self.bet, reason: .refunded))
        #expect(Settlement.walletCommand(for: .tookOff(round: 3, at: at(1)), table: table, at: at(6)) == nil)
    }
}
