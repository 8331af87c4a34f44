#if canImport(Glibc)
import Glibc
#endif

/// CPU priority for background work that shares a machine with latency-critical work.
///
/// In the embedded stack every part and every PostgreSQL session runs on the same cores. Settling a
/// popular auto cash-out sets off thousands of wallet commands and projection rows at once; run at
/// the same priority, that work delays the authority's next cash-out decision by tens of
/// milliseconds. Background parts (settlement, the projector) therefore run at a higher nice value,
/// and so do their database sessions where the OS allows it (the same user, or root): they still
/// get their share of an idle machine, and yield when the authority has work.
public enum Niceness {
    /// The nice value the embedded stack gives its background parts.
    public static let background: Int32 = 10

    /// Sets the calling thread's nice value (on Linux, setpriority with PRIO_PROCESS and 0 affects
    /// the calling thread only). Does nothing for 0.
    public static func applyToCurrentThread(_ niceness: Int32) {
        guard niceness != 0 else { return }
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
    }

    /// Sets process `id`'s nice value if the OS permits it (raising another user's needs
    /// CAP_SYS_NICE); a refusal leaves it as it was. Does nothing for 0.
    public static func apply(_ niceness: Int32, toProcess id: Int32) {
        guard niceness != 0, id > 0 else { return }
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(id), niceness)
    }
}
