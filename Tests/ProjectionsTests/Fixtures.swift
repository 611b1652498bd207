import Foundation
import ProjectionCore

/// Valid payloads of the event contract for one patient, as JSON objects tests can alter field by field.
enum Payloads {
    /// A valid NHS number (Modulus 11 check digit 9).
    static let nhsNumber = "9434765919"

    /// `PatientRegistered`, preferring Welsh.
    static func patientRegistered() -> [String: Any] {
        [
            "nhsNumber": nhsNumber,
            "name": ["given": "Megan", "family": "Jones"],
            "dateOfBirth": "1984-02-29",
            "preferredLanguage": "cy",
            "gpPractice": ["odsCode": "W97016", "name": "Meddygfa Taf"],
        ]
    }

    /// `AppointmentBooked` for `appt-1`, by video, with Welsh clinic names.
    static func appointmentBooked() -> [String: Any] {
        [
            "appointmentId": "appt-1",
            "nhsNumber": nhsNumber,
            "startsAt": "2026-03-10T09:30:00Z",
            "endsAt": "2026-03-10T09:50:00Z",
            "clinic": ["code": "DIAB1", "name": ["en": "Diabetes clinic", "cy": "Clinig diabetes"]],
            "specialty": "Diabetology",
            "organisation": ["odsCode": "7A4", "name": "Cardiff and Vale UHB"],
            "mode": "video",
            "bookingReference": "123456789012",
        ]
    }

    /// `AppointmentRescheduled` of `appt-1`.
    static func appointmentRescheduled() -> [String: Any] {
        [
            "appointmentId": "appt-1", "nhsNumber": nhsNumber, "startsAt": "2026-03-17T14:00:00+00:00",
            "reason": "Clinician unavailable",
        ]
    }

    /// `AppointmentCancelled` of `appt-1` by `party`.
    static func appointmentCancelled(by party: String = "patient") -> [String: Any] {
        ["appointmentId": "appt-1", "nhsNumber": nhsNumber, "cancelledBy": party]
    }

    /// `AppointmentAttended` of `appt-1`.
    static func appointmentAttended() -> [String: Any] {
        ["appointmentId": "appt-1", "nhsNumber": nhsNumber, "attendedAt": "2026-03-10T09:28:00Z"]
    }

    /// `AppointmentMissed` of `appt-1`.
    static func appointmentMissed() -> [String: Any] {
        ["appointmentId": "appt-1", "nhsNumber": nhsNumber]
    }

    /// `TestOrdered` for `order-1`.
    static func testOrdered() -> [String: Any] {
        [
            "orderId": "order-1",
            "nhsNumber": nhsNumber,
            "orderedAt": "2026-02-01T10:00:00Z",
            "test": ["code": "HBA1C", "system": "urn:lims:cardiff", "name": ["en": "HbA1c", "cy": "HbA1c"]],
            "orderedBy": ["odsCode": "W97016", "name": "Dr Rhys Evans"],
        ]
    }

    /// `TestResultRecorded` of `result-1` for `order-1`, schema version 2.
    static func testResultRecorded() -> [String: Any] {
        [
            "resultId": "result-1",
            "orderId": "order-1",
            "nhsNumber": nhsNumber,
            "test": ["code": "GLU", "system": "urn:lims:cardiff", "name": ["en": "Glucose", "cy": "Glwcos"]],
            "value": 5.4,
            "unit": "mmol/L",
            "referenceRange": ["low": 3.5, "high": 7.8],
            "interpretation": "normal",
            "status": "final",
            "collectedAt": "2026-02-02T08:15:00Z",
            "resultedAt": "2026-02-02T15:40:00+00:00",
            "performer": ["odsCode": "7A4BV", "name": "UHW Biochemistry"],
            "reportLocation": "https://results.example.nhs.wales/reports/result-1",
        ]
    }

    /// `TestResultRecorded` in schema version 1: one value string, no range, no interpretation.
    static func testResultRecordedVersion1(value: String = "5.4 mmol/L") -> [String: Any] {
        var payload = testResultRecorded()
        payload["value"] = value
        payload["unit"] = nil
        payload["referenceRange"] = nil
        payload["interpretation"] = nil
        return payload
    }

    /// `TestResultAmended` of `result-1`, with a string value.
    static func testResultAmended() -> [String: Any] {
        [
            "resultId": "result-1", "nhsNumber": nhsNumber, "value": "8.1", "unit": "mmol/L",
            "interpretation": "high", "reason": "Transcription error", "amendedAt": "2026-02-03T09:00:00Z",
        ]
    }

    /// `TestResultEnteredInError` of `result-1`.
    static func testResultEnteredInError() -> [String: Any] {
        ["resultId": "result-1", "nhsNumber": nhsNumber, "reason": "Wrong patient"]
    }

    /// `ConsentGranted` with a repeated scope.
    static func consentGranted() -> [String: Any] {
        [
            "consentId": "consent-1", "nhsNumber": nhsNumber,
            "grantee": ["type": "organisation", "id": "W97016"],
            "scopes": ["timeline", "results", "timeline"], "purpose": "direct-care",
            "grantedAt": "2026-01-01T00:00:00Z",
        ]
    }

    /// `JournalEntryAdded` for `journal-1`.
    static func journalEntryAdded(
        text: String = "Slept well, sugar levels steady.",
        language: String = "en"
    )
        -> [String: Any]
    {
        [
            "entryId": "journal-1", "nhsNumber": nhsNumber, "writtenAt": "2026-02-05T21:00:00+00:00",
            "text": text, "language": language, "mood": 4, "sharedWithCareTeam": false,
        ]
    }

    /// `JournalEntrySharingChanged` of `journal-1`, now shared.
    static func journalEntrySharingChanged() -> [String: Any] {
        ["entryId": "journal-1", "nhsNumber": nhsNumber, "sharedWithCareTeam": true]
    }

    /// `JournalEntryDeleted` of `journal-1`.
    static func journalEntryDeleted() -> [String: Any] {
        ["entryId": "journal-1", "nhsNumber": nhsNumber]
    }

    /// Ordinary metadata with no `schemaVersion`, so the type's current version applies.
    static func metadata(schemaVersion: Int? = nil) -> [String: Any] {
        var metadata: [String: Any] = [
            "occurredAt": "2026-01-15T12:00:00Z", "sourceSystem": "W97016", "correlationId": "corr-1",
        ]
        metadata["schemaVersion"] = schemaVersion
        return metadata
    }
}

/// A stored event of `type` with the given payload and metadata, at global position `position`.
func recordedEvent(
    _ type: String,
    _ data: [String: Any],
    metadata: [String: Any] = Payloads.metadata(),
    position: Int64 = 42
) -> RecordedEvent {
    recordedEvent(type, json: json(data), metadataJSON: json(metadata), position: position)
}

/// A stored event whose payload and metadata are given as raw JSON text.
func recordedEvent(
    _ type: String,
    json data: String,
    metadataJSON: String = "{}",
    position: Int64 = 42
)
    -> RecordedEvent
{
    RecordedEvent(
        position: LogPosition(transactionID: 1_000 + UInt64(position), globalPosition: position),
        streamID: "test-\(Payloads.nhsNumber)",
        streamPosition: 0,
        eventID: "00000000-0000-4000-8000-\(String(position).leftPadded(to: 12))",
        eventType: type,
        data: Array(data.utf8),
        metadata: Array(metadataJSON.utf8),
        recordedAt: "2026-01-15 12:00:01+00"
    )
}

/// `object` as JSON text with sorted keys.
func json(_ object: [String: Any]) -> String {
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    return String(decoding: data, as: UTF8.self)
}

extension Dictionary where Key == String, Value == Any {
    /// A copy with the value at a dotted `path` (`clinic.name.en`) replaced, or removed when `value` is nil.
    func setting(_ path: String, to value: Any?) -> [String: Any] {
        var copy = self
        let parts = path.split(separator: ".", maxSplits: 1).map(String.init)
        if parts.count == 1 {
            copy[parts[0]] = value
        } else {
            let child = (copy[parts[0]] as? [String: Any]) ?? [:]
            copy[parts[0]] = child.setting(parts[1], to: value)
        }
        return copy
    }
}

extension Dictionary where Key == String, Value == Any {
    /// A copy with the value at a dotted `path` replaced by the JSON value `json` (`"12"`, `"null"`, `"[1]"`).
    func setting(_ path: String, json: String) -> [String: Any] {
        setting(path, to: try! JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed]))
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
