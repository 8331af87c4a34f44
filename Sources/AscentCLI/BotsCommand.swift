import AscentCore
import AscentEdge
import AscentServices
import Foundation
import Synchronization

/// `ascent bots`: simulated players over WebSocket, speaking the player protocol like the page:
/// hello with a token, bets when a round opens (half with an auto cash-out), manual cash-outs when
/// the ticks pass their target, results and balances read back.
struct BotsCommand: Subcommand {
    static let name = "bots"
    static let summary = "simulated players over WebSocket (the player protocol), with varied strategies"
    static var help: String {
        """
        usage: ascent bots --players N [--port P] [--seconds S] [--funds MINOR] [--seed S] [log options]

        Funds N players (deposits through the log, idempotent per player), mints their tokens with the
        edge's secret, and connects each to the edge on 127.0.0.1:P (default 8080) as its own thread.
        Strategies: cautious (1.10x–1.59x), balanced (1.50x–2.99x), bold (3x–20x); half use an auto
        cash-out, half cash out by hand when the ticks pass their target. Runs S seconds (default
        60) and prints what they did. For thousands of connections use bench/edge.sh's C load client.
        \(StackOptions.help)
        """
    }

    struct Tally {
        var connected = 0, bets = 0, accepted = 0, won = 0, lost = 0, refused = 0, cashOutsSent = 0, failures = 0
    }

    let options: StackOptions
    let players: Int
    let port: Int
    let seconds: Int
    let funds: Int64
    let seed: UInt64

    init(arguments: inout Arguments) throws {
        options = try StackOptions(arguments: &arguments)
        guard let players = try arguments.integer("--players", in: 1...2_000) else { throw UsageError("--players N is required (1 to 2000)") }
        self.players = Int(players)
        port = Int(try arguments.integer("--port", in: 1...65_535) ?? 8_080)
        seconds = Int(try arguments.integer("--seconds", in: 1...86_400) ?? 60)
        funds = try arguments.integer("--funds", in: 1...Int64.max / 1_000) ?? 1_000_000
        seed = UInt64(try arguments.integer("--seed", in: 0...Int64.max) ?? 11)
    }

    func run() async throws -> Int32 {
        let log = try options.makeLog()
        try await options.topics.create(on: log, partitions: options.partitions)
        let names = (0..<players).map { PlayerID("wsbot-\($0)") }
        _ = try await log.append(names.map {
            Records.make(WalletCommand(id: "wsbot-funding:\($0)", player: $0,
                                       action: .deposit(Money(minorUnits: funds, currency: options.table.currency), reference: "bot funding"),
                                       at: SystemClock().now()), topics: options.topics)
        })
        try await log.shutdown()
        let secret = try TokenCommand.secret(dataDirectory: options.dataDirectory)
        let expiry = Int64(Date().timeIntervalSince1970) + Int64(seconds) + 3_600
        let tally = TallyBox()
        let deadline = Date().addingTimeInterval(TimeInterval(seconds))
        Self.launch(names, port: port, table: options.table, secret: secret, expiry: expiry, seed: seed, until: deadline, tally: tally)
        while Date() < deadline.addingTimeInterval(3) { try await Task.sleep(for: .milliseconds(200)) }
        let result = tally.value.withLock { $0 }
        print("bots: \(result.connected)/\(players) connected · bets \(result.bets) sent, \(result.accepted) accepted · "
              + "won \(result.won), lost \(result.lost), refused \(result.refused) · manual cash-outs sent \(result.cashOutsSent) · failures \(result.failures)")
        return result.connected == players ? 0 : 1
    }

    /// Starts one thread per player, each playing until `deadline`.
    static func launch(_ players: [PlayerID], port: Int, table: TableConfig, secret: [UInt8], expiry: Int64, seed: UInt64,
                       until deadline: Date, tally: TallyBox) {
        for (index, player) in players.enumerated() {
            let token = PlayerToken(player: player, expiresAt: expiry).signed(secret: secret)
            let botSeed = seed &+ UInt64(index) &* 0x9E37_79B9
            let thread = Thread { BotsCommand.play(port: port, token: token, table: table, seed: botSeed, until: deadline, tally: tally) }
            thread.stackSize = 256 << 10
            thread.start()
        }
    }

    final class TallyBox: Sendable {
        let value = Mutex(Tally())
    }

    /// One bot's life, on its own thread: connect, hello, play rounds until `deadline`.
    static func play(port: Int, token: String, table: TableConfig, seed: UInt64, until deadline: Date, tally: TallyBox) {
        var rng = SplitMix64(seed: seed)
        // The edge may still be starting: a few attempts, half a second apart.
        var connected: WebSocketClient?
        for attempt in 0..<20 where connected == nil && Date() < deadline {
            if attempt > 0 { usleep(500_000) }
            if let client = try? WebSocketClient(port: port, timeoutSeconds: 1), (try? client.handshake(path: "/ws").status) == 101,
               (try? client.sendText(#"{"type":"hello","token":"\#(token)","table":"\#(table.table.rawValue)"}"#)) != nil {
                connected = client
            }
        }
        guard let client = connected else {
            tally.value.withLock { $0.failures += 1 }
            return
        }
        tally.value.withLock { $0.connected += 1 }
        var manual: (bet: String, target: Int64)?
        var betCount = 0
        while Date() < deadline {
            guard let frame = try? client.readFrame() else { continue }   // a receive timeout: look at the clock
            guard frame.opcode == 1, let value = try? JSONValue.parse(frame.payload) else {
                if frame.opcode == 8 { tally.value.withLock { $0.failures += 1 }; return }
                continue
            }
            if case .string("k")? = value["t"], case .integer(let multiplier)? = value["m"], let pending = manual, multiplier >= pending.target {
                manual = nil
                try? client.sendText(#"{"type":"cashOut","requestId":"c\#(betCount)","betId":"\#(pending.bet)"}"#)
                tally.value.withLock { $0.cashOutsSent += 1 }
                continue
            }
            guard case .string(let type)? = value["type"] else { continue }
            switch type {
            case "roundOpened":
                guard rng.next() % 4 != 0, case .integer(let round)? = value["round"] else { continue }
                betCount += 1
                let stakes: [Int64] = [10, 20, 50, 100, 200, 500].filter { $0 >= table.minimumStakeMinorUnits && $0 <= table.maximumStakeMinorUnits }
                let stake = stakes.isEmpty ? table.minimumStakeMinorUnits : stakes[Int(rng.next() % UInt64(stakes.count))]
                let target: Int64 = switch rng.next() % 3 {
                case 0: 110 + Int64(rng.next() % 50)
                case 1: 150 + Int64(rng.next() % 150)
                default: 300 + Int64(rng.next() % 1_700)
                }
                let bet = "r\(round)-\(rng.next() % 1_000_000_000)"
                let auto = rng.next() % 2 == 0
                manual = auto ? nil : (bet, target)
                let autoField = auto ? #","autoCashOutHundredths":\#(target)"# : ""
                try? client.sendText(#"{"type":"placeBet","requestId":"b\#(betCount)","betId":"\#(bet)","amountMinor":\#(stake)\#(autoField)}"#)
                tally.value.withLock { $0.bets += 1 }
            case "betAccepted":
                tally.value.withLock { $0.accepted += 1 }
            case "result":
                if case .string(let outcome)? = value["outcome"] {
                    tally.value.withLock { outcome == "won" ? ($0.won += 1) : outcome == "lost" ? ($0.lost += 1) : ($0.refused += 1) }
                }
            case "crashed", "roundVoided":
                manual = nil
            default:
                break
            }
        }
        try? client.sendClose(1000)
        client.closeSocket()
    }
}
