import AscentRuntime
import Synchronization
import Testing

@Suite struct MetricsRegistryTests {
    @Test func rendersCountersGaugesAndHistogramsInExpositionFormat() {
        let registry = MetricsRegistry()
        registry.counter("ascent_bets_total", help: "Bets accepted.", labels: ["table": "main"]).increment(by: 3)
        registry.counter("ascent_bets_total", help: "Bets accepted.", labels: ["table": "side"]).increment()
        registry.gauge("ascent_open_connections", help: "Open WebSocket connections.").set(7)
        registry.gauge("ascent_consumer_lag", help: "Messages behind the log end.", labels: ["group": "projector"]) { 42 }
        let settle = registry.histogram("ascent_settle_seconds", help: "Time to settle a round.", buckets: [0.001, 0.01, 0.1])
        settle.observe(nanoseconds: 500_000)
        settle.observe(nanoseconds: 1_000_000) // exactly on a bound: counted in it (le is inclusive)
        settle.observe(nanoseconds: 50_000_000)
        settle.observe(seconds: 3)

        let expected = """
            # HELP ascent_bets_total Bets accepted.
            # TYPE ascent_bets_total counter
            ascent_bets_total{table="main"} 3
            ascent_bets_total{table="side"} 1
            # HELP ascent_consumer_lag Messages behind the log end.
            # TYPE ascent_consumer_lag gauge
            ascent_consumer_lag{group="projector"} 42
            # HELP ascent_open_connections Open WebSocket connections.
            # TYPE ascent_open_connections gauge
            ascent_open_connections 7
            # HELP ascent_settle_seconds Time to settle a round.
            # TYPE ascent_settle_seconds histogram
            ascent_settle_seconds_bucket{le="0.001"} 2
            ascent_settle_seconds_bucket{le="0.01"} 2
            ascent_settle_seconds_bucket{le="0.1"} 3
            ascent_settle_seconds_bucket{le="+Inf"} 4
            ascent_settle_seconds_sum 3.0515
            ascent_settle_seconds_count 4

            """
        #expect(registry.render() == expected)
    }

    @Test func escapesLabelValuesAndHelpText() {
        let registry = MetricsRegistry()
        registry.counter("ascent_errors_total", help: "Errors\nby \"kind\" \\ place.",
                         labels: ["reason": "quote \" backslash \\ newline \n end", "component": "edge"]).increment()
        let expected = """
            # HELP ascent_errors_total Errors\\nby "kind" \\\\ place.
            # TYPE ascent_errors_total counter
            ascent_errors_total{component="edge",reason="quote \\" backslash \\\\ newline \\n end"} 1

            """
        #expect(registry.render() == expected)
    }

    @Test func histogramBucketsAreCumulativeAndCountEqualsInfBucket() {
        let registry = MetricsRegistry()
        let latency = registry.histogram("ascent_request_seconds", help: "Latency.", labels: ["route": "bet"])
        #expect(latency.upperBounds == Histogram.defaultLatencyBuckets)
        #expect(Histogram.defaultLatencyBuckets.first == 0.0005 && Histogram.defaultLatencyBuckets.last == 10)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 // seed for the observations below
        for _ in 0..<1000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            latency.observe(nanoseconds: (state >> 33) % 20_000_000_000)
        }
        latency.observe(.milliseconds(3))
        let text = registry.render()
        var previous: UInt64 = 0
        var bucketLines = 0
        var infCount: UInt64?
        var count: UInt64?
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let value = UInt64(line.split(separator: " ").last!) ?? 0
            if line.hasPrefix("ascent_request_seconds_bucket{route=\"bet\",le=") {
                bucketLines += 1
                #expect(value >= previous, "buckets must be cumulative: \(line)")
                previous = value
                if line.contains("le=\"+Inf\"") { infCount = value }
            } else if line.hasPrefix("ascent_request_seconds_count{route=\"bet\"}") {
                count = value
            }
        }
        #expect(bucketLines == Histogram.defaultLatencyBuckets.count + 1)
        #expect(infCount == 1001)
        #expect(count == 1001)
        #expect(text.contains("ascent_request_seconds_bucket{route=\"bet\",le=\"0.0005\"}"))
        #expect(text.contains("ascent_request_seconds_bucket{route=\"bet\",le=\"10\"}"))
    }

    @Test func sameNameAndLabelsReturnTheSameMetric() {
        let registry = MetricsRegistry()
        let first = registry.counter("ascent_rounds_total", help: "Rounds.", labels: ["table": "main"])
        let again = registry.counter("ascent_rounds_total", help: "Rounds.", labels: ["table": "main"])
        let other = registry.counter("ascent_rounds_total", help: "Rounds.", labels: ["table": "side"])
        #expect(first === again)
        #expect(first !== other)
        #expect(registry.gauge("g", help: "g") === registry.gauge("g", help: "g"))
        #expect(registry.histogram("h", help: "h") === registry.histogram("h", help: "h"))
    }

    @Test func closureGaugeIsEvaluatedAtEveryScrape() {
        let registry = MetricsRegistry()
        let lag = Atomic<Int>(5)
        registry.gauge("ascent_consumer_lag", help: "Lag.") { Double(lag.load(ordering: .relaxed)) }
        #expect(registry.render().contains("ascent_consumer_lag 5\n"))
        lag.store(17, ordering: .relaxed)
        #expect(registry.render().contains("ascent_consumer_lag 17\n"))
    }

    @Test func gaugeSetsAndAddsFractionsAndSpecialValues() {
        let registry = MetricsRegistry()
        let gauge = registry.gauge("ascent_ratio", help: "Ratio.")
        gauge.set(1.5)
        gauge.add(-0.25)
        gauge.increment()
        #expect(gauge.value == 2.25)
        #expect(registry.render().hasSuffix("ascent_ratio 2.25\n"))
        gauge.set(.infinity)
        #expect(registry.render().hasSuffix("ascent_ratio +Inf\n"))
        gauge.set(.nan)
        #expect(registry.render().hasSuffix("ascent_ratio NaN\n"))
    }

    @Test func concurrentIncrementsFromManyThreadsSumExactly() {
        let registry = MetricsRegistry()
        let counter = registry.counter("ascent_payouts_total", help: "Payouts.")
        let gauge = registry.gauge("ascent_in_flight", help: "In flight.")
        let histogram = registry.histogram("ascent_latency_seconds", help: "Latency.")
        let threads = 16
        let perThread = 50_000
        runOnThreads(threads) { index in
            // Registering from every thread too: all must get the same handles.
            let sameCounter = registry.counter("ascent_payouts_total", help: "Payouts.")
            for step in 0..<perThread {
                sameCounter.increment()
                gauge.add(1)
                histogram.observe(nanoseconds: UInt64((index * perThread + step) % 3) * 1_000_000)
            }
        }
        #expect(counter.value == UInt64(threads * perThread))
        #expect(gauge.value == Double(threads * perThread))
        #expect(histogram.count == UInt64(threads * perThread))
        #expect(registry.render().contains("ascent_payouts_total \(threads * perThread)\n"))
    }

    @Test func registeringANameWithAnotherTypeStopsTheProcess() async {
        await #expect(processExitsWith: .failure) {
            let registry = MetricsRegistry()
            _ = registry.counter("ascent_x", help: "x")
            _ = registry.gauge("ascent_x", help: "x")
        }
    }

    @Test func invalidMetricNameStopsTheProcess() async {
        await #expect(processExitsWith: .failure) {
            _ = MetricsRegistry().counter("ascent bets", help: "x")
        }
    }
}
