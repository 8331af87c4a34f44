import Foundation
import Testing

/// The scripted scenario on the Kafka backend (librdkafka's mock cluster, started by the test),
/// with the wallet, the authority, settlement and the projector each its own `ascent` process. The
/// betting window is longer than on PostgreSQL: the mock cluster fetches slowly (docs/log-kafka.md).
@Suite(.serialized) struct KafkaStackTests {
    @Test func theScenarioPassesWithThePartsAsSeparateProcessesOnKafka() async throws {
        guard let stack = try await StackHarness.make("kafka", onKafka: true, bettingMilliseconds: 4_000), let kafka = stack.kafka else { return }
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("ascent-kafka-\(stack.schema)").path
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        try Data(stack.chain.encoded()).write(to: URL(fileURLWithPath: "\(dataDirectory)/t1.chain"))
        let common = ["--log", "kafka://\(kafka.bootstrapServers)", "--database", stack.url, "--table", "t1", "--betting-ms", "4000",
                      "--tick-ms", "40", "--curve-rate", "0.0006", "--intermission-ms", "300", "--max-stake", "5000",
                      "--max-win", "1000000", "--partitions", "4", "--data-dir", dataDirectory, "--salt", stack.salt,
                      "--migrations", StackHarness.migrationsDirectory]
        let parts = ["wallet", "authority", "settlement", "projector"].map { CrashRecoveryTests.Part(name: $0, arguments: common) }
        for part in parts { try part.start() }
        defer { for part in parts { part.stop() } }
        try await EmbeddedStackTests.playScriptedRounds(on: stack)
        for part in parts { part.stop() }
        try await stack.log.shutdown()
        try await stack.drop()
    }
}
