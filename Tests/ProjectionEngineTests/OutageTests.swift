import EventLog
import Foundation
import Postgres
import PostgresTestSupport
import ProjectionCore
import Testing

@testable import ProjectionEngine

/// A runner outlives its database's outages and its own freezes: it reconnects, and leases hand a frozen
/// writer's projections to a standby (the architecture article, "Leases and fencing").
@Suite struct OutageTests {
    /// Runs `runner` live while `body` runs, then stops it; fails if it ended by itself meanwhile.
    func whileRunning(_ runner: ProjectionRunner, _ body: () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await runner.run()
                if !Task.isCancelled { Issue.record("the runner ended by itself") }
            }
            try await body()
            group.cancelAll()
            try? await group.waitForAll()
        }
    }

    func liveRunner(url: String, health: DatabaseHealth, maxReconnectDelay: Duration = .seconds(15)) -> ProjectionRunner
    {
        var configuration = RunnerConfiguration()
        configuration.maxReconnectDelay = maxReconnectDelay
        configuration.standbyRetryInterval = .milliseconds(100)
        configuration.idlePollInterval = .milliseconds(200)
        return ProjectionRunner(
            projections: [NotesProjection()],
            databaseURL: url,
            configuration: configuration,
            health: health,
            logger: quietLogger()
        )
    }

    func notes(on conn: Connection) async throws -> Int {
        try await conn.query("SELECT count(*) FROM notes.notes").rows[0].decode(Int.self, at: 0)
    }

    @Test(.timeLimit(.minutes(3)))
    func aRunnerWhoseSessionsAreTerminatedReconnectsAndAppliesEachEventOnce() async throws {
        try await TestDatabase.withConnection { conn, url in
            let log = LogWriter(connection: conn)
            try await log.appendMany((1...50).map { note("n\($0)", "text", n: $0) })
            let health = DatabaseHealth()
            try await whileRunning(liveRunner(url: url, health: health)) {
                try await waitUntil("the first events are applied") { try await notes(on: conn) == 50 }
                #expect(health.isConnected)
                // What an administrator or a failover does to every session of the runner at once.
                let terminated = try await conn.query(
                    """
                    SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                    WHERE datname = current_database() AND application_name LIKE 'projector:%'
                    """
                ).rows[0].decode(Int.self, at: 0)
                #expect(terminated >= 3)
                try await log.appendMany((51...80).map { note("n\($0)", "text", n: $0) })
                try await waitUntil("the events appended after the outage are applied") {
                    try await notes(on: conn) == 80
                }
                #expect(health.isConnected)
                let history = try await conn.query("SELECT count(*) FROM notes.note_history").rows[0]
                #expect(try history.decode(Int.self, at: 0) == 80, "each event once")
            }
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aRunnerStartedWhileTheDatabaseIsUnreachableWaitsForIt() async throws {
        // Nothing listens on port 1: every try is refused, as while a server restarts.
        let health = DatabaseHealth()
        let runner = liveRunner(
            url: "postgresql://projector@127.0.0.1:1/none",
            health: health,
            maxReconnectDelay: .milliseconds(200)
        )
        try await whileRunning(runner) {
            try await waitUntil("several tries have failed") { (health.outage ?? .zero) > .seconds(1) }
            #expect(!health.isConnected)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aDatabaseThatDoesNotExistEndsTheRunWithTheCause() async throws {
        let url = try TestDatabase.url(
            try TestDatabase.serverURL(),
            database: "no_such_database_\(UInt32.random(in: 0...UInt32.max))"
        )
        let runner = liveRunner(url: url, health: DatabaseHealth())
        let error = try await #require(throws: PostgresError.self) { try await runner.run() }
        #expect(error.isPermanentConnectFailure)
    }

    @Test(.timeLimit(.minutes(3)))
    func aFrozenWritersLeaseLapsesAStandbyTakesOverAndTheFrozenWriterCannotCommit() async throws {
        try await TestDatabase.withConnection { conn, url in
            let log = LogWriter(connection: conn)
            try await log.appendMany([note("a", "one", n: 1)])
            try await runUntilCaughtUp(NotesProjection(), url: url)
            // The frozen writer: its session lives on, but it renews nothing after taking the lease and claiming.
            let frozen = try await Connection.connect(to: url)
            let (holder, token) = (UUID(), UUID().uuidString.lowercased())
            let claimed = try await frozen.withTransaction { tx in
                let held = try Leases.acquire(["notes"], holder: holder, length: .seconds(60), on: tx).held
                return try held.contains("notes")
                    && Checkpoints.claim("notes", owner: token, leaseHolder: holder, on: tx) != nil
            }
            try #require(claimed)
            // Alive until the standby has seen the lease held, then frozen: a lease that lapsed before the runner
            // first looked (a slow start on a busy machine) would let it take over without ever standing by. So
            // while alive it renews for a minute at a time (a 2 s lease lapsed under CI's load between two
            // renewals), and for 2 s once, as it freezes.
            let alive = Task {
                while !Task.isCancelled {
                    _ = try await frozen.withTransaction { tx in
                        try Leases.renew(["notes"], holder: holder, length: .seconds(60), on: tx)
                    }
                    try await Task.sleep(for: .milliseconds(300))
                }
            }
            try await log.appendMany([note("b", "two", n: 2), note("c", "three", n: 3)])
            let health = DatabaseHealth()
            try await whileRunning(liveRunner(url: url, health: health)) {
                try await waitUntil("the standby stands by") { health.standingBy.contains("notes") }
                alive.cancel()
                _ = await alive.result
                let frozenAt = try await frozen.withTransaction { tx in
                    try Leases.renew(["notes"], holder: holder, length: .seconds(2), on: tx)
                }
                try #require(frozenAt == ["notes"])
                try await waitUntil("the standby took over once the lease lapsed") { try await notes(on: conn) == 3 }
                #expect(!health.standingBy.contains("notes"))
                // The frozen writer wakes: its lease is gone and its commit is refused.
                let renewed = try await frozen.withTransaction { tx in
                    try Leases.renew(["notes"], holder: holder, length: .seconds(2), on: tx)
                }
                #expect(renewed.isEmpty)
                let refused = try await frozen.withTransaction { tx in
                    try Checkpoints.advance(
                        .live("notes"),
                        owner: token,
                        to: LogPosition(transactionID: 1, globalPosition: 99),
                        eventsSeen: 1,
                        on: tx
                    )
                }
                #expect(refused == .lostOwnership)
            }
            await frozen.close()
        }
    }
}
