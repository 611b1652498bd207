import Foundation
import Postgres
import PostgresTestSupport
import Testing

/// Effects are exactly-once: killing the runner at any moment and restarting it ends with the same rows
/// as one uninterrupted run, because rows and checkpoint commit in one transaction. That holds for a
/// catch-up in the live tables and for a first install loaded as a rebuild (`--bulk-install-events`),
/// whose build resumes from its own checkpoint.
@Suite struct ExactlyOnceTests {
    static let patients = "2200"  // about 50 000 events

    func tableDump(_ conn: Connection) async throws -> [String] {
        try await conn.query("SELECT t::text FROM timeline.entries t ORDER BY entry_id").rows.map { $0[0] ?? "" }
    }

    func checkpoint(_ conn: Connection) async throws -> Int64 {
        let rows = try await conn.query(
            "SELECT global_position FROM projector.checkpoints WHERE projection = 'timeline'"
        ).rows
        return try rows.first?.decode(Int64.self, at: 0) ?? 0
    }

    /// Events the timeline's first install has applied so far in its build, before its swap.
    func buildProgress(_ conn: Connection) async throws -> Int64 {
        try await conn.query(
            "SELECT coalesce(max(events_seen), 0) FROM projector.builds WHERE schema_name = 'timeline__rebuild'"
        ).rows[0].decode(Int64.self, at: 0)
    }

    /// `bulkInstall`: whether the runs load the read models as rebuilds (the log is past the threshold of 1)
    /// or catch up in their live tables (threshold 0: never); the reference run always does the latter.
    @Test(arguments: [false, true])
    func killingTheRunnerAtRandomMomentsLeavesTheSameRowsAsOneRun(bulkInstall: Bool) async throws {
        let reference = try await TestDatabase.withConnection { conn, url in
            let generate = try await ProjectorBinary.run(
                ["generate", "--patients", Self.patients, "--into-log"],
                database: url
            )
            #expect(generate.status == 0, "\(generate.stderr)")
            let run = try await ProjectorBinary.run(
                ["run", "--exit-when-caught-up", "--bulk-install-events", "0"],
                database: url
            )
            #expect(run.status == 0, "\(run.stderr)")
            let letters = try await conn.query("SELECT count(*) FROM projector.dead_letters").rows[0].decode(
                Int.self,
                at: 0
            )
            return (try await tableDump(conn), letters, try await checkpoint(conn))
        }
        #expect(reference.0.count > 10_000)

        try await TestDatabase.withConnection { conn, url in
            #expect(
                try await ProjectorBinary.run(["generate", "--patients", Self.patients, "--into-log"], database: url)
                    .status == 0
            )
            let mode = ["--bulk-install-events", bulkInstall ? "1" : "0"]
            var interruptedMidway = 0
            for round in 0..<6 {
                let process = try ProjectorBinary.start(
                    ["run", "--exit-when-caught-up", "--batch-size", "500"] + mode,
                    database: url
                )
                try await Task.sleep(for: .milliseconds(Int.random(in: 300...1_500)))
                guard process.isRunning else { break }
                kill(process.processIdentifier, SIGKILL)
                await ProjectorBinary.waitForExit(process)
                #expect(process.terminationReason == .uncaughtSignal, "round \(round)")
                let position = try await checkpoint(conn)
                if position > 0 && position < reference.2 { interruptedMidway += 1 }
                if bulkInstall, position == 0, try await buildProgress(conn) > 0 { interruptedMidway += 1 }
            }
            // At least one kill must have landed in the middle of the catch-up, or this proved nothing.
            #expect(interruptedMidway > 0)
            let finish = try await ProjectorBinary.run(["run", "--exit-when-caught-up"] + mode, database: url)
            #expect(finish.status == 0, "\(finish.stderr)")
            let letters = try await conn.query("SELECT count(*) FROM projector.dead_letters").rows[0].decode(
                Int.self,
                at: 0
            )
            let rows = try await tableDump(conn)
            #expect(rows.count == reference.0.count)
            #expect(rows == reference.0)
            #expect(letters == reference.1)
            #expect(try await checkpoint(conn) == reference.2)
            // A kill -9 is no poison pill: the breaker replayed after each, and quarantined nothing.
            let quarantined = try await conn.query("SELECT count(*) FROM projector.quarantined_events").rows[0]
            #expect(try quarantined.decode(Int64.self, at: 0) == 0)
        }
    }
}
