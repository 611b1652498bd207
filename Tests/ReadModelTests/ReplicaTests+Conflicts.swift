import EventGenerator
import Foundation
import Postgres
import PostgresTestSupport
import ProjectionEngine
import Testing
import TimelineProjection

/// What a long query on the replica meets when the primary drops an old generation (a lock conflict) or
/// vacuums rows it still sees (a snapshot conflict), and which settings avoid the error. The figures the
/// operations guide ("Read replicas") quotes are printed by these tests (`replica:` lines).
extension ReplicaTests {
    @Test(.timeLimit(.minutes(5)))
    func droppingTheOldGenerationCancelsALongReplicaQueryUnlessTheStandbyWaits() async throws {
        try await ReplicaPair.with { pair in
            let primary = try await Connection.connect(to: pair.primaryURL, applicationName: "projector-tests")
            _ = try await appendGenerated(GeneratorOptions(patients: 20, seed: 3), on: primary)
            try await runUntilCaughtUp(TimelineProjection(), url: pair.primaryURL)
            let replica = try await Connection.connect(to: pair.replicaURL, applicationName: "projector-tests")

            // 1 s standby delay, with or without hot_standby_feedback: cancelled, because the drop's
            // exclusive lock conflicts with the query's lock; feedback only protects row versions.
            for feedback in ["off", "on"] {
                try await configure(replica, ["max_standby_streaming_delay": "1s", "hot_standby_feedback": feedback])
                let old = try await keptOldGeneration(pair, primary)
                let lockConflicts = try await conflicts("confl_lock", on: replica)
                let outcome = try await longQuery("SELECT count(*), pg_sleep(6) FROM \(old).entries", on: pair) {
                    try await primary.execute(Query(unsafeSQL: "DROP SCHEMA \(old) CASCADE"))
                }
                print("replica: delay 1s, feedback \(feedback), drop of the old generation: \(outcome)")
                // Cancelled (a query that ends on its own has no SQLSTATE), and by the replica for a lock conflict:
                // what the cancelled session reports to the replica's statistics.
                #expect(outcome.sqlState == "40001")
                try await waitUntil("the replica to count the query's cancellation as a lock conflict") {
                    try await conflicts("confl_lock", on: replica) > lockConflicts
                }
            }

            // Keeping the old generation (rebuild --keep-old): the swap renames schemas, which takes no lock a
            // reader of the old tables conflicts with, so even with the 1 s delay the query outlives the swap.
            try await configure(replica, ["max_standby_streaming_delay": "1s", "hot_standby_feedback": "off"])
            var readingWhenSwapReplayed = false
            let kept = try await longQuery("SELECT count(*), pg_sleep(8) FROM timeline.entries", on: pair) {
                _ = try await keptOldGeneration(pair, primary)
                readingWhenSwapReplayed = try await queryRuns(on: replica)
            }
            print("replica: delay 1s, swap with the old generation kept: \(kept)")
            #expect(kept.sqlState == nil)
            // The swap reached the replica while the query was still reading the old generation.
            #expect(readingWhenSwapReplayed)

            // The default 30 s delay: the query finishes, and replay (every change after the drop) waits for it.
            try await configure(replica, ["max_standby_streaming_delay": "30s", "hot_standby_feedback": "off"])
            let old = try await keptOldGeneration(pair, primary)
            var replayWait = Duration.zero
            let outcome = try await longQuery("SELECT count(*), pg_sleep(4) FROM \(old).entries", on: pair) {
                try await primary.execute(Query(unsafeSQL: "DROP SCHEMA \(old) CASCADE"))
                let dropped = ContinuousClock.now
                // Replay waits for the query: the replica's startup process waits for a lock while it reads.
                try await waitUntil("replay to wait for the query's lock") {
                    let startupWaits = try await replica.query(
                        """
                        SELECT count(*) FROM pg_stat_activity
                        WHERE backend_type = 'startup' AND wait_event_type = 'Lock'
                        """
                    ).rows[0].decode(Int64.self, at: 0)
                    let reading = try await queryRuns(on: replica)
                    return startupWaits == 1 && reading
                }
                try await pair.waitForReplay()
                // For the operations guide's figure only: how long replay waited depends on the machine.
                replayWait = ContinuousClock.now - dropped
            }
            print("replica: delay 30s, drop of the old generation: \(outcome); replay waited \(replayWait)")
            #expect(outcome.sqlState == nil)
            await replica.close()
            await primary.close()
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func vacuumOnThePrimaryCancelsALongReplicaQueryUnlessHotStandbyFeedbackIsOn() async throws {
        try await ReplicaPair.with { pair in
            let primary = try await Connection.connect(to: pair.primaryURL, applicationName: "projector-tests")
            let replica = try await Connection.connect(to: pair.replicaURL, applicationName: "projector-tests")
            for feedback in ["off", "on"] {
                try await configure(replica, ["max_standby_streaming_delay": "1s", "hot_standby_feedback": feedback])
                try await primary.execute("DROP TABLE IF EXISTS scratch")
                try await primary.execute("CREATE TABLE scratch AS SELECT g FROM generate_series(1, 10000) g")
                try await pair.waitForReplay()
                let snapshotConflicts = try await conflicts("confl_snapshot", on: replica)
                let outcome = try await longQuery("SELECT count(*), pg_sleep(4) FROM scratch", on: pair) {
                    try await primary.execute("DELETE FROM scratch")
                    try await primary.execute("VACUUM scratch")
                }
                print("replica: delay 1s, feedback \(feedback), vacuum of rows the query sees: \(outcome)")
                #expect(outcome.sqlState == (feedback == "on" ? nil : "40001"))
                if feedback == "off" {
                    try await waitUntil("the replica to count the query's cancellation as a snapshot conflict") {
                        try await conflicts("confl_snapshot", on: replica) > snapshotConflicts
                    }
                }
            }
            await replica.close()
            await primary.close()
        }
    }

    /// The replica's count of queries cancelled for recovery conflicts of `kind` (a column of
    /// `pg_stat_database_conflicts`: `confl_lock`, `confl_snapshot` …) in the database `replica` is connected to.
    func conflicts(_ kind: String, on replica: Connection) async throws -> Int64 {
        try await replica.query(
            Query(unsafeSQL: "SELECT \(kind) FROM pg_stat_database_conflicts WHERE datname = current_database()")
        ).rows[0].decode(Int64.self, at: 0)
    }

    /// Whether `longQuery`'s query is running on the replica now.
    func queryRuns(on replica: Connection) async throws -> Bool {
        try await replica.query(
            """
            SELECT count(*) FROM pg_stat_activity
            WHERE application_name = 'projector-tests-reader' AND state = 'active'
            """
        ).rows[0].decode(Int64.self, at: 0) == 1
    }

    /// Sets `settings` on the replica and waits until they are in force.
    func configure(_ replica: Connection, _ settings: [String: String]) async throws {
        for (name, value) in settings {
            try await replica.execute(Query(unsafeSQL: "ALTER SYSTEM SET \(name) = '\(value)'"))
        }
        try await replica.execute("SELECT pg_reload_conf()")
        try await waitUntil("the replica's settings to apply") {
            var applied = true
            for (name, value) in settings {
                let shown = try await replica.query(Query(unsafeSQL: "SHOW \(name)")).rows[0].decode(String.self, at: 0)
                applied = applied && shown == value
            }
            return applied
        }
    }

    /// Rebuilds the timeline with `--keep-old` and returns the retired generation's schema, replayed.
    func keptOldGeneration(_ pair: ReplicaPair, _ primary: Connection) async throws -> String {
        var rebuild = Rebuild(
            projection: TimelineProjection(),
            databaseURL: pair.primaryURL,
            configuration: RunnerConfiguration(),
            logger: quietLogger()
        )
        rebuild.keepOld = true
        guard case .swapped(let result) = try await rebuild.run(), let old = result.keptOldSchema else {
            throw ReplicaPairError("the rebuild did not swap and keep the old generation")
        }
        try await pair.waitForReplay()
        return old
    }

    /// Runs `sql` on the replica; half a second in, runs `meanwhile` (on the primary); returns how the
    /// query ended and after how long.
    func longQuery(
        _ sql: String,
        on pair: ReplicaPair,
        meanwhile: () async throws -> Void
    ) async throws -> LongQueryOutcome {
        let reader = try await Connection.connect(to: pair.replicaURL, applicationName: "projector-tests-reader")
        let outcome = try await withThrowingTaskGroup(of: LongQueryOutcome?.self) { group in
            group.addTask {
                let start = ContinuousClock.now
                var state: String?
                do { _ = try await reader.query(Query(unsafeSQL: sql)) } catch {
                    state = (error as? PostgresError)?.sqlState ?? "?"
                }
                let seconds = (ContinuousClock.now - start) / .seconds(1)
                return LongQueryOutcome(sqlState: state, seconds: seconds)
            }
            try await Task.sleep(for: .milliseconds(500))
            try await meanwhile()
            var outcome: LongQueryOutcome?
            for try await value in group { outcome = value ?? outcome }
            return outcome
        }
        await reader.close()
        return try #require(outcome)
    }
}

/// How a long replica query ended: its SQLSTATE (nil when it completed) and how long it ran.
struct LongQueryOutcome: Sendable, CustomStringConvertible {
    var sqlState: String?
    var seconds: Double
    var description: String {
        (sqlState.map { "failed with SQLSTATE \($0)" } ?? "completed") + " after "
            + String(format: "%.1f s", seconds)
    }
}
