import EventLog
import Postgres
import PostgresTestSupport
import ProjectionCore
import Testing

@testable import ProjectionEngine

/// An older version still running while a newer one rebuilds one of its projections and swaps it in (an
/// upgrade, the operations guide's "Upgrading a running deployment"): the older stops only what it must.
@Suite struct UpgradeTests {
    func count(_ table: String, on conn: Connection) async throws -> Int {
        try await conn.query(Query(unsafeSQL: "SELECT count(*) FROM \(table)")).rows[0].decode(Int.self, at: 0)
    }

    @Test(.timeLimit(.minutes(3)))
    func aRunningOlderVersionLeavesARebuiltProjectionToTheNewerAndRunsItsOthersOn() async throws {
        try await TestDatabase.withConnection { conn, url in
            let log = LogWriter(connection: conn)
            try await log.appendMany([note("a", "one", n: 1)])
            // Two projections in the older version; the upgrade changes only `notes`.
            var others = NotesProjection()
            others.name = "others"
            var configuration = RunnerConfiguration()
            configuration.idlePollInterval = .milliseconds(100)
            configuration.standbyRetryInterval = .milliseconds(100)
            let older = ProjectionRunner(
                projections: [NotesProjection(), others],
                databaseURL: url,
                configuration: configuration,
                logger: quietLogger()
            )
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await older.run() }
                try await waitUntil("the older version applied the first note") {
                    let applied = (try await count("notes.notes", on: conn), try await count("others.notes", on: conn))
                    return applied == (1, 1)
                }
                // The newer version rebuilds `notes` beside the older one and swaps it in; the older still holds
                // the lease, so the newer's run then ends (it stands by no longer: exit when caught up).
                var newer = NotesProjection()
                newer.version = 2
                newer.shout = true
                _ = try? await runUntilCaughtUp(newer, url: url)
                #expect(
                    try await conn.query("SELECT text FROM notes.notes").rows[0].decode(String.self, at: 0) == "ONE"
                )

                // The older version meets the newer tables at its next write: it gives `notes` up, and runs on.
                try await log.appendMany([note("b", "two", n: 2)])
                try await waitUntil("the older version's other projection applied the second note") {
                    try await count("others.notes", on: conn) == 2
                }
                try await waitUntil("the older version gave the lease of notes up") {
                    try await conn.query("SELECT count(*) FROM projector.leases WHERE projection = 'notes'").rows[0]
                        .decode(Int.self, at: 0) == 0
                }
                // It wrote nothing into the newer generation.
                #expect(try await count("notes.notes", on: conn) == 1)
                group.cancelAll()
                try? await group.waitForAll()
            }
        }
    }
}
