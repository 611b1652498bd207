import Dispatch
import Foundation

/// Runs the built `projector` executable, as a user would.
struct ProjectorBinary {
    /// `.build/debug/projector` of this checkout (scripts/test builds it before the tests run), or
    /// `PROJECTOR_BINARY` when set (to test another build).
    static var path: String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return ProcessInfo.processInfo.environment["PROJECTOR_BINARY"]
            ?? root.appendingPathComponent(".build/debug/projector").path
    }

    /// `projector-trapdoor` beside `path`: the command line with the `trapdoor` read model, which traps on purpose.
    static var trapdoorPath: String {
        URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("projector-trapdoor").path
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// A process for `projector arguments…` with `DATABASE_URL` set to `database`, not yet started.
    private static func process(
        _ arguments: [String],
        database: String?,
        path: String = path,
        environment added: [String: String] = [:]
    ) throws -> Process {
        guard FileManager.default.isExecutableFile(atPath: path) else { throw BinaryMissing(path: path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = database
        environment["LOG_LEVEL"] = "warning"
        environment.merge(added) { $1 }
        process.environment = environment
        return process
    }

    /// Starts `projector arguments…` and returns at once.
    static func start(_ arguments: [String], database: String?, path: String = path) throws -> Process {
        let process = try process(arguments, database: database, path: path)
        try process.run()
        return process
    }

    /// Runs `projector arguments…` to completion and captures its output.
    ///
    /// The wait blocks a thread, so it runs on a dispatch thread: blocking the cooperative pool
    /// (two threads here) starved other tests' tasks, among them a transaction another child
    /// was waiting behind, and the suite deadlocked.
    static func run(_ arguments: [String], database: String? = nil, path: String = path) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Result { try collect(try process(arguments, database: database, path: path)) }
                )
            }
        }
    }

    /// Starts `projector arguments…` with its output collected, for a test that signals it: the process
    /// (its `processIdentifier` is set once it runs) and its output once it ends.
    static func startCollecting(
        _ arguments: [String],
        database: String?,
        path: String = path,
        environment: [String: String] = [:]
    ) throws -> (process: Process, output: Task<Output, any Error>) {
        let process = try process(arguments, database: database, path: path, environment: environment)
        let output = Task {
            try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global().async { continuation.resume(with: Result { try collect(process) }) }
            }
        }
        return (process, output)
    }

    /// Runs `process` (not yet started) to its end and returns its status and output.
    static func collect(_ process: Process) throws -> Output {
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting, so a large output cannot fill the pipe and stall the child.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus,
            stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self)
        )
    }

    /// Waits for `process` to exit without blocking the cooperative pool.
    static func waitForExit(_ process: Process) async {
        while process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
    }
}

struct BinaryMissing: Error, CustomStringConvertible {
    var path: String
    var description: String { "\(path) does not exist: build it first (swift build), as scripts/test does" }
}
