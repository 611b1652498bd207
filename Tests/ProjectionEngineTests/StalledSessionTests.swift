import EventLog
import Foundation
import InMemoryLogging
import Logging
import Postgres
import PostgresTestSupport
import ProjectionCore
import Testing

@testable import ProjectionEngine

/// A batch that waits for a lock is no stalled session: it fails by itself at `lock_timeout`, before the
/// statement deadline, and the runner keeps its leases. (A session whose server process froze is tested in
/// ChaosTests, on a cluster of its own: a stopped server process makes every DROP DATABASE of its cluster
/// wait for it, which stalled the whole suite when this suite froze one on the shared cluster.)
@Suite struct StalledSessionTests {
    func runner(_ url: String, health: DatabaseHealth, logs: InMemoryLogHandler) -> ProjectionRunner {
        var configuration = RunnerConfiguration()
        configuration.standbyRetryInterval = .milliseconds(100)
        configuration.idlePollInterval = .milliseconds(200)
        configuration.statementDeadline = .seconds(2)
        configuration.lockTimeout = .seconds(1)
        return ProjectionRunner(
            projections: [NotesProjection()],
            databaseURL: url,
            configuration: configuration,
            health: health,
            logger: Logger(label: "test") { _ in logs }
        )
    }

    func notes(on conn: Connection) async throws -> Int {
        try await conn.query("SELECT count(*) FROM notes.notes").rows[0].decode(Int.self, at: 0)
    }

    func stalls(in logs: InMemoryLogHandler) -> Int {
        logs.entries.filter { $0.message.description.contains("stuck in a statement") }.count
    }

    @Test(.timeLimit(.minutes(2)))
    func aBatchWaitingForALockFailsByItselfAndKeepsItsLease() async throws {
        try await TestDatabase.withConnection { conn, url in
            let log = LogWriter(connection: conn)
            try await log.appendMany((1...10).map { note("n\($0)", "text", n: $0) })
            let health = DatabaseHealth()
            let logs = InMemoryLogHandler()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runner(url, health: health, logs: logs).run() }
                try await waitUntil("the runner applies the log") { try await notes(on: conn) == 10 }
                // Held across three tries of the batch (1 s each, then 1 s and 2 s of back-off): well past the
                // statement deadline of 2 s in all, while each try gives up at lock_timeout (1 s) by itself.
                let holder = try await Connection.connect(to: url, applicationName: "projector-tests")
                try await holder.execute("BEGIN")
                try await holder.execute("LOCK TABLE notes.notes IN SHARE MODE")
                let lockedAt = ContinuousClock.now
                try await log.appendMany((11...15).map { note("n\($0)", "text", n: $0) })
                try await waitUntil("three tries of the batch fail at lock_timeout") {
                    logs.entries.count { $0.level >= .error && "\($0.metadata)".contains("lock timeout") } >= 3
                }
                #expect(ContinuousClock.now - lockedAt > .seconds(2), "the lock outlasted the statement deadline")
                try await holder.execute("ROLLBACK")
                await holder.close()
                try await waitUntil("the runner applies the rest once the lock is gone") {
                    try await notes(on: conn) == 15
                }
                #expect(stalls(in: logs) == 0, "a lock wait is not a stalled session")
                group.cancelAll()
                try? await group.waitForAll()
            }
        }
    }
}
