import AscentRuntime
import Glibc
import Testing

private struct TimedOut: Error {}

/// Awaits `operation`, failing with a timeout instead of hanging when it never finishes.
private func withDeadline<T: Sendable>(_ timeout: Duration = .seconds(5),
                                       _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    return try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw TimedOut()
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

@Suite struct ShutdownSignalTests {
    @Test func triggerWakesEveryWaiterWithTheFirstReason() async throws {
        let signal = ShutdownSignal()
        #expect(!signal.isShuttingDown)
        async let first = withDeadline { try await signal.wait() }
        async let second = withDeadline { try await signal.wait() }
        #expect(signal.trigger(.requested("test over")))
        #expect(!signal.trigger(.terminate))
        #expect(try await first == .requested("test over"))
        #expect(try await second == .requested("test over"))
        #expect(try await signal.wait() == .requested("test over"))
        #expect(signal.reason == .requested("test over"))
    }

    @Test func cancelledWaiterThrowsCancellation() async throws {
        let signal = ShutdownSignal()
        let waiter = Task { try await signal.wait() }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(!signal.isShuttingDown)
    }

    @Test func sigtermWakesTheWaiterAndLeavesTheProcessRunning() async throws {
        let signal = ShutdownSignal()
        // Handlers are in place before the signal is raised, so the test runner is not killed.
        SignalHandler.install(into: signal)
        async let reason = withDeadline { try await signal.wait() }
        kill(getpid(), SIGTERM)
        #expect(try await reason == .terminate)
        kill(getpid(), SIGTERM) // a second SIGTERM during shutdown changes nothing
        #expect(signal.reason == .terminate)
    }

    @Test func secondInterruptDuringShutdownExitsAt130() async {
        await #expect(processExitsWith: .exitCode(130)) {
            let signal = ShutdownSignal()
            SignalHandler.install(into: signal)
            kill(getpid(), SIGINT)
            // Two pending SIGINTs merge into one, so send the second once the first has landed.
            for _ in 0..<5000 where !signal.isShuttingDown {
                usleep(1000)
            }
            kill(getpid(), SIGINT)
            // The reader thread exits the process; give up (and fail) after 5 s.
            sleep(5)
            exit(0)
        }
    }

    @Test func firstInterruptOnlyStartsShutdown() async {
        await #expect(processExitsWith: .success) {
            let signal = ShutdownSignal()
            SignalHandler.install(into: signal)
            kill(getpid(), SIGINT)
            for _ in 0..<5000 where !signal.isShuttingDown {
                usleep(1000)
            }
            exit(signal.reason == .interrupt ? 0 : 1)
        }
    }
}
