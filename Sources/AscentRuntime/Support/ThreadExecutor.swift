import CSystemShim
import Glibc
import Synchronization

/// A task executor with one OS thread of its own. A part of the system that runs its task with this
/// executor preferred (`Task(executorPreference:)`, `group.addTask(executorPreference:)`) no longer
/// waits for a thread of Swift's shared pool: when several parts run in one process, a part that
/// decodes a batch of thousands of records cannot hold up another part's decision — the kernel
/// schedules the threads, as it would schedule separate processes.
public final class ThreadExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked Sendable: `state` is a Mutex; `wakeups` is a semaphore, safe to post and wait from any thread.
    private struct State: ~Copyable {
        var jobs: [UnownedJob] = []
        var head = 0
    }

    private let state = Mutex(State())
    /// Wakes the thread: a counting semaphore, one post per job.
    private let wakeups: UnsafeMutablePointer<sem_t>

    /// Starts the executor's thread, named `name` (visible in `top -H` and /proc/PID/task/*/comm),
    /// at nice value `niceness` (above 0 for background parts that must yield the CPU to the
    /// round authority on a shared machine). The thread serves the executor for the rest of the
    /// process: a part's tasks, and the tasks they start, may enqueue work on it until the very end
    /// (closing consumers, for one).
    public init(name: String, niceness: Int32 = 0) {
        wakeups = .allocate(capacity: 1)
        sem_init(wakeups, 0, 0)
        _ = PosixThread.spawn { [self] in
            ascent_set_thread_name(name)
            Niceness.applyToCurrentThread(niceness)
            loop()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        state.withLock { $0.jobs.append(unowned) }
        sem_post(wakeups)
    }

    private func loop() -> Never {
        let executor = asUnownedTaskExecutor()
        while true {
            while sem_wait(wakeups) != 0 {}
            let job = state.withLock { state -> UnownedJob in
                let job = state.jobs[state.head]
                state.head += 1
                // Compact once the consumed prefix dominates, so the queue does not grow forever.
                if state.head >= 64 && state.head * 2 >= state.jobs.count {
                    state.jobs.removeFirst(state.head)
                    state.head = 0
                }
                return job
            }
            job.runSynchronously(on: executor)
        }
    }
}
