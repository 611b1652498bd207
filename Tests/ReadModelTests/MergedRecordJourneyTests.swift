import EventLog
import Postgres
import PostgresTestSupport
import ProjectionCore
import ReadModels
import Testing

/// One person under two NHS numbers, written by hand from the event contract: a journal, an appointment, a
/// result and a consent under the superseded number, the merge, then events that still name it (and one
/// that names the retained number in the superseded number's stream), through the log and every read model.
@Suite struct MergedRecordJourneyTests {
    static let (superseded, retained, stranger) = ("9990000018", "9990000026", "9990000034")

    static func e(_ n: Int, _ stream: String, _ type: String, _ data: String) -> NewEvent {
        TimelineJourneyTests.e(n, stream, type, data)
    }

    static func journal(_ n: Int, _ id: String, stream: String, naming number: String) -> NewEvent {
        e(
            n,
            "journal-\(stream)",
            "JournalEntryAdded",
            #"""
            {"entryId": "\#(id)", "nhsNumber": "\#(number)", "writtenAt": "2026-01-2\#(n % 10)T21:00:00+00:00",
             "text": "Feeling better", "language": "en", "sharedWithCareTeam": true}
            """#
        )
    }

    static func appointment(_ n: Int, _ id: String, naming number: String) -> NewEvent {
        e(
            n,
            "appointment-\(id)",
            "AppointmentBooked",
            #"""
            {"appointmentId": "\#(id)", "nhsNumber": "\#(number)", "startsAt": "2026-12-0\#(n % 10)T10:00:00Z",
             "clinic": {"code": "DIAB", "name": {"en": "Diabetes Clinic", "cy": "Clinig Diabetes"}},
             "specialty": "Diabetology", "organisation": {"odsCode": "7A4", "name": "Cardiff and Vale UHB"},
             "mode": "video"}
            """#
        )
    }

    static func merge(_ n: Int, _ superseded: String, into retained: String) -> NewEvent {
        e(
            n,
            "patient-\(retained)",
            "PatientRecordsMerged",
            #"""
            {"retainedNhsNumber": "\#(retained)", "supersededNhsNumber": "\#(superseded)",
             "mergedAt": "2026-02-01T09:00:00Z"}
            """#
        )
    }

    static let events: [NewEvent] = [
        journal(1, "j1", stream: superseded, naming: superseded),
        appointment(2, "ap1", naming: superseded),
        e(
            3,
            "labresult-r1",
            "TestResultRecorded",
            #"""
            {"resultId": "r1", "nhsNumber": "\#(superseded)", "test": {"code": "K", "system": "local",
             "name": {"en": "Serum potassium", "cy": "Potasiwm serwm"}}, "value": "5.4 mmol/L",
             "status": "final", "collectedAt": "2026-01-12T08:00:00Z", "resultedAt": "2026-01-12T12:00:00Z",
             "performer": {"odsCode": "7A4", "name": "UHW Lab"}, "reportLocation": "https://r.example/r1"}
            """#
        ),
        e(
            4,
            "consent-\(superseded)",
            "ConsentGranted",
            #"""
            {"consentId": "c1", "nhsNumber": "\#(superseded)", "grantee": {"type": "organisation", "id": "W97001"},
             "scopes": ["journal"], "purpose": "direct-care", "grantedAt": "2026-01-01T00:00:00Z"}
            """#
        ),
        // Before the merge, the retained number is another patient in the superseded number's stream.
        e(
            5,
            "consent-\(superseded)",
            "ConsentGranted",
            #"""
            {"consentId": "c-early", "nhsNumber": "\#(retained)", "grantee": {"type": "role", "id": "R8000"},
             "scopes": ["results"], "purpose": "direct-care", "grantedAt": "2026-01-01T00:00:00Z"}
            """#
        ),
        merge(6, superseded, into: retained),
        journal(7, "j2", stream: superseded, naming: superseded),
        journal(8, "j3", stream: superseded, naming: retained),
        appointment(9, "ap2", naming: superseded),
        merge(10, retained, into: superseded),
        merge(11, stranger, into: stranger),
    ]

    static func timeline(_ number: String, on conn: Connection) async throws -> Set<String> {
        let rows = try await conn.query(
            Query(
                unsafeSQL: try apiQuery("timeline_page"),
                binds: [
                    PostgresBind(number), PostgresBind(text: nil, type: 0), PostgresBind(text: nil, type: 0),
                    PostgresBind(text: nil, type: 0), PostgresBind(text: nil, type: 0),
                    PostgresBind(text: nil, type: 0),
                    PostgresBind(50),
                ]
            )
        ).rows
        return Set(try rows.map { try $0.decode(String.self, at: 0) })
    }

    @Test func theRetainedNumberShowsEverythingRecordedUnderEitherNumberInEveryReadModel() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany(Self.events)
            try await projectEverything(url: url, on: conn)

            let expected: Set = [
                "journal:j1", "journal:j2", "journal:j3", "appointment:ap1", "appointment:ap2", "result:r1",
            ]
            #expect(try await Self.timeline(Self.retained, on: conn) == expected)
            #expect(try await Self.timeline(Self.superseded, on: conn) == expected, "found by either number")
            #expect(try await Self.timeline(Self.stranger, on: conn).isEmpty)
            // Rows keep the number their event named, for audit.
            #expect(
                try await dump("SELECT nhs_number FROM timeline.entries WHERE entry_id = 'journal:j2'", on: conn)
                    == [Self.superseded]
            )

            let upcoming = try await conn.query(
                Query(
                    unsafeSQL: try apiQuery("upcoming_appointments"),
                    binds: [
                        PostgresBind(Self.retained), PostgresBind(text: "2026-06-01T00:00:00Z", type: 0),
                        PostgresBind(text: nil, type: 0), PostgresBind(text: nil, type: 0), PostgresBind(20),
                    ]
                )
            ).rows.map { try $0.decode(String.self, at: 0) }
            #expect(upcoming == ["ap1", "ap2"])

            let result = try await conn.query(
                Query(
                    unsafeSQL: try apiQuery("result_detail"),
                    binds: [PostgresBind(Self.retained), PostgresBind("r1")]
                )
            ).rows
            #expect(result.count == 1)

            // The consent given under the superseded number covers the merged record, asked by either number.
            for number in [Self.retained, Self.superseded] {
                let allowed = try await conn.query(
                    Query(
                        unsafeSQL: try apiQuery("consent_check"),
                        binds: [
                            PostgresBind(number), PostgresBind("organisation"), PostgresBind("W97001"),
                            PostgresBind("journal"), PostgresBind(text: "2026-06-01T00:00:00Z", type: 0),
                        ]
                    )
                ).rows[0].decode(Bool.self, at: 0)
                #expect(allowed)
            }

            // Analysts see one person.
            #expect(
                try await count("SELECT count(DISTINCT patient_pseudonym) FROM reporting.timeline_entries", on: conn)
                    == 1
            )
        }
    }

    @Test func impossibleMergesAndAnEarlyUseOfTheOtherNumberAreDeadLetteredWithReasons() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany(Self.events)
            try await projectEverything(url: url, on: conn)
            for projection in ReadModels.names {
                let reasons = try await dump(
                    """
                    SELECT d.event_type || ': ' || d.reason FROM projector.dead_letters d
                    WHERE d.projection = '\(projection)' AND d.event_type = 'PatientRecordsMerged'
                    ORDER BY d.global_position
                    """,
                    on: conn
                )
                #expect(
                    reasons == [
                        "PatientRecordsMerged: data: would make a cycle of merges "
                            + "(the retained record is already merged into the superseded one)",
                        "PatientRecordsMerged: data.supersededNhsNumber: must differ from retainedNhsNumber "
                            + "(a record cannot be merged into itself)",
                    ],
                    "\(projection)"
                )
            }
            // c-early named the retained number in the superseded number's consent stream before the merge:
            // another patient then, so refused.
            let early = try await dump(
                "SELECT reason FROM projector.dead_letters WHERE projection = 'consent' AND event_type = 'ConsentGranted'",
                on: conn
            )
            #expect(
                early == [
                    "data.nhsNumber: must be the patient the stream is named after (consent-<NHS number>), "
                        + "or a number merged with it earlier in the log"
                ]
            )
        }
    }
}
