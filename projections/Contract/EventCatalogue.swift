/// Every payload type of the contract, in one list: for code that must cover them all (the decoders'
/// differential tests and fuzzers), so that a new event type cannot be left out of them by accident.
package enum EventCatalogue {
    /// One entry per event type the contract defines.
    package static let payloadTypes: [any EventPayload.Type] = [
        PatientRegistered.self, PatientDetailsUpdated.self,
        AppointmentBooked.self, AppointmentRescheduled.self, AppointmentCancelled.self, AppointmentAttended.self,
        AppointmentMissed.self,
        TestOrdered.self, TestResultRecorded.self, TestResultAmended.self, TestResultEnteredInError.self,
        ConsentGranted.self, ConsentWithdrawn.self,
        JournalEntryAdded.self, JournalEntrySharingChanged.self, JournalEntryDeleted.self,
        // Later types come after, so that a fuzz seed's first byte (an index in this list) keeps its type.
        PatientRecordsMerged.self,
        MedicationPrescribed.self, RepeatPrescriptionRequested.self, RepeatPrescriptionApproved.self,
        RepeatPrescriptionRejected.self, PrescriptionIssued.self, PrescriptionDispensed.self, MedicationStopped.self,
        AllergyRecorded.self, AllergyResolved.self, AllergyEnteredInError.self,
    ]

    /// The payload type of `eventType`, or nil for a type the contract does not define.
    package static func payloadType(of eventType: String) -> (any EventPayload.Type)? {
        payloadTypes.first { $0.eventType == eventType }
    }
}
