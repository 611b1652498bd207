import EventLog
import Foundation
import Postgres
import PostgresTestSupport
import ProjectionCore
import Testing

/// Tallies for requirement and increment tests: `TallyOpened {id}` creates a tally at 0,
/// `TallyAdded {id, by}` requires it and adds, `TallyClosed {id}` deletes it.
struct TallyProjection: Projection {
    var name = "tally"
    var version = 1
    var eventTypes: Set<String> = ["TallyOpened", "TallyAdded", "TallyClosed"]
    var tables = [TableSpec(name: "tallies", primaryKey: ["id"])]
    var schemaSQL = "CREATE TABLE tallies (id text PRIMARY KEY, total bigint NOT NULL, last_position bigint NOT NULL);"

    func changes(for event: RecordedEvent) throws(ProjectionFailure) -> [RowChange] {
        let object = (try? JSONSerialization.jsonObject(with: Data(event.data))) as? [String: Any] ?? [:]
        guard let id = object["id"] as? String else { throw ProjectionFailure(.invalidPayload, "data.id is required") }
        let key: [SQLValue] = [.text(id)]
        let position = SQLValue.int(event.position.globalPosition)
        switch event.eventType {
        case "TallyOpened":
            return [.upsert("tallies", key: key, ["total": 0, "last_position": position])]
        case "TallyAdded":
            let by = Int64(object["by"] as? Int ?? 1)
            return [
                .require("tallies", key: key, because: "tally not opened"),
                .update("tallies", key: key, ["total": .increment(by), "last_position": position]),
            ]
        default:
            return [.delete("tallies", key: key)]
        }
    }
}

@Suite struct RequirementTests {
    func tally(_ type: String, _ id: String, by: Int = 1, n: Int) -> NewEvent {
        NewEvent(stream: "tally-\(id)", type: type, eventID: eventID(n), data: #"{"id": "\#(id)", "by": \#(by)}"#)
    }

    /// Unmet requirements are dead letters whatever the batch boundaries: inside one batch, against
    /// rows of earlier batches, and when the batch assumed a row that turns out to be missing.
    @Test(arguments: [1, 2, 3, 500])
    func requirementsAndIncrementsDoNotDependOnBatchBoundaries(batchSize: Int) async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany([
                tally("TallyOpened", "a", n: 1),
                tally("TallyAdded", "a", by: 2, n: 2),
                tally("TallyAdded", "b", by: 1, n: 3),  // b is not open yet: dead letter
                tally("TallyOpened", "b", n: 4),
                tally("TallyAdded", "b", by: 3, n: 5),
                tally("TallyAdded", "a", by: 5, n: 6),
                tally("TallyClosed", "a", n: 7),
                tally("TallyAdded", "a", by: 1, n: 8),  // a was closed: dead letter
                tally("TallyAdded", "b", by: 4, n: 9),
                tally("TallyAdded", "c", by: 1, n: 10),  // never opened: dead letter
            ])
            try await runUntilCaughtUp(TallyProjection(), url: url, batchSize: batchSize)
            #expect(try await dump("tally.tallies", on: conn) == ["(b,7,9)"])
            let letters = try await conn.query(
                "SELECT global_position, category, reason FROM projector.dead_letters ORDER BY 1"
            ).rows
            #expect(try letters.map { try $0.decode(Int64.self, at: 0) } == [3, 8, 10])
            #expect(try letters.map { try $0.decode(String.self, at: 1) }.allSatisfy { $0 == "missing-precondition" })
            #expect(try letters.map { try $0.decode(String.self, at: 2) }.allSatisfy { $0 == "tally not opened" })
        }
    }
}
