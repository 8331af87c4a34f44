import AscentRuntime
import Glibc
import Testing

/// Costs of the hot paths, printed per operation. Run with ASCENT_BENCH=1 in release mode; the
/// bounds are generous (a shared 2-core machine is noisy) and catch only gross regressions such
/// as a lock or an allocation creeping into an increment.
@Suite(.enabled(if: getenv("ASCENT_BENCH") != nil, "set ASCENT_BENCH=1 to run the benchmarks"))
struct RuntimeBenchmarks {
    private func nanosecondsPerOperation(_ operations: Int, _ body: () -> Void) -> Double {
        let clock = ContinuousClock()
        let elapsed = clock.measure(body)
        let (seconds, attoseconds) = elapsed.components
        return (Double(seconds) * 1e9 + Double(attoseconds) / 1e9) / Double(operations)
    }

    @Test func hotPathCosts() throws {
        let registry = MetricsRegistry()
        let counter = registry.counter("bench_total", help: "x", labels: ["table": "main"])
        let histogram = registry.histogram("bench_seconds", help: "x")
        let gauge = registry.gauge("bench_gauge", help: "x")
        let n = 5_000_000
        let increment = nanosecondsPerOperation(n) { for _ in 0..<n { counter.increment() } }
        let observe = nanosecondsPerOperation(n) { for i in 0..<n { histogram.observe(nanoseconds: UInt64(i & 0xFFFFF) * 1000) } }
        let add = nanosecondsPerOperation(n) { for _ in 0..<n { gauge.add(1) } }
        let devNull = open("/dev/null", O_WRONLY)
        defer { close(devNull) }
        let quiet = JSONLogger(component: "bench", minimumLevel: .warning, fileDescriptor: devNull)
        let filtered = nanosecondsPerOperation(n) { for i in 0..<n { quiet.debug("tick", ["i": .int(i)]) } }
        let lines = 200_000
        let loud = JSONLogger(component: "bench", minimumLevel: .debug, fileDescriptor: devNull)
        let written = nanosecondsPerOperation(lines) {
            for i in 0..<lines { loud.info("round crashed", ["table": "main", "round": .int(i), "multiplier": 2.37]) }
        }
        for table in 0..<100 {
            registry.counter("bench_bets_total", help: "x", labels: ["table": "t\(table)"]).increment(by: table)
        }
        let renders = 2000
        let render = nanosecondsPerOperation(renders) { for _ in 0..<renders { _ = registry.render() } }
        print("""
            counter.increment \(increment) ns, histogram.observe \(observe) ns, gauge.add \(add) ns,
            filtered log call \(filtered) ns, written log line \(written) ns,
            render of \(registry.render().utf8.count) bytes (117 series) \(render / 1000) µs
            """)
        #expect(increment < 200 && observe < 500 && add < 500 && filtered < 200)
    }

    @Test func metricsRequestsPerSecond() throws {
        let registry = MetricsRegistry()
        for table in 0..<50 {
            registry.counter("bench_bets_total", help: "x", labels: ["table": "t\(table)"]).increment()
        }
        let ops = try OpsServer(host: "127.0.0.1", port: 0, registry: registry,
                                logger: JSONLogger(component: "bench", minimumLevel: .error), shutdown: ShutdownSignal()) { .ready }
        defer { ops.stop() }
        let client = try TestHTTPClient(port: ops.port)
        let requests = 5000
        let perRequest = nanosecondsPerOperation(requests) {
            for _ in 0..<requests {
                try? client.send("GET /metrics HTTP/1.1\r\n\r\n")
                _ = try? client.readResponse()
            }
        }
        print("GET /metrics keep-alive, one client: \(Int(1e9 / perRequest)) requests/s (\(perRequest / 1000) µs each)")
        #expect(perRequest < 5_000_000)
    }
}
