import AscentLog
import AscentServices
import Synchronization
import Testing

/// A log whose appends wait until the test releases them, and can be told to fail.
private final class GatedLog: EventLog, @unchecked Sendable {
    // @unchecked Sendable: all state is in the Mutex.
    private struct State {
        var appended: [[String]] = []
        var waiting: [CheckedContinuation<Void, Never>] = []
        var failNext = false
    }
    private let state = Mutex(State())

    struct Refused: Error {}

    /// The values of each append so far, in order.
    var appended: [[String]] { state.withLock { $0.appended } }
    /// Appends waiting to be released.
    var waitingCount: Int { state.withLock { $0.waiting.count } }

    func release() { state.withLock { $0.waiting.isEmpty ? nil : $0.waiting.removeFirst() }?.resume() }
    func failNextAppend() { state.withLock { $0.failNext = true } }

    func append(_ records: [OutgoingRecord]) async throws -> [AppendResult] {
        await withCheckedContinuation { continuation in state.withLock { $0.waiting.append(continuation) } }
        let fail = state.withLock { state -> Bool in
            defer { state.failNext = false }
            if !state.failNext { state.appended.append(records.map { String(decoding: $0.value, as: UTF8.self) }) }
            return state.failNext
        }
        if fail { throw Refused() }
        return records.map { AppendResult(topicPartition: TopicPartition(topic: $0.topic, partition: 0), offset: 0) }
    }

    func createTopic(_ topic: String, partitions: Int32, retention: TopicRetention) async throws {}
    func partitionCount(of topic: String) async throws -> Int32 { 1 }
    func endOffsets(_ partitions: [TopicPartition]) async throws -> [TopicPartition: Int64] { [:] }
    func makeConsumer(_ subscription: Subscription) async throws -> any LogConsumer { fatalError("not used") }
    func shutdown() async throws {}
}

@Suite struct OrderedAppenderTests {
    private static func records(_ values: String...) -> [OutgoingRecord] {
        values.map { OutgoingRecord(topic: "t", key: [], value: Array($0.utf8)) }
    }

    /// Waits (bounded) until `condition` holds; the appender works on its own task.
    private static func until(_ condition: () -> Bool) async throws {
        for _ in 0..<10_000 where !condition() { try await Task.sleep(for: .milliseconds(1)) }
        #expect(condition())
    }

    /// Batches go out in the order given, those queued behind an append go out together in the
    /// next one, and an input position becomes durable only once its batch is appended.
    @Test func keepsOrderCoalescesAndReleasesPositionsOnlyWhenAppended() async throws {
        let log = GatedLog()
        let appender = OrderedAppender(log: log)
        let input = TopicPartition(topic: "in", partition: 0)
        appender.enqueue(Self.records("a"), positions: [input: 1])
        try await Self.until { log.waitingCount == 1 }
        appender.enqueue(Self.records("b", "c"), positions: [input: 2])
        appender.enqueue(Self.records("d"), positions: [input: 3])
        #expect(appender.takeDurablePositions().isEmpty, "nothing is durable while the first append waits")
        #expect(appender.backlog == 4)
        log.release()
        try await Self.until { log.waitingCount == 1 }
        #expect(appender.takeDurablePositions() == [input: 1])
        log.release()
        try await appender.flush()
        #expect(log.appended == [["a"], ["b", "c", "d"]])
        #expect(appender.takeDurablePositions() == [input: 3])
        #expect(appender.backlog == 0)
    }

    /// A batch given as what makes its records is made on the appender's task when its turn comes
    /// (not by the caller, and not while earlier batches wait), counts for its size in the backlog,
    /// and keeps its place in the order.
    @Test func aBatchMadeLaterIsMadeInItsTurnAndKeepsItsPlace() async throws {
        let log = GatedLog()
        let appender = OrderedAppender(log: log)
        let input = TopicPartition(topic: "in", partition: 0)
        let made = Mutex(0)
        appender.enqueue(Self.records("a"), positions: [input: 1])
        try await Self.until { log.waitingCount == 1 }
        appender.enqueue(size: 3, positions: [input: 2]) {
            made.withLock { $0 += 1 }
            return Self.records("b+c+d")
        }
        appender.enqueue(Self.records("e"), positions: [input: 3])
        #expect(made.withLock { $0 } == 0, "not made while the append before it waits")
        #expect(appender.backlog == 5)
        log.release()
        try await Self.until { log.waitingCount == 1 }
        log.release()
        try await appender.flush()
        #expect(made.withLock { $0 } == 1)
        #expect(log.appended == [["a"], ["b+c+d", "e"]])
        #expect(appender.takeDurablePositions() == [input: 3])
        #expect(appender.backlog == 0)
    }

    /// A failed append stops the appender: what was queued after it is never written, its positions
    /// never become durable, and the owner learns of it from `check` and `flush`.
    @Test func aFailedAppendDropsWhatFollowsAndIsReported() async throws {
        let log = GatedLog()
        let appender = OrderedAppender(log: log)
        let input = TopicPartition(topic: "in", partition: 0)
        appender.enqueue(Self.records("a"), positions: [input: 1])
        try await Self.until { log.waitingCount == 1 }
        appender.enqueue(Self.records("b"), positions: [input: 2])
        log.failNextAppend()
        log.release()
        await #expect(throws: GatedLog.Refused.self) { try await appender.flush() }
        #expect(throws: GatedLog.Refused.self) { try appender.check() }
        appender.enqueue(Self.records("c"), positions: [input: 3])
        #expect(log.waitingCount == 0 && log.appended.isEmpty, "nothing more is appended after a failure")
        #expect(appender.takeDurablePositions().isEmpty)
    }
}
