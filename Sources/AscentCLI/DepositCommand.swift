import AscentCore
import AscentServices

/// `ascent deposit|withdraw`: the operator's money movements, written as wallet commands.
struct DepositCommand: Subcommand {
    static let name = "deposit"
    static let summary = "credit (or with --withdraw, debit) a player's wallet, as the operator"
    static var help: String {
        """
        usage: ascent deposit --player ID --amount MINOR --id COMMAND_ID [--reference TEXT] [--withdraw] [log options]

        Appends an operator deposit (or withdrawal) to wallet-commands. The command id makes it
        idempotent: repeating it with the same id does nothing; the same id with another amount is
        rejected by the wallet. Amounts are minor units of the table's currency (--currency).
        \(StackOptions.help)
        """
    }

    let options: StackOptions
    let command: WalletCommand

    init(arguments: inout Arguments) throws {
        options = try StackOptions(arguments: &arguments)
        guard let player = try arguments.option("--player"), !player.isEmpty, player.utf8.count <= 64 else {
            throw UsageError("--player ID is required (1 to 64 bytes)")
        }
        guard let amount = try arguments.integer("--amount", in: 1...Int64.max / 100) else { throw UsageError("--amount MINOR is required") }
        guard let id = try arguments.option("--id"), !id.isEmpty else { throw UsageError("--id COMMAND_ID is required (it makes the deposit idempotent)") }
        let reference = try arguments.option("--reference") ?? "operator"
        let money = Money(minorUnits: amount, currency: options.table.currency)
        let action: WalletAction = arguments.flag("--withdraw") ? .withdraw(money, reference: reference) : .deposit(money, reference: reference)
        command = WalletCommand(id: id, player: PlayerID(player), action: action, at: SystemClock().now())
    }

    func run() async throws -> Int32 {
        let log = try options.makeLog()
        try await options.topics.create(on: log, partitions: options.partitions)
        _ = try await log.append([Records.make(command, topics: options.topics)])
        try await log.shutdown()
        print("appended \(command.action.typeName) \(command.id) for \(command.player)")
        return 0
    }
}
