import CMalloc

#if canImport(Glibc)
import Glibc
#endif

/// Caps glibc's malloc arenas at one per core, before the first thread starts.
///
/// glibc gives each thread that meets a locked arena a new one, up to eight per core. The projector runs a
/// thread per database session beside Swift's pool, so a rebuild of four read models (then two sessions
/// per build) spread its pages over a dozen arenas, each keeping its own high-water mark: measured on a
/// 1M-event log (2 cores), peak RSS 145-156 MB by default against 99-109 MB with two arenas, for 3-13 %
/// more wall time (README, "Operations notes", has a later measurement). No more threads run at once than there are cores, so one arena each
/// keeps lock waits short. `MALLOC_ARENA_MAX` in the environment, which glibc reads itself, still wins.
enum MallocArenas {
    static func limitToCores() {
        #if canImport(Glibc)
        guard getenv("MALLOC_ARENA_MAX") == nil else { return }
        let cores = Int32(clamping: sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        _ = mallopt(M_ARENA_MAX, max(2, cores))
        #endif
    }
}
