import AscentEdge
import AscentGateway
import AscentLog
import AscentRuntime
import AscentServices
import Foundation

/// `ascent edge`: the player-facing WebSocket edge (docs/protocol.md) and the player page.
struct EdgeCommand: Subcommand {
    static let name = "edge"
    static let summary = "serve players: the WebSocket protocol on /ws and the player page on /"
    static var help: String {
        """
        usage: ascent edge [--port N] [--host H] [--web DIR] [--workers N] [--salt S --terminating-hash H] [log options]

        Serves the player page (DIR, default ./web) at / and the player protocol on /ws, for one
        table, plus /healthz and /metrics on the same port. Players authenticate with a token
        (ascent token --player ID). Any number of edges can run; each reads the log itself.

          --port N               port (default 8080); several processes may share it (SO_REUSEPORT)
          --host H               address to bind (default 0.0.0.0)
          --web DIR              the page's files (default ./web)
          --workers N            I/O threads (default 2)
          --terminating-hash H   the chain's published hash (default: read from the data dir's chain)
        \(StackOptions.help)
        """
    }

    let options: StackOptions
    let port: Int
    let host: String
    let webDirectory: String
    let workers: Int
    let terminatingHash: String?

    init(arguments: inout Arguments) throws {
        options = try StackOptions(arguments: &arguments)
        port = Int(try arguments.integer("--port", in: 0...65_535) ?? 8_080)
        host = try arguments.option("--host") ?? "0.0.0.0"
        webDirectory = try arguments.option("--web") ?? "web"
        workers = Int(try arguments.integer("--workers", in: 1...64) ?? 2)
        terminatingHash = try arguments.option("--terminating-hash")
    }

    func run() async throws -> Int32 {
        let log = try options.makeLog()
        try await options.topics.create(on: log, partitions: options.partitions)
        let metrics = ServiceMetrics()
        let gateway = try Self.makeGateway(options: options, log: log, port: port, host: host, web: webDirectory, workers: workers,
                                           terminatingHash: terminatingHash, metrics: metrics)
        print("edge on http://127.0.0.1:\(gateway.port)/ (player page) — ascent token --player ID makes a token")
        nonisolated(unsafe) let running = gateway.gateway
        return await PartRunner.run([("edge", { try await running.run() })], logs: [log], metrics: metrics, metricsPort: nil, component: "edge")
    }

    /// A gateway with its server started on `port`, serving `web` and the ops routes.
    static func makeGateway(options: StackOptions, log: any EventLog, port: Int, host: String, web: String, workers: Int,
                            terminatingHash: String?, metrics: ServiceMetrics) throws -> (gateway: Gateway, port: Int) {
        var configuration = WebSocketServer.Configuration()
        configuration.workerCount = workers
        configuration.maximumMessageBytes = 4_096
        configuration.webSocketPath = "/ws"
        let server = try WebSocketServer(host: host, port: port, configuration: configuration)
        server.registerMetrics(in: metrics.registry)
        for (path, response) in try staticFiles(web) { server.route(path) { _ in response } }
        server.route("/healthz") { _ in HTTPResponse(status: 200, text: "ok\n") }
        let registry = metrics.registry
        server.route("/metrics") { _ in HTTPResponse(status: 200, contentType: OpsServer.metricsContentType, text: registry.render()) }
        let hash: String
        let salt: String
        if let terminatingHash, let given = options.salt {
            hash = terminatingHash
            salt = given
        } else {
            let (chain, chainSalt) = try options.loadOrCreateChain()
            hash = terminatingHash ?? chain.terminatingHash.hex
            salt = chainSalt
        }
        let gateway = Gateway(configuration: GatewayConfiguration(table: options.table, topics: options.topics, salt: salt, terminatingHash: hash,
                                                                  tokenSecret: try TokenCommand.secret(dataDirectory: options.dataDirectory)),
                              server: server, log: log, logger: StderrLogger(component: "edge"))
        return (gateway, server.port)
    }

    /// Every file of `directory` (not its subfolders: tests stay private), as ready answers.
    static func staticFiles(_ directory: String) throws -> [(String, HTTPResponse)] {
        let types = ["html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "mjs": "text/javascript; charset=utf-8",
                     "css": "text/css; charset=utf-8", "svg": "image/svg+xml", "png": "image/png", "ico": "image/x-icon",
                     "json": "application/json"]
        var routes: [(String, HTTPResponse)] = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            var isDirectory: ObjCBool = false
            let path = "\(directory)/\(name)"
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let type = types[(name as NSString).pathExtension.lowercased()] else { continue }
            let body = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            let response = HTTPResponse(status: 200, contentType: type, body: body)
            routes.append(("/\(name)", response))
            if name == "index.html" { routes.append(("/", response)) }
        }
        return routes
    }
}
