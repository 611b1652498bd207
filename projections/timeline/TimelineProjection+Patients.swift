import ProjectionContract
import ProjectionCore

/// Registration: one entry per patient, when they registered with the app.
extension TimelineProjection {
    /// The registration entry, at `metadata.occurredAt`, the only time the event carries.
    ///
    /// - Throws: `invalidPayload` when `metadata.occurredAt` is missing: the entry needs a time and
    ///   must not take one from the clock, so that replays give the same row.
    func changes(
        for registration: Decoded<PatientRegistered>,
        at position: Int64
    ) throws(ProjectionFailure)
        -> [RowChange]
    {
        guard let occurredAt = registration.metadata.occurredAt else {
            throw ProjectionFailure(.invalidPayload, "metadata.occurredAt: required field is missing")
        }
        let patient = registration.payload
        let entry = TimelineEntry(
            kind: .registration,
            id: patient.nhsNumber.digits,
            nhsNumber: patient.nhsNumber,
            occurredAt: occurredAt,
            status: "registered",
            title: TimelineText.registrationTitle(practice: patient.gpPractice.name),
            summary: TimelineText.preferredLanguage(patient.preferredLanguage),
            detail: nil,
            sourceSystem: registration.metadata.sourceSystem,
            lastPosition: position
        )
        return [upsert(entry)]
    }
}
