import AscentRuntime
import Synchronization
import Testing

@Suite struct OpsServerTests {
    @Test func servesMetricsHealthAndReadiness() throws {
        let registry = MetricsRegistry()
        registry.counter("ascent_cashouts_total", help: "Cash-outs.", labels: ["table": "main"]).increment(by: 2)
        let ready = Atomic<Bool>(false)
        let shutdown = ShutdownSignal()
        let logFile = TemporaryFile()
        let logger = JSONLogger(component: "ops-test", minimumLevel: .info, fileDescriptor: logFile.fd)
        let ops = try OpsServer(host: "127.0.0.1", port: 0, registry: registry, logger: logger, shutdown: shutdown) {
            ready.load(ordering: .relaxed) ? .ready : .notReady("catching up")
        }
        defer { ops.stop() }

        let metrics = try TestHTTPClient.get(port: ops.port, path: "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains("ascent_cashouts_total{table=\"main\"} 2\n"))
        #expect(metrics.headers["content-type"] == OpsServer.metricsContentType)
        #expect(metrics.body.contains("\nprocess_open_fds "))

        let health = try TestHTTPClient.get(port: ops.port, path: "/healthz")
        #expect(health.status == 200 && health.body == "ok\n")

        let notReady = try TestHTTPClient.get(port: ops.port, path: "/readyz")
        #expect(notReady.status == 503 && notReady.body == "not ready: catching up\n")
        ready.store(true, ordering: .relaxed)
        let nowReady = try TestHTTPClient.get(port: ops.port, path: "/readyz")
        #expect(nowReady.status == 200 && nowReady.body == "ready\n")

        shutdown.trigger(.terminate)
        let draining = try TestHTTPClient.get(port: ops.port, path: "/readyz")
        #expect(draining.status == 503 && draining.body == "not ready: shutting down\n")
        #expect(try TestHTTPClient.get(port: ops.port, path: "/healthz").status == 200)

        let log = logFile.contents()
        #expect(log.contains("\"msg\":\"ops endpoints listening\""))
        #expect(log.contains("\"msg\":\"not ready\",\"reason\":\"catching up\""))
        #expect(log.contains("\"msg\":\"ready\""))
    }
}
