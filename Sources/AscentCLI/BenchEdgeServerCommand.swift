import AscentEdge
import AscentRuntime
import Foundation
import Synchronization

/// `ascent bench-edge-server`: the Swift side of bench/edge.sh — a WebSocket server that
/// subscribes every client to one table and broadcasts a tick frame at a fixed rate, in the same
/// format as bench/c-broadcast, until SIGINT or SIGTERM.
struct BenchEdgeServerCommand: Subcommand {
    static let name = "bench-edge-server"
    static let summary = "broadcast benchmark ticks to every WebSocket client (used by bench/edge.sh)"
    static let help = """
        usage: ascent bench-edge-server [--port P] [--workers N] [--hz H] [--payload B]

        Serves WebSocket clients on 0.0.0.0:P and broadcasts one binary frame per tick to all of
        them: payload bytes 0-7 the tick number, 8-15 the CLOCK_REALTIME send time in ns (both
        little-endian), padded to B bytes. Runs until SIGINT or SIGTERM. bench/edge.sh runs it
        next to a C baseline under the same load.

          --port P      TCP port (default 9010)
          --workers N   epoll worker threads (default 2)
          --hz H        ticks per second (default 10)
          --payload B   payload bytes, 16...125 (default 40)
        """

    var port = 9010
    var workers = 2
    var hz = 10
    var payload = 40

    init(arguments: inout Arguments) throws {
        if let value = try arguments.integer("--port", in: 1...65535) { port = Int(value) }
        if let value = try arguments.integer("--workers", in: 1...64) { workers = Int(value) }
        if let value = try arguments.integer("--hz", in: 1...1000) { hz = Int(value) }
        if let value = try arguments.integer("--payload", in: 16...125) { payload = Int(value) }
    }

    func run() async throws -> Int32 {
        var configuration = WebSocketServer.Configuration()
        configuration.workerCount = workers
        configuration.maximumConnections = 19_000
        let server = try WebSocketServer(host: "0.0.0.0", port: port, configuration: configuration)
        let table: UInt64 = 1
        server.start { [weak server] events in
            for event in events {
                if case .opened(let id, _) = event { server?.subscribe(id, to: table) }
            }
        }
        let stopping = BenchStopFlag()
        let (hz, payloadBytes) = (hz, payload)
        let ticker = Thread {
            var next = DispatchTime.now().uptimeNanoseconds
            let period = UInt64(1_000_000_000 / hz)
            var tick: UInt64 = 0
            while !stopping.value.load(ordering: .relaxed) {
                next += period
                let now = DispatchTime.now().uptimeNanoseconds
                if next > now { usleep(UInt32((next - now) / 1000)) } else { next = now }
                var spec = timespec()
                clock_gettime(CLOCK_REALTIME, &spec)
                let sent = UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
                var bytes = [UInt8](repeating: 0x2E, count: payloadBytes)
                withUnsafeBytes(of: tick.littleEndian) { bytes.replaceSubrange(0..<8, with: $0) }
                withUnsafeBytes(of: sent.littleEndian) { bytes.replaceSubrange(8..<16, with: $0) }
                server.broadcast(WebSocketFrame.encode(.binary, bytes), to: table)
                tick += 1
            }
        }
        ticker.start()
        // Unbuffered, so a script reading a pipe sees the line at once.
        FileHandle.standardOutput.write(Data("ascent bench-edge-server listening on \(server.port) pid \(getpid()) workers \(workers)\n".utf8))
        SignalHandler.install()
        _ = try? await ShutdownSignal.shared.wait()
        stopping.value.store(true, ordering: .relaxed)
        server.stop()
        return 0
    }
}

/// A stop flag shared with the ticker thread.
private final class BenchStopFlag: Sendable {
    let value = Atomic<Bool>(false)
}
