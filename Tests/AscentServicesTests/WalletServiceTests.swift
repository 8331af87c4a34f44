import AscentCore
import AscentLog
import AscentServices
import Foundation
import Testing

@Suite(.serialized) struct WalletServiceTests {
    /// The development faucet is off unless configured and never pays more than its size; operator
    /// deposits are unaffected.
    @Test func theFaucetIsOffUnlessConfigured() async throws {
        for faucet in [nil, Int64(1_000)] {
            guard let stack = try await StackHarness.make("faucet") else { return }
            nonisolated(unsafe) let wallet = WalletService(log: stack.log, topics: stack.topics, faucetMinorUnits: faucet)
            let running = Task { try await wallet.run() }
            let eur = stack.table.currency
            func deposit(_ id: String, _ amount: Int64, _ reference: String) -> WalletCommand {
                WalletCommand(id: id, player: "pat", action: .deposit(Money(minorUnits: amount, currency: eur), reference: reference),
                              at: Timestamp(milliseconds: 0))
            }
            try await stack.send([deposit("f1", 500, WalletService.faucetReference), deposit("f2", 2_000, WalletService.faucetReference),
                                  deposit("o1", 7, "operator")])
            var deposits: [String] = []
            let deadline = Date().addingTimeInterval(30)
            while !deposits.contains("o1") && Date() < deadline {
                deposits = []
                for partition in 0..<Int32(4) {
                    try await stack.log.readToEnd(TopicPartition(topic: stack.topics.walletEvents, partition: partition)) { records in
                        for record in records { deposits.append(try WalletEvent.decode(json: record.value).commandID) }
                    }
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(deposits == (faucet == nil ? ["o1"] : ["f1", "o1"]), "faucet \(String(describing: faucet)): \(deposits)")
            running.cancel()
            _ = try? await running.value
            try await stack.log.shutdown()
            try await stack.drop()
        }
    }
}
