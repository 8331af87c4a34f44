import Glibc
import Synchronization

/// The write end of the signal self-pipe. Set once before any handler is installed and never
/// changed, so reading it inside the handler is a plain load.
nonisolated(unsafe) private var signalPipeWrite: Int32 = -1

/// The signal handler itself: only async-signal-safe work, one write() of the signal number into
/// the self-pipe, with errno preserved for whatever the signal interrupted.
private func forwardSignal(_ number: Int32) {
    let savedErrno = errno
    var byte = UInt8(truncatingIfNeeded: number)
    _ = write(signalPipeWrite, &byte, 1)
    errno = savedErrno
}

/// Turns SIGTERM and SIGINT into a `ShutdownSignal` trigger without doing unsafe work inside the
/// signal handler: the handler writes the signal number into a pipe, and a dedicated thread reads
/// it and triggers the event. A SIGINT that arrives after shutdown has started exits the process
/// at once (status 130), so a stuck shutdown can be abandoned with a second Ctrl-C.
///
/// Installing also ignores SIGPIPE, so a peer closing a socket mid-write gives EPIPE instead of
/// killing the process.
public enum SignalHandler {
    private struct Installation {
        var target: ShutdownSignal
        var exitOnSecondInterrupt: Bool
    }

    private static let installation = Mutex<Installation?>(nil)

    /// Routes SIGTERM and SIGINT to `signal` (`ShutdownSignal.shared` by default). Safe to call
    /// more than once: the handlers and reader thread are set up once, later calls only change
    /// the target. `exitOnSecondInterrupt` false keeps the process alive on a second SIGINT.
    public static func install(into signal: ShutdownSignal = .shared, exitOnSecondInterrupt: Bool = true) {
        installation.withLock { installation in
            let firstTime = installation == nil
            installation = Installation(target: signal, exitOnSecondInterrupt: exitOnSecondInterrupt)
            guard firstTime else { return }
            let (readEnd, writeEnd) = SelfPipe.make()
            signalPipeWrite = writeEnd
            _ = PosixThread.spawn { readSignals(from: readEnd) }

            var action = sigaction()
            action.__sigaction_handler.sa_handler = forwardSignal
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(SIGTERM, &action, nil)
            sigaction(SIGINT, &action, nil)
            _ = Glibc.signal(SIGPIPE, SIG_IGN)
        }
    }

    /// The reader thread: waits on the pipe for the life of the process.
    private static func readSignals(from fd: Int32) {
        var pending = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        var bytes = [UInt8](repeating: 0, count: 16)
        while true {
            let ready = poll(&pending, 1, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            let count = read(fd, &bytes, bytes.count)
            guard count > 0 else { continue }
            for number in bytes[0..<count] {
                deliver(Int32(number))
            }
        }
    }

    private static func deliver(_ number: Int32) {
        guard let current = installation.withLock({ $0 }) else { return }
        let reason: ShutdownReason = number == SIGINT ? .interrupt : .terminate
        let first = current.target.trigger(reason)
        if !first, number == SIGINT, current.exitOnSecondInterrupt {
            JSONLogger(component: "signals", minimumLevel: .error).error("second SIGINT during shutdown, exiting now")
            _exit(130)
        }
    }
}
