import EventLog
import Postgres
import PostgresTestSupport
import ProjectionCore
import ProjectionEngine
import Testing

/// Rebuilds into a new generation, versioning, verify and as-of copies, on `NotesProjection`.
@Suite struct GenerationTests {
    /// The schema's OID: it changes exactly when a new generation is swapped in.
    func schemaOID(_ schema: String, on conn: Connection) async throws -> Int64 {
        try await conn.query("SELECT oid::int8 FROM pg_namespace WHERE nspname = \(schema)").rows[0].decode(
            Int64.self,
            at: 0
        )
    }

    func leftoverSchemas(on conn: Connection) async throws -> [String] {
        try await conn.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'notes\\_\\_%' ORDER BY 1").rows
            .map { try $0.decode(String.self, at: 0) }
    }

    func notes(_ range: ClosedRange<Int>) -> [NewEvent] { range.map { note("n\($0)", "text \($0)", n: $0) } }

    func configuration(batchSize: Int) -> RunnerConfiguration {
        var configuration = RunnerConfiguration()
        configuration.batchSize = batchSize
        return configuration
    }

    @Test func aChangedVersionIsRebuiltOnStartAndAnUnchangedOneIsNot() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany(notes(1...30))
            try await runUntilCaughtUp(NotesProjection(), url: url)
            let first = try await schemaOID("notes", on: conn)
            try await runUntilCaughtUp(NotesProjection(), url: url)
            #expect(try await schemaOID("notes", on: conn) == first)

            var changed = NotesProjection()
            changed.version = 2
            changed.shout = true
            try await runUntilCaughtUp(changed, url: url)
            #expect(try await schemaOID("notes", on: conn) != first)
            #expect(try await dump("notes.notes", on: conn).count == 30)
            let upper = try await conn.query("SELECT count(*) FROM notes.notes WHERE text = upper(text)").rows[0]
            #expect(try upper.decode(Int64.self, at: 0) == 30)
            let version = try await conn.query("SELECT version FROM projector.projections WHERE name = 'notes'").rows[0]
            #expect(try version.decode(Int.self, at: 0) == 2)
            #expect(try await leftoverSchemas(on: conn).isEmpty)
            #expect(try await conn.query("SELECT 1 FROM projector.builds").rows.isEmpty)
        }
    }

    @Test func readersSeeAWholeGenerationThroughoutARebuildAndItsSwap() async throws {
        try await TestDatabase.withConnection { conn, url in
            let total: Int64 = 3_000
            try await LogWriter(connection: conn).appendMany(notes(1...Int(total)))
            try await runUntilCaughtUp(NotesProjection(), url: url)
            var changed = NotesProjection()
            changed.version = 2
            changed.shout = true
            let reader = try await Connection.connect(to: url)
            let rebuild = Rebuild(
                projection: changed,
                databaseURL: url,
                configuration: configuration(batchSize: 50),
                logger: quietLogger()
            )
            let answers = try await withThrowingTaskGroup(of: [(Int64, Int64)]?.self) { group in
                group.addTask {
                    // The reader: every answer must be one generation whole, old (lower case) or new (upper).
                    var answers: [(Int64, Int64)] = []
                    while !Task.isCancelled {
                        let row = try await reader.query(
                            "SELECT count(*), count(*) FILTER (WHERE text = upper(text)) FROM notes.notes"
                        ).rows[0]
                        answers.append((try row.decode(Int64.self, at: 0), try row.decode(Int64.self, at: 1)))
                        try? await Task.sleep(for: .milliseconds(2))
                    }
                    return answers
                }
                group.addTask {
                    guard case .swapped = try await rebuild.run() else {
                        Issue.record("the rebuild did not swap")
                        return nil
                    }
                    // A few more answers from the new generation.
                    try await Task.sleep(for: .milliseconds(200))
                    return nil
                }
                var answers: [(Int64, Int64)] = []
                for try await result in group {
                    if let result { answers = result } else { group.cancelAll() }
                }
                return answers
            }
            await reader.close()
            #expect(answers.count > 10)
            #expect(answers.allSatisfy { $0 == (total, 0) || $0 == (total, total) })
            #expect(answers.contains { $0 == (total, 0) } && answers.contains { $0 == (total, total) })
            #expect(try await leftoverSchemas(on: conn).isEmpty)
        }
    }

    @Test func eventsAppendedDuringARebuildAreInTheNewGenerationAndTheRunnerGoesOnInIt() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany(notes(1...2_000))
            var live = configuration(batchSize: 200)
            live.idlePollInterval = .milliseconds(200)
            let runner = ProjectionRunner(
                projection: NotesProjection(),
                databaseURL: url,
                configuration: live,
                logger: quietLogger()
            )
            let before = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runner.run() }
                try await waitUntil("the runner caught up") {
                    try await count("notes.notes", on: conn) == 2_000
                }
                let before = try await schemaOID("notes", on: conn)
                let rebuild = Rebuild(
                    projection: NotesProjection(),
                    databaseURL: url,
                    configuration: configuration(batchSize: 50),
                    logger: quietLogger()
                )
                group.addTask {
                    guard case .swapped = try await rebuild.run() else {
                        Issue.record("the rebuild did not swap")
                        return
                    }
                }
                // Written while the rebuild reads: some before it catches up, some during the swap.
                for chunk in 0..<10 {
                    let first = 2_001 + chunk * 50
                    try await LogWriter(connection: conn).appendMany(notes(first...(first + 49)))
                    try await Task.sleep(for: .milliseconds(30))
                }
                try await waitUntil("the swap") { try await schemaOID("notes", on: conn) != before }
                try await LogWriter(connection: conn).appendMany(notes(2_501...2_510))
                try await waitUntil("the runner went on in the new tables") {
                    try await count("notes.notes", on: conn) == 2_510
                }
                group.cancelAll()
                return before
            }
            #expect(try await schemaOID("notes", on: conn) != before)
            let report = try #require(
                try await Verification(
                    projection: NotesProjection(),
                    databaseURL: url,
                    configuration: RunnerConfiguration(),
                    logger: quietLogger()
                ).run()
            )
            #expect(report.isClean)
            #expect(report.rows["note_history"] == 2_510)
        }
    }

    @Test func verifyFindsRowsChangedByHandAndPassesOnACleanReadModel() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany(notes(1...40))
            try await runUntilCaughtUp(NotesProjection(), url: url)
            let verification = Verification(
                projection: NotesProjection(),
                databaseURL: url,
                configuration: configuration(batchSize: 7),
                logger: quietLogger()
            )
            let clean = try #require(try await verification.run())
            #expect(clean.isClean && clean.drift.isEmpty && clean.rows["notes"] == 40)

            try await conn.execute("UPDATE notes.notes SET text = 'tampered' WHERE id = 'n3'")
            try await conn.execute("DELETE FROM notes.notes WHERE id = 'n4'")
            try await conn.execute("INSERT INTO notes.notes (id, text, last_position) VALUES ('ghost', 'x', 1)")
            let drifted = try #require(try await verification.run())
            #expect(!drifted.isClean)
            #expect(drifted.drifted["notes"] == 3 && drifted.drifted["note_history"] == 0)
            let found = drifted.drift.map { "\($0.table) \($0.kind) \($0.key)" }.sorted()
            #expect(found == ["notes differs n3", "notes missing n4", "notes unexpected ghost"])
            // The scratch schema is gone either way.
            #expect(try await leftoverSchemas(on: conn).isEmpty)
        }
    }

    @Test func anAsOfCopyHoldsExactlyTheEventsUpToItsPosition() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany(notes(1...5))
            try await LogWriter(connection: conn).appendMany(notes(6...9))
            let fifth = try await LogPositions.resolve("5", on: conn)
            let build = Build(projection: NotesProjection(), schema: "audit_notes", purpose: .asOf, until: fifth)
            try await build.create(on: conn)
            #expect(
                try await build.run(databaseURL: url, configuration: configuration(batchSize: 2), logger: quietLogger())
            )
            #expect(try await dump("audit_notes.notes", on: conn).count == 5)
            await #expect(throws: EngineError.self) { try await build.create(on: conn) }
        }
    }

    @Test func theStopPolicyAppliesNothingAfterAFailureUntilResumed() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await runUntilCaughtUp(NotesProjection(), url: url)
            try await ProjectionControl.setPolicy("notes", .stop, on: conn)
            let bad = NewEvent(stream: "note-bad", type: "NoteAdded", eventID: eventID(2), data: #"{"text": "no id"}"#)
            try await LogWriter(connection: conn).appendMany([note("n1", "one", n: 1), bad, note("n3", "three", n: 3)])
            try await runUntilCaughtUp(NotesProjection(), url: url)
            #expect(try await dump("notes.notes", on: conn).count == 1)
            let status = try await StatusReader.status(of: [NotesProjection()], on: conn)[0]
            #expect(status.state == .stoppedAtDeadLetter && status.pausedReason?.hasPrefix("stopped at") == true)
            #expect(status.deadLetters == 1)

            _ = try await DeadLetters.skip(
                NotesProjection(),
                ids: [],
                by: "test",
                because: "bad fixture",
                on: conn
            )
            try await ProjectionControl.resume("notes", on: conn)
            try await runUntilCaughtUp(NotesProjection(), url: url)
            #expect(try await dump("notes.notes", on: conn).count == 2)
        }
    }

    @Test func pauseResumeAndResetReachARunningRunnerThroughTheDatabase() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany(notes(1...10))
            var live = RunnerConfiguration()
            live.idlePollInterval = .milliseconds(200)
            // Notes under another name, in the same runner: what it applies, the runner has read.
            var witness = NotesProjection()
            witness.name = "witness"
            let runner = ProjectionRunner(
                projections: [NotesProjection(), witness],
                databaseURL: url,
                configuration: live,
                logger: quietLogger()
            )
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runner.run() }
                try await waitUntil("the runner caught up") {
                    let applied = try await count("notes.notes", on: conn)
                    let witnessed = try await count("witness.notes", on: conn)
                    return applied == 10 && witnessed == 10
                }

                try await ProjectionControl.pause("notes", reason: "test", on: conn)
                try await LogWriter(connection: conn).appendMany(notes(11...20))
                // The runner has read the new events (the witness applied them) and applied none for notes.
                try await waitUntil("the witness applied the new events") {
                    try await count("witness.notes", on: conn) == 20
                }
                #expect(try await count("notes.notes", on: conn) == 10)

                try await ProjectionControl.resume("notes", on: conn)
                try await waitUntil("the runner resumed") { try await count("notes.notes", on: conn) == 20 }

                try await ProjectionControl.reset(NotesProjection(), on: conn)
                try await waitUntil("the runner replayed from zero") {
                    let seen = try await conn.query(
                        "SELECT events_seen FROM projector.checkpoints WHERE projection = 'notes'"
                    ).rows[0]
                    return try await count("notes.note_history", on: conn) == 20 && seen.decode(Int64.self, at: 0) == 20
                }
                #expect(try await count("notes.notes", on: conn) == 20)
                group.cancelAll()
            }
        }
    }
}

func count(_ table: String, on conn: Connection) async throws -> Int64 {
    try await conn.query(Query(unsafeSQL: "SELECT count(*) FROM \(table)")).rows[0].decode(Int64.self, at: 0)
}
