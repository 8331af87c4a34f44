#if canImport(Glibc)
import Glibc
#endif
import AscentCore
import AscentFairness
import AscentLog
import AscentServices
import Foundation
import Testing

/// Each part runs as its own `ascent` process and is killed with SIGKILL at random points during
/// rounds (before and after its writes and commits), then restarted. Afterwards nothing is lost,
/// nothing is paid twice, and money is conserved.
@Suite(.serialized) struct CrashRecoveryTests {
    static let executable: String = {
        var root = #filePath
        for _ in 0..<3 { root = String(root[..<root.lastIndex(of: "/")!]) }
        let ownPath = Bundle.main.executablePath ?? CommandLine.arguments[0]
        let candidates = ownPath.contains("/release/") ? ["\(root)/.build/release/ascent", "\(root)/.build/debug/ascent"]
            : ["\(root)/.build/debug/ascent", "\(root)/.build/release/ascent"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }()

    /// A part as a child process, restartable.
    final class Part {
        let name: String
        let arguments: [String]
        var process: Process?
        var kills = 0
        init(name: String, arguments: [String]) { self.name = name; self.arguments = arguments }

        func start() throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CrashRecoveryTests.executable)
            process.arguments = [name] + arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
            process.environment = ProcessInfo.processInfo.environment.merging(["ASCENT_LOG_LEVEL": "error"]) { $1 }
            try process.run()
            self.process = process
        }

        func kill() {
            guard let process, process.isRunning else { return }
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            kills += 1
        }

        func stop() {
            guard let process, process.isRunning else { return }
            process.terminate()
            process.waitUntilExit()
        }
    }

    @Test func killingAnyPartAtAnyInstantLosesNothingAndPaysNothingTwice() async throws {
        guard let stack = try await StackHarness.make("chaos") else { return }
        let seed: UInt64 = UInt64(ProcessInfo.processInfo.environment["ASCENT_CHAOS_SEED"] ?? "") ?? 20261203
        var rng = SplitMix64(seed: seed)
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("ascent-chaos-\(stack.schema)").path
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        try Data(stack.chain.encoded()).write(to: URL(fileURLWithPath: "\(dataDirectory)/t1.chain"))
        let common = ["--database", stack.url, "--table", "t1", "--betting-ms", "2500", "--tick-ms", "40", "--curve-rate", "0.0006",
                      "--intermission-ms", "300", "--max-stake", "5000", "--max-win", "1000000", "--partitions", "4",
                      "--data-dir", dataDirectory, "--salt", stack.salt, "--migrations", StackHarness.migrationsDirectory]
        let parts = ["wallet", "authority", "settlement", "projector"].map { Part(name: $0, arguments: common) }
        for part in parts { try part.start() }
        defer { for part in parts { part.stop() } }

        // Players bet through the log while the parts are killed and restarted.
        nonisolated(unsafe) let bots = BotPlayers(log: stack.log, topics: stack.topics, table: stack.table, count: 12, seed: seed)
        try await bots.fund(minorUnits: 100_000)
        let playing = Task { try await bots.run() }
        let chaosEnd = Date().addingTimeInterval(25)
        var killsBy: [String: Int] = [:]
        while Date() < chaosEnd {
            try await Task.sleep(for: .milliseconds(Int(300 + rng.next() % 1_700)))
            let part = parts[Int(rng.next() % UInt64(parts.count))]
            part.kill()
            killsBy[part.name, default: 0] += 1
            if rng.next() % 3 == 0 { try await Task.sleep(for: .milliseconds(Int(rng.next() % 800))) }
            try part.start()
        }
        playing.cancel()
        _ = try? await playing.value
        #expect(killsBy.values.reduce(0, +) >= 10, "seed \(seed): the chaos should kill parts often")

        // Quiescence: every round that has begun finishes, and settlement, wallet and projector catch up.
        let open = try await stack.eventually("seed \(seed): the last round to finish", seconds: 60,
            "select count(*)::text from rounds where phase not in ('settled', 'voided')", { $0.first?.first == "0" })
        #expect(open.first?.first == "0")
        _ = try await stack.eventually("seed \(seed): every stake released or settled", seconds: 60,
            "select coalesce(sum(reserved_minor), 0)::text from balances", { $0.first?.first == "0" })

        // Read the whole log back and check the rules from the events themselves.
        var bets: [String: Int] = [:]          // accepted bets, by reference
        var settlements: [String: Int] = [:]   // wallet settlements/releases, by reference
        var deposits: Int64 = 0
        var walletTotals: [String: Int64] = [:]
        for topic in [stack.topics.roundEvents, stack.topics.walletEvents] {
            for partition in 0..<Int32(4) {
                try await stack.log.readToEnd(TopicPartition(topic: topic, partition: partition)) { records in
                    for record in records {
                        if topic == stack.topics.roundEvents {
                            let (table, events) = try RoundEvent.decodeRecord(json: record.value)
                            for case .betPlaced(let round, let id, _, _, _, _) in events { bets["\(table)/\(round)/\(id)", default: 0] += 1 }
                        } else {
                            for event in try WalletEvent.decodeRecord(json: record.value) {
                                switch event {
                                case .deposited(_, let player, let amount, _, _):
                                    deposits += amount.minorUnits
                                    walletTotals[player.rawValue, default: 0] += amount.minorUnits
                                case .betSettled(_, let player, let bet, let stake, let payout, _):
                                    settlements[bet.description, default: 0] += 1
                                    walletTotals[player.rawValue, default: 0] += payout.minorUnits - stake.minorUnits
                                case .stakeReleased(_, _, let bet, _, _, _):
                                    settlements[bet.description, default: 0] += 1
                                default: break
                                }
                            }
                        }
                    }
                }
            }
        }
        #expect(deposits == 12 * 100_000, "seed \(seed): each bot funded exactly once")
        #expect(bets.values.allSatisfy { $0 == 1 }, "seed \(seed): a bet accepted twice: \(bets.filter { $0.value > 1 })")
        #expect(settlements.values.allSatisfy { $0 == 1 }, "seed \(seed): a bet settled twice: \(settlements.filter { $0.value > 1 })")
        let unsettled = bets.keys.filter { settlements[$0] == nil }
        #expect(unsettled.isEmpty, "seed \(seed): accepted bets never settled: \(unsettled.prefix(5))")
        #expect(!bets.isEmpty, "seed \(seed): the bots placed no bet")

        // The projections agree with the log to the minor unit, and money is conserved.
        _ = try await stack.eventually("seed \(seed): projector caught up", seconds: 60,
            "select coalesce(sum(available_minor + reserved_minor), 0)::text from balances",
            { $0.first?.first == String(walletTotals.values.reduce(0, +)) })
        let balances = try await stack.rows("select player_id, (available_minor + reserved_minor)::text from balances")
        for row in balances { #expect(Int64(row[1]!) == walletTotals[row[0]!], "seed \(seed): \(row[0]!)'s balance") }
        let conservation = try await stack.rows("select net_deposits_minor::text, player_money_minor::text, house_result_minor::text, imbalance_minor::text from money_conservation")
        #expect(conservation.first?[3] == "0", "seed \(seed): ledger imbalance")
        if let row = conservation.first, let net = Int64(row[0]!), let players = Int64(row[1]!), let house = Int64(row[2]!) {
            #expect(players + house == net && net == deposits, "seed \(seed): balances + house result = deposits − withdrawals")
        }
        for part in parts { part.stop() }
        try await stack.log.shutdown()
        try await stack.drop()
    }
}
