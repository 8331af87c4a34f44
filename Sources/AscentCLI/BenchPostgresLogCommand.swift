import AscentPostgres
import Foundation

/// `ascent bench-pg-log`: measures the PostgreSQL log (throughput next to raw COPY, and latency).
struct BenchPostgresLogCommand: Subcommand {
    static let name = "bench-pg-log"
    static let summary = "measure the PostgreSQL log: batched appends/s vs COPY, delivery latency"
    static let help = """
        usage: ascent bench-pg-log [--database URL] [--records N] [--rate R] [--seconds S]

        Appends N records in batches (1000 per append, 4 in flight) and COPYs the same rows into a
        plain table for reference, then appends R one-record appends per second for S seconds while
        a reader waits with LISTEN/NOTIFY, and prints append-to-delivery latency percentiles.
        Needs a migrated database (ascent migrate); removes what it wrote.

          --database URL   libpq URL (default: $ASCENT_DATABASE_URL)
          --records N      records in the throughput run (default 200000)
          --rate R         appends per second in the latency run (default 5000)
          --seconds S      length of the latency run (default 5)
        """

    var options: PostgresLogBenchmark.Options

    init(arguments: inout Arguments) throws {
        guard let url = try arguments.option("--database") ?? ProcessInfo.processInfo.environment["ASCENT_DATABASE_URL"] else {
            throw UsageError("give --database URL or set ASCENT_DATABASE_URL")
        }
        options = PostgresLogBenchmark.Options(databaseURL: url)
        if let records = try arguments.integer("--records", in: 1_000...50_000_000) { options.records = Int(records) }
        if let rate = try arguments.integer("--rate", in: 1...100_000) { options.pacedRate = Int(rate) }
        if let seconds = try arguments.integer("--seconds", in: 1...600) { options.pacedSeconds = Int(seconds) }
    }

    func run() async throws -> Int32 {
        for row in try await PostgresLogBenchmark.run(options) { print(row) }
        return 0
    }
}
