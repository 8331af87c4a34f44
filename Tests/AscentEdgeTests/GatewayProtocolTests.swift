import AscentCore
import AscentEdge
import AscentGateway
import AscentLog
import AscentPostgres
import AscentServices
import AscentTestSupport
import Foundation
import Testing

/// The player protocol through a real gateway, server and PostgreSQL log: the test plays the round
/// authority by appending round events, and plays players over WebSocket.
@Suite(.serialized) struct GatewayProtocolTests {
    let secret = Array("test-secret".utf8)
    let eur = Currency(code: "EUR")!

    func frames(_ client: TestWebSocketClient, until predicate: (JSONValue) -> Bool) throws -> [JSONValue] {
        var seen: [JSONValue] = []
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            let frame = try client.readFrame()
            guard frame.opcode == 1, let value = try? JSONValue.parse(frame.payload) else { continue }
            seen.append(value)
            if predicate(value) { return seen }
        }
        Issue.record("no expected frame; saw \(seen)")
        return seen
    }

    func type(_ value: JSONValue) -> String? { if case .string(let t)? = value["type"] { t } else { nil } }

    @Test func playersAuthenticateBetAndSeeTheRound() async throws {
        guard let base = IntegrationDatabase.url() else { return }
        let schema = IntegrationDatabase.unique("gateway")
        _ = try await Migrator(databaseURL: base, files: try Migrator.loadFiles(directory: IntegrationDatabase.migrationsDirectory), schema: schema).migrate()
        let url = IntegrationDatabase.url(base, searchPath: schema)
        let log = PostgresEventLog(databaseURL: url)
        let topics = LogTopics()
        try await topics.create(on: log, partitions: 2)
        let table = TableConfig(table: "t1", currency: eur, bettingWindowMilliseconds: 60_000)
        let server = try WebSocketServer(host: "127.0.0.1", port: 0)
        nonisolated(unsafe) let gateway = Gateway(configuration: GatewayConfiguration(table: table, topics: topics, salt: "salt",
                                                                                       terminatingHash: String(repeating: "a", count: 64), tokenSecret: secret),
                                                  server: server, log: log)
        let running = Task { try await gateway.run() }
        defer { running.cancel() }
        let now = SystemClock().now()
        // Alice has money; a round is open.
        _ = try await log.append([
            Records.make(WalletEvent.deposited(commandID: "d1", player: "alice", amount: Money(minorUnits: 1_000, currency: eur), reference: "op", at: now),
                         topics: topics, partition: nil),
            Records.make(RoundEvent.roundOpened(round: 1, commitment: String(repeating: "b", count: 64), at: now, bettingClosesAt: now.advanced(byMilliseconds: 60_000)),
                         table: "t1", topics: topics),
        ])

        // Without a valid hello: an error and close 1008.
        let stranger = try TestWebSocketClient.open(port: server.port)
        try stranger.sendText(#"{"type":"placeBet","requestId":"r","betId":"b","amountMinor":10}"#)
        #expect(try frames(stranger) { type($0) == "error" }.last?["code"] == .string("unauthenticated"))
        #expect(try stranger.readCloseCode() == 1008)
        let forger = try TestWebSocketClient.open(port: server.port)
        let forged = PlayerToken(player: "alice", expiresAt: 4_000_000_000).signed(secret: Array("other".utf8))
        try forger.sendText(#"{"type":"hello","token":"\#(forged)","table":"t1"}"#)
        #expect(try frames(forger) { type($0) == "error" }.last?["code"] == .string("unauthenticated"))

        // Alice: welcome with her balance and the open round (once the gateway has read them: it
        // reads the log on its own task, so the test asks again until the snapshot shows both),
        // then a bet that becomes a reservation.
        let token = PlayerToken(player: "alice", expiresAt: 4_000_000_000).signed(secret: secret)
        var connected: (client: TestWebSocketClient, welcome: JSONValue)?
        let snapshotDeadline = Date().addingTimeInterval(20)
        while connected == nil && Date() < snapshotDeadline {
            let client = try TestWebSocketClient.open(port: server.port)
            try client.sendText(#"{"type":"hello","token":"\#(token)","table":"t1"}"#)
            let welcome = try frames(client) { type($0) == "welcome" }.last!
            if welcome["balance"]?["availableMinor"] == .integer(1_000) && welcome["round"]?["number"] == .integer(1) {
                connected = (client, welcome)
            } else {
                client.closeSocket()
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        guard let (alice, welcome) = connected else {
            Issue.record("the gateway never showed the deposit and the open round")
            return
        }
        #expect(welcome["round"]?["phase"] == .string("betting"))
        try alice.sendText(#"{"type":"placeBet","requestId":"r1","betId":"a1","amountMinor":5}"#)
        #expect(try frames(alice) { type($0) == "error" }.last?["code"] == .string("stakeBelowMinimum"))
        try alice.sendText(#"{"type":"placeBet","requestId":"r2","betId":"a2","amountMinor":5000}"#)
        #expect(try frames(alice) { type($0) == "error" }.last?["code"] == .string("insufficientFunds"))
        try alice.sendText(#"{"type":"placeBet","requestId":"r2b","betId":"a2b","amountMinor":100001}"#)
        #expect(try frames(alice) { type($0) == "error" }.last?["code"] == .string("stakeAboveMaximum"))
        try alice.sendText(#"{"type":"placeBet","requestId":"r2c","betId":"a2c","amountMinor":100,"autoCashOutHundredths":100}"#)
        #expect(try frames(alice) { type($0) == "error" }.last?["code"] == .string("autoCashOutOutOfRange"))
        try alice.sendText(#"{"type":"cashOut","requestId":"r2d","betId":"nope"}"#)
        #expect(try frames(alice) { type($0) == "error" }.last?["code"] == .string("unknownBet"))
        try alice.sendText(#"{"type":"placeBet","requestId":"r2e","betId":"bad id!","amountMinor":100}"#)
        #expect(try frames(alice) { type($0) == "error" }.last?["code"] == .string("malformedMessage"))
        try alice.sendText(#"{"type":"frobnicate"}"#)
        #expect(try frames(alice) { type($0) == "error" }.last?["code"] == .string("unknownType"))
        try alice.sendText("not json")
        #expect(try frames(alice) { type($0) == "error" }.last?["code"] == .string("malformedMessage"))
        try alice.sendText(#"{"type":"placeBet","requestId":"r3","betId":"a3","amountMinor":100,"autoCashOutHundredths":150}"#)
        var reservation: WalletCommand?
        let deadline = Date().addingTimeInterval(10)
        while reservation == nil && Date() < deadline {
            for partition in 0..<Int32(2) {
                try await log.readToEnd(TopicPartition(topic: topics.walletCommands, partition: partition)) { records in
                    for record in records { reservation = try WalletCommand.decode(json: record.value) }
                }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(reservation?.id == "reserve:t1/1/a3")
        #expect(reservation?.action == .reserveStake(BetReference(table: "t1", round: 1, betID: "a3"), Money(minorUnits: 100, currency: eur),
                                                     autoCashOut: Multiplier(hundredths: 150)))

        // The authority accepts it: everyone sees the bet with a masked name; alice gets betAccepted.
        let bob = try TestWebSocketClient.open(port: server.port)
        try bob.sendText(#"{"type":"hello","token":"\#(PlayerToken(player: "bob", expiresAt: 4_000_000_000).signed(secret: secret))","table":"t1"}"#)
        _ = try frames(bob) { type($0) == "welcome" }
        _ = try await log.append([Records.make(RoundEvent.betPlaced(round: 1, betID: "a3", player: "alice", stake: Money(minorUnits: 100, currency: eur),
                                                                    autoCashOut: Multiplier(hundredths: 150), at: now), table: "t1", topics: topics)])
        let accepted = try frames(alice) { type($0) == "betAccepted" }.last!
        #expect(accepted["requestId"] == .string("r3") && accepted["betId"] == .string("a3"))
        let seenByBob = try frames(bob) { type($0) == "betPlaced" }.last!
        #expect(seenByBob["player"] == .string("a***e"), "other players see a masked name, never the id")
        // Bob cannot cash out alice's bet.
        try bob.sendText(#"{"type":"cashOut","requestId":"x","betId":"a3"}"#)
        #expect(try frames(bob) { type($0) == "error" }.last?["code"] == .string("betOfAnotherPlayer"))

        // Alice reconnects with the same token: her bet is in the snapshot, a replayed bet id with
        // the same content answers betAccepted again, with other content it is refused.
        alice.closeSocket()
        let again = try TestWebSocketClient.open(port: server.port)
        try again.sendText(#"{"type":"hello","token":"\#(token)","table":"t1"}"#)
        let restored = try frames(again) { type($0) == "welcome" }.last!
        if case .array(let mine)? = restored["myBets"] {
            #expect(mine.count == 1 && mine.first?["betId"] == .string("a3") && mine.first?["status"] == .string("placed"))
        } else {
            Issue.record("welcome after reconnect has no myBets: \(restored)")
        }
        try again.sendText(#"{"type":"placeBet","requestId":"r5","betId":"a3","amountMinor":100,"autoCashOutHundredths":150}"#)
        #expect(try frames(again) { type($0) == "betAccepted" }.last?["requestId"] == .string("r5"))
        try again.sendText(#"{"type":"placeBet","requestId":"r6","betId":"a3","amountMinor":200}"#)
        #expect(try frames(again) { type($0) == "error" }.last?["code"] == .string("duplicateBetId"))

        // Flight: a compact tick to everyone; a cash-out sent after the reconnect becomes a round
        // command; its result goes to alice only.
        _ = try await log.append([Records.make(.bettingClosed(round: 1, at: now), table: "t1", topics: topics),
                                  Records.make(.tookOff(round: 1, at: now), table: "t1", topics: topics),
                                  Records.make(.ticked(round: 1, at: now.advanced(byMilliseconds: 100), multiplier: Multiplier(hundredths: 101)),
                                               table: "t1", topics: topics)])
        let tick = try frames(bob) { $0["t"] == .string("k") }.last!
        #expect(tick["m"] == .integer(101) && tick["r"] == .integer(1))
        try bob.sendText(#"{"type":"placeBet","requestId":"late","betId":"b9","amountMinor":100}"#)
        #expect(try frames(bob) { type($0) == "error" }.last?["code"] == .string("bettingClosed"))
        try again.sendText(#"{"type":"cashOut","requestId":"r4","betId":"a3"}"#)
        var cashOut: RoundCommand?
        let until = Date().addingTimeInterval(10)
        while cashOut == nil && Date() < until {
            for partition in 0..<Int32(2) {
                try await log.readToEnd(TopicPartition(topic: topics.roundCommands, partition: partition)) { records in
                    for record in records { cashOut = try RoundCommand.decode(json: record.value).command }
                }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        if case .cashOut(let bet, let player, _)? = cashOut { #expect(bet == "a3" && player == "alice") } else { Issue.record("no cash-out command: \(String(describing: cashOut))") }
        _ = try await log.append([Records.make(.cashedOut(round: 1, betID: "a3", player: "alice", stake: Money(minorUnits: 100, currency: eur),
                                                          multiplier: Multiplier(hundredths: 120), payout: Money(minorUnits: 120, currency: eur),
                                                          reason: .manual, at: now), table: "t1", topics: topics)])
        let result = try frames(again) { type($0) == "result" }.last!
        #expect(result["outcome"] == .string("won") && result["payoutMinor"] == .integer(120) && result["requestId"] == .string("r4"))
        // A flood from one connection is answered with rateLimited (burst 40, then 20/s).
        for index in 0..<60 { try bob.sendText(#"{"type":"ping","t":\#(index)}"#) }
        #expect(try frames(bob) { type($0) == "error" }.last?["code"] == .string("rateLimited"))
        running.cancel()
        _ = try? await running.value
        try await log.shutdown()
        _ = try PQConnection(url: base).execute("drop schema \(schema) cascade", operation: "drop test schema")
    }
}
