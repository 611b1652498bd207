import EventGenerator
import EventLog
import Postgres
import PostgresTestSupport
import ProjectionCore
import ProjectionEngine
import Testing
import TimelineProjection

extension ReplicaTests {
    @Test(.timeLimit(.minutes(5)))
    func waitForOnTheReplicaReturnsTrueOnceTheCheckpointIsReplayedAndFalseOnTimeout() async throws {
        try await ReplicaPair.with { pair in
            let primary = try await Connection.connect(to: pair.primaryURL, applicationName: "projector-tests")
            _ = try await appendGenerated(GeneratorOptions(patients: 5, seed: 3), on: primary)
            try await runUntilCaughtUp(TimelineProjection(), url: pair.primaryURL)
            try await primary.execute("CREATE ROLE replica_api LOGIN IN ROLE projector_api")
            try await pair.waitForReplay()
            let api = try await Connection.connect(to: pair.replicaURL + " user=replica_api")
            let entries = "SELECT count(*) FROM timeline.entries"
            let before = try await api.query(Query(unsafeSQL: entries)).rows[0].decode(Int64.self, at: 0)
            let writer = LogWriter(connection: primary)
            let runner = ProjectionRunner(
                projection: TimelineProjection(),
                databaseURL: pair.primaryURL,
                configuration: RunnerConfiguration(),
                logger: quietLogger()
            )
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runner.run() }
                // A new patient's registration: a timeline entry, read back from the replica.
                let registration = try #require(
                    EventGenerator(GeneratorOptions(patients: 1, seed: 99)).first { _ in true }
                )
                let mine = try await writer.append(
                    [
                        NewEvent(
                            stream: registration.stream,
                            type: registration.type,
                            eventID: registration.eventID,
                            data: registration.data,
                            metadata: registration.metadata
                        )
                    ],
                    to: registration.stream
                )
                #expect(try await waitFor("timeline", mine.position, timeout: "60 s", on: api))
                #expect(try await api.query(Query(unsafeSQL: entries)).rows[0].decode(Int64.self, at: 0) > before)
                // An event of no timeline type is passed by the watermark.
                let other = try await writer.append(
                    [NewEvent(stream: "other-1", type: "NotForTheTimeline", eventID: eventID(1), data: "{}")],
                    to: "other-1"
                )
                #expect(try await waitFor("timeline", other.position, timeout: "60 s", on: api))
                group.cancelAll()
            }
            // No runner now: the checkpoint cannot pass this one.
            let late = try await writer.append(
                [NewEvent(stream: "other-1", type: "NotForTheTimeline", eventID: eventID(2), data: "{}")],
                to: "other-1"
            )
            try await pair.waitForReplay()
            // Timed by the server's clock, the one its deadline is computed from: the test's own monotonic
            // clock and the server's wall clock drift apart by milliseconds on a virtual machine.
            let now = Query(unsafeSQL: "SELECT extract(epoch FROM clock_timestamp())::float8")
            let start = try await api.query(now).rows[0].decode(Double.self, at: 0)
            #expect(try await waitFor("timeline", late.position, timeout: "500 ms", on: api) == false)
            #expect(try await api.query(now).rows[0].decode(Double.self, at: 0) - start >= 0.5)
            await api.close()

            // While it waits, its snapshot is renewed at every poll, on the primary and on the replica.
            for url in [pair.primaryURL, pair.replicaURL] {
                #expect(try await waiterSnapshotMovesOn(url: url, primary: primary, waitingFor: late.position))
            }
            await primary.close()
        }
    }

    /// Whether a `projector.wait_for` running on `url` shows, in `pg_stat_activity`, no snapshot or one
    /// newer than a transaction the primary committed after the wait began (a snapshot pinned at the call
    /// would stay older).
    func waiterSnapshotMovesOn(
        url: String,
        primary: Connection,
        waitingFor position: LogPosition
    ) async throws
        -> Bool
    {
        let waiter = try await Connection.connect(to: url, applicationName: "projector-tests-waiter")
        let observer = try await Connection.connect(to: url, applicationName: "projector-tests")
        return try await withThrowingTaskGroup(of: Bool?.self) { group in
            group.addTask {
                _ = try await waitFor("timeline", position, timeout: "3 s", on: waiter)
                await waiter.close()
                return nil
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(300))
                let committed = try await primary.query("SELECT pg_current_xact_id()::text").rows[0]
                    .decode(UInt64.self, at: 0)
                var movedOn = false
                for _ in 0..<20 where !movedOn {
                    // More commits, so the cluster's xmin keeps moving while the waiter polls.
                    try await primary.execute("SELECT pg_current_xact_id()")
                    try await Task.sleep(for: .milliseconds(100))
                    let rows = try await observer.query(
                        """
                        SELECT backend_xmin::text FROM pg_stat_activity
                        WHERE application_name = 'projector-tests-waiter' AND state = 'active'
                        """
                    ).rows
                    // No row: not waiting (yet). A NULL xmin: waiting and holding no snapshot.
                    guard let row = rows.first else { continue }
                    movedOn = try row.decode(UInt64?.self, at: 0).map { $0 > committed } ?? true
                }
                await observer.close()
                return movedOn
            }
            var movedOn = false
            for try await value in group { if let value { movedOn = value } }
            return movedOn
        }
    }
}

/// `CALL projector.wait_for(...)` on `conn`, outside a transaction block.
func waitFor(_ projection: String, _ position: LogPosition, timeout: String, on conn: Connection) async throws -> Bool {
    try await conn.query(
        """
        CALL projector.wait_for(\(projection), \(String(position.transactionID))::xid8, \(position.globalPosition),
                                \(timeout)::interval, NULL)
        """
    ).rows[0].decode(Bool.self, at: 0)
}

/// A v4 UUID numbered `n`.
func eventID(_ n: Int) -> String {
    let hex = String(n, radix: 16)
    return "00000000-0000-4000-8000-" + String(repeating: "0", count: 12 - hex.count) + hex
}
