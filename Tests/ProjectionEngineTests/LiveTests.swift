import EventLog
import Postgres
import PostgresTestSupport
import ProjectionCore
import ProjectionEngine
import ServiceLifecycle
import Testing

@Suite struct LiveTests {
    @Test func anEventAppendedWhileLiveIsVisibleWithoutWaitingForThePoll() async throws {
        try await TestDatabase.withConnection { conn, url in
            var configuration = RunnerConfiguration()
            // A poll this slow would fail the test: only the NOTIFY can wake the runner in time.
            configuration.idlePollInterval = .seconds(600)
            let runner = ProjectionRunner(
                projection: NotesProjection(),
                databaseURL: url,
                configuration: configuration,
                logger: quietLogger()
            )
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runner.run() }
                // Wait until the runner is installed and listening (its checkpoint row exists and is owned).
                let start = ContinuousClock.now
                while try await conn.query("SELECT 1 FROM projector.checkpoints WHERE owner IS NOT NULL").rows.isEmpty {
                    try await Task.sleep(for: .milliseconds(20))
                    if ContinuousClock.now - start > .seconds(30) {
                        Issue.record("runner never started")
                        break
                    }
                }
                try await Task.sleep(for: .milliseconds(300))
                let appended = ContinuousClock.now
                try await LogWriter(connection: conn).appendMany([note("live", "hello", n: 1)])
                while try await conn.query("SELECT 1 FROM notes.notes WHERE id = 'live'").rows.isEmpty {
                    try await Task.sleep(for: .milliseconds(10))
                    if ContinuousClock.now - appended > .seconds(120) { break }
                }
                // Far below the 600 s poll, so only the NOTIFY can explain it; not tighter, because other
                // tests' open transactions hold the cluster-wide watermark (and so this reader) back for
                // seconds on a busy 2-core machine.
                #expect(ContinuousClock.now - appended < .seconds(60))
                group.cancelAll()
            }
        }
    }
}
