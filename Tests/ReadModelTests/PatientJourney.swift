import EventLog

/// One patient's story across the timeline, results, appointments and consent read models, written by hand
/// from the event contract: the timeline journey, then an order and an amended result, a second appointment,
/// consents, and two events that must be dead-lettered (an appointment never booked, a consent never granted).
enum PatientJourney {
    static let nhs = TimelineJourneyTests.nhs

    static func e(
        _ n: Int,
        _ stream: String,
        _ type: String,
        _ data: String,
        meta: String = TimelineJourneyTests.meta
    )
        -> NewEvent
    {
        TimelineJourneyTests.e(n, stream, type, data, meta: meta)
    }

    static let events: [NewEvent] =
        TimelineJourneyTests.events + [
            e(
                12,
                "laborder-o3",
                "TestOrdered",
                #"""
                {"orderId": "o3", "nhsNumber": "\#(nhs)", "orderedAt": "2026-02-01T09:00:00Z",
                 "test": {"code": "2823-3", "system": "http://loinc.org", "name": {"en": "Potassium", "cy": "Potasiwm"}},
                 "orderedBy": {"odsCode": "W97001", "name": "Meddygfa'r Bont"}}
                """#
            ),
            e(
                13,
                "labresult-r3",
                "TestResultRecorded",
                #"""
                {"resultId": "r3", "orderId": "o3", "nhsNumber": "\#(nhs)",
                 "test": {"code": "2823-3", "system": "http://loinc.org", "name": {"en": "Potassium", "cy": "Potasiwm"}},
                 "value": 6.1, "unit": "mmol/L", "referenceRange": {"low": 3.5, "high": 5.3},
                 "interpretation": "high", "status": "final", "collectedAt": "2026-02-02T08:00:00Z",
                 "resultedAt": "2026-02-02T14:00:00Z", "performer": {"odsCode": "7A4", "name": "UHW Lab"},
                 "reportLocation": "https://results.example.nhs.wales/reports/r3"}
                """#,
                meta: #"{"schemaVersion": 2, "occurredAt": "2026-02-02T14:00:00Z", "sourceSystem": "LIMS"}"#
            ),
            e(
                14,
                "labresult-r3",
                "TestResultAmended",
                #"""
                {"resultId": "r3", "nhsNumber": "\#(nhs)", "value": 4.9, "unit": "mmol/L",
                 "referenceRange": {"low": 3.5, "high": 5.3}, "interpretation": "normal",
                 "reason": "Haemolysed sample re-run", "amendedAt": "2026-02-03T10:00:00Z"}
                """#
            ),
            e(
                15,
                "appointment-a2",
                "AppointmentBooked",
                #"""
                {"appointmentId": "a2", "nhsNumber": "\#(nhs)", "startsAt": "2026-09-01T10:00:00Z",
                 "endsAt": "2026-09-01T10:30:00Z",
                 "clinic": {"code": "CARD", "name": {"en": "Cardiology Clinic"}}, "specialty": "Cardiology",
                 "organisation": {"odsCode": "7A4", "name": "Cardiff and Vale UHB"}, "mode": "in-person",
                 "bookingReference": "123456789012"}
                """#
            ),
            e(
                16,
                "appointment-a2",
                "AppointmentRescheduled",
                #"""
                {"appointmentId": "a2", "nhsNumber": "\#(nhs)", "startsAt": "2026-09-08T10:00:00Z",
                 "endsAt": "2026-09-08T10:30:00Z", "reason": "Clinic moved"}
                """#
            ),
            e(
                17,
                "appointment-a9",
                "AppointmentAttended",
                #"{"appointmentId": "a9", "nhsNumber": "\#(nhs)", "attendedAt": "2026-02-01T10:00:00Z"}"#
            ),
            e(
                18,
                "consent-\(nhs)",
                "ConsentGranted",
                #"""
                {"consentId": "c1", "nhsNumber": "\#(nhs)", "grantee": {"type": "organisation", "id": "W97001"},
                 "scopes": ["journal", "results"], "purpose": "direct-care",
                 "grantedAt": "2026-01-01T00:00:00Z", "expiresAt": "2027-01-01T00:00:00Z"}
                """#
            ),
            e(
                19,
                "consent-\(nhs)",
                "ConsentGranted",
                #"""
                {"consentId": "c2", "nhsNumber": "\#(nhs)", "grantee": {"type": "person", "id": "C1234567"},
                 "scopes": ["journal"], "purpose": "direct-care", "grantedAt": "2026-01-01T00:00:00Z"}
                """#
            ),
            e(
                20,
                "consent-\(nhs)",
                "ConsentWithdrawn",
                #"{"consentId": "c2", "nhsNumber": "\#(nhs)", "withdrawnAt": "2026-03-01T00:00:00Z"}"#
            ),
            e(
                21,
                "consent-\(nhs)",
                "ConsentWithdrawn",
                #"{"consentId": "c9", "nhsNumber": "\#(nhs)", "withdrawnAt": "2026-03-01T00:00:00Z"}"#
            ),
        ]
}
