import AscentLog
import AscentProjector
import AscentRuntime
import AscentServices

/// Runs parts of the system until SIGTERM/SIGINT: installs signal handling, serves /metrics,
/// /healthz and /readyz, starts each part in a task on a thread of its own (`ThreadExecutor`), and
/// on a signal (or a part stopping) cancels them, which makes each finish its batch, commit and
/// leave its consumer group, then shuts the logs.
enum PartRunner {
    typealias Part = (name: String, run: @Sendable () async throws -> Void)

    /// Runs `parts`, each on a thread at the nice value `niceness` gives its name
    /// (`EmbeddedStack.niceness(of:)` in the embedded stack).
    static func run(_ parts: [Part], logs: [any EventLog], metrics: ServiceMetrics, metricsPort: Int?, component: String,
                    niceness: (String) -> Int32 = { _ in 0 }) async -> Int32 {
        SignalHandler.install()
        let logger = StderrLogger(component: component)
        var ops: OpsServer?
        if let metricsPort {
            do {
                ops = try OpsServer(port: metricsPort, registry: metrics.registry, logger: logger.logger) { .ready }
            } catch {
                printError("ascent \(component): cannot serve metrics on port \(metricsPort): \(error)")
                return 1
            }
        }
        // A part that decodes a large batch cannot hold up another part's decision: each runs on its
        // own thread, scheduled by the kernel as separate processes would be.
        let executors = parts.map { ThreadExecutor(name: $0.name, niceness: niceness($0.name)) }
        let code: Int32 = await withTaskGroup(of: (String, Error?).self) { group in
            for (part, executor) in zip(parts, executors) {
                group.addTask(executorPreference: executor) {
                    do { try await part.run(); return (part.name, nil) } catch { return (part.name, error) }
                }
            }
            group.addTask {
                do { _ = try await ShutdownSignal.shared.wait() } catch {}
                return ("signal", nil)
            }
            var code: Int32 = 0
            if let (name, error) = await group.next() {
                if let error, !(error is CancellationError) {
                    logger.error("part stopped", ["part": name, "error": "\(error)"])
                    printError("ascent \(component): \(name) stopped: \(error)")
                    code = 1
                } else {
                    logger.info("shutting down", ["cause": name])
                }
            }
            _ = ShutdownSignal.shared.trigger(.requested("a part stopped"))
            group.cancelAll()
            for await _ in group {}
            return code
        }
        for log in logs { try? await log.shutdown() }
        ops?.stop()
        return code
    }
}

/// `ascent wallet|authority|settlement|projector`: one part of the system as its own process.
struct PartCommand: Subcommand {
    static let name = "part"
    static let summary = ""
    static let help = ""
    let part: String
    let options: StackOptions
    let metricsPort: Int?
    let faucet: Int64?

    init(arguments: inout Arguments) throws { preconditionFailure("use PartCommand(part:arguments:)") }

    init(part: String, arguments: inout Arguments) throws {
        self.part = part
        options = try StackOptions(arguments: &arguments)
        metricsPort = try arguments.integer(OpsServer.portOption, in: 0...65_535).map(Int.init)
        faucet = part == "wallet" ? try arguments.integer("--faucet", in: 1...Int64.max / 100) : nil
    }

    func run() async throws -> Int32 {
        let log = try options.makeLog()
        let topics = options.topics
        try await topics.create(on: log, partitions: options.partitions)
        let metrics = ServiceMetrics()
        let logger = StderrLogger(component: part)
        let body: @Sendable () async throws -> Void
        switch part {
        case "wallet":
            nonisolated(unsafe) let wallet = WalletService(log: log, topics: topics, logger: logger, metrics: metrics, faucetMinorUnits: faucet)
            body = { try await wallet.run() }
        case "authority":
            let (chain, salt) = try options.loadOrCreateChain()
            nonisolated(unsafe) let authority = RoundAuthority(
                configuration: AuthorityConfiguration(table: options.table, chain: chain, salt: salt,
                                                                intermissionMilliseconds: options.intermissionMilliseconds, topics: topics),
                log: log, logger: logger, metrics: metrics)
            body = { try await authority.run() }
        case "settlement":
            nonisolated(unsafe) let settlement = SettlementService(log: log, topics: topics, logger: logger, metrics: metrics)
            body = { try await settlement.run() }
        case "projector":
            let database = try options.requireDatabase()
            try await options.migrate(database)
            nonisolated(unsafe) let projector = Projector(log: log, databaseURL: database, topics: topics, logger: logger, metrics: metrics)
            body = { try await projector.run() }
        default:
            throw UsageError("unknown part \(part)")
        }
        return await PartRunner.run([(part, body)], logs: [log], metrics: metrics, metricsPort: metricsPort, component: part)
    }
}

private func partHelp(_ part: String, _ what: String) -> String {
    """
    usage: ascent \(part) [options] [--metrics-port N]

    \(what)
    Runs until SIGTERM or Ctrl-C, then finishes its batch, commits and leaves its group.

      --metrics-port N     serve /metrics, /healthz and /readyz on port N
    \(StackOptions.help)
    """
}

/// One part as a subcommand: each names and describes itself; parsing and running are `PartCommand`'s.
protocol PartSubcommand: Subcommand {
    /// The parsed command line.
    var command: PartCommand { get }
    /// The subcommand for a parsed command line.
    init(command: PartCommand)
}

extension PartSubcommand {
    init(arguments: inout Arguments) throws { self.init(command: try PartCommand(part: Self.name, arguments: &arguments)) }
    func run() async throws -> Int32 { try await command.run() }
}

/// `ascent wallet`.
struct WalletPartCommand: PartSubcommand {
    static let name = "wallet"
    static let summary = "run the wallet: one writer of balances per player partition"
    static var help: String {
        partHelp(name, """
            Reads wallet commands as the `wallet` group; any number of instances split the partitions.
              --faucet N           allow development-faucet deposits (reference "faucet") of at most N minor units;
                                   off unless given
            """)
    }
    let command: PartCommand
}

/// `ascent authority`.
struct AuthorityPartCommand: PartSubcommand {
    static let name = "authority"
    static let summary = "run the round authority of one table (one per table)"
    static var help: String { partHelp(name, "Plays the table's rounds on its own clock and writes its round events.") }
    let command: PartCommand
}

/// `ascent settlement`.
struct SettlementPartCommand: PartSubcommand {
    static let name = "settlement"
    static let summary = "run settlement: round events to payouts and refunds"
    static var help: String { partHelp(name, "Turns round events into wallet commands with ids derived from the bet.") }
    let command: PartCommand
}

/// `ascent projector`.
struct ProjectorPartCommand: PartSubcommand {
    static let name = "projector"
    static let summary = "run the projector: PostgreSQL read models and finance views"
    static var help: String { partHelp(name, "Keeps players, balances, ledger, rounds, bets and finance views, with its log position in the same transaction.") }
    let command: PartCommand
}
