import Foundation
import Postgres
import PostgresTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A `projector rebuild` frozen (SIGSTOP) inside its swap transaction, which holds the live checkpoint
/// row and is replacing the reporting views.
@Suite struct FrozenRebuildTests {
    @Test func aRebuildFrozenInsideItsSwapReleasesTheLiveGenerationAndRunsAgain() async throws {
        try await TestDatabase.withConnection { conn, url in
            #expect(
                try await ProjectorBinary.run(["generate", "--patients", "15", "--into-log"], database: url).status == 0
            )
            #expect(try await ProjectorBinary.run(["run", "--exit-when-caught-up"], database: url).status == 0)
            let before = try await Self.entries(on: conn)

            // An analyst's open transaction on the view holds the swap inside its transaction, waiting, long
            // enough to freeze it there.
            try await conn.execute("BEGIN")
            try await conn.execute("SELECT count(*) FROM reporting.timeline_entries")
            let (rebuild, output) = try ProjectorBinary.startCollecting(["rebuild", "timeline"], database: url)
            defer { if rebuild.isRunning { kill(rebuild.processIdentifier, SIGKILL) } }
            let (released, frozenIn) = try await Connection.connect(to: url).closing { watcher in
                try await Self.freezeInsideTheSwap(rebuild, heldBy: conn, watchedFrom: watcher)
            }
            kill(rebuild.processIdentifier, SIGCONT)
            #expect(released, "the frozen swap still held the live checkpoint or the views after 20 s")
            let ended = try await output.value
            #expect(
                rebuild.terminationStatus != 0,
                "the woken rebuild claimed success for a swap the server undid (frozen in \(frozenIn)): \(ended.stdout)\(ended.stderr)"
            )

            // The swap was rolled back whole: the build is still beside the live generation, which still
            // serves; a second rebuild resumes the build and swaps it in.
            let buildKept =
                try await conn.query(
                    "SELECT 1 FROM pg_namespace WHERE nspname = 'timeline__rebuild'"
                ).rows.count == 1
            #expect(buildKept, "the rolled-back swap's build schema is gone")
            #expect(try await Self.entries(on: conn) == before)
            let again = try await ProjectorBinary.run(["rebuild", "timeline"], database: url)
            #expect(again.status == 0, "\(again.stderr)")
            let verified = try await ProjectorBinary.run(["verify", "timeline"], database: url)
            #expect(verified.status == 0 && verified.stdout.contains("no drift"), "\(verified.stdout)")
        }
    }

    /// Freezes `rebuild` once its swap waits for `conn`'s lock on the view, then lets the swap have it.
    ///
    /// - Returns: whether the live generation was free again within 20 s, and the statement it was frozen in.
    static func freezeInsideTheSwap(
        _ rebuild: Process,
        heldBy conn: Connection,
        watchedFrom watcher: Connection
    ) async throws -> (Bool, [String]) {
        // Inside the swap (its transaction holds the live checkpoint row) and waiting for the analyst: under
        // load, the rebuild's session was once frozen waiting for a lock before its swap began, so the swap
        // ran whole once it was woken.
        let analyst = try await conn.query("SELECT pg_backend_pid()").rows[0].decode(Int32.self, at: 0)
        try await waitUntil("the swap to wait for the analyst's lock") {
            try await !watcher.query(
                """
                SELECT 1 FROM pg_stat_activity a
                WHERE a.datname = current_database() AND a.application_name = 'projector:timeline:rebuild'
                  AND \(analyst) = ANY (pg_blocking_pids(a.pid))
                  AND EXISTS (SELECT 1 FROM pg_locks l
                              WHERE l.pid = a.pid AND l.granted AND l.relation = 'projector.checkpoints'::regclass
                                AND l.mode = 'RowShareLock')
                """
            ).rows.isEmpty
        }
        kill(rebuild.processIdentifier, SIGSTOP)
        let frozenIn = try await watcher.query(
            """
            SELECT left(query, 60) FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = 'projector:timeline:rebuild'
            """
        ).rows.map { try $0.decode(String.self, at: 0) }
        // The swap gets its lock and finishes the statement; its frozen client never sends the next one.
        try await conn.execute("ROLLBACK")

        let frozenAt = ContinuousClock.now
        while ContinuousClock.now - frozenAt < .seconds(20) {
            if (try? await lockLiveGeneration(on: watcher)) != nil { return (true, frozenIn) }
            try await Task.sleep(for: .milliseconds(200))
        }
        return (false, frozenIn)
    }

    static func entries(on conn: Connection) async throws -> Int64 {
        try await conn.query("SELECT count(*) FROM reporting.timeline_entries").rows[0].decode(Int64.self, at: 0)
    }

    /// Locks the live checkpoint row and reads the reporting view, as a live batch and an analyst would;
    /// throws when either waits more than 100 ms.
    static func lockLiveGeneration(on conn: Connection) async throws {
        try await conn.withTransaction { conn in
            try conn.execute("SET LOCAL lock_timeout = '100ms'")
            _ = try conn.query("SELECT 1 FROM projector.checkpoints WHERE projection = 'timeline' FOR UPDATE")
            _ = try conn.query("SELECT count(*) FROM reporting.timeline_entries")
        }
    }
}
