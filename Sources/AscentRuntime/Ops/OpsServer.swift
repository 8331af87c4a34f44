import Synchronization

/// The operations endpoints every Ascent process serves on `--metrics-port`:
/// `/metrics` (Prometheus text from a registry), `/healthz` (200 while the process runs) and
/// `/readyz` (200 when the readiness closure says so, else 503 with its reason).
///
/// Once `shutdown` has started, /readyz answers 503 "shutting down" whatever the closure says, so
/// load balancers stop sending work while the process drains.
public final class OpsServer: Sendable {
    /// The command-line option services read the port from.
    public static let portOption = "--metrics-port"
    /// The Content-Type of Prometheus text exposition format 0.0.4.
    public static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The TCP port actually bound (useful when 0 was asked for).
    public var port: Int { server.port }
    private let server: HTTPServer
    private let logger: JSONLogger
    private let stopped = Atomic<Bool>(false)

    /// Binds `host:port` (port 0 for an ephemeral one) and starts serving at once. Unless
    /// `includeProcessMetrics` is false, the standard process metrics are added to `registry`.
    /// `readiness` runs on the server thread at every /readyz probe, so it must be quick.
    public init(host: String = "0.0.0.0", port: Int, registry: MetricsRegistry, logger: JSONLogger,
                shutdown: ShutdownSignal = .shared, includeProcessMetrics: Bool = true,
                configuration: HTTPServer.Configuration = HTTPServer.Configuration(),
                readiness: @escaping @Sendable () -> Readiness) throws(HTTPServerError) {
        server = try HTTPServer(host: host, port: port, configuration: configuration, logger: logger)
        self.logger = logger
        if includeProcessMetrics {
            ProcessMetrics.register(in: registry)
        }
        // Remember the last answer so a change of readiness is logged once, not on every probe.
        let lastReadiness = Mutex<Readiness?>(nil)

        server.route("/metrics") { _ in
            HTTPResponse(status: 200, contentType: Self.metricsContentType, text: registry.render())
        }
        server.route("/healthz") { _ in
            HTTPResponse(status: 200, text: "ok\n")
        }
        server.route("/readyz") { _ in
            let current = shutdown.isShuttingDown ? .notReady("shutting down") : readiness()
            let changed = lastReadiness.withLock { last in
                defer { last = current }
                return last != current
            }
            switch current {
            case .ready:
                if changed { logger.info("ready") }
                return HTTPResponse(status: 200, text: "ready\n")
            case .notReady(let reason):
                if changed { logger.info("not ready", ["reason": .string(reason)]) }
                return HTTPResponse(status: 503, text: "not ready: \(reason)\n")
            }
        }
        server.start()
        logger.info("ops endpoints listening", ["host": .string(host), "port": .int(server.port)])
    }

    /// Stops serving and waits for the server thread; idempotent.
    public func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        server.stop()
        logger.info("ops endpoints stopped", ["port": .int(server.port)])
    }
}
