import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process started with posix_spawn and reaped with wait4, so its own peak RSS is known.
///
/// Foundation's `Process` reaps children itself and drops their resource usage; the benchmark needs
/// the runner's peak memory, measured in its own process as an operator would see it.
struct ChildProcess: Sendable {
    /// The child's process id.
    let pid: pid_t

    /// How a child ended.
    struct Exit: Sendable {
        /// The exit code, or 128 + signal when a signal ended it.
        var status: Int32
        /// Peak resident set size, in bytes (`ru_maxrss`).
        var peakRSSBytes: Int
        /// CPU seconds it used, user and system (`ru_utime` + `ru_stime`).
        var cpuSeconds: Double
    }

    /// Starts `path arguments…` with `environment` added to this process's environment; with
    /// `discardingOutput`, its standard output goes to /dev/null (it must not mix with the report's).
    static func spawn(
        _ path: String,
        _ arguments: [String],
        environment: [String: String],
        discardingOutput: Bool = false
    ) throws -> ChildProcess {
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv + envp { free(pointer) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if discardingOutput {
            posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0)
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard result == 0 else { throw BenchError("cannot start \(path): \(String(cString: strerror(result)))") }
        return ChildProcess(pid: pid)
    }

    /// Sends `signal` to the child.
    func signal(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Waits for the child to end, on a dispatch thread (wait4 blocks; the cooperative pool must not).
    func wait() async -> Exit {
        let pid = self.pid
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var status: Int32 = 0
                var usage = rusage()
                while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
                let signalled = status & 0x7F
                let code = signalled == 0 ? (status >> 8) & 0xFF : 128 + signalled
                let cpu =
                    Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
                    + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
                continuation.resume(
                    returning: Exit(status: code, peakRSSBytes: Int(usage.ru_maxrss) * 1024, cpuSeconds: cpu)
                )
            }
        }
    }
}

/// The benchmark could not run.
public struct BenchError: Error, CustomStringConvertible {
    /// What went wrong.
    public var description: String
    /// Creates an error.
    public init(_ description: String) { self.description = description }
}
