import EventLog
import Foundation
import InMemoryLogging
import Logging
import Postgres
import PostgresTestSupport
import ProjectionCore
import Testing

@testable import ProjectionEngine

#if canImport(Glibc)
import Glibc
#endif

/// A session stuck in a statement (its server process frozen, a network path lost without a reset) is a
/// fault: the runner gives its leases up, so a standby takes over, and connects again. A batch that waits
/// for a lock is no such fault: it fails by itself at `lock_timeout`, before the deadline.
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
    func aWriterWhoseServerProcessFreezesGivesItsLeasesToAStandby() async throws {
        try await TestDatabase.withConnection { conn, url in
            let log = LogWriter(connection: conn)
            try await log.appendMany((1...10).map { note("n\($0)", "text", n: $0) })
            let (first, second) = (DatabaseHealth(), DatabaseHealth())
            let (firstLogs, secondLogs) = (InMemoryLogHandler(), InMemoryLogHandler())
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runner(url, health: first, logs: firstLogs).run() }
                try await waitUntil("the first runner applies the log") { try await notes(on: conn) == 10 }
                // Its writer's server process, found before a second runner opens one of its own.
                let writers = try await conn.query(
                    """
                    SELECT pid FROM pg_stat_activity
                    WHERE datname = current_database() AND application_name = 'projector:writer'
                    """
                ).rows.map { try $0.decode(Int32.self, at: 0) }
                let pid = try #require(writers.count == 1 ? writers.first : nil, "one writer session")
                group.addTask { try await runner(url, health: second, logs: secondLogs).run() }
                try await waitUntil("the second runner stands by") { second.standingBy.contains("notes") }

                // What a frozen server process (or a network path that vanished) does: the next statement
                // the writer sends is never answered. Frozen only while idle, outside any transaction: one
                // frozen inside a transaction would hold back the watermark of every test on the cluster.
                try await freezeWhileIdle(pid, watchedFrom: conn)
                let frozenAt = ContinuousClock.now
                do {
                    try await log.appendMany((11...15).map { note("n\($0)", "text", n: $0) })
                    try await waitUntil("the standby applies what the frozen writer could not") {
                        try await notes(on: conn) == 15
                    }
                } catch {
                    kill(pid_t(pid), SIGCONT)
                    throw error
                }
                let tookOver = ContinuousClock.now - frozenAt
                kill(pid_t(pid), SIGCONT)
                print("stalled session: the standby applied the new events \(tookOver) after the freeze")
                #expect(stalls(in: firstLogs) >= 1, "the first runner said why it gave its leases up")
                #expect(!second.standingBy.contains("notes"), "the second runner is the writer now")
                #expect(stalls(in: secondLogs) == 0)
                let history = try await conn.query("SELECT count(*) FROM notes.note_history").rows[0]
                #expect(try history.decode(Int.self, at: 0) == 15, "each event once")
                group.cancelAll()
                try? await group.waitForAll()
            }
        }
    }

    /// Stops the server process `pid` at a moment it is idle (between transactions, no transaction id or
    /// snapshot), as `pg_stat_activity` shows once it is stopped; tries again until it lands on one.
    func freezeWhileIdle(_ pid: Int32, watchedFrom conn: Connection) async throws {
        try await waitUntil("the writer's server process frozen while idle") {
            try #require(kill(pid_t(pid), SIGSTOP) == 0, "signal the writer's server process (errno \(errno))")
            let idle = try await conn.query(
                """
                SELECT count(*) FROM pg_stat_activity
                WHERE pid = \(pid) AND state = 'idle' AND backend_xid IS NULL AND backend_xmin IS NULL
                """
            ).rows[0].decode(Int.self, at: 0)
            if idle == 1 { return true }
            kill(pid_t(pid), SIGCONT)
            try await Task.sleep(for: .milliseconds(Int.random(in: 5...50)))
            return false
        }
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
