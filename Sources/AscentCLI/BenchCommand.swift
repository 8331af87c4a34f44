/// `ascent bench <what>`: the benchmarks, each printing its figures next to a reference measured in
/// the same run (docs/performance.md records what they printed here).
struct BenchCommand: Subcommand {
    static let name = "bench"
    static let summary = "run a benchmark: log (both backends), stack (bets through every part)"
    static var help: String {
        """
        usage: ascent bench log [--database URL] [--records N] [--rate R] [--seconds S]
               ascent bench stack [options]     (see ascent bench stack --help)

        log    the PostgreSQL log (batched appends/s vs COPY of the same rows; append-to-delivery
               latency at a paced rate), then the Kafka log on librdkafka's mock cluster (appends/s and
               latency vs bare rd_kafka_produceva). The PostgreSQL part needs a migrated database.
        stack  sustained bets/s through wallet → authority → settlement → projection, with bet
               acceptance and cash-out decision latencies.
        """
    }

    let body: () async throws -> Int32

    init(arguments: inout Arguments) throws {
        guard let what = arguments.positional() else { throw UsageError("say what to measure: log or stack") }
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
        case "stack":
            let stack = try BenchStackCommand(arguments: &arguments)
            body = { try await stack.run() }
        default:
            throw UsageError("unknown benchmark '\(what)': use log or stack")
        }
    }

    func run() async throws -> Int32 { try await body() }
}
