import Dispatch
import Foundation

/// Runs bash scripts with the repository's script library (`scripts/lib/common.sh`) loaded, for tests
/// that drive PostgreSQL's own tools (a second cluster, pg_dump, pg_resetwal) as the scripts do.
enum Shell {
    /// The checkout this test file belongs to.
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// A finished script: its exit status and what it wrote.
    typealias Output = ProjectorBinary.Output

    /// Runs `script` in bash from the repository root, after `source scripts/lib/common.sh` and
    /// `pg_init_os_user` (so `as_pg` and `pg_find_bin_dir` work); `arguments` are `$1`, `$2`, ….
    static func run(_ script: String, _ arguments: String...) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try runBlocking(script, arguments) })
            }
        }
    }

    /// `run`, blocking the calling thread: for clean-up in a `defer`.
    static func runBlocking(_ script: String, _ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments =
            ["-c", "set -euo pipefail; source scripts/lib/common.sh; pg_init_os_user; " + script, "bash"] + arguments
        process.currentDirectoryURL = repositoryRoot
        return try ProjectorBinary.collect(process)
    }
}
