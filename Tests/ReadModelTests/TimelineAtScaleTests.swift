import EventGenerator
import EventLog
import Foundation
import Postgres
import PostgresTestSupport
import ProjectionCore
import Testing
import TimelineProjection

@Suite struct TimelineAtScaleTests {
    @Test func generatedEventsProjectWithoutDeadLettersWhateverTheBatchSize() async throws {
        let small = try await TestDatabase.withConnection { conn, url in
            _ = try await appendGenerated(GeneratorOptions(patients: 60, seed: 7), on: conn)
            try await runUntilCaughtUp(TimelineProjection(), url: url, batchSize: 7)
            #expect(
                try await conn.query("SELECT count(*) FROM projector.dead_letters").rows[0].decode(Int.self, at: 0) == 0
            )
            return try await dump("SELECT t::text FROM timeline.entries t ORDER BY entry_id", on: conn)
        }
        let large = try await TestDatabase.withConnection { conn, url in
            _ = try await appendGenerated(GeneratorOptions(patients: 60, seed: 7), on: conn)
            try await runUntilCaughtUp(TimelineProjection(), url: url, batchSize: 5_000)
            return try await dump("SELECT t::text FROM timeline.entries t ORDER BY entry_id", on: conn)
        }
        #expect(small.count > 600)
        #expect(small == large)
    }

    @Test func invalidEventsAreDeadLetteredWithReasonsThatNameNoPatient() async throws {
        try await TestDatabase.withConnection { conn, url in
            let appended = try await appendGenerated(
                GeneratorOptions(patients: 40, seed: 3, invalidFraction: 0.05),
                on: conn
            )
            try await runUntilCaughtUp(TimelineProjection(), url: url)
            let letters = try await conn.query(
                "SELECT d.reason, d.category, e.data->>'nhsNumber' FROM projector.dead_letters d JOIN eventlog.events e USING (event_id)"
            ).rows
            #expect(!letters.isEmpty)
            for letter in letters {
                let reason = try letter.decode(String.self, at: 0)
                #expect(!reason.isEmpty)
                if let nhs = try letter.decode(String?.self, at: 2), !nhs.isEmpty {
                    #expect(!reason.contains(nhs))
                }
            }
            // The projection went on: the checkpoint is at the end of the log.
            let behind = try await conn.query(
                """
                SELECT count(*) FROM eventlog.events e, projector.checkpoints c
                WHERE c.projection = 'timeline' AND (e.transaction_id, e.global_position) > (c.transaction_id, c.global_position)
                """
            ).rows[0].decode(Int.self, at: 0)
            #expect(behind == 0)
            #expect(appended > 900)
        }
    }

    @Test(arguments: [("all kinds", nil as String?), ("one kind", "result")])
    func theTimelinePageIsServedByAnIndexInOrder(label: String, kind: String?) async throws {
        try await TestDatabase.withConnection { conn, url in
            _ = try await appendGenerated(GeneratorOptions(patients: 30, seed: 1), on: conn)
            try await runUntilCaughtUp(TimelineProjection(), url: url)
            try await conn.execute("ANALYZE timeline.entries")
            let nhs = try await conn.query("SELECT nhs_number FROM timeline.entries LIMIT 1").rows[0].decode(
                String.self,
                at: 0
            )
            let sql = try apiQuery("timeline_page").replacingOccurrences(of: ";", with: "")
            // With a few rows per patient the planner rightly prefers a sequential or bitmap scan and a tiny
            // sort. Forbidding both shows what serves a patient with a long history: per number of the patient,
            // an index range scan in the page's order that stops at the page size, for first and later pages
            // alike; the only sort is of those pages.
            let plan = try await conn.withTransaction { tx in
                try tx.execute("SET LOCAL enable_seqscan = off")
                try tx.execute("SET LOCAL enable_bitmapscan = off")
                return try tx.query(
                    Query(
                        unsafeSQL: "EXPLAIN " + sql,
                        binds: [
                            PostgresBind(nhs), PostgresBind(text: kind, type: 0),
                            PostgresBind(text: "2024-01-01T00:00:00Z", type: 0),
                            PostgresBind(text: nil, type: 0), PostgresBind(text: "2026-06-01T00:00:00Z", type: 0),
                            PostgresBind(text: "zzz", type: 0), PostgresBind(20),
                        ]
                    )
                ).rows.map { $0[0] ?? "" }.joined(separator: "\n")
            }
            #expect(
                plan.contains(kind == nil ? "entries_patient_newest" : "entries_patient_kind_newest"),
                "\(label): \(plan)"
            )
            #expect(sortsOnlyPages(plan), "\(label): \(plan)")
            #expect(!plan.contains("Seq Scan"), "\(label): \(plan)")
        }
    }
}
