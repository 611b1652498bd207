import ProjectionCore

/// The rule that a stream named after a patient holds only that patient's events.
///
/// `patient-`, `consent-` and `journal-` streams are named `<category>-<NHS number>`. An event in one
/// of them whose payload names another patient is a contract violation, dead-lettered like any other:
/// filed by its payload, it would land on another patient's record (an attacker's event in their own
/// journal stream, naming someone else); filed by its stream, it would contradict what it says.
/// Other streams (`appointment-`, `labresult-` …) are named by their own ids: the payload names the patient.
///
/// Merged records are one patient: once a number is merged into another (`PatientRecordsMerged`, before the
/// event in the log), an event in either number's stream may name either number. A merge itself must name
/// its stream's number as the retained one exactly: which merges are valid must not depend on merges.
enum StreamPatient {
    /// The stream categories whose id is an NHS number.
    static let categories: Set<Substring> = ["patient", "consent", "journal"]

    /// Refuses `payload` unless its patient is the one `event`'s stream is named after, where it is named after one.
    static func check<Payload: EventPayload>(_ payload: Payload, in event: RecordedEvent) throws(ProjectionFailure) {
        let category = event.streamCategory
        guard categories.contains(category) else { return }
        let streamNumber = event.streamID.utf8.dropFirst(category.utf8.count + 1)
        let payloadNumber = payload.nhsNumber.digits
        if streamNumber.elementsEqual(payloadNumber.utf8) { return }
        guard Payload.self != PatientRecordsMerged.self else {
            throw ProjectionFailure(
                .invalidPayload,
                "data.retainedNhsNumber: must be the patient the stream is named after (patient-<NHS number>)"
            )
        }
        let merges = PatientMerges.of(event.merges)
        let streamPatient = merges.retained(String(Substring(streamNumber)), before: event.position)
        guard streamPatient == merges.retained(payloadNumber, before: event.position) else {
            throw ProjectionFailure(
                .invalidPayload,
                "data.nhsNumber: must be the patient the stream is named after (\(category)-<NHS number>), "
                    + "or a number merged with it earlier in the log"
            )
        }
    }
}
