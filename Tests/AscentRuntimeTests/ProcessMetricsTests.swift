import AscentRuntime
import Glibc
import Testing

@Suite struct ProcessMetricsTests {
    /// The value of the unlabelled sample `name` in exposition `text`.
    private func sample(_ name: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1))
        }
        return nil
    }

    @Test func reportsPlausibleProcessFigures() throws {
        let registry = MetricsRegistry()
        ProcessMetrics.register(in: registry)
        let text = registry.render()
        #expect(text.contains("# TYPE process_cpu_seconds_total counter\n"))
        #expect(text.contains("# TYPE process_open_fds gauge\n"))
        let cpu = try #require(sample("process_cpu_seconds_total", in: text))
        let resident = try #require(sample("process_resident_memory_bytes", in: text))
        let open = try #require(sample("process_open_fds", in: text))
        let maximum = try #require(sample("process_max_fds", in: text))
        let start = try #require(sample("process_start_time_seconds", in: text))
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        #expect(cpu > 0)
        #expect(resident > 1_000_000)
        #expect(open >= 3 && open <= maximum, "stdin/out/err at least, within the limit")
        #expect(start <= Double(now.tv_sec) + 1 && start > Double(now.tv_sec) - 86_400, "started within a day: \(start)")
    }

    @Test func openDescriptorsFollowTheProcess() throws {
        let registry = MetricsRegistry()
        ProcessMetrics.register(in: registry)
        // Other tests open sockets concurrently, so compare with a wide margin: 200 extra
        // descriptors must show, give or take the 100 that parallel tests might open or close.
        let before = try #require(sample("process_open_fds", in: registry.render()))
        var pipes: [Int32] = []
        for _ in 0..<100 {
            var fds: [Int32] = [-1, -1]
            try #require(pipe(&fds) == 0)
            pipes += fds
        }
        defer { pipes.forEach { close($0) } }
        let after = try #require(sample("process_open_fds", in: registry.render()))
        #expect(after - before > 100, "before \(before), after \(after)")
    }

    @Test func closureCountersRenderAsCounters() {
        let registry = MetricsRegistry()
        registry.counter("ascent_kafka_tx_total", help: "Messages sent by librdkafka.", labels: ["client": "p1"]) { 12 }
        #expect(registry.render() == """
            # HELP ascent_kafka_tx_total Messages sent by librdkafka.
            # TYPE ascent_kafka_tx_total counter
            ascent_kafka_tx_total{client="p1"} 12

            """)
    }
}
