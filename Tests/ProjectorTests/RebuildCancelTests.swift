import Foundation
import Postgres
import PostgresTestSupport
import ReadModels
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C during `projector rebuild --all`: what the help and the operations guide
/// ("Rebuilding without downtime") promise.
@Suite struct RebuildCancelTests {
    @Test(.timeLimit(.minutes(3)))
    func ctrlCDuringARebuildOfSeveralDropsEveryBuildAndLeavesTheLiveGenerations() async throws {
        try await TestDatabase.withConnection { conn, url in
            #expect(
                try await ProjectorBinary.run(["generate", "--patients", "1500", "--into-log"], database: url).status
                    == 0
            )
            #expect(try await ProjectorBinary.run(["run", "--exit-when-caught-up"], database: url).status == 0)
            let before = try await Self.liveRows(on: conn)

            // Small batches, so the builds are still loading when the signal comes.
            let rebuild = try ProjectorBinary.start(["rebuild", "--all", "--batch-size", "50"], database: url)
            defer { if rebuild.isRunning { kill(rebuild.processIdentifier, SIGKILL) } }
            try await waitUntil("every build to have committed a batch") {
                try await conn.query(
                    "SELECT count(*) FILTER (WHERE events_seen > 0) FROM projector.builds"
                ).rows[0].decode(Int.self, at: 0) == ReadModels.names.count
            }
            kill(rebuild.processIdentifier, SIGINT)
            let sent = ContinuousClock.now
            while rebuild.isRunning && ContinuousClock.now - sent < .seconds(30) {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(!rebuild.isRunning, "still running 30 s after Ctrl-C")
            if rebuild.isRunning { kill(rebuild.processIdentifier, SIGKILL) }
            await ProjectorBinary.waitForExit(rebuild)
            #expect(rebuild.terminationStatus == 130)

            let left = try await conn.query(
                """
                SELECT (SELECT count(*) FROM pg_namespace WHERE nspname LIKE '%\\_\\_rebuild'),
                       (SELECT count(*) FROM projector.builds)
                """
            ).rows[0]
            #expect(try left.decode(Int.self, at: 0) == 0, "a build schema was left behind")
            #expect(try left.decode(Int.self, at: 1) == 0, "a build's checkpoint row was left behind")
            #expect(try await Self.liveRows(on: conn) == before)
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func ctrlCWhileTheReplacedGenerationWaitsForItsReadersKeepsItAndReportsTheSwap() async throws {
        try await TestDatabase.withConnection { conn, url in
            #expect(
                try await ProjectorBinary.run(["generate", "--patients", "20", "--into-log"], database: url).status == 0
            )
            #expect(try await ProjectorBinary.run(["run", "--exit-when-caught-up"], database: url).status == 0)
            // A reader in the middle of a transaction on the live table: the drop after the swap waits for it.
            let reader = try await Connection.connect(to: url, applicationName: "projector-tests-reader")
            try await reader.execute("BEGIN")
            _ = try await reader.query("SELECT count(*) FROM timeline.entries")

            let (rebuild, output) = try ProjectorBinary.startCollecting(["rebuild", "timeline"], database: url)
            defer { if rebuild.isRunning { kill(rebuild.processIdentifier, SIGKILL) } }
            try await waitUntil("the drop to wait for the reader") {
                try await conn.query(
                    """
                    SELECT count(*) FROM pg_stat_activity
                    WHERE datname = current_database() AND application_name = 'projector:timeline:rebuild'
                      AND wait_event_type = 'Lock' AND (query LIKE 'LOCK TABLE%' OR query LIKE 'DROP SCHEMA%')
                    """
                ).rows[0].decode(Int.self, at: 0) == 1
            }
            kill(rebuild.processIdentifier, SIGINT)
            let result = try await output.value
            try await reader.execute("ROLLBACK")
            await reader.close()

            // The swap had committed: the CLI says so, and keeps the old generation for ops to drop.
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("new generation live"))
            #expect(result.stdout.contains("old generation kept as timeline__retired_"))
            #expect(!result.stderr.contains("cancelled"))
            let retired = try await conn.query(
                "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'timeline\\_\\_retired\\_%'"
            ).rows[0].decode(Int.self, at: 0)
            #expect(retired == 1)
        }
    }

    /// The live read models' row counts and checkpoints.
    static func liveRows(on conn: Connection) async throws -> [String] {
        try await conn.query(
            """
            SELECT format('%s %s', projection, global_position) FROM projector.checkpoints
            UNION ALL SELECT format('entries %s', count(*)) FROM timeline.entries
            UNION ALL SELECT format('results %s', count(*)) FROM results.lab_results
            UNION ALL SELECT format('appointments %s', count(*)) FROM appointments.appointments
            UNION ALL SELECT format('consents %s', count(*)) FROM consent.consents
            ORDER BY 1
            """
        ).rows.map { try $0.decode(String.self, at: 0) }
    }
}
