import AscentAudit
import AscentCore
import AscentFairness
import AscentLog
import AscentPostgres
import AscentServices

/// `ascent bench audit`: how fast the audit runs over a busy day's log, next to the rate at which
/// the same records are merely decoded, in the same run.
struct BenchAuditCommand: Subcommand {
    static let name = "bench-audit"
    static let summary = "benchmarks: `bench audit` measures audit throughput against the raw decode rate"
    static var help: String {
        """
        usage: ascent bench audit [--events N] [--players P] [--seed S] [--log URL]

        Generates a busy day's log in memory with the real deciders (SyntheticLog: one table, P
        players, ticks every 100 ms, cash-outs, cancellations, late bets, voided rounds, deposits and
        withdrawals) of at least N records (default 1000000), then measures, on the same records:
          read+decode  every value decoded to its event (RoundEvent / WalletEvent), nothing else
          audit        the full audit (decode, rebuild, every check, wallet matching, the report)
        and prints records per second for each and their ratio. The audit must find the log clean.

          --events N    records to generate, 1000 to 20000000 (default 1000000)
          --players P   players at the table, 1 to 5000 (default 200)
          --seed S      seed of the players' choices (default 1)
          --log URL     also append the log to fresh topics of this PostgreSQL log (migrated) and
                        measure reading it back (poll + decode) against `ascent audit`'s reading
                        path over the same topics; the records stay there (topics bench_audit_*)
        """
    }

    let events: Int
    let players: Int
    let seed: UInt64
    let logURL: String?

    init(arguments: inout Arguments) throws {
        logURL = try arguments.option("--log")
        // Reached through `ascent bench audit`, which has already read the word "audit".
        events = Int(try arguments.integer("--events", in: 1_000...20_000_000) ?? 1_000_000)
        players = Int(try arguments.integer("--players", in: 1...5_000) ?? 200)
        seed = UInt64(try arguments.integer("--seed", in: 0...Int64.max) ?? 1)
    }

    /// The generated log, packed: one buffer of values and a small row per record.
    struct PackedLog {
        var values: [UInt8] = []
        var isRound: [Bool] = []
        var partitions: [Int32] = []
        var offsets: [Int64] = []
        var ends: [Int] = []
        var count: Int { ends.count }
    }

    func run() async throws -> Int32 {
        let eur = Currency(code: "EUR")!
        let table = TableConfig(table: "main", currency: eur, maximumStakeMinorUnits: 10_000, maximumWinMinorUnits: 1_000_000)
        let salt = "ascent-bench-salt"
        var parameters = SyntheticLog.Parameters(table: table, salt: salt, terminalSeed: Bytes32(Array(repeating: 0x42, count: 32))!,
                                                 rounds: max(20, events / 100), players: players, seed: seed,
                                                 walletPartitions: 8, voidEvery: 50)
        // The chain is far longer than needed (a round of 200 players is ~800 records); play stops at N.
        parameters.stopAfterRecords = events
        var log = PackedLog()
        log.values.reserveCapacity(events * 200)
        let generationStart = ContinuousClock.now
        let roundTopic = parameters.roundTopic
        SyntheticLog.generate(parameters) { line in
            log.values += line.value
            log.isRound.append(line.topic == roundTopic)
            log.partitions.append(line.partition)
            log.offsets.append(line.offset)
            log.ends.append(log.values.count)
        }
        let generation = ContinuousClock.now - generationStart
        print("generated \(log.count) records (\(log.values.count / 1_048_576) MB of JSON) in \(Self.seconds(generation)) s")

        // Each pass runs three times, alternating, and the best of each counts: the machine is
        // shared, and alternating keeps a burst of someone else's load from favouring one side.
        var decodeTime = Duration.seconds(1_000_000), auditTime = Duration.seconds(1_000_000)
        var report: AuditReport?
        for _ in 0..<3 {
            let (decoded, decodeElapsed) = Self.decodeAll(log)
            guard decoded == log.count else {
                printError("ascent bench audit: \(log.count - decoded) generated records did not decode")
                return 1
            }
            decodeTime = min(decodeTime, decodeElapsed)
            let (audited, auditElapsed) = Self.auditAll(log, table: table, salt: salt, parameters: parameters)
            auditTime = min(auditTime, auditElapsed)
            report = audited
        }
        let summary = report!.summary
        let decodeRate = Double(log.count) / Self.seconds(decodeTime)
        let auditRate = Double(log.count) / Self.seconds(auditTime)
        print("read+decode  \(Int(decodeRate)) records/s (\(Self.format(Self.seconds(decodeTime))) s)")
        print("audit        \(Int(auditRate)) records/s (\(Self.format(Self.seconds(auditTime))) s) = \(Int(auditRate / decodeRate * 100))% of the decode rate")
        print("audited \(summary.rounds) rounds, \(summary.bets) bets, \(summary.findings) mismatches (best of 3 alternating passes each)")
        if let logURL, summary.isClean {
            return try await benchPostgres(log, url: logURL, table: table, salt: salt, parameters: parameters)
        }
        if !summary.isClean {
            for finding in report!.findings.prefix(10) { printError("  \(finding)") }
            return 1
        }
        return 0
    }

    /// Read + decode: every value to its event, the floor any audit pays.
    static func decodeAll(_ log: PackedLog) -> (decoded: Int, elapsed: Duration) {
        var decoded = 0
        let start = ContinuousClock.now
        log.values.withUnsafeBufferPointer { buffer in
            var from = 0
            for index in 0..<log.count {
                let value = UnsafeBufferPointer(rebasing: buffer[from..<log.ends[index]])
                from = log.ends[index]
                if log.isRound[index] {
                    if (try? RoundEvent.decodeRecord(json: Array(value))) != nil { decoded += 1 }
                } else if (try? WalletEvent.decodeRecord(json: Array(value))) != nil {
                    decoded += 1
                }
            }
        }
        return (decoded, ContinuousClock.now - start)
    }

    /// The full audit over the same records, report included.
    static func auditAll(_ log: PackedLog, table: TableConfig, salt: String, parameters: SyntheticLog.Parameters) -> (AuditReport, Duration) {
        let configuration = AuditConfiguration(roundTopic: parameters.roundTopic, walletTopic: parameters.walletTopic,
                                               defaultRules: AuditRules(config: table, salt: salt))
        var auditor = Auditor(configuration: configuration)
        let start = ContinuousClock.now
        log.values.withUnsafeBufferPointer { buffer in
            var from = 0
            for index in 0..<log.count {
                let value = UnsafeBufferPointer(rebasing: buffer[from..<log.ends[index]])
                from = log.ends[index]
                auditor.consume(topic: log.isRound[index] ? parameters.roundTopic : parameters.walletTopic,
                                partition: log.partitions[index], offset: log.offsets[index], value: value)
            }
        }
        let report = auditor.finish()
        return (report, ContinuousClock.now - start)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func format(_ value: Double) -> String {
        String(Double(Int(value * 100)) / 100)
    }

    /// The same records on the PostgreSQL log: appended, read back (poll + decode), and audited
    /// through `ascent audit`'s reading path, best of two alternating passes each.
    func benchPostgres(_ packed: PackedLog, url: String, table: TableConfig, salt: String, parameters: SyntheticLog.Parameters) async throws -> Int32 {
        let log = PostgresEventLog(databaseURL: url)
        let topics = LogTopics(prefix: "bench_audit_\(UInt32.random(in: 0...UInt32.max)).")
        try await log.createTopic(topics.roundEvents, partitions: 1, retention: .forever)
        try await log.createTopic(topics.walletEvents, partitions: parameters.walletPartitions, retention: .forever)
        let appendStart = ContinuousClock.now
        var batch: [OutgoingRecord] = []
        var from = 0
        for index in 0..<packed.count {
            let value = Array(packed.values[from..<packed.ends[index]])
            from = packed.ends[index]
            batch.append(OutgoingRecord(topic: packed.isRound[index] ? topics.roundEvents : topics.walletEvents, key: [],
                                        value: value, partition: packed.partitions[index]))
            if batch.count == 5_000 || index == packed.count - 1 {
                _ = try await log.append(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        let appendTime = ContinuousClock.now - appendStart
        print("postgres     appended \(packed.count) records to \(topics.roundEvents) and \(topics.walletEvents) in \(Self.format(Self.seconds(appendTime))) s")
        var partitions = [TopicPartition(topic: topics.roundEvents, partition: 0)]
        partitions += (0..<parameters.walletPartitions).map { TopicPartition(topic: topics.walletEvents, partition: $0) }
        var readTime = Duration.seconds(1_000_000), auditTime = Duration.seconds(1_000_000)
        var findings = 0
        for _ in 0..<2 {
            let readStart = ContinuousClock.now
            var decoded = 0
            for partition in partitions {
                try await log.readToEnd(partition, batchSize: 5_000) { records in
                    for record in records {
                        if partition.topic == topics.roundEvents {
                            if (try? RoundEvent.decodeRecord(json: record.value)) != nil { decoded += 1 }
                        } else if (try? WalletEvent.decodeRecord(json: record.value)) != nil {
                            decoded += 1
                        }
                    }
                }
            }
            readTime = min(readTime, ContinuousClock.now - readStart)
            guard decoded == packed.count else {
                printError("ascent bench audit: read back \(decoded) of \(packed.count) records")
                return 1
            }
            var auditor = Auditor(configuration: AuditConfiguration(roundTopic: topics.roundEvents, walletTopic: topics.walletEvents,
                                                                    defaultRules: AuditRules(config: table, salt: salt)))
            let auditStart = ContinuousClock.now
            try await AuditReading.readLog(log, topics: topics, onlyTable: nil, into: &auditor, showProgress: false)
            findings = auditor.finish().summary.findings
            auditTime = min(auditTime, ContinuousClock.now - auditStart)
        }
        try await log.shutdown()
        let readRate = Double(packed.count) / Self.seconds(readTime)
        let auditRate = Double(packed.count) / Self.seconds(auditTime)
        print("postgres     read+decode \(Int(readRate)) records/s (\(Self.format(Self.seconds(readTime))) s)")
        print("postgres     audit       \(Int(auditRate)) records/s (\(Self.format(Self.seconds(auditTime))) s) = \(Int(auditRate / readRate * 100))% of the read rate; \(findings) mismatches")
        return findings == 0 ? 0 : 1
    }
}
