import EventGenerator
import Foundation
import Testing

/// One generated line, parsed back with Foundation as an independent consumer would.
struct ParsedEvent {
    /// The `stream` of the envelope.
    let stream: String
    /// The `type` of the envelope.
    let type: String
    /// The `eventId` of the envelope.
    let eventID: String
    /// The `data` object.
    let data: [String: Any]
    /// The `metadata` object.
    let metadata: [String: Any]

    /// Parses one NDJSON line, or returns `nil` when it is not an object with the five envelope keys.
    init?(line: String) {
        guard
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            object.count == 5,
            let stream = object["stream"] as? String,
            let type = object["type"] as? String,
            let eventID = object["eventId"] as? String,
            let data = object["data"] as? [String: Any],
            let metadata = object["metadata"] as? [String: Any]
        else { return nil }
        self.stream = stream
        self.type = type
        self.eventID = eventID
        self.data = data
        self.metadata = metadata
    }

    /// `metadata.schemaVersion`, or the type's current version when missing (the event contract).
    var schemaVersion: Int {
        metadata["schemaVersion"] as? Int ?? (type == "TestResultRecorded" ? 2 : 1)
    }

    /// `metadata.occurredAt` as seconds since 1970, when it is a timestamp with an offset.
    var occurredAt: TimeInterval? {
        (metadata["occurredAt"] as? String).flatMap(ContractChecker.instant)
    }
}

/// The rules of the event contract, written out again here so that the tests do not trust the generator's own copy.
enum ContractChecker {
    /// Every event type of the event contract.
    static let eventTypes: Set<String> = Set(requiredFields.keys)

    /// The required top-level data fields per type (schemaVersion 2 for `TestResultRecorded`).
    static let requiredFields: [String: [String]] = [
        "PatientRegistered": ["nhsNumber", "name", "dateOfBirth", "preferredLanguage", "gpPractice"],
        "PatientDetailsUpdated": ["nhsNumber"],
        "PatientRecordsMerged": ["retainedNhsNumber", "supersededNhsNumber", "mergedAt"],
        "AppointmentBooked": ["appointmentId", "nhsNumber", "startsAt", "clinic", "specialty", "organisation", "mode"],
        "AppointmentRescheduled": ["appointmentId", "nhsNumber", "startsAt"],
        "AppointmentCancelled": ["appointmentId", "nhsNumber", "cancelledBy"],
        "AppointmentAttended": ["appointmentId", "nhsNumber", "attendedAt"],
        "AppointmentMissed": ["appointmentId", "nhsNumber"],
        "TestOrdered": ["orderId", "nhsNumber", "orderedAt", "test", "orderedBy"],
        "TestResultRecorded": [
            "resultId", "nhsNumber", "test", "value", "interpretation", "status", "collectedAt", "resultedAt",
            "performer", "reportLocation",
        ],
        "TestResultAmended": ["resultId", "nhsNumber", "value", "interpretation", "reason", "amendedAt"],
        "TestResultEnteredInError": ["resultId", "nhsNumber", "reason"],
        "ConsentGranted": ["consentId", "nhsNumber", "grantee", "scopes", "purpose", "grantedAt"],
        "ConsentWithdrawn": ["consentId", "nhsNumber", "withdrawnAt"],
        "JournalEntryAdded": ["entryId", "nhsNumber", "writtenAt", "text", "language", "sharedWithCareTeam"],
        "JournalEntrySharingChanged": ["entryId", "nhsNumber", "sharedWithCareTeam"],
        "JournalEntryDeleted": ["entryId", "nhsNumber"],
        "MedicationPrescribed": [
            "medicationId", "nhsNumber", "medication", "dosage", "quantity", "kind", "prescribedAt", "prescriber",
        ],
        "RepeatPrescriptionRequested": ["requestId", "medicationId", "nhsNumber", "requestedAt", "channel"],
        "RepeatPrescriptionApproved": ["requestId", "medicationId", "nhsNumber", "approvedAt", "approvedBy"],
        "RepeatPrescriptionRejected": ["requestId", "medicationId", "nhsNumber", "rejectedAt", "reason"],
        "PrescriptionIssued": ["prescriptionId", "medicationId", "nhsNumber", "issuedAt"],
        "PrescriptionDispensed": ["prescriptionId", "medicationId", "nhsNumber", "dispensedAt", "dispenser"],
        "MedicationStopped": ["medicationId", "nhsNumber", "stoppedAt"],
        "AllergyRecorded": ["allergyId", "nhsNumber", "substance", "severity", "recordedAt", "recordedBy"],
        "AllergyResolved": ["allergyId", "nhsNumber", "resolvedAt"],
        "AllergyEnteredInError": ["allergyId", "nhsNumber", "reason"],
    ]

    /// Payload fields that hold timestamps, required or optional.
    static let timestampFields = [
        "startsAt", "endsAt", "attendedAt", "orderedAt", "collectedAt", "resultedAt", "amendedAt", "grantedAt",
        "expiresAt", "withdrawnAt", "writtenAt", "mergedAt", "prescribedAt", "requestedAt", "approvedAt",
        "rejectedAt", "issuedAt", "dispensedAt", "stoppedAt", "recordedAt", "resolvedAt",
    ]

    /// Whether a string is 10 digits whose last one is the Modulus 11 check digit of the first nine.
    static func isValidNHSNumber(_ text: String) -> Bool {
        let digits = text.compactMap(\.wholeNumberValue)
        guard text.count == 10, digits.count == 10 else { return false }
        let sum = zip(digits.prefix(9), stride(from: 10, through: 2, by: -1)).reduce(0) { $0 + $1.0 * $1.1 }
        let check = 11 - sum % 11
        if check == 10 { return false }
        return (check == 11 ? 0 : check) == digits[9]
    }

    /// Seconds since 1970 of an ISO 8601 timestamp with `Z` or an offset; `nil` otherwise.
    static func instant(_ text: String) -> TimeInterval? {
        (try? Date(text, strategy: .iso8601))?.timeIntervalSince1970
    }

    /// Every rule of the event contract the event breaks; empty when it is valid.
    static func problems(of event: ParsedEvent) -> [String] {
        guard let required = requiredFields[event.type] else { return ["unknown type \(event.type)"] }
        var problems: [String] = []
        var fields = required
        if event.type == "TestResultRecorded" && event.schemaVersion == 1 {
            fields.removeAll { $0 == "interpretation" }
        }
        for field in fields where event.data[field] == nil {
            problems.append("missing \(field)")
        }
        for field in ["nhsNumber", "retainedNhsNumber", "supersededNhsNumber"] {
            if let nhsNumber = event.data[field] as? String, !isValidNHSNumber(nhsNumber) {
                problems.append("\(field) check digit")
            }
        }
        if event.type == "PatientRecordsMerged",
            event.data["retainedNhsNumber"] as? String == nil
                || event.data["retainedNhsNumber"] as? String == event.data["supersededNhsNumber"] as? String
        {
            problems.append("a merge needs two different numbers")
        }
        for field in timestampFields {
            if let value = event.data[field] as? String, instant(value) == nil {
                problems.append("\(field) is not a timestamp with offset")
            }
        }
        if event.occurredAt == nil { problems.append("metadata.occurredAt") }
        if event.metadata["sourceSystem"] as? String == nil { problems.append("metadata.sourceSystem") }
        if event.metadata["correlationId"] as? String == nil { problems.append("metadata.correlationId") }
        return problems + valueProblems(of: event)
    }

    /// Breaches of the enumerations and shapes of the event contract that the generator must never produce.
    private static func valueProblems(of event: ParsedEvent) -> [String] {
        let data = event.data
        var problems: [String] = []
        func check(_ field: String, in allowed: Set<String>) {
            if let value = data[field], !allowed.contains(value as? String ?? "") {
                problems.append("\(field) out of range")
            }
        }
        check("preferredLanguage", in: ["en", "cy"])
        check("language", in: ["en", "cy"])
        check("mode", in: ["in-person", "video", "telephone"])
        check("cancelledBy", in: ["patient", "provider"])
        check("interpretation", in: ["normal", "low", "high", "abnormal", "critical"])
        check("status", in: ["preliminary", "final"])
        check("purpose", in: ["direct-care", "research"])
        check("kind", in: ["acute", "repeat"])
        check("channel", in: ["app", "pharmacy", "practice"])
        check("severity", in: ["mild", "moderate", "severe"])
        if let mood = data["mood"], !(1...5).contains(mood as? Int ?? 0) { problems.append("mood out of range") }
        if let reference = data["bookingReference"] as? String,
            reference.count != 12 || !reference.allSatisfy(\.isASCII) || Int(reference) == nil
        {
            problems.append("bookingReference is not 12 digits")
        }
        if let scopes = data["scopes"] {
            let list = scopes as? [String] ?? []
            let allowed: Set = ["timeline", "results", "appointments", "journal", "medications"]
            if list.isEmpty || !list.allSatisfy(allowed.contains) { problems.append("scopes") }
        }
        if let grantee = data["grantee"] as? [String: Any],
            !["organisation", "role", "person"].contains(grantee["type"] as? String ?? "") || grantee["id"] == nil
        {
            problems.append("grantee")
        }
        for text in bilingualTexts(in: data) where text["en"] as? String == nil {
            problems.append("bilingual text without en")
        }
        return problems
    }

    /// The bilingual text objects of a payload (clinic and test names).
    static func bilingualTexts(in data: [String: Any]) -> [[String: Any]] {
        ["clinic", "test"].compactMap { (data[$0] as? [String: Any])?["name"] as? [String: Any] }
    }
}

/// Generates and parses the lines for some options.
func parsedEvents(_ options: GeneratorOptions) -> [ParsedEvent] {
    EventGenerator(options).map { event in
        guard let parsed = ParsedEvent(line: event.ndjsonLine) else {
            Issue.record("line is not a JSON envelope: \(event.ndjsonLine)")
            return ParsedEvent(line: #"{"stream":"","type":"","eventId":"","data":{},"metadata":{}}"#)!
        }
        return parsed
    }
}
