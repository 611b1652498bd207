import CMalloc

#if canImport(Glibc)
import Glibc
#endif

/// Caps glibc's malloc arenas at two per core, before the first thread starts.
///
/// glibc gives each thread that meets a locked arena a new one, up to eight per core, and each arena keeps
/// its own high-water mark. The projector runs a thread per database session beside Swift's pool (a
/// rebuild of all four: a reader, four writers, four swap sessions). Measured on a 1M-event log (2 cores,
/// `projector rebuild --all`, four rounds of alternating runs; the operations article, "Running"): one arena per
/// core saved 18 MB of peak RSS against glibc's default but took 5-23 % more wall time, waiting on arena
/// locks (twice the system time); two per core were within noise of the default and saved 10 MB.
/// `MALLOC_ARENA_MAX` in the environment, which glibc reads itself, still wins.
enum MallocArenas {
    static func limit() {
        #if canImport(Glibc)
        guard getenv("MALLOC_ARENA_MAX") == nil else { return }
        let cores = Int32(clamping: sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        _ = mallopt(M_ARENA_MAX, 2 * max(1, cores))
        #endif
    }
}
