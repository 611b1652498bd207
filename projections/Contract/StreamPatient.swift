import ProjectionCore

/// The rule that a stream named after a patient holds only that patient's events.
///
/// `patient-`, `consent-` and `journal-` streams are named `<category>-<NHS number>`. An event in one
/// of them whose payload names another patient is a contract violation, dead-lettered like any other:
/// filed by its payload, it would land on another patient's record (an attacker's event in their own
/// journal stream, naming someone else); filed by its stream, it would contradict what it says.
/// Other streams (`appointment-`, `labresult-` …) are named by their own ids: the payload names the patient.
///
/// Merged records (one person under two NHS numbers, `PatientRecordsMerged`) will make a second number
/// legitimate in a superseded number's stream; that needs the merge map, which no projection has yet,
/// so until then only the stream's own number is.
enum StreamPatient {
    /// The stream categories whose id is an NHS number.
    static let categories: Set<Substring> = ["patient", "consent", "journal"]

    /// Refuses `payload` unless its patient is the one `event`'s stream is named after, where it is named after one.
    static func check(_ payload: some EventPayload, in event: RecordedEvent) throws(ProjectionFailure) {
        let category = event.streamCategory
        guard categories.contains(category) else { return }
        let streamNumber = event.streamID.utf8.dropFirst(category.utf8.count + 1)
        guard streamNumber.elementsEqual(payload.nhsNumber.digits.utf8) else {
            throw ProjectionFailure(
                .invalidPayload,
                "data.nhsNumber: must be the patient the stream is named after (\(category)-<NHS number>)"
            )
        }
    }
}
