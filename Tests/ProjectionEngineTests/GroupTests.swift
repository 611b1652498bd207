import EventLog
import Foundation
import InMemoryLogging
import Logging
import Postgres
import PostgresTestSupport
import ProjectionCore
import ProjectionEngine
import Testing

/// Several projections in one runner: one reading of the log, one transaction per page, failures kept apart.
@Suite struct GroupTests {
    /// Notes under another name, with their own tables.
    func jots() -> NotesProjection {
        var jots = NotesProjection()
        jots.name = "jots"
        return jots
    }

    /// Notes whose table refuses the text "boom": a fault of the read model, not of the event.
    func fragile() -> NotesProjection {
        var fragile = NotesProjection()
        fragile.name = "fragile"
        fragile.schemaSQL = fragile.schemaSQL.replacingOccurrences(
            of: "text text,",
            with: "text text CONSTRAINT no_boom CHECK (text IS DISTINCT FROM 'boom'),"
        )
        return fragile
    }

    /// Where `projection`'s live checkpoint stands; 0 until it is installed.
    func checkpoint(_ projection: String, on conn: Connection) async throws -> Int64 {
        try await conn.query("SELECT global_position FROM projector.checkpoints WHERE projection = \(projection)")
            .rows.first?.decode(Int64.self, at: 0) ?? 0
    }

    func count(_ table: String, on conn: Connection) async throws -> Int64 {
        try await conn.query(Query(unsafeSQL: "SELECT count(*) FROM \(table)")).rows[0].decode(Int64.self, at: 0)
    }

    /// Runs notes and jots together until caught up, `batchSize` events a page.
    func runNotesAndJots(batchSize: Int, url: String) async throws {
        try await runUntilCaughtUp([NotesProjection(), jots()], url: url, batchSize: batchSize)
    }

    /// History rows of notes and jots for the same event, whose transaction ids are equal or not.
    func historyPairs(sameTransaction: Bool, on conn: Connection) async throws -> Int64 {
        try await conn.query(
            """
            SELECT count(*) FILTER (WHERE (n.xmin = j.xmin) = \(sameTransaction))
            FROM notes.note_history n JOIN jots.note_history j USING (position)
            """
        ).rows[0].decode(Int64.self, at: 0)
    }

    /// Pages of 5 events, and a failed projection retried within a few tenths of a second.
    func quickRetries() -> RunnerConfiguration {
        var configuration = RunnerConfiguration()
        configuration.batchSize = 5
        configuration.standbyRetryInterval = .milliseconds(50)
        configuration.retryDelay = .milliseconds(100)
        configuration.maxRetryDelay = .milliseconds(400)
        return configuration
    }

    /// How many failures of `projection` `logs` holds that name the constraint `constraint`: each one a page the
    /// runner tried to write into that projection's table, refused by the table.
    func refusals(of projection: String, by constraint: String, in logs: InMemoryLogHandler) -> Int {
        logs.entries.filter { entry in
            let error = entry.error.map { "\($0)" } ?? ""
            return entry.level >= .warning && entry.metadata["projection.name"] == .string(projection)
                && "\(entry.message) \(entry.metadata) \(error)".contains(constraint)
        }.count
    }

    /// Whether a session waits for a lock on `table`: a writer that tried to write into it while it is locked.
    func someoneWaits(for table: String, on conn: Connection) async throws -> Bool {
        try await conn.query(
            """
            SELECT count(*) FROM pg_locks
            WHERE database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND relation = \(table)::regclass AND NOT granted
            """
        ).rows[0].decode(Int64.self, at: 0) > 0
    }

    /// Polls `condition` every 20 ms for up to 60 s (an error, such as tables not installed yet, counts as
    /// not yet); records an issue when it never holds.
    func eventually(_ what: String, _ condition: () async throws -> Bool) async throws {
        let start = ContinuousClock.now
        while (try? await condition()) != true {
            if ContinuousClock.now - start > .seconds(60) {
                Issue.record("never: \(what)")
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func aPageThatIsNotFullIsCommittedForEveryProjectionInOneTransaction() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany((1...40).map { note("n\($0)", "t\($0)", n: $0) })
            // One page, not full: what a live runner reads. (Full pages, while catching up, are written
            // per projection on sessions of their own, side by side.)
            try await runNotesAndJots(batchSize: 100, url: url)
            #expect(try await dump("notes.notes", on: conn) == dump("jots.notes", on: conn))
            #expect(try await count("jots.note_history", on: conn) == 40)
            #expect(try await checkpoint("notes", on: conn) == checkpoint("jots", on: conn))
            // Both advanced in the same transaction: their history rows share its id.
            #expect(try await historyPairs(sameTransaction: true, on: conn) == 40)
        }
    }

    @Test func aProjectionThatFailsInTheGroupDoesNotHoldBackTheOthersAndIsRetriedOnItsOwn() async throws {
        try await TestDatabase.withConnection { conn, url in
            let writer = LogWriter(connection: conn)
            try await writer.appendMany((1...20).map { note("n\($0)", $0 == 8 ? "boom" : "t\($0)", n: $0) })
            let logs = InMemoryLogHandler()
            let runner = ProjectionRunner(
                projections: [NotesProjection(), fragile()],
                databaseURL: url,
                configuration: quickRetries(),
                logger: Logger(label: "test") { _ in logs }
            )
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runner.run() }
                try await eventually("notes applies every event") { try await count("notes.notes", on: conn) == 20 }
                // Its failing page (events 6 to 10) was tried, refused, and is never committed; the page before is.
                try await eventually("fragile's page to be refused") {
                    refusals(of: "fragile", by: "no_boom", in: logs) > 0
                }
                #expect(try await count("fragile.notes", on: conn) == 5)
                #expect(try await checkpoint("fragile", on: conn) == 5)
                // Live events still reach the healthy projection while the other keeps failing.
                try await writer.appendMany((21...25).map { note("n\($0)", "t\($0)", n: $0) })
                try await eventually("notes applies live events") { try await count("notes.notes", on: conn) == 25 }
                let refusedBefore = refusals(of: "fragile", by: "no_boom", in: logs)
                try await eventually("fragile to be tried again and refused again") {
                    refusals(of: "fragile", by: "no_boom", in: logs) > refusedBefore
                }
                #expect(try await count("fragile.notes", on: conn) == 5)
                // Mend the read model: retried on its own, it catches up and joins the group.
                try await conn.execute("ALTER TABLE fragile.notes DROP CONSTRAINT no_boom")
                try await eventually("fragile catches up") { try await count("fragile.notes", on: conn) == 25 }
                try await writer.appendMany([note("n26", "t26", n: 26)])
                try await eventually("both apply the next event") {
                    let fragile = try await checkpoint("fragile", on: conn)
                    let notes = try await checkpoint("notes", on: conn)
                    return fragile == 26 && notes == 26
                }
                group.cancelAll()
            }
        }
    }

    @Test func aFirstInstallWhoseBuildFailsCatchesUpInItsLiveTablesWhileTheOthersGoOn() async throws {
        try await TestDatabase.withConnection { conn, url in
            let writer = LogWriter(connection: conn)
            try await writer.appendMany((1...20).map { note("n\($0)", $0 == 8 ? "boom" : "t\($0)", n: $0) })
            var configuration = quickRetries()
            configuration.bulkInstallMinimumEvents = 1
            let runner = ProjectionRunner(
                projections: [fragile(), NotesProjection()],
                databaseURL: url,
                configuration: configuration,
                logger: quietLogger()
            )
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runner.run() }
                // Both were loaded as rebuilds; fragile's build failed at event 8, notes' was swapped in.
                try await eventually("notes is swapped in") { try await checkpoint("notes", on: conn) == 20 }
                // The runner goes on: fragile catches up in its live tables up to the page before the failure.
                try await eventually("fragile catches up in place") { try await checkpoint("fragile", on: conn) == 5 }
                try await writer.appendMany([note("n21", "t21", n: 21)])
                try await eventually("notes applies live events") { try await count("notes.notes", on: conn) == 21 }
                try await conn.execute("ALTER TABLE fragile.notes DROP CONSTRAINT no_boom")
                try await eventually("fragile catches up") { try await count("fragile.notes", on: conn) == 21 }
                group.cancelAll()
            }
        }
    }

    @Test func fullPagesAreWrittenPerProjectionAndGiveTheSameRows() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany((1...95).map { note("n\($0 % 30)", "t\($0)", n: $0) })
            try await runNotesAndJots(batchSize: 10, url: url)
            #expect(try await dump("notes.notes", on: conn) == dump("jots.notes", on: conn))
            #expect(try await count("notes.notes", on: conn) == 30)
            #expect(try await checkpoint("notes", on: conn) == checkpoint("jots", on: conn))
            // Nine full pages, each committed apart for each projection; the last (five events) together.
            #expect(try await historyPairs(sameTransaction: false, on: conn) == 90)
            #expect(try await historyPairs(sameTransaction: true, on: conn) == 5)
        }
    }

    @Test(.bug(id: 12, "a lock held on a read-model table stalled its writer silently"))
    func aLockHeldOnOneProjectionsTableIsARetryForItAndNoStallForTheOthers() async throws {
        try await TestDatabase.withConnection { conn, url in
            let writer = LogWriter(connection: conn)
            var configuration = RunnerConfiguration()
            configuration.lockTimeout = .milliseconds(200)
            configuration.standbyRetryInterval = .milliseconds(50)
            configuration.retryDelay = .milliseconds(100)
            configuration.maxRetryDelay = .milliseconds(400)
            let runner = ProjectionRunner(
                projections: [NotesProjection(), jots()],
                databaseURL: url,
                configuration: configuration,
                logger: quietLogger()
            )
            let holder = try await Connection.connect(to: url, applicationName: "test:lock-holder")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runner.run() }
                try await eventually("both claim") {
                    try await conn.query("SELECT count(*) FROM projector.checkpoints WHERE owner IS NOT NULL").rows[0]
                        .decode(Int64.self, at: 0) == 2
                }
                // A lock that blocks writes to one read model's table, held open: what a plain CREATE INDEX
                // takes. (Not ACCESS EXCLUSIVE: taking that gives the holder a transaction id, which holds every
                // reader's watermark back, by design: lag, never loss.)
                try await holder.execute("BEGIN")
                try await holder.execute("LOCK TABLE jots.notes IN SHARE MODE")
                try await writer.appendMany((1...5).map { note("n\($0)", "t\($0)", n: $0) })
                try await eventually("notes goes on") { try await count("notes.notes", on: conn) == 5 }
                // Jots was not skipped: its writer tried the same events and waits for the lock (then times out
                // and retries), and nothing of them is in its table.
                try await eventually("a writer of jots to wait for the lock") {
                    try await someoneWaits(for: "jots.notes", on: conn)
                }
                #expect(try await count("jots.notes", on: conn) == 0)
                try await holder.execute("ROLLBACK")
                try await eventually("jots catches up once the lock is gone") {
                    try await count("jots.notes", on: conn) == 5
                }
                #expect(try await dump("jots.notes", on: conn) == dump("notes.notes", on: conn))
                group.cancelAll()
            }
            await holder.close()
        }
    }

    @Test func aProjectionBehindTheGroupCatchesUpOnItsOwnThenJoins() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany((1...200).map { note("n\($0)", "t\($0)", n: $0) })
            try await runUntilCaughtUp(NotesProjection(), url: url)
            let logs = InMemoryLogHandler()
            var configuration = RunnerConfiguration()
            configuration.exitWhenCaughtUp = true
            configuration.batchSize = 10
            try await ProjectionRunner(
                projections: [NotesProjection(), jots()],
                databaseURL: url,
                configuration: configuration,
                logger: Logger(label: "test") { _ in logs }
            ).run()
            // The group formed at notes' checkpoint; jots, 200 events behind, was more than the two pages a
            // join applies inside the writer's transaction, so it caught up on its own sessions first.
            let catchUps = logs.entries.filter {
                $0.message.description == "catching up on its own" && $0.metadata["projection.name"] == "jots"
            }
            #expect(catchUps.count == 1)
            #expect(try await dump("jots.notes", on: conn) == dump("notes.notes", on: conn))
            #expect(try await count("jots.note_history", on: conn) == 200)
            #expect(try await checkpoint("jots", on: conn) == checkpoint("notes", on: conn))
        }
    }
}
