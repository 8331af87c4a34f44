/// One subcommand of the `ascent` executable.
public protocol Subcommand {
    /// The word that selects it: `ascent <name>`.
    static var name: String { get }
    /// One line for `ascent --help`.
    static var summary: String { get }
    /// The full `--help` text: usage line, options, examples.
    static var help: String { get }
    /// Reads the arguments after the name; throws `UsageError` for anything it does not understand.
    init(arguments: inout Arguments) throws
    /// Does the work and returns the exit status.
    func run() async throws -> Int32
}

/// Runs the process's command line and returns its exit status.
public enum AscentMain {
    /// Every subcommand, in the order `ascent --help` lists them.
    static var commands: [any Subcommand.Type] {
        [
            UpCommand.self,
            EdgeCommand.self,
            BotsCommand.self,
            WalletPartCommand.self,
            AuthorityPartCommand.self,
            SettlementPartCommand.self,
            ProjectorPartCommand.self,
            DepositCommand.self,
            TokenCommand.self,
            SimulateCommand.self,
            VerifyCommand.self,
            ChainCommand.self,
            MigrateCommand.self,
            BenchPostgresLogCommand.self,
            BenchKafkaLogCommand.self,
            BenchCommand.self,
            AuditCommand.self,
            ReplayCommand.self,
            BenchEdgeServerCommand.self,
        ]
    }

    /// Parses `arguments` (without the program name), runs the chosen subcommand, prints errors to
    /// standard error, and returns the exit status: 0 success, 1 failure, 2 bad usage.
    public static func run(_ arguments: [String]) async -> Int32 {
        guard let name = arguments.first, name != "--help", name != "-h", name != "help" else {
            print(overview)
            return arguments.isEmpty ? 2 : 0
        }
        guard let command = commands.first(where: { $0.name == name }) else {
            printError("ascent: unknown command '\(name)'\n\n\(overview)")
            return 2
        }
        var rest = Arguments(Array(arguments.dropFirst()))
        if rest.wantsHelp() {
            print(command.help)
            return 0
        }
        do {
            let instance = try command.init(arguments: &rest)
            try rest.finish()
            return try await instance.run()
        } catch let error as UsageError {
            printError("ascent \(name): \(error)\n\n\(command.help)")
            return 2
        } catch {
            printError("ascent \(name): \(error)")
            return 1
        }
    }

    static var overview: String {
        let width = commands.map { $0.name.count }.max() ?? 0
        let lines = commands.map { "  " + $0.name.padding(to: width) + "  " + $0.summary }
        return """
        ascent — an event-sourced backend for crash games

        usage: ascent <command> [options]     (ascent <command> --help for its options)

        commands:
        \(lines.joined(separator: "\n"))
        """
    }
}

extension String {
    func padding(to width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
