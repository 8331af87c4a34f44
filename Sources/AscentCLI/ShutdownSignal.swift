#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// Waits for SIGINT or SIGTERM. The signals are blocked from their default action and delivered to a
/// dispatch source, so nothing unsafe runs inside a signal handler; a second signal exits at once.
enum ShutdownSignal {
    static func wait() async -> Int32 {
        await withCheckedContinuation { continuation in
            let queue = DispatchQueue(label: "ascent.signals")
            var sources: [DispatchSourceSignal] = []
            let fired = SignalLatch()
            for number in [SIGINT, SIGTERM] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                source.setEventHandler {
                    if fired.fire() {
                        continuation.resume(returning: number)
                    } else {
                        exit(128 + number)
                    }
                }
                source.resume()
                sources.append(source)
            }
            SignalLatch.keep(sources)
        }
    }
}

/// Fires once; used only on the signal queue.
final class SignalLatch: @unchecked Sendable {
    // @unchecked: touched only on the serial signal queue.
    private var hasFired = false
    nonisolated(unsafe) private static var retained: [DispatchSourceSignal] = []
    func fire() -> Bool {
        defer { hasFired = true }
        return !hasFired
    }
    static func keep(_ sources: [DispatchSourceSignal]) { retained += sources }
}
