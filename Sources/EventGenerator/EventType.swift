/// The event types of the event contract, with the fields each one must carry.
enum EventType: String, CaseIterable {
    /// `PatientRegistered`, on `patient-<nhsNumber>`.
    case patientRegistered = "PatientRegistered"
    /// `PatientDetailsUpdated`, on `patient-<nhsNumber>`.
    case patientDetailsUpdated = "PatientDetailsUpdated"
    /// `PatientRecordsMerged`, on `patient-<retainedNhsNumber>`.
    case patientRecordsMerged = "PatientRecordsMerged"
    /// `AppointmentBooked`, first on `appointment-<appointmentId>`.
    case appointmentBooked = "AppointmentBooked"
    /// `AppointmentRescheduled`.
    case appointmentRescheduled = "AppointmentRescheduled"
    /// `AppointmentCancelled`.
    case appointmentCancelled = "AppointmentCancelled"
    /// `AppointmentAttended`.
    case appointmentAttended = "AppointmentAttended"
    /// `AppointmentMissed` (did not attend).
    case appointmentMissed = "AppointmentMissed"
    /// `TestOrdered`, on `laborder-<orderId>`.
    case testOrdered = "TestOrdered"
    /// `TestResultRecorded`, first on `labresult-<resultId>`; schemaVersion 2, or 1 from older producers.
    case testResultRecorded = "TestResultRecorded"
    /// `TestResultAmended`.
    case testResultAmended = "TestResultAmended"
    /// `TestResultEnteredInError`.
    case testResultEnteredInError = "TestResultEnteredInError"
    /// `ConsentGranted`, on `consent-<nhsNumber>`.
    case consentGranted = "ConsentGranted"
    /// `ConsentWithdrawn`.
    case consentWithdrawn = "ConsentWithdrawn"
    /// `JournalEntryAdded`, on `journal-<nhsNumber>`.
    case journalEntryAdded = "JournalEntryAdded"
    /// `JournalEntrySharingChanged`.
    case journalEntrySharingChanged = "JournalEntrySharingChanged"
    /// `JournalEntryDeleted`.
    case journalEntryDeleted = "JournalEntryDeleted"
    /// `MedicationPrescribed`, first on `medication-<medicationId>`.
    case medicationPrescribed = "MedicationPrescribed"
    /// `RepeatPrescriptionRequested`.
    case repeatPrescriptionRequested = "RepeatPrescriptionRequested"
    /// `RepeatPrescriptionApproved`.
    case repeatPrescriptionApproved = "RepeatPrescriptionApproved"
    /// `RepeatPrescriptionRejected`.
    case repeatPrescriptionRejected = "RepeatPrescriptionRejected"
    /// `PrescriptionIssued`.
    case prescriptionIssued = "PrescriptionIssued"
    /// `PrescriptionDispensed`.
    case prescriptionDispensed = "PrescriptionDispensed"
    /// `MedicationStopped`.
    case medicationStopped = "MedicationStopped"
    /// `AllergyRecorded`, first on `allergy-<allergyId>`.
    case allergyRecorded = "AllergyRecorded"
    /// `AllergyResolved`.
    case allergyResolved = "AllergyResolved"
    /// `AllergyEnteredInError`.
    case allergyEnteredInError = "AllergyEnteredInError"

    /// The top-level data fields the event contract requires for this type at a schema version.
    func requiredKeys(schemaVersion: Int) -> [String] {
        switch self {
        case .patientRegistered:
            ["nhsNumber", "name", "dateOfBirth", "preferredLanguage", "gpPractice"]
        case .patientDetailsUpdated:
            ["nhsNumber"]
        case .patientRecordsMerged:
            ["retainedNhsNumber", "supersededNhsNumber", "mergedAt"]
        case .appointmentBooked:
            ["appointmentId", "nhsNumber", "startsAt", "clinic", "specialty", "organisation", "mode"]
        case .appointmentRescheduled:
            ["appointmentId", "nhsNumber", "startsAt"]
        case .appointmentCancelled:
            ["appointmentId", "nhsNumber", "cancelledBy"]
        case .appointmentAttended:
            ["appointmentId", "nhsNumber", "attendedAt"]
        case .appointmentMissed:
            ["appointmentId", "nhsNumber"]
        case .testOrdered:
            ["orderId", "nhsNumber", "orderedAt", "test", "orderedBy"]
        case .testResultRecorded where schemaVersion == 1:
            [
                "resultId", "nhsNumber", "test", "value", "status", "collectedAt", "resultedAt", "performer",
                "reportLocation",
            ]
        case .testResultRecorded:
            [
                "resultId", "nhsNumber", "test", "value", "interpretation", "status", "collectedAt", "resultedAt",
                "performer", "reportLocation",
            ]
        case .testResultAmended:
            ["resultId", "nhsNumber", "value", "interpretation", "reason", "amendedAt"]
        case .testResultEnteredInError:
            ["resultId", "nhsNumber", "reason"]
        case .consentGranted:
            ["consentId", "nhsNumber", "grantee", "scopes", "purpose", "grantedAt"]
        case .consentWithdrawn:
            ["consentId", "nhsNumber", "withdrawnAt"]
        case .journalEntryAdded:
            ["entryId", "nhsNumber", "writtenAt", "text", "language", "sharedWithCareTeam"]
        case .journalEntrySharingChanged:
            ["entryId", "nhsNumber", "sharedWithCareTeam"]
        case .journalEntryDeleted:
            ["entryId", "nhsNumber"]
        case .medicationPrescribed:
            [
                "medicationId", "nhsNumber", "medication", "dosage", "quantity", "kind", "prescribedAt", "prescriber",
            ]
        case .repeatPrescriptionRequested:
            ["requestId", "medicationId", "nhsNumber", "requestedAt", "channel"]
        case .repeatPrescriptionApproved:
            ["requestId", "medicationId", "nhsNumber", "approvedAt", "approvedBy"]
        case .repeatPrescriptionRejected:
            ["requestId", "medicationId", "nhsNumber", "rejectedAt", "reason"]
        case .prescriptionIssued:
            ["prescriptionId", "medicationId", "nhsNumber", "issuedAt"]
        case .prescriptionDispensed:
            ["prescriptionId", "medicationId", "nhsNumber", "dispensedAt", "dispenser"]
        case .medicationStopped:
            ["medicationId", "nhsNumber", "stoppedAt"]
        case .allergyRecorded:
            ["allergyId", "nhsNumber", "substance", "severity", "recordedAt", "recordedBy"]
        case .allergyResolved:
            ["allergyId", "nhsNumber", "resolvedAt"]
        case .allergyEnteredInError:
            ["allergyId", "nhsNumber", "reason"]
        }
    }

    /// The required timestamp fields of the payload, which must carry an offset; empty when there are none.
    var requiredTimestampKeys: [String] {
        switch self {
        case .appointmentBooked, .appointmentRescheduled: ["startsAt"]
        case .appointmentAttended: ["attendedAt"]
        case .testOrdered: ["orderedAt"]
        case .testResultRecorded: ["collectedAt", "resultedAt"]
        case .testResultAmended: ["amendedAt"]
        case .consentGranted: ["grantedAt"]
        case .consentWithdrawn: ["withdrawnAt"]
        case .journalEntryAdded: ["writtenAt"]
        case .patientRecordsMerged: ["mergedAt"]
        case .medicationPrescribed: ["prescribedAt"]
        case .repeatPrescriptionRequested: ["requestedAt"]
        case .repeatPrescriptionApproved: ["approvedAt"]
        case .repeatPrescriptionRejected: ["rejectedAt"]
        case .prescriptionIssued: ["issuedAt"]
        case .prescriptionDispensed: ["dispensedAt"]
        case .medicationStopped: ["stoppedAt"]
        case .allergyRecorded: ["recordedAt"]
        case .allergyResolved: ["resolvedAt"]
        case .patientRegistered, .patientDetailsUpdated, .appointmentCancelled, .appointmentMissed,
            .testResultEnteredInError, .journalEntrySharingChanged, .journalEntryDeleted, .allergyEnteredInError:
            []
        }
    }
}
