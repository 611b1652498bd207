import Foundation
import PostgresTestSupport
import Testing

/// A `projector run` started by a chaos scenario, with its HTTP endpoints on a port of its own and its
/// output in a file (read only when a test fails, for the reason the process gave).
final class ChaosProjector: Sendable {
    /// The lease the instances run with (`PROJECTOR_LEASE_SECONDS`), in seconds.
    ///
    /// Set through the environment, not `--lease-seconds`: a build without leases ignores it instead of
    /// refusing the flag, so its scenarios fail on the behaviour they test, not on the command line.
    static let leaseSeconds = "3"

    private let process: Process
    /// The port of `/health`, `/ready`, `/metrics` and `/status`.
    let httpPort: Int
    /// The name the instance's sessions carry in `pg_stat_activity`, when it was given one.
    let applicationName: String?
    private let logPath: String

    /// Starts `projector run` on `url`; `applicationName` names all its sessions (to tell two instances apart).
    init(url: String, applicationName: String? = nil, arguments: [String] = []) throws {
        httpPort = TestPorts.http()
        self.applicationName = applicationName
        logPath = FileManager.default.temporaryDirectory.appendingPathComponent("chaos-run-\(UUID()).log").path
        guard FileManager.default.createFile(atPath: logPath, contents: nil),
            let log = FileHandle(forWritingAtPath: logPath)
        else { throw ClusterFailure(message: "cannot write \(logPath)") }
        process = Process()
        process.executableURL = URL(fileURLWithPath: ProjectorBinary.path)
        process.arguments = ["run", "--http-port", "\(httpPort)", "--sample-interval", "0.5"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = applicationName.map { "\(url) application_name=\($0)" } ?? url
        environment["LOG_LEVEL"] = "warning"
        environment["PROJECTOR_LEASE_SECONDS"] = Self.leaseSeconds
        process.environment = environment
        process.standardOutput = log
        process.standardError = log
        try process.run()
        // The child has its own copy of the descriptor.
        try? log.close()
    }

    /// The operating system's process id.
    var pid: Int32 { process.processIdentifier }

    /// Whether the process is still alive (a stopped one included).
    var isRunning: Bool { process.isRunning }

    /// How it ended and the last lines it wrote; for a failure's message.
    var exitDescription: String {
        let tail =
            (try? String(contentsOfFile: logPath, encoding: .utf8))?.split(separator: "\n").suffix(5)
            .joined(separator: "\n") ?? ""
        let how = process.isRunning ? "still running" : "exited with status \(process.terminationStatus)"
        return "projector run (pid \(pid)) \(how); its last output:\n\(tail)"
    }

    /// Everything it has written so far.
    var output: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Sends `signal` to the process.
    func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Kills it with SIGKILL and waits for it to be gone.
    func kill9() async {
        send(SIGKILL)
        await ProjectorBinary.waitForExit(process)
    }

    /// Ends the process whatever its state (a stopped one is continued first) and deletes its log.
    func stop() async {
        if process.isRunning {
            send(SIGCONT)
            send(SIGTERM)
            let deadline = ContinuousClock.now + .seconds(10)
            while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
            if process.isRunning { await kill9() }
        }
        try? FileManager.default.removeItem(atPath: logPath)
    }

    /// The status code of `path` on its HTTP port, or nil when nothing answers.
    func get(_ path: String) async -> Int? {
        try? await HTTPGet.get(path, port: httpPort).status
    }

    /// The `state` of every projection in its `/status`, by name; empty when it does not answer 200.
    func states() async -> [String: String] {
        guard let response = try? await HTTPGet.get("/status", port: httpPort), response.status == 200,
            let object = try? JSONSerialization.jsonObject(with: Data(response.text.utf8)) as? [String: Any],
            let projections = object["projections"] as? [[String: Any]]
        else { return [:] }
        var states: [String: String] = [:]
        for projection in projections {
            if let name = projection["name"] as? String, let state = projection["state"] as? String {
                states[name] = state
            }
        }
        return states
    }

    /// The sum over projections of `projector_events_applied_total` in its `/metrics`.
    func eventsApplied() async throws -> Double {
        try await metric("projector_events_applied_total") ?? 0
    }

    /// The sum of the samples named `name` in its `/metrics`, over all their labels; nil when there is none.
    func metric(_ name: String) async throws -> Double? {
        let body = try await HTTPGet.get("/metrics", port: httpPort).text
        let samples = try PrometheusText.parse(body).filter { $0.name == name }
        return samples.isEmpty ? nil : samples.reduce(0) { $0 + $1.value }
    }

    /// Expects `/metrics` to show at least one reconnect and the database connected.
    func expectReconnected(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let reconnects = try await metric("projector_reconnects_total")
        let connected = try await metric("projector_database_connected")
        #expect(
            (reconnects ?? 0) >= 1,
            "projector_reconnects_total: \(String(describing: reconnects))",
            sourceLocation: sourceLocation
        )
        #expect(
            connected == 1,
            "projector_database_connected: \(String(describing: connected))",
            sourceLocation: sourceLocation
        )
    }

    /// Waits until `path` answers `status`, checking every 50 ms for `timeout`; false when it did not, or
    /// when the process exited meanwhile.
    func waitFor(_ path: String, status: Int, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline && isRunning {
            if await get(path) == status { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// Whether the process stays alive for `duration`, checked every 50 ms.
    func staysAlive(for duration: Duration) async -> Bool {
        let deadline = ContinuousClock.now + duration
        while ContinuousClock.now < deadline {
            if !isRunning { return false }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return isRunning
    }
}

/// Ends every projector of `body` when it returns or throws.
func withProjectors(_ body: (_ started: ProjectorList) async throws -> Void) async throws {
    let list = ProjectorList()
    do {
        try await body(list)
    } catch {
        for projector in list.all { await projector.stop() }
        throw error
    }
    for projector in list.all { await projector.stop() }
}

/// The projectors a scenario started, to be ended when it ends.
final class ProjectorList {
    private(set) var all: [ChaosProjector] = []

    /// Starts `projector run` (see `ChaosProjector.init`) and keeps it for the clean-up.
    func start(url: String, applicationName: String? = nil, arguments: [String] = []) throws -> ChaosProjector {
        let projector = try ChaosProjector(url: url, applicationName: applicationName, arguments: arguments)
        all.append(projector)
        return projector
    }

    /// Appends a first round of events (40 patients), starts `projector run` and waits until it has
    /// projected them; fails the test when it does not within 30 s.
    func startCaughtUp(
        url: String,
        applicationName: String? = nil,
        arguments: [String] = []
    ) async throws -> ChaosProjector {
        try await Chaos.appendRound(url, seed: 1, patients: 40)
        let projector = try start(url: url, applicationName: applicationName, arguments: arguments)
        try #require(await Chaos.waitUntilCaughtUp(url, alive: [projector]))
        return projector
    }
}
