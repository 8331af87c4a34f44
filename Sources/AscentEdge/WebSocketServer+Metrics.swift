import AscentRuntime

extension WebSocketServer {
    /// Publishes the server's counters in `registry` (read at each scrape, so the hot paths
    /// touch nothing extra), prefixed `ascent_edge_`, with `labels` (e.g. the process).
    public func registerMetrics(in registry: MetricsRegistry, labels: [String: String] = [:]) {
        let counters = shared.counters
        registry.gauge("ascent_edge_connections", help: "WebSocket connections open now", labels: labels) {
            Double(counters.openConnections.load(ordering: .relaxed))
        }
        let totals: [(String, String, @Sendable () -> Int)] = [
            ("ascent_edge_accepted_total", "connections accepted", { counters.acceptedConnections.load(ordering: .relaxed) }),
            ("ascent_edge_messages_received_total", "complete messages received from clients", { counters.messagesReceived.load(ordering: .relaxed) }),
            ("ascent_edge_frames_queued_total", "frames queued to clients (a broadcast counts once per client)", { counters.framesQueued.load(ordering: .relaxed) }),
            ("ascent_edge_bytes_written_total", "bytes written to client sockets", { counters.bytesWritten.load(ordering: .relaxed) }),
            ("ascent_edge_slow_clients_dropped_total", "clients cut off at the output high-water mark", { counters.slowClientsDropped.load(ordering: .relaxed) }),
            ("ascent_edge_protocol_errors_total", "connections closed for protocol violations (1002, 1007, 1009)", { counters.protocolErrors.load(ordering: .relaxed) }),
            ("ascent_edge_inbox_drops_total", "sends and broadcasts refused because a worker inbox was full", { counters.inboxDrops.load(ordering: .relaxed) }),
            ("ascent_edge_read_pauses_total", "times reading paused because the application event queue was full", { counters.readPauses.load(ordering: .relaxed) }),
        ]
        for (name, help, read) in totals {
            registry.counter(name, help: help, labels: labels) { Double(read()) }
        }
    }
}
