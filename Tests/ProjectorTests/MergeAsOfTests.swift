import Foundation
import Postgres
import PostgresTestSupport
import Testing

/// A merge seen through `projector rebuild --as-of`, before and after it, and through the live run: the same
/// merge map at the same position, whichever way the rows were made (the architecture article, "Merged records").
@Suite struct MergeAsOfTests {
    static let (superseded, retained) = ("9990000018", "9990000026")

    static func line(_ n: Int, _ stream: String, _ type: String, _ data: String) -> String {
        #"{"stream": "\#(stream)", "type": "\#(type)", "eventId": "20000000-0000-4000-8000-00000000000\#(n)", "#
            + #""metadata": {"occurredAt": "2026-01-05T09:00:00Z"}, "data": \#(data)}"#
    }

    static let lines = [
        line(
            1,
            "journal-\(superseded)",
            "JournalEntryAdded",
            #"{"entryId": "j1", "nhsNumber": "\#(superseded)", "writtenAt": "2026-01-20T21:00:00Z", "text": "Well", "language": "en", "sharedWithCareTeam": false}"#
        ),
        line(
            2,
            "patient-\(retained)",
            "PatientRecordsMerged",
            #"{"retainedNhsNumber": "\#(retained)", "supersededNhsNumber": "\#(superseded)", "mergedAt": "2026-02-01T09:00:00Z"}"#
        ),
        // After the merge, the superseded number's journal may name the retained number.
        line(
            3,
            "journal-\(superseded)",
            "JournalEntryAdded",
            #"{"entryId": "j2", "nhsNumber": "\#(retained)", "writtenAt": "2026-02-20T21:00:00Z", "text": "Better", "language": "en", "sharedWithCareTeam": false}"#
        ),
    ]

    static func numbers(in schema: String, on conn: Connection) async throws -> [String] {
        try await conn.query(
            Query(unsafeSQL: "SELECT unnest(\(schema).patient_numbers('\(superseded)')) ORDER BY 1")
        ).rows.map { try $0.decode(String.self, at: 0) }
    }

    static func entries(in schema: String, on conn: Connection) async throws -> [String] {
        try await conn.query(
            Query(
                unsafeSQL: """
                    SELECT entry_id FROM \(schema).entries
                    WHERE nhs_number = ANY (\(schema).patient_numbers('\(retained)')) ORDER BY entry_id
                    """
            )
        ).rows.map { try $0.decode(String.self, at: 0) }
    }

    @Test func asOfBeforeTheMergeThereIsOnePatientPerNumberAndAfterItOne() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("merge-as-of-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("events.ndjson")
        try (Self.lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)

        try await TestDatabase.withConnection { conn, url in
            let imported = try await ProjectorBinary.run(["import", file.path], database: url)
            #expect(imported.status == 0, "\(imported.stderr)")
            let run = try await ProjectorBinary.run(["run", "--exit-when-caught-up"], database: url)
            #expect(run.status == 0, "\(run.stderr)")
            let positions = try await conn.query(
                """
                SELECT (SELECT global_position FROM eventlog.events WHERE event_type = 'PatientRecordsMerged'),
                       (SELECT global_position FROM eventlog.events WHERE event_id = '20000000-0000-4000-8000-000000000001')
                """
            ).rows[0]
            let merge = try positions.decode(Int64.self, at: 0)
            let before = try positions.decode(Int64.self, at: 1)
            for (position, schema) in [(before, "asof_before"), (merge, "asof_after")] {
                let built = try await ProjectorBinary.run(
                    ["rebuild", "timeline", "--as-of", "\(position)", "--into", schema],
                    database: url
                )
                #expect(built.status == 0, "\(built.stderr)")
            }

            #expect(try await Self.numbers(in: "asof_before", on: conn) == [Self.superseded])
            #expect(try await Self.entries(in: "asof_before", on: conn) == [])
            #expect(try await Self.numbers(in: "asof_after", on: conn) == [Self.superseded, Self.retained])
            #expect(try await Self.entries(in: "asof_after", on: conn) == ["journal:j1"])
            #expect(try await Self.numbers(in: "timeline", on: conn) == [Self.superseded, Self.retained])
            #expect(try await Self.entries(in: "timeline", on: conn) == ["journal:j1", "journal:j2"])
            #expect(try await Self.count("SELECT count(*) FROM projector.dead_letters", on: conn) == 0)

            let verified = try await ProjectorBinary.run(["verify", "timeline"], database: url)
            #expect(verified.status == 0 && verified.stdout.contains("no drift"), "\(verified.stdout)")
        }
    }

    static func count(_ sql: String, on conn: Connection) async throws -> Int {
        try await conn.query(Query(unsafeSQL: sql)).rows[0].decode(Int.self, at: 0)
    }
}
