#if canImport(Glibc)
import Glibc
#endif
import AscentCore
import AscentLog
import AscentProjector
import AscentRuntime
import AscentServices
import Foundation

/// `ascent up`: the embedded default — every part in one process on the PostgreSQL log, plus bot
/// players, printing rounds as they are played and settled.
struct UpCommand: Subcommand {
    static let name = "up"
    static let summary = "run the whole stack in one process (wallet, authority, settlement, projector, bots)"
    static var help: String {
        """
        usage: ascent up [options]

        Starts (or reuses) the project-local PostgreSQL when no database is given, applies the
        migrations, creates the topics, and runs the wallet, the round authority, settlement, the
        projector and the edge (player page and WebSocket protocol) in one process on the PostgreSQL
        log, with bot players betting over WebSocket (through the log when --edge-port 0).
        Prints every round as it is settled, with its proof. Stops cleanly on Ctrl-C or SIGTERM.

          --bots N             bot players (default 20; 0 for none)
          --bot-funds N        each bot's starting balance in minor units (default 1000000)
          --rounds N           stop after N rounds have been settled (default: run until stopped)
          --metrics-port N     serve /metrics, /healthz and /readyz (default 9464)
          --edge-port N        serve the player page and the WebSocket protocol (default 8080; 0: no edge)
        \(StackOptions.help)

        Query the results while it runs:
          psql "$(scripts/pg url)" -c 'select * from finance_daily'
        """
    }

    var options: StackOptions
    var bots: Int
    var botFunds: Int64
    var rounds: Int64?
    var metricsPort: Int?
    var edgePort: Int

    init(arguments: inout Arguments) throws {
        options = try StackOptions(arguments: &arguments)
        bots = Int(try arguments.integer("--bots", in: 0...10_000) ?? 20)
        botFunds = try arguments.integer("--bot-funds", in: 1...Int64.max / 1_000) ?? 1_000_000
        rounds = try arguments.integer("--rounds", in: 1...Int64.max)
        metricsPort = try arguments.integer(OpsServer.portOption, in: 0...65_535).map(Int.init) ?? 9_464
        edgePort = Int(try arguments.integer("--edge-port", in: 0...65_535) ?? 8_080)
    }

    func run() async throws -> Int32 {
        var options = options
        if options.databaseURL == nil { options.databaseURL = try Self.startLocalPostgres() }
        let databaseURL = try options.requireDatabase()
        try await options.migrate(databaseURL)
        let log = try options.makeLog()
        let topics = options.topics
        try await topics.create(on: log, partitions: options.partitions)
        let (chain, salt) = try options.loadOrCreateChain()
        print("table \(options.table.table) · \(options.table.currency) · salt \(salt) · \(bots) bots · Ctrl-C stops")

        let metrics = ServiceMetrics()
        // Each service gets a log client of its own (its own producer and, on PostgreSQL, its own
        // writer connection), as it would as a separate process: one part's large append never
        // queues another part's decision behind it. Settlement and the projector are background
        // work on this shared machine: they run at a higher nice value (`Niceness`).
        func partLog(_ part: String) throws -> any EventLog { try options.makeLog(part: part, niceness: EmbeddedStack.niceness(of: part)) }
        let logs = (authority: try partLog("authority"), wallet: try partLog("wallet"), settlement: try partLog("settlement"),
                    projector: try partLog("projector"))
        let authority = RoundAuthority(configuration: AuthorityConfiguration(table: options.table, chain: chain, salt: salt,
                                                                intermissionMilliseconds: options.intermissionMilliseconds, topics: topics),
                                       log: logs.authority, logger: StderrLogger(component: "authority"), metrics: metrics)
        let wallet = WalletService(log: logs.wallet, topics: topics, logger: StderrLogger(component: "wallet"), metrics: metrics)
        let settlement = SettlementService(log: logs.settlement, topics: topics, logger: StderrLogger(component: "settlement"), metrics: metrics)
        let projector = Projector(log: logs.projector, databaseURL: databaseURL, topics: topics, logger: StderrLogger(component: "projector"),
                                  metrics: metrics, niceness: EmbeddedStack.niceness(of: "projector"))
        let printer = RoundPrinter(log: log, topics: topics, table: options.table.table, stopAfter: rounds)
        let players = BotPlayers(log: log, topics: topics, table: options.table, count: bots)
        if bots > 0 { try await players.fund(minorUnits: botFunds) }
        if let metricsPort { print("metrics on http://127.0.0.1:\(metricsPort)/metrics") }

        nonisolated(unsafe) let parts = (authority, wallet, settlement, projector, printer, players)
        var list: [PartRunner.Part] = [
            ("authority", { try await parts.0.run() }),
            ("wallet", { try await parts.1.run() }),
            ("settlement", { try await parts.2.run() }),
            ("projector", { try await parts.3.run() }),
            ("printer", { try await parts.4.run() }),
        ]
        // Bots play through the edge over WebSocket, as players do; without an edge, through the log.
        if bots > 0 && edgePort == 0 { list.append(("bots", { try await parts.5.run() })) }
        if edgePort > 0 {
            let edge = try EdgeCommand.makeGateway(options: options, log: log, port: edgePort, host: "0.0.0.0", web: "web", workers: 2,
                                                   terminatingHash: nil, metrics: metrics)
            nonisolated(unsafe) let gateway = edge.gateway
            list.append(("edge", { try await gateway.run() }))
            print("player page on http://127.0.0.1:\(edge.port)/ — open it with ?token=$(.build/release/ascent token --player you)")
            print("  and fund the player first: .build/release/ascent deposit --player you --amount 100000 --id fund-you-1")
            if bots > 0 {
                BotsCommand.launch(players.players, port: edge.port, table: options.table,
                                   secret: try TokenCommand.secret(dataDirectory: options.dataDirectory),
                                   expiry: Int64(Date().timeIntervalSince1970) + 365 * 86_400, seed: 7, until: .distantFuture,
                                   tally: BotsCommand.TallyBox())
            }
        }
        return await PartRunner.run(list, logs: [log, logs.authority, logs.wallet, logs.settlement, logs.projector], metrics: metrics,
                                    metricsPort: metricsPort, component: "up", niceness: EmbeddedStack.niceness(of:))
    }

    /// Runs scripts/pg start from the working directory and returns the URL it prints.
    static func startLocalPostgres() throws -> String {
        guard FileManager.default.isExecutableFile(atPath: "scripts/pg") else {
            throw UsageError("no database given and no scripts/pg here: run from the repository or give --database")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "scripts/pg")
        process.arguments = ["start"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, let url = output.split(separator: "\n").last else {
            throw UsageError("scripts/pg start failed (exit \(process.terminationStatus))")
        }
        print("postgres: \(url)")
        return String(url)
    }
}
