import EventLog
import Postgres
import PostgresTestSupport
import ProjectionCore
import Testing

/// One patient's medicines and allergies, written by hand from the event contract: a repeat from request to
/// dispensing, a rejected request, an acute course, an allergy recorded and resolved, one entered in error; the
/// patient's records merged half way, with events before and after the merge under both numbers. Through the
/// log and every read model, read back through the patient API's queries.
@Suite struct MedicationsJourneyTests {
    static let (superseded, retained) = ("9990000018", "9990000026")
    static let practice = #"{"odsCode": "W97016", "name": "Meddygfa Taf"}"#

    static func e(_ n: Int, _ stream: String, _ type: String, _ data: String) -> NewEvent {
        TimelineJourneyTests.e(n, stream, type, data)
    }

    static func prescribed(_ n: Int, _ id: String, kind: String, naming number: String) -> NewEvent {
        let repeats = kind == "repeat" ? #", "repeatsAuthorised": 6, "reviewDate": "2026-09-01""# : ""
        return e(
            n,
            "medication-\(id)",
            "MedicationPrescribed",
            #"""
            {"medicationId": "\#(id)", "nhsNumber": "\#(number)",
             "medication": {"code": "317896006", "system": "https://dmd.nhs.uk",
                            "name": {"en": "Metformin 500mg tablets", "cy": "Tabledi metformin 500mg"}},
             "dosage": {"en": "One tablet twice a day", "cy": "Un dabled ddwywaith y dydd"},
             "quantity": {"value": 56, "unit": "tablet"}, "kind": "\#(kind)"\#(repeats),
             "prescribedAt": "2026-01-0\#(n % 10)T09:00:00+00:00", "prescriber": \#(practice)}
            """#
        )
    }

    static func step(
        _ n: Int,
        _ type: String,
        _ fields: String,
        medication: String = "m1",
        naming number: String
    )
        -> NewEvent
    {
        e(
            n,
            "medication-\(medication)",
            type,
            #"{"medicationId": "\#(medication)", "nhsNumber": "\#(number)", \#(fields)}"#
        )
    }

    /// Before the merge, under the superseded number; then the merge; then events naming either number.
    static let journey: [NewEvent] = [
        prescribed(1, "m1", kind: "repeat", naming: superseded),
        step(
            2,
            "RepeatPrescriptionRequested",
            #""requestId": "q1", "requestedAt": "2026-01-10T08:00:00Z", "channel": "app""#,
            naming: superseded
        ),
        step(
            3,
            "RepeatPrescriptionApproved",
            #""requestId": "q1", "approvedAt": "2026-01-10T12:00:00Z", "approvedBy": \#(practice)"#,
            naming: superseded
        ),
        step(
            4,
            "PrescriptionIssued",
            #""prescriptionId": "p1", "requestId": "q1", "issuedAt": "2026-01-10T15:00:00Z", "nominatedPharmacy": {"odsCode": "FW123", "name": "Fferyllfa'r Stryd Fawr"}"#,
            naming: superseded
        ),
        e(
            5,
            "allergy-a1",
            "AllergyRecorded",
            #"""
            {"allergyId": "a1", "nhsNumber": "\#(superseded)",
             "substance": {"code": "764146007", "system": "http://snomed.info/sct", "name": {"en": "Penicillin", "cy": "Penisilin"}},
             "reaction": {"en": "Rash", "cy": "Brech"}, "severity": "moderate",
             "recordedAt": "2026-01-11T10:00:00Z", "recordedBy": \#(practice)}
            """#
        ),
        e(
            6,
            "patient-\(retained)",
            "PatientRecordsMerged",
            #"{"retainedNhsNumber": "\#(retained)", "supersededNhsNumber": "\#(superseded)", "mergedAt": "2026-02-01T09:00:00Z"}"#
        ),
        // The pharmacy has not heard of the merge; the practice has.
        step(
            7,
            "PrescriptionDispensed",
            #""prescriptionId": "p1", "dispensedAt": "2026-02-02T10:00:00Z", "dispenser": {"odsCode": "FW123", "name": "Fferyllfa'r Stryd Fawr"}"#,
            naming: superseded
        ),
        step(
            8,
            "RepeatPrescriptionRequested",
            #""requestId": "q2", "requestedAt": "2026-02-20T08:00:00Z", "channel": "pharmacy""#,
            naming: retained
        ),
        step(
            9,
            "RepeatPrescriptionRejected",
            #""requestId": "q2", "rejectedAt": "2026-02-20T12:00:00Z", "reason": {"en": "Too early to reorder", "cy": "Rhy gynnar i archebu eto"}"#,
            naming: retained
        ),
        step(
            10,
            "RepeatPrescriptionRequested",
            #""requestId": "q3", "requestedAt": "2026-03-20T08:00:00Z", "channel": "app""#,
            naming: retained
        ),
        prescribed(11, "m2", kind: "acute", naming: retained),
        e(
            12,
            "allergy-a1",
            "AllergyResolved",
            #"{"allergyId": "a1", "nhsNumber": "\#(retained)", "resolvedAt": "2026-04-01T10:00:00Z"}"#
        ),
        e(
            13,
            "allergy-a2",
            "AllergyRecorded",
            #"""
            {"allergyId": "a2", "nhsNumber": "\#(retained)",
             "substance": {"code": "91935009", "system": "http://snomed.info/sct", "name": {"en": "Peanut"}},
             "severity": "severe", "recordedAt": "2026-04-02T10:00:00Z", "recordedBy": \#(practice)}
            """#
        ),
        e(
            14,
            "allergy-a2",
            "AllergyEnteredInError",
            #"{"allergyId": "a2", "nhsNumber": "\#(retained)", "reason": "Wrong patient"}"#
        ),
        // Impossible orders: approved after rejected; then a dispensing (twice) waits behind it.
        step(
            15,
            "RepeatPrescriptionApproved",
            #""requestId": "q2", "approvedAt": "2026-02-21T12:00:00Z", "approvedBy": \#(practice)"#,
            naming: retained
        ),
        step(
            16,
            "PrescriptionDispensed",
            #""prescriptionId": "p1", "dispensedAt": "2026-02-03T10:00:00Z", "dispenser": {"odsCode": "FW123", "name": "Fferyllfa'r Stryd Fawr"}"#,
            naming: retained
        ),
        e(
            17,
            "consent-\(retained)",
            "ConsentGranted",
            #"""
            {"consentId": "c1", "nhsNumber": "\#(retained)", "grantee": {"type": "organisation", "id": "FW123"},
             "scopes": ["medications"], "purpose": "direct-care", "grantedAt": "2026-01-01T00:00:00Z"}
            """#
        ),
    ]

    static func api(_ name: String, _ number: String, grantee: String? = nil, on conn: Connection) async throws -> [Row]
    {
        try await conn.query(
            Query(
                unsafeSQL: try apiQuery(name),
                binds: [
                    PostgresBind(number), PostgresBind(text: grantee == nil ? nil : "organisation", type: 0),
                    PostgresBind(text: grantee, type: 0), PostgresBind(text: "2026-06-01T00:00:00Z", type: 0),
                    PostgresBind(text: nil, type: 0), PostgresBind(text: nil, type: 0), PostgresBind(20),
                ]
            )
        ).rows
    }

    @Test func aPatientsMedicinesAndAllergiesReadBackByEitherNumberInEnglishAndWelsh() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await LogWriter(connection: conn).appendMany(Self.journey)
            try await projectEverything(url: url, on: conn)

            for number in [Self.retained, Self.superseded] {
                let medicines = try await Self.api("current_medications", number, on: conn)
                #expect(try medicines.map { try $0.decode(String.self, "medication_id") } == ["m2", "m1"])
                let course = try #require(medicines.last)
                #expect(try course.decode(String.self, "name_cy") == "Tabledi metformin 500mg")
                #expect(try course.decode(String.self, "dosage_cy") == "Un dabled ddwywaith y dydd")
                #expect(try course.decode(Int.self, "repeats_issued") == 1)
                #expect(try course.decode(String.self, "last_dispensed_at") == "2026-02-02 10:00:00+00")
                #expect(try course.decode(String.self, "latest_request_state") == "requested")

                let open = try await Self.api("repeat_requests_in_progress", number, on: conn)
                #expect(try open.map { try $0.decode(String.self, "request_id") } == ["q3"])

                let allergies = try await Self.api("allergies", number, on: conn)
                #expect(
                    try allergies.map { try $0.decode(String.self, "allergy_id") } == ["a1"],
                    "a2 was entered in error"
                )
                #expect(try allergies.first?.decode(String.self, "status") == "resolved")
                #expect(try allergies.first?.decode(String.self, "substance_name_cy") == "Penisilin")
            }

            // The pharmacy was given the medications scope; another organisation was not.
            #expect(try await Self.api("current_medications", Self.superseded, grantee: "FW123", on: conn).count == 2)
            #expect(try await Self.api("allergies", Self.retained, grantee: "W00000", on: conn).isEmpty)

            // The repeat request's steps, each with its time, for turnaround.
            let request = try #require(
                try await conn.query("SELECT * FROM medications.repeat_requests WHERE request_id = 'q1'").rows.first
            )
            #expect(try request.decode(String.self, "state") == "issued")
            #expect(try request.decode(String.self, "approved_at") == "2026-01-10 12:00:00+00")
            #expect(try request.decode(String.self, "prescription_id") == "p1")
            #expect(
                try await dump("SELECT state FROM medications.repeat_requests WHERE request_id = 'q2'", on: conn) == [
                    "rejected"
                ]
            )

            // The whole state machine of each request, dispensing included.
            #expect(
                try await dump(
                    "SELECT request_id || ' ' || state FROM medications.repeat_request_steps ORDER BY request_id",
                    on: conn
                ) == ["q1 dispensed", "q2 rejected", "q3 requested"]
            )

            // The timeline shows them, in Welsh too.
            let entries = try await dump(
                """
                SELECT entry_id || ' ' || status || ' ' || title_cy FROM timeline.entries
                WHERE kind IN ('medication', 'repeat-request', 'prescription', 'allergy') AND visible_to_patient
                ORDER BY entry_id
                """,
                on: conn
            )
            #expect(
                entries == [
                    "allergy:a1 resolved Alergedd: Penisilin",
                    "medication:m1 active Meddyginiaeth wedi'i rhagnodi: Tabledi metformin 500mg",
                    "medication:m2 active Meddyginiaeth wedi'i rhagnodi: Tabledi metformin 500mg",
                    "prescription:p1 dispensed Presgripsiwn wedi'i roi",
                    "request:q1 issued Cais am bresgripsiwn amlroddadwy",
                    "request:q2 rejected Cais am bresgripsiwn amlroddadwy",
                    "request:q3 requested Cais am bresgripsiwn amlroddadwy",
                ]
            )

            // The impossible order, dead-lettered with the same reason by both read models that handle it; it
            // parks the course's stream, so the dispensing after it waits behind it.
            for projection in ["medications", "timeline"] {
                let letters = try await dump(
                    """
                    SELECT event_type || ': ' || category || ': ' || reason FROM projector.dead_letters
                    WHERE projection = '\(projection)' ORDER BY global_position
                    """,
                    on: conn
                )
                #expect(letters.count == 2, "\(projection)")
                #expect(
                    letters.first
                        == "RepeatPrescriptionApproved: out-of-order: "
                        + "repeat request not awaiting a decision (never requested, or already decided)",
                    "\(projection)"
                )
                #expect(letters.last?.hasPrefix("PrescriptionDispensed: parked-behind: ") == true, "\(projection)")
            }
            #expect(
                try await count(
                    "SELECT count(*) FROM projector.dead_letters WHERE projection NOT IN ('medications', 'timeline')",
                    on: conn
                ) == 0
            )
        }
    }
}
