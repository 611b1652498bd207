import EventLog
import Foundation
import Postgres
import PostgresTestSupport
import ProjectionCore
import Testing

@testable import ProjectionEngine

extension OutageTests {
    /// A writer frozen in the middle of a batch keeps its transaction, and its locks, for as long as it is
    /// frozen: the server's idle-in-transaction timeout does not end a session frozen while sending a
    /// statement (seen under `ChaosTests`' SIGSTOP: the standby's claim waited on the frozen batch's locks
    /// until the writer woke). Here the frozen writer's session holds its checkpoint row with that timeout
    /// off, which the server cannot tell from that case; the standby that takes the lapsed lease over must
    /// end it to catch up at all.
    @Test(.timeLimit(.minutes(3)))
    func aStandbyEndsTheSessionsOfTheWriterWhoseLeaseItTookOver() async throws {
        try await TestDatabase.withConnection { conn, url in
            let log = LogWriter(connection: conn)
            try await log.appendMany([note("a", "one", n: 1)])
            try await runUntilCaughtUp(NotesProjection(), url: url)
            let frozen = try await Connection.connect(to: url)
            let holder = UUID()
            try await frozen.executeScript(
                "SET idle_in_transaction_session_timeout = 0;\n" + Fencing.registration(of: holder)
            )
            let held = try await frozen.withTransaction { tx in
                try Leases.acquire(["notes"], holder: holder, length: .seconds(60), on: tx).held
            }
            try #require(held == ["notes"])
            try await log.appendMany([note("b", "two", n: 2), note("c", "three", n: 3)])
            let health = DatabaseHealth()
            try await whileRunning(liveRunner(url: url, health: health)) {
                try await waitUntil("the standby stands by") { health.standingBy.contains("notes") }
                // Frozen in the middle of a batch: the checkpoint row locked, the lease lapsing in 2 s.
                _ = try await frozen.withTransaction { tx in
                    try Leases.renew(["notes"], holder: holder, length: .seconds(2), on: tx)
                }
                try await frozen.executeScript(
                    "BEGIN; SELECT 1 FROM projector.checkpoints WHERE projection = 'notes' FOR UPDATE"
                )
                try await waitUntil("the standby took over and caught up") { try await notes(on: conn) == 3 }
                let alive = try await conn.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE pid = \(Int(frozen.backendPID))"
                ).rows[0].decode(Int.self, at: 0)
                #expect(alive == 0, "the frozen writer's session was not ended")
            }
            await frozen.close()
        }
    }
}
