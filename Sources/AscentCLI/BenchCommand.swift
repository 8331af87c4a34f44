/// `ascent bench <what>`: the benchmarks, each printing its figures next to a reference measured in
/// the same run (docs/performance.md records what they printed here).
struct BenchCommand: Subcommand {
    static let name = "bench"
    static let summary = "run a benchmark: log (both backends), stack (bets through every part), burst, audit"
    static var help: String {
        """
        usage: ascent bench log [--database URL] [--records N] [--rate R] [--seconds S]
               ascent bench stack [--rate R] [--rounds K] [--players N] [--betting-ms MS] [--database URL]
               ascent bench burst [--bets N] [--repeat K]
               ascent bench audit [--events N] [--players P] [--seed S] [--log URL]

        log    the PostgreSQL log (batched appends/s vs COPY of the same rows; append-to-delivery
               latency at a paced rate), then the Kafka log on librdkafka's mock cluster (appends/s and
               latency vs bare rd_kafka_produceva). The PostgreSQL part needs a migrated database.
        stack  bets/s through wallet → authority → settlement → projection, with bet acceptance,
               cash-out decision and payout latencies, next to the bare log at the same rate.
        burst  one instant's thousands of auto cash-outs through the round decider and the log codec
               (decide, apply, encode, decode), next to one look-up per cash-out.
        audit  audit throughput over a generated busy day's log, next to the raw decode rate.
        """
    }

    let body: () async throws -> Int32

    init(arguments: inout Arguments) throws {
        guard let what = arguments.positional() else { throw UsageError("say what to measure: log, stack, burst or audit") }
        switch what {
        case "log":
            let postgres = try BenchPostgresLogCommand(arguments: &arguments)
            var none = Arguments([])
            let kafka = try BenchKafkaLogCommand(arguments: &none)
            body = {
                print("== PostgreSQL log")
                let first = try await postgres.run()
                print("")
                print("== Kafka log")
                let second = try await kafka.run()
                return max(first, second)
            }
        case "audit":
            let audit = try BenchAuditCommand(arguments: &arguments)
            body = { try await audit.run() }
        case "stack":
            let stack = try BenchStackCommand(arguments: &arguments)
            body = { try await stack.run() }
        case "burst":
            let burst = try BenchBurstCommand(arguments: &arguments)
            body = { try await burst.run() }
        default:
            throw UsageError("unknown benchmark '\(what)': use log, stack, burst or audit")
        }
    }

    func run() async throws -> Int32 { try await body() }
}
