import EventLog
import Postgres
import PostgresTestSupport
import ProjectionCore
import Testing
import TimelineProjection

/// One patient's story, written by hand from the event contract, through the log and the engine into `timeline.entries`.
@Suite struct TimelineJourneyTests {
    static let nhs = "9434765919"
    static let meta = #"{"schemaVersion": 1, "occurredAt": "2026-01-05T09:00:00Z", "sourceSystem": "7A4"}"#

    static func e(_ n: Int, _ stream: String, _ type: String, _ data: String, meta: String = meta) -> NewEvent {
        let hex = String(n, radix: 16)
        let id = "10000000-0000-4000-8000-" + String(repeating: "0", count: 12 - hex.count) + hex
        return NewEvent(stream: stream, type: type, eventID: id, data: data, metadata: meta)
    }

    static let events: [NewEvent] = [
        e(
            1,
            "patient-\(nhs)",
            "PatientRegistered",
            #"""
            {"nhsNumber": "\#(nhs)", "name": {"given": "Megan", "family": "Jones"}, "dateOfBirth": "1980-02-29",
             "preferredLanguage": "cy", "gpPractice": {"odsCode": "W97001", "name": "Meddygfa'r Bont"}}
            """#
        ),
        e(
            2,
            "appointment-a1",
            "AppointmentBooked",
            #"""
            {"appointmentId": "a1", "nhsNumber": "\#(nhs)", "startsAt": "2026-02-01T10:00:00Z",
             "clinic": {"code": "DIAB", "name": {"en": "Diabetes Clinic", "cy": "Clinig Diabetes"}},
             "specialty": "Diabetology", "organisation": {"odsCode": "7A4", "name": "Cardiff and Vale UHB"},
             "mode": "video"}
            """#
        ),
        e(
            3,
            "appointment-a1",
            "AppointmentRescheduled",
            #"""
            {"appointmentId": "a1", "nhsNumber": "\#(nhs)", "startsAt": "2026-02-08T11:30:00+00:00"}
            """#
        ),
        e(
            4,
            "appointment-a1",
            "AppointmentCancelled",
            #"""
            {"appointmentId": "a1", "nhsNumber": "\#(nhs)", "cancelledBy": "patient"}
            """#
        ),
        e(
            5,
            "labresult-r1",
            "TestResultRecorded",
            #"""
            {"resultId": "r1", "nhsNumber": "\#(nhs)", "test": {"code": "4548-4", "system": "http://loinc.org",
             "name": {"en": "HbA1c"}}, "value": 48, "unit": "mmol/mol", "referenceRange": {"high": 42},
             "interpretation": "high", "status": "final", "collectedAt": "2026-01-10T08:00:00Z",
             "resultedAt": "2026-01-11T15:00:00Z", "performer": {"odsCode": "7A4", "name": "UHW Lab"},
             "reportLocation": "https://results.example.nhs.wales/reports/r1"}
            """#,
            meta: #"{"schemaVersion": 2, "occurredAt": "2026-01-11T15:00:00Z", "sourceSystem": "LIMS"}"#
        ),
        e(
            6,
            "labresult-r2",
            "TestResultRecorded",
            #"""
            {"resultId": "r2", "nhsNumber": "\#(nhs)", "test": {"code": "K", "system": "local",
             "name": {"en": "Serum potassium", "cy": "Potasiwm serwm"}}, "value": "5.4 mmol/L",
             "status": "final", "collectedAt": "2026-01-12T08:00:00Z", "resultedAt": "2026-01-12T12:00:00Z",
             "performer": {"odsCode": "7A4", "name": "UHW Lab"}, "reportLocation": "https://r.example/r2"}
            """#,
            meta: #"{"schemaVersion": 1, "occurredAt": "2026-01-12T12:00:00Z"}"#
        ),
        e(
            7,
            "labresult-r2",
            "TestResultEnteredInError",
            #"""
            {"resultId": "r2", "nhsNumber": "\#(nhs)", "reason": "wrong patient"}
            """#
        ),
        e(
            8,
            "journal-\(nhs)",
            "JournalEntryAdded",
            #"""
            {"entryId": "j1", "nhsNumber": "\#(nhs)", "writtenAt": "2026-01-20T21:00:00+00:00",
             "text": "Teimlo'n well heddiw", "language": "cy", "mood": 4, "sharedWithCareTeam": false}
            """#
        ),
        e(
            9,
            "journal-\(nhs)",
            "JournalEntrySharingChanged",
            #"""
            {"entryId": "j1", "nhsNumber": "\#(nhs)", "sharedWithCareTeam": true}
            """#
        ),
        e(
            10,
            "journal-\(nhs)",
            "JournalEntryAdded",
            #"""
            {"entryId": "j2", "nhsNumber": "\#(nhs)", "writtenAt": "2026-01-21T21:00:00Z",
             "text": "Delete me", "language": "en", "sharedWithCareTeam": false}
            """#
        ),
        e(11, "journal-\(nhs)", "JournalEntryDeleted", #"{"entryId": "j2", "nhsNumber": "\#(nhs)"}"#),
    ]

    @Test func aPatientsJourneyEndsAsTheseTimelineRows() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany(Self.events)
            try await runUntilCaughtUp(TimelineProjection(), url: url, batchSize: 3)
            #expect(
                try await conn.query("SELECT count(*) FROM projector.dead_letters").rows[0].decode(Int.self, at: 0) == 0
            )
            let rows = try await dump(
                """
                SELECT entry_id, kind, status, occurred_at, visible_to_patient, cy_fallback, shared_with_care_team,
                       detail_kind, detail_id, last_position
                FROM timeline.entries ORDER BY entry_id
                """,
                on: conn
            )
            #expect(
                rows == [
                    "appointment:a1|appointment|cancelled|2026-02-08 11:30:00+00|t|f|NULL|appointment|a1|4",
                    "journal:j1|journal|NULL|2026-01-20 21:00:00+00|t|f|t|journal|j1|9",
                    "registration:\(Self.nhs)|registration|registered|2026-01-05 09:00:00+00|t|f|NULL|NULL|NULL|1",
                    "result:r1|result|final|2026-01-11 15:00:00+00|t|t|NULL|result|r1|5",
                    "result:r2|result|entered-in-error|2026-01-12 12:00:00+00|f|f|NULL|result|r2|7",
                ]
            )
            let titles = try await dump(
                "SELECT title_en, title_cy FROM timeline.entries WHERE entry_id = 'appointment:a1'",
                on: conn
            )
            #expect(titles.first?.contains("Diabetes Clinic") == true)
            #expect(titles.first?.contains("Clinig Diabetes") == true)
        }
    }

    @Test func theTimelinePageQueryWalksNewestFirstWithACursor() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany(Self.events)
            try await runUntilCaughtUp(TimelineProjection(), url: url)
            let sql = try apiQuery("timeline_page")
            func page(_ kind: String?, after: (String, String)?, size: Int) async throws -> [Row] {
                try await conn.query(
                    Query(
                        unsafeSQL: sql,
                        binds: [
                            PostgresBind(Self.nhs), PostgresBind(text: kind, type: 0), PostgresBind(text: nil, type: 0),
                            PostgresBind(text: nil, type: 0), PostgresBind(text: after?.0, type: 0),
                            PostgresBind(text: after?.1, type: 0), PostgresBind(size),
                        ]
                    )
                ).rows
            }
            let first = try await page(nil, after: nil, size: 2)
            #expect(try first.map { try $0.decode(String.self, "entry_id") } == ["appointment:a1", "journal:j1"])
            let last = try #require(first.last)
            let second = try await page(
                nil,
                after: (
                    try last.decode(String.self, "occurred_at"),
                    try last.decode(String.self, "entry_id")
                ),
                size: 10
            )
            // The result entered in error is not shown to the patient.
            #expect(
                try second.map { try $0.decode(String.self, "entry_id") } == ["result:r1", "registration:\(Self.nhs)"]
            )
            let results = try await page("result", after: nil, size: 10)
            #expect(results.count == 1)
        }
    }
}
