import Foundation
import Postgres
import PostgresTestSupport
import ReadModels
import Testing

/// The chaos suite's own PostgreSQL cluster, which it stops, restarts and kills sessions on without
/// disturbing the other tests (they share the cluster on `PROJECTOR_TEST_PG_PORT`).
///
/// It listens on the shared cluster's port + 4 (the restore and replica tests take + 1 to + 3), in a
/// data directory of its own under the repository, removed when the suite ends.
struct ChaosCluster: Sendable {
    /// The data directory, `<repo>/.pgdata-chaos-<random>`.
    let directory: String
    /// The TCP port on 127.0.0.1.
    let port: Int
    /// The server's URL, for the `postgres` database.
    let url: String

    /// The cluster of the suite running in this task, provided by `ChaosClusterTrait`.
    @TaskLocal static var current: ChaosCluster?

    /// The names of the read models, each checked with `projector verify`: every one `projector` maintains.
    static let readModels = ReadModels.names

    /// Starts a new cluster with `scripts/pg-start --fast`.
    static func start() async throws -> ChaosCluster {
        let directory = Shell.repositoryRoot
            .appendingPathComponent(".pgdata-chaos-\(UUID().uuidString.prefix(8).lowercased())").path
        let port = TestPorts.postgres + 4
        let started = try await Shell.run(#"scripts/pg-start --dir "$1" --port "$2" --fast"#, directory, "\(port)")
        guard started.status == 0 else {
            _ = try? Shell.runBlocking(#"scripts/pg-stop --dir "$1" --remove"#, [directory])
            throw ClusterFailure(message: "scripts/pg-start failed: \(started.stderr)")
        }
        let url = started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return ChaosCluster(directory: directory, port: port, url: url)
    }

    /// Starts the server again after `stop()`; does nothing when it runs.
    func startAgain() async throws {
        let started = try await Shell.run(#"scripts/pg-start --dir "$1" --port "$2" --fast"#, directory, "\(port)")
        guard started.status == 0 else { throw ClusterFailure(message: "scripts/pg-start failed: \(started.stderr)") }
    }

    /// Stops the server (`pg_ctl stop -m fast`: every session is ended), keeping its data.
    func stop() async throws {
        let stopped = try await Shell.run(#"scripts/pg-stop --dir "$1""#, directory)
        guard stopped.status == 0 else { throw ClusterFailure(message: "scripts/pg-stop failed: \(stopped.stderr)") }
    }

    /// Stops the server and deletes its data directory.
    func remove() {
        _ = try? Shell.runBlocking(#"scripts/pg-stop --dir "$1" --remove"#, [directory])
    }

    /// A session of the test itself, named so that no `application_name LIKE 'projector%'` matches it.
    static func connect(_ url: String) async throws -> Connection {
        try await Connection.connect(to: url, applicationName: "chaos-tests")
    }

    /// Runs `body` with the URL of a new database migrated by `projector migrate`, dropped afterwards.
    func withDatabase(_ body: (_ url: String) async throws -> Void) async throws {
        // A scenario that failed while the server was down must not take the next one with it.
        try await startAgain()
        let name = "chaos_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let admin = try await Self.connect(url)
        try await admin.execute("CREATE DATABASE \(identifier: name)")
        await admin.close()
        let database = try Conninfo.withDatabase(name, in: url)
        let migrated = try await ProjectorBinary.run(["migrate"], database: database)
        guard migrated.status == 0 else { throw ClusterFailure(message: "projector migrate: \(migrated.stderr)") }
        var failure: (any Error)?
        do {
            try await body(database)
        } catch {
            failure = error
        }
        try await startAgain()
        let cleanup = try await Self.connect(url)
        try await cleanup.execute("DROP DATABASE IF EXISTS \(identifier: name) WITH (FORCE)")
        await cleanup.close()
        if let failure { throw failure }
    }
}

/// Starts a `ChaosCluster` for the suite it is attached to, and removes it when the suite ends.
struct ChaosClusterTrait: SuiteTrait, TestScoping {
    func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        let cluster = try await ChaosCluster.start()
        defer { cluster.remove() }
        try await ChaosCluster.$current.withValue(cluster) { try await function() }
    }
}

extension Trait where Self == ChaosClusterTrait {
    /// A PostgreSQL cluster of the suite's own, in `ChaosCluster.current`.
    static var chaosCluster: Self { Self() }
}

/// The chaos cluster could not be started, stopped or prepared.
struct ClusterFailure: Error, CustomStringConvertible {
    /// What failed, with the script's output.
    var message: String
    var description: String { message }
}
