import AscentCore
import AscentLog
import AscentProjector
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

@Suite(.serialized) struct ProjectorPositionTests {
    /// A database shared by deployments with other topic prefixes: the projector reads only its own
    /// topics' stored positions (another prefix's round topic must not be read as wallet events).
    @Test func positionsOfOtherTopicPrefixesAreLeftAlone() async throws {
        guard let stack = try await StackHarness.make("positions") else { return }
        let other = LogTopics(prefix: "other.")
        try await other.create(on: stack.log, partitions: 1)
        _ = try await stack.log.append([Records.make(RoundEvent.tookOff(round: 1, at: Timestamp(milliseconds: 1)), table: "x", topics: other)])
        _ = try await stack.rows("insert into projector_positions values ('main', 'other.round-events', 0, 0) returning 1")
        let projector = Projector(log: stack.log, databaseURL: stack.url, topics: stack.topics)
        try await projector.catchUp()
        let positions = try await projector.storedPositions()
        #expect(positions[TopicPartition(topic: "other.round-events", partition: 0)] == 0, "another deployment's position is untouched")
        try await stack.log.shutdown()
        try await stack.drop()
    }
}
