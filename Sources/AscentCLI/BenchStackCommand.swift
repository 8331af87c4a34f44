import AscentCore
import AscentCrypto
import AscentFairness
import AscentLog
import AscentPostgres
import AscentProjector
import AscentRuntime
import AscentServices
import Foundation
import Synchronization

/// `ascent bench stack`: bets through the whole embedded stack (wallet → authority → settlement →
/// projection) on the PostgreSQL log, paced at a target rate, with latency from a bet's reservation
/// command to its acceptance event and from a cash-out request to its decision. The reference, in
/// the same run, is the bare log: the same number of records appended at the same pace, timed from
/// append to delivery.
struct BenchStackCommand: Subcommand {
    static let name = "stack"
    static let summary = "bets/s and latencies through every part"
    static let help = """
        usage: ascent bench stack [--database URL] [--rate R] [--players N] [--rounds K] [--betting-ms MS]

        Runs the wallet, the authority, settlement and the projector in this process on a fresh
        schema of the database (dropped afterwards), funds N players, and for K rounds sends bets at
        R per second during betting (two per player at most); half of the bets cash out by hand at targets
        spread over 1.10x–1.99x (each request sent when the curve reaches its target, in 10 ms
        slices), the others auto at 1.50x. Prints bet acceptance (reservation → betPlaced), cash-out
        decision (request → cashedOut) and payout (cashedOut → betSettled) latencies, and the bare
        log's append → read at the same rate in the same run.

          --database URL   PostgreSQL (default: $ASCENT_DATABASE_URL)
          --rate R         bets per second to send (default 5000)
          --players N      players (default: enough for the rate and the betting window)
          --rounds K       rounds to bet on (default 3)
          --betting-ms MS  betting window (default 4000)
        """

    var databaseURL: String
    var rate: Int
    var players: Int?
    var rounds: Int
    var bettingMilliseconds: Int64

    init(arguments: inout Arguments) throws {
        guard let url = try arguments.option("--database") ?? ProcessInfo.processInfo.environment["ASCENT_DATABASE_URL"] else {
            throw UsageError("give --database URL or set ASCENT_DATABASE_URL")
        }
        databaseURL = url
        rate = Int(try arguments.integer("--rate", in: 10...100_000) ?? 5_000)
        players = try arguments.integer("--players", in: 1...1_000_000).map(Int.init)
        rounds = Int(try arguments.integer("--rounds", in: 1...100) ?? 3)
        bettingMilliseconds = try arguments.integer("--betting-ms", in: 1_000...60_000) ?? 4_000
    }

    func run() async throws -> Int32 {
        let schema = "bench_\(UInt32.random(in: 0...UInt32.max))"
        let migrator = try Migrator(databaseURL: databaseURL, files: try Migrator.loadFiles(directory: "migrations"), schema: schema)
        _ = try await migrator.migrate()
        let url = databaseURL + (databaseURL.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
        defer {
            if ProcessInfo.processInfo.environment["ASCENT_BENCH_KEEP"] == nil, let connection = try? PQConnection(url: databaseURL) {
                _ = try? connection.execute("drop schema \(schema) cascade", operation: "drop bench schema")
            }
        }
        let log = PostgresEventLog(databaseURL: url)
        let topics = LogTopics()
        try await topics.create(on: log, partitions: 8)
        let sendWindow = Double(bettingMilliseconds - 600) / 1_000
        let betsPerRound = Int(Double(rate) * sendWindow)
        let playerCount = players ?? max(1, (betsPerRound + 1) / 2)

        var table = TableConfig(table: "bench", currency: Currency(code: "EUR")!, minimumStakeMinorUnits: 10,
                                maximumStakeMinorUnits: 100_000, maximumWinMinorUnits: 100_000_000,
                                bettingWindowMilliseconds: bettingMilliseconds, tickIntervalMilliseconds: 100)
        table.curve = GrowthCurve(ratePerMillisecond: 0.0003)
        let chain = SeedChain.generate(terminalSeed: Bytes32(try OpenSSLRandom.bytes(count: 32))!, length: 1_000)
        // A salt whose first rounds crash between 2x and 10x, so every round has cash-outs and ends soon.
        var copy = chain
        var salt = ""
        for candidate in 0..<100_000 {
            let scheme = AscentCrashScheme(salt: "bench-\(candidate)", houseEdgeBasisPoints: table.houseEdgeBasisPoints)
            let crashes = (1...rounds + 2).map { scheme.crashPoint(seed: copy.seed(forRound: $0)) }
            if crashes.allSatisfy({ $0 >= Multiplier(hundredths: 200) && $0 <= Multiplier(hundredths: 1_000) }) {
                salt = "bench-\(candidate)"
                break
            }
        }
        guard !salt.isEmpty else { throw UsageError("no salt found with short rounds; try fewer --rounds") }

        let metrics = ServiceMetrics()
        // As `ascent up` runs them: a log client per part; settlement and the projector in the background.
        func partLog(_ part: String) -> PostgresEventLog {
            PostgresEventLog(configuration: .init(databaseURL: url, part: part, niceness: EmbeddedStack.niceness(of: part)))
        }
        nonisolated(unsafe) let parts = (
            RoundAuthority(configuration: AuthorityConfiguration(table: table, chain: chain, salt: salt, intermissionMilliseconds: 500,
                                                                 topics: topics), log: partLog("authority"), metrics: metrics),
            WalletService(log: partLog("wallet"), topics: topics, metrics: metrics),
            SettlementService(log: partLog("settlement"), topics: topics, metrics: metrics),
            Projector(log: partLog("projector"), databaseURL: url, topics: topics, metrics: metrics,
                      niceness: EmbeddedStack.niceness(of: "projector")))
        let executors = ["authority", "wallet", "settlement", "projector"].map { ThreadExecutor(name: $0, niceness: EmbeddedStack.niceness(of: $0)) }
        let services = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask(executorPreference: executors[0]) { try await parts.0.run() }
                group.addTask(executorPreference: executors[1]) { try await parts.1.run() }
                group.addTask(executorPreference: executors[2]) { try await parts.2.run() }
                group.addTask(executorPreference: executors[3]) { try await parts.3.run() }
                try await group.next()
            }
        }
        defer { services.cancel() }

        let eur = table.currency
        let playerIDs = (0..<playerCount).map { PlayerID("p\($0)") }
        for chunk in stride(from: 0, to: playerCount, by: 2_000) {
            let commands = playerIDs[chunk..<min(chunk + 2_000, playerCount)].map {
                Records.make(WalletCommand(id: "fund:\($0)", player: $0, action: .deposit(Money(minorUnits: 100_000_000, currency: eur),
                                                                                          reference: "bench"), at: Timestamp(milliseconds: 0)),
                             topics: topics)
            }
            _ = try await log.append(commands)
        }
        print("stack benchmark: \(playerCount) players, \(rate) bets/s for \(String(format: "%.1f", sendWindow)) s of each \(bettingMilliseconds) ms betting window, \(rounds) rounds")

        // Watch the round topic: when each bet was accepted and each cash-out decided.
        let partitions = try await log.partitionCount(of: topics.roundEvents)
        let partition = TopicPartition(topic: topics.roundEvents, partition: KafkaPartitioner.partition(forKey: Array("bench".utf8), partitionCount: partitions))
        let watcher = try await log.makeConsumer(.positions([partition: 0]))
        var sentBet: [BetID: UInt64] = [:], sentCashOut: [BetID: UInt64] = [:]
        var acceptance: [UInt64] = [], decision: [UInt64] = [], accepted = 0, rejected = 0
        // Cash-out latencies by the multiplier they were decided at, in bands of 0.10x: the auto
        // cash-outs at 1.50x and what settling them sets off show up in the bands above.
        var decisionByBand: [Int64: [UInt64]] = [:]
        // The decision's instant is in the event (`at`, the authority's clock in ms): a cash-out's
        // latency splits into request → decided and decided → readable in the log.
        var decidedAfter: [Int64: [UInt64]] = [:], visibleAfter: [Int64: [UInt64]] = [:]
        var sentCashOutWall: [BetID: Int64] = [:]
        nonisolated(unsafe) let cashOutWallStamps = Mutex<[BetID: Int64]>([:])
        var manual: [(BetID, PlayerID, Multiplier, Double)] = []
        var roundsDone = 0, currentRound: Int64 = 0
        var sender: Task<Void, Error>?
        nonisolated(unsafe) let stampBox = Mutex<[BetID: UInt64]>([:])
        nonisolated(unsafe) let cashOutStamps = Mutex<[BetID: UInt64]>([:])
        var cashOutSender: Task<Void, Error>?
        while roundsDone < rounds {
            let poll = try await watcher.poll(maxRecords: 10_000, timeoutMilliseconds: 200)
            let now = SystemClock.monotonicNanoseconds()
            sentBet.merge(stampBox.withLock { stamps in defer { stamps = [:] }; return stamps }) { $1 }
            sentCashOut.merge(cashOutStamps.withLock { stamps in defer { stamps = [:] }; return stamps }) { $1 }
            sentCashOutWall.merge(cashOutWallStamps.withLock { stamps in defer { stamps = [:] }; return stamps }) { $1 }
            let wallNow = SystemClock().now().milliseconds
            for record in poll.records {
                for event in try RoundEvent.decodeRecord(json: record.value).events {
                    switch event {
                    case .roundOpened(let round, _, _, _) where roundsDone < rounds:
                        currentRound = round
                        manual = []
                        let bets = (0..<betsPerRound).map { index in
                            (BetID("r\(round)-\(index)"), playerIDs[(index / 2) % playerCount], index % 2 == 0)
                        }
                        // Manual bets cash out at targets spread over 1.10x–1.99x, as players do: every
                        // hundredth gets the same share, and each player clicks somewhere within the
                        // hundredth (a fraction of the way to the next), so requests arrive spread over
                        // the flight rather than in one clump per hundredth.
                        manual = bets.filter(\.2).enumerated().map { index, bet in
                            (bet.0, bet.1, Multiplier(hundredths: 110 + Int64((index * 37) % 90)), Double((index * 53) % 100) / 100)
                        }
                        sender = Task { [rate] in
                            try await Self.pace(count: bets.count, rate: rate) { range in
                                let slice = bets[range]
                                let records = slice.map { bet in
                                    let reference = BetReference(table: "bench", round: round, betID: bet.0)
                                    return Records.make(WalletCommand(id: "reserve:\(reference)", player: bet.1,
                                                                      action: .reserveStake(reference, Money(minorUnits: 100, currency: eur),
                                                                                            autoCashOut: bet.2 ? nil : Multiplier(hundredths: 150)),
                                                                      at: Timestamp(milliseconds: 0)), topics: topics)
                                }
                                let sentAt = SystemClock.monotonicNanoseconds()
                                stampBox.withLock { stamps in for bet in slice { stamps[bet.0] = sentAt } }
                                _ = try await log.append(records)
                            }
                        }
                    case .betPlaced(_, let id, _, _, _, _):
                        accepted += 1
                        if let sent = sentBet[id] ?? stampBox.withLock({ $0[id] }) { acceptance.append(now &- sent) }
                    case .betRejected:
                        rejected += 1
                    case .tookOff(let round, let at) where round == currentRound:
                        // Each manual cash-out is requested when the curve reaches its target, as a player
                        // watching the plane clicks: requests arrive spread over the flight, sent in 10 ms
                        // slices like the bets (the authority decides at its own clock either way).
                        let curve = table.curve
                        let schedule = manual.map { bet, player, target, fraction in
                            let reached = curve.firstElapsedMilliseconds(reaching: target)
                            let next = curve.firstElapsedMilliseconds(reaching: Multiplier(hundredths: target.hundredths + 1))
                            return (due: at.advanced(byMilliseconds: reached + Int64(Double(next - reached) * fraction)), bet: bet, player: player)
                        }.sorted { $0.due < $1.due }
                        manual = []
                        cashOutSender = Task {
                            var next = 0
                            while next < schedule.count && !Task.isCancelled {
                                let now = SystemClock().now()
                                var end = next
                                while end < schedule.count && schedule[end].due <= now { end += 1 }
                                if end > next {
                                    let slice = schedule[next..<end]
                                    let sentAt = SystemClock.monotonicNanoseconds()
                                    let sentWall = SystemClock().now().milliseconds
                                    cashOutStamps.withLock { stamps in for entry in slice { stamps[entry.bet] = sentAt } }
                                    cashOutWallStamps.withLock { stamps in for entry in slice { stamps[entry.bet] = sentWall } }
                                    _ = try await log.append(slice.map {
                                        Records.make(RoundCommand.cashOut(betID: $0.bet, player: $0.player, at: Timestamp(milliseconds: 0)), table: "bench", topics: topics)
                                    })
                                    next = end
                                }
                                try await Task.sleep(for: .milliseconds(10))
                            }
                        }
                    case .crashed:
                        cashOutSender?.cancel()
                    case .cashedOut(_, let id, _, _, let multiplier, _, .manual, let at):
                        if let sent = sentCashOut[id] ?? cashOutStamps.withLock({ $0[id] }) {
                            decision.append(now &- sent)
                            decisionByBand[multiplier.hundredths / 10, default: []].append(now &- sent)
                        }
                        if let sentWall = sentCashOutWall[id] ?? cashOutWallStamps.withLock({ $0[id] }) {
                            let band = multiplier.hundredths / 10
                            decidedAfter[band, default: []].append(UInt64(max(0, at.milliseconds - sentWall)) * 1_000_000)
                            visibleAfter[band, default: []].append(UInt64(max(0, wallNow - at.milliseconds)) * 1_000_000)
                        }
                    case .roundSettled, .roundVoided:
                        if currentRound > 0 { roundsDone += 1 }
                    default:
                        break
                    }
                }
            }
        }
        try await sender?.value
        _ = try? await cashOutSender?.value
        try await watcher.close()
        // Throughput counts a bet once the projection shows it settled: every part has done its work.
        let lastAccepted = SystemClock.monotonicNanoseconds()
        let projected = try await Self.waitForProjection(url: url, bets: accepted)
        let drain = Double(projected &- min(projected, lastAccepted)) / 1e9
        let payouts = try await Self.payoutDelays(log: log, topics: topics)
        let reference = try await Self.referenceLatencies(log: log, count: min(accepted, rate * 3), rate: rate)
        services.cancel()
        _ = try? await services.value
        try await log.shutdown()

        func percentile(_ values: [UInt64], _ p: Double) -> String {
            guard !values.isEmpty else { return "n/a" }
            let sorted = values.sorted()
            return String(format: "%.1f", Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1e6)
        }
        print("bets sent \(betsPerRound * rounds), accepted \(accepted), refused (late or over limit) \(rejected)")
        let bettingSeconds = Double(rounds) * sendWindow
        print(String(format: "accepted while betting: %.0f bets/s of %d offered (accepted / %.1f s of sending); projection and settlement done %.2f s after the last round",
                     Double(accepted) / bettingSeconds, rate, bettingSeconds, drain))
        print("                                   p50 ms   p99 ms")
        print("bet: reservation → betPlaced       \(percentile(acceptance, 0.5).leftPadded(to: 6))   \(percentile(acceptance, 0.99).leftPadded(to: 6))")
        print("cash-out: request → cashedOut      \(percentile(decision, 0.5).leftPadded(to: 6))   \(percentile(decision, 0.99).leftPadded(to: 6))")
        print("payout: cashedOut → betSettled     \(percentile(payouts.delays, 0.5).leftPadded(to: 6))   \(percentile(payouts.delays, 0.99).leftPadded(to: 6))   (\(payouts.delays.count) of \(payouts.decided) cash-outs paid; authority's and wallet's clocks, ms)")
        print("reference: bare log append → read \(percentile(reference, 0.5).leftPadded(to: 6))   \(percentile(reference, 0.99).leftPadded(to: 6))   (same rate, same run)")
        print("cash-outs by multiplier at decision (half of the bets auto cash out at 1.50x):")
        for (band, values) in decisionByBand.sorted(by: { $0.key < $1.key }) {
            let label = String(format: "  %.2f–%.2fx  %6d cash-outs", Double(band) / 10, Double(band) / 10 + 0.09, values.count)
            let split = "decided p99 \(percentile(decidedAfter[band] ?? [], 0.99).leftPadded(to: 6)), then readable p99 \(percentile(visibleAfter[band] ?? [], 0.99).leftPadded(to: 6))"
            print("\(label)   p50 \(percentile(values, 0.5).leftPadded(to: 6)) ms   p99 \(percentile(values, 0.99).leftPadded(to: 6)) ms   (\(split))")
        }
        func mean(_ histogram: Histogram) -> String {
            histogram.count == 0 ? "n/a" : String(format: "%.1f", histogram.sumSeconds / Double(histogram.count) * 1_000)
        }
        print("where the time goes (means, ms): stakeReserved appended → authority decides \(mean(metrics.betAcceptance)), "
              + "cash-out appended → decided \(mean(metrics.cashOutDecision)), round-event append \(mean(metrics.appendLatency)), "
              + "projection batch \(mean(metrics.projectionBatch))")
        return 0
    }

    /// Calls `send` with consecutive ranges of `0..<count`, one every 10 ms, to hold `rate` per second.
    static func pace(count: Int, rate: Int, _ send: (Range<Int>) async throws -> Void) async throws {
        let perSlice = max(1, rate / 100)
        let start = SystemClock.monotonicNanoseconds()
        var next = 0
        var slice: UInt64 = 0
        while next < count {
            let due = start + slice * 10_000_000
            let now = SystemClock.monotonicNanoseconds()
            if due > now { try await Task.sleep(for: .nanoseconds(Int(due - now))) }
            let end = min(count, next + perSlice)
            try await send(next..<end)
            next = end
            slice += 1
        }
    }

    /// Waits until `bets` bets are settled in the projection; returns the monotonic time it saw it.
    static func waitForProjection(url: String, bets: Int) async throws -> UInt64 {
        let connection = try PQConnection(url: url)
        let deadline = SystemClock.monotonicNanoseconds() + 120_000_000_000
        while SystemClock.monotonicNanoseconds() < deadline {
            let result = try connection.execute("select count(*) from bets where status in ('cashed_out', 'lost')", operation: "bench")
            if (result.int64(0, 0) ?? 0) >= Int64(bets) { return SystemClock.monotonicNanoseconds() }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw UsageError("the projection did not catch up within two minutes")
    }

    /// From each cash-out's decision (its `at`: the authority's clock) to the wallet's crediting its
    /// payout (the `betSettled` event's `at`: the wallet's clock, the same machine's), read from the
    /// log after the run so the measuring adds no work during it. Millisecond resolution. The
    /// projection marks a bet cashed out from the round's event, so every decision is in the log by
    /// now, but the last payouts may still be on their way: the wallet's events are read on from
    /// where the last pass stopped until every decided cash-out is paid, for at most ten seconds;
    /// `decided` says how many there were.
    static func payoutDelays(log: PostgresEventLog, topics: LogTopics) async throws -> (delays: [UInt64], decided: Int) {
        var decided: [BetID: Int64] = [:]
        for partition in 0..<(try await log.partitionCount(of: topics.roundEvents)) {
            try await log.readToEnd(TopicPartition(topic: topics.roundEvents, partition: partition)) { records in
                for record in records {
                    for case .cashedOut(_, let id, _, _, _, _, _, let at) in try RoundEvent.decodeRecord(json: record.value).events {
                        decided[id] = at.milliseconds
                    }
                }
            }
        }
        let walletPartitions = (0..<(try await log.partitionCount(of: topics.walletEvents))).map {
            TopicPartition(topic: topics.walletEvents, partition: $0)
        }
        var next = Dictionary(uniqueKeysWithValues: walletPartitions.map { ($0, Int64(0)) })
        var paid: [BetID: Int64] = [:]
        let deadline = SystemClock.monotonicNanoseconds() + 10_000_000_000
        while true {
            for partition in walletPartitions {
                try await log.readToEnd(partition, from: next[partition]!) { records in
                    for record in records {
                        for case .betSettled(_, _, let bet, _, _, let at) in try WalletEvent.decodeRecord(json: record.value) {
                            paid[bet.betID] = at.milliseconds
                        }
                    }
                    next[partition] = records.last!.offset + 1
                }
            }
            let delays = decided.compactMap { id, at in paid[id].map { UInt64(max(0, $0 - at)) * 1_000_000 } }
            if delays.count == decided.count || SystemClock.monotonicNanoseconds() >= deadline {
                return (delays, decided.count)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Append-to-read latencies of the bare log at `rate`, on a topic of its own.
    static func referenceLatencies(log: PostgresEventLog, count: Int, rate: Int) async throws -> [UInt64] {
        let topic = "bench-reference"
        try await log.createTopic(topic, partitions: 8, retention: .forever)
        let consumer = try await log.makeConsumer(.positions(Dictionary(uniqueKeysWithValues: (0..<Int32(8)).map { (TopicPartition(topic: topic, partition: $0), Int64(0)) })))
        nonisolated(unsafe) let sent = Mutex<[Int: UInt64]>([:])
        let producer = Task {
            try await pace(count: count, rate: rate) { range in
                let records = range.map { OutgoingRecord(topic: topic, key: Array("k\($0)".utf8), value: Array(String($0).utf8)) }
                let now = SystemClock.monotonicNanoseconds()
                sent.withLock { for index in range { $0[index] = now } }
                _ = try await log.append(records)
            }
        }
        var latencies: [UInt64] = []
        let deadline = SystemClock.monotonicNanoseconds() + 60_000_000_000
        while latencies.count < count && SystemClock.monotonicNanoseconds() < deadline {
            let poll = try await consumer.poll(maxRecords: 10_000, timeoutMilliseconds: 200)
            let now = SystemClock.monotonicNanoseconds()
            for record in poll.records {
                if let index = Int(String(decoding: record.value, as: UTF8.self)), let at = sent.withLock({ $0[index] }) {
                    latencies.append(now &- at)
                }
            }
        }
        try await producer.value
        try await consumer.close()
        return latencies
    }
}
