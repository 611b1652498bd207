import EventLog
import Postgres
import PostgresTestSupport
import ProjectionCore
import ServiceLifecycle
import Testing

@testable import ProjectionEngine

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

    /// Ops' NOTIFYs (pause, resume, swap) make the runner claim again where it stands, often while its reader
    /// reads a page from there: that page must be dropped. Accepted, it moves the group on, the reader's
    /// second read of the same stretch (longer by then, events keep coming) is judged stale, and so is every
    /// page after it: the projection stops advancing.
    @Test(.timeLimit(.minutes(3)))
    func controlNotificationsWhileEventsArriveNeverStallTheRunner() async throws {
        try await TestDatabase.withConnection { conn, url in
            let runner = ProjectionRunner(
                projection: NotesProjection(),
                databaseURL: url,
                configuration: RunnerConfiguration(),
                logger: quietLogger()
            )
            let notifier = try await Connection.connect(to: url)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runner.run() }
                try await waitUntil("the runner has claimed") {
                    try await !conn.query("SELECT 1 FROM projector.checkpoints WHERE owner IS NOT NULL").rows.isEmpty
                }
                // Each round: events one at a time (short pages, and a second read of a stretch finds more), one
                // NOTIFY among them, then every event applied. A stall lasts until the next NOTIFY, so each
                // round checks before sending another.
                let log = LogWriter(connection: conn)
                var total = 0
                for round in 0..<25 {
                    let range = (total + 1)...(total + 30)
                    total += 30
                    async let appended: Void = {
                        for n in range { try await log.appendMany([note("n\(n)", "text", n: n)]) }
                    }()
                    try await Task.sleep(for: .milliseconds(Int.random(in: 2...20)))
                    try await notifier.notify(Channels.control, payload: "notes")
                    try await appended
                    let deadline = ContinuousClock.now + .seconds(15)
                    while try await conn.query("SELECT count(*) FROM notes.notes").rows[0].decode(Int.self, at: 0)
                        < total
                    {
                        if ContinuousClock.now > deadline {
                            Issue.record("round \(round): the runner stopped advancing")
                            break
                        }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                }
                group.cancelAll()
            }
            await notifier.close()
        }
    }
}
