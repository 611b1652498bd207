import EventLog
import Postgres
import PostgresTestSupport
import ProjectionCore
import Testing

func event(_ stream: String, _ type: String = "JournalEntryAdded", id: String, data: String = #"{"n": 1}"#) -> NewEvent
{
    NewEvent(stream: stream, type: type, eventID: id, data: data, metadata: #"{"schemaVersion": 1}"#)
}

func uuid(_ n: Int) -> String {
    let hex = String(n, radix: 16)
    return "00000000-0000-4000-8000-" + String(repeating: "0", count: 12 - hex.count) + hex
}

@Suite struct AppendTests {
    @Test func appendAssignsStreamPositionsFromZero() async throws {
        try await TestDatabase.withConnection { conn, _ in
            let writer = LogWriter(connection: conn)
            let v1 = try await writer.append(
                [event("journal-1", id: uuid(1)), event("journal-1", id: uuid(2))],
                to: "journal-1",
                expected: .noStream
            )
            let v2 = try await writer.append([event("journal-1", id: uuid(3))], to: "journal-1", expected: .exactly(1))
            #expect(v1.version == 1)
            #expect(v2.version == 2)
            let positions = try await conn.query(
                "SELECT stream_position FROM eventlog.events ORDER BY global_position"
            ).rows.map { try $0.decode(Int64.self, at: 0) }
            #expect(positions == [0, 1, 2])
        }
    }

    @Test func aStaleExpectedVersionIsAConflictNamingBothVersions() async throws {
        try await TestDatabase.withConnection { conn, _ in
            let writer = LogWriter(connection: conn)
            try await writer.append(
                [event("consent-9434765919", id: uuid(1))],
                to: "consent-9434765919",
                expected: .noStream
            )
            let error = try await #require(throws: WrongExpectedVersion.self) {
                try await writer.append(
                    [event("consent-9434765919", id: uuid(2))],
                    to: "consent-9434765919",
                    expected: .noStream
                )
            }
            #expect(error.actual == 0)
            #expect(error.stream == "consent-9434765919")
            #expect(error.description == "wrong expected version for a consent stream: expected no stream, actual 0")
            #expect(!error.description.contains("9434765919"))
            let count = try await conn.query("SELECT count(*) FROM eventlog.events").rows[0].decode(Int.self, at: 0)
            #expect(count == 1)
        }
    }

    @Test func reappendingTheSameEventIDsIsANoOp() async throws {
        try await TestDatabase.withConnection { conn, _ in
            let writer = LogWriter(connection: conn)
            let batch = [
                event("journal-1", id: uuid(1)), event("journal-2", id: uuid(2)), event("journal-1", id: uuid(3)),
            ]
            #expect(try await writer.appendMany(batch) == 3)
            #expect(try await writer.appendMany(batch) == 0)
            // Same ids at a stale version: still a no-op, not a conflict.
            #expect(
                try await writer.append([event("journal-1", id: uuid(1))], to: "journal-1", expected: .noStream).version
                    == 1
            )
            // A duplicate inside one call is stored once.
            #expect(
                try await writer.appendMany([event("journal-3", id: uuid(9)), event("journal-3", id: uuid(9))]) == 1
            )
            let rows = try await conn.query(
                "SELECT stream_id, stream_position FROM eventlog.events ORDER BY global_position"
            ).rows.map { "\(try $0.decode(String.self, at: 0))@\(try $0.decode(Int.self, at: 1))" }
            #expect(rows == ["journal-1@0", "journal-2@0", "journal-1@1", "journal-3@0"])
        }
    }

    /// Producers outside `projector` call the SQL functions: `append_many` (jsonb payloads) and `append_many_text`
    /// (JSON text) store the same events the same way, from one statement.
    @Test(arguments: ["append_many", "append_many_text"])
    func producersAppendThroughEitherSQLFunction(function: String) async throws {
        try await TestDatabase.withConnection { conn, _ in
            let data = ["{\"n\": 1}", "{\"n\": 2}", "{\"n\": 1}", "{\"n\": 4}"]
            let cast = function == "append_many" ? "jsonb[]" : "text[]"
            let streams = ["journal-1", "journal-2", "journal-1", "journal-1"]
            let ids = [uuid(1), uuid(2), uuid(1), uuid(4)]
            let types = ["T", "T", "T", "T"]
            let query = Query(
                unsafeSQL: "SELECT eventlog.\(function)($1::text[], $2::uuid[], $3::text[], $4::\(cast), $5::\(cast))",
                binds: [
                    PostgresBind(streams), PostgresBind(ids), PostgresBind(types), PostgresBind(data),
                    PostgresBind(data.map { _ in "{}" }),
                ]
            )
            // The duplicate id inside the call is stored once; a second call stores nothing.
            #expect(try await conn.query(query).rows[0].decode(Int.self, at: 0) == 3)
            #expect(try await conn.query(query).rows[0].decode(Int.self, at: 0) == 0)
            let rows = try await conn.query(
                "SELECT stream_id, stream_position, data->>'n' FROM eventlog.events ORDER BY global_position"
            ).rows.map {
                "\(try $0.decode(String.self, at: 0))@\(try $0.decode(Int.self, at: 1)):\(try $0.decode(String.self, at: 2))"
            }
            #expect(rows == ["journal-1@0:1", "journal-2@0:2", "journal-1@1:4"])
            // Text that is not JSON fails the call, and stores nothing.
            let bad = Query(
                unsafeSQL: "SELECT eventlog.\(function)($1::text[], $2::uuid[], $3::text[], $4::\(cast), $5::\(cast))",
                binds: [
                    PostgresBind(["journal-9"]), PostgresBind([uuid(9)]), PostgresBind(["T"]),
                    PostgresBind(["{not json"]),
                    PostgresBind(["{}"]),
                ]
            )
            await #expect(throws: PostgresError.self) { try await conn.query(bad) }
            let count = try await conn.query("SELECT count(*) FROM eventlog.events").rows[0].decode(Int.self, at: 0)
            #expect(count == 3)
        }
    }

    @Test func concurrentAppendsToOneStreamNeverShareAPosition() async throws {
        try await TestDatabase.withFreshDatabase { url in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writerIndex in 0..<4 {
                    group.addTask {
                        let writer = LogWriter(connection: try await Connection.connect(to: url))
                        for i in 0..<25 {
                            try await writer.appendMany([event("appointment-x", id: uuid(writerIndex * 100 + i))])
                        }
                    }
                }
                try await group.waitForAll()
            }
            let conn = try await Connection.connect(to: url)
            let row = try await conn.query(
                "SELECT count(*), count(DISTINCT stream_position), max(stream_position) FROM eventlog.events"
            ).rows[0]
            #expect(try row.decode(Int.self, at: 0) == 100)
            #expect(try row.decode(Int.self, at: 1) == 100)
            #expect(try row.decode(Int.self, at: 2) == 99)
        }
    }

    @Test func appendingNotifiesListenersOnCommit() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await conn.listen("eventlog_appended")
            let writer = LogWriter(connection: try await Connection.connect(to: url))
            try await writer.appendMany([event("journal-1", id: uuid(1))])
            let note = try await conn.nextNotification(timeout: .seconds(5))
            #expect(note?.channel == "eventlog_appended")
        }
    }
}
