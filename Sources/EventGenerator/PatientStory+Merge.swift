extension PatientStory {
    /// A duplicate record and its merge: the patient was also registered under `duplicate`, had appointments
    /// and journal entries under it, and the demographics service merged it into the patient's own number.
    ///
    /// The duplicate's events happen at any time of the story, so some come after the merge, still naming the
    /// superseded number, as a producer that has not heard of the merge sends them.
    mutating func tellDuplicateRecord(_ duplicate: String) {
        let retained = nhsNumber
        nhsNumber = duplicate
        _ = tellRegistration()
        tellAppointments()
        tellJournal()
        nhsNumber = retained
        let mergedAt = instant(clampedFrom: registeredAt + 30 * StoryTime.day, to: StoryTime.now - StoryTime.day)
        begin(.patientRecordsMerged)
        writer.field("retainedNhsNumber", retained)
        writer.field("supersededNhsNumber", duplicate)
        writer.timestampField("mergedAt", mergedAt, style: .utc)
        finish(
            .patientRecordsMerged,
            stream: patientStream,
            at: mergedAt,
            style: .utc,
            source: "pds",
            correlationID: random.uuid()
        )
    }
}
