import Foundation
import Migrations
import Postgres
import PostgresTestSupport
import Testing

/// A primary and its hot-standby replica of their own, started with `scripts/pg-start` and
/// `scripts/pg-replica` for one test and removed after it.
///
/// Their own cluster, not the suite's: other tests' open transactions would hold every snapshot's xmin
/// back and make what a replica does with snapshots unmeasurable. The ports are the test cluster's + 2
/// and + 3 (15432 and 15433 under scripts/test), so parallel runs on other ports do not collide. The pair is
/// local even when `PROJECTOR_TEST_DATABASE_URL` names a server elsewhere: it needs PostgreSQL's server
/// binaries here, which the scripts install when missing.
struct ReplicaPair {
    /// The primary's database, migrated.
    let primaryURL: String
    /// The same database on the replica.
    let replicaURL: String
    /// The replica's data directory (for its server log).
    let replicaDirectory: String

    /// Runs `body` with a new pair, whose replica runs with `settings` (`name=value`), and removes both after.
    static func with<T: Sendable>(
        settings: [String] = [],
        _ body: (ReplicaPair) async throws -> T
    ) async throws -> T {
        let testURL = try TestDatabase.serverURL()
        // A key=value conninfo, or a URL without a port (a server of your own): scripts/test's default port.
        let base = URLComponents(string: testURL)?.port ?? TestPorts.postgres
        // Named by port, as the ports are: a run on other ports leaves another run's pair alone.
        let primaryDirectory = repositoryRoot + "/.pgdata-replica-test-primary-\(base + 2)"
        let replicaDirectory = repositoryRoot + "/.pgdata-replica-test-standby-\(base + 3)"
        func stop() throws {
            // The replica first: a primary stopping with a walsender attached waits for it.
            try script("pg-stop", ["--dir", replicaDirectory, "--remove"])
            try script("pg-stop", ["--dir", primaryDirectory, "--remove"])
        }
        try stop()
        let result: Result<T, any Error>
        do {
            let admin = try script("pg-start", ["--dir", primaryDirectory, "--port", "\(base + 2)", "--fast"])
            let conn = try await Connection.connect(to: admin, applicationName: "projector-tests")
            try await conn.execute("CREATE DATABASE projector")
            await conn.close()
            let primaryURL = try Conninfo.withDatabase("projector", in: admin)
            let primary = try await Connection.connect(to: primaryURL, applicationName: "projector-tests")
            try await Migrations.apply(on: primary)
            await primary.close()
            let replicaAdmin = try script(
                "pg-replica",
                ["--primary-port", "\(base + 2)", "--dir", replicaDirectory, "--port", "\(base + 3)"]
                    + settings.flatMap { ["--set", $0] }
            )
            let pair = ReplicaPair(
                primaryURL: primaryURL,
                replicaURL: try Conninfo.withDatabase("projector", in: replicaAdmin),
                replicaDirectory: replicaDirectory
            )
            result = .success(try await body(pair))
        } catch {
            result = .failure(error)
        }
        try stop()
        return try result.get()
    }

    /// Waits until the replica has replayed everything the primary has written so far.
    func waitForReplay() async throws {
        let primary = try await Connection.connect(to: primaryURL, applicationName: "projector-tests")
        let lsn = try await primary.query("SELECT pg_current_wal_insert_lsn()::text").rows[0].decode(String.self, at: 0)
        await primary.close()
        let replica = try await Connection.connect(to: replicaURL, applicationName: "projector-tests")
        try await waitUntil("the replica to replay up to \(lsn)") {
            try await replica.query("SELECT pg_last_wal_replay_lsn() >= \(lsn)::pg_lsn").rows[0].decode(
                Bool.self,
                at: 0
            )
        }
        await replica.close()
    }

    /// Runs `scripts/<name>` and returns what it printed on stdout, trimmed; throws with its stderr on failure.
    @discardableResult
    static func script(_ name: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: repositoryRoot + "/scripts/" + name)
        process.arguments = arguments
        let output = Pipe()
        // A file, not a pipe, so the script never blocks on a full stderr while stdout is read.
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("replica-\(UUID()).err")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errorFile)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let stderr = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
            throw ReplicaPairError("scripts/\(name) exited with \(process.terminationStatus): \(stderr)")
        }
        return String(decoding: outputData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The repository, from this file's path.
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
}

/// The pair could not be started or stopped.
struct ReplicaPairError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
