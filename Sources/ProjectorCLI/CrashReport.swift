#if canImport(Glibc)
import Glibc
#endif

/// Keeps patient data out of the Swift runtime's crash report.
///
/// When the process traps, the runtime prints a backtrace to stderr, and by default the crashed thread's
/// registers with it; a register can hold bytes of a payload (a short Swift string lives in two of them),
/// and stderr is the service's log. The runtime reads its settings from `SWIFT_BACKTRACE` once, before
/// `main`, so a process started without them starts itself again, at once, with the registers and the
/// image list left out (the frames, which name functions and source lines only, stay). A `SWIFT_BACKTRACE`
/// the operator set is left as it is.
enum CrashReport {
    /// The settings this process runs with unless the operator chose others.
    static let settings = "enable=yes,registers=none,images=none,sanitize=yes"

    static func withoutRegisters() {
        #if os(Linux)
        guard getenv("SWIFT_BACKTRACE") == nil else { return }
        // The executable's own path, not /proc/self/exe: the kernel names the process after it (ps, top).
        var path = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &path, path.count - 1)
        guard length > 0 else { return }
        setenv("SWIFT_BACKTRACE", settings, 1)
        // Returns only when it failed; the process then goes on with the runtime's defaults.
        execv(path, CommandLine.unsafeArgv)
        #endif
    }
}
