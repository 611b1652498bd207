import ProjectionContract
import ProjectionCore

/// Medications and allergies: an entry per course, repeat request, prescription and allergy, updated as each
/// moves on. The medicine's own name is on the course's entry only: later events name the course by its id.
extension TimelineProjection {
    /// The course, at the time it was prescribed, summarised by its dosage.
    func changes(for prescribing: Decoded<MedicationPrescribed>, at position: Int64) -> [RowChange] {
        let course = prescribing.payload
        let entry = TimelineEntry(
            kind: .medication,
            id: course.medicationID,
            nhsNumber: course.nhsNumber,
            occurredAt: course.prescribedAt,
            status: "active",
            title: TimelineText.medicationTitle(medicine: course.medication.name),
            summary: course.dosage,
            detail: ("medications", course.medicationID),
            sourceSystem: prescribing.metadata.sourceSystem,
            lastPosition: position
        )
        return [upsert(entry)]
    }

    /// The course's entry says it stopped.
    func changes(for stopping: Decoded<MedicationStopped>, at position: Int64) -> [RowChange] {
        [
            update(
                TimelineEntry.key(.medication, stopping.payload.medicationID),
                ["status": .text("stopped")],
                at: position
            )
        ]
    }

    /// The request, at the time it was made.
    func changes(for requesting: Decoded<RepeatPrescriptionRequested>, at position: Int64) -> [RowChange] {
        let request = requesting.payload
        let entry = TimelineEntry(
            kind: .repeatRequest,
            id: request.requestID,
            nhsNumber: request.nhsNumber,
            occurredAt: request.requestedAt,
            status: "requested",
            title: TimelineText.repeatRequestTitle,
            summary: TimelineText.requested(via: request.channel),
            detail: ("repeat_requests", request.requestID),
            sourceSystem: requesting.metadata.sourceSystem,
            lastPosition: position
        )
        return [upsert(entry)]
    }

    /// The request's entry says who approved it.
    func changes(for approving: Decoded<RepeatPrescriptionApproved>, at position: Int64) -> [RowChange] {
        let approval = approving.payload
        return [
            decided(approval.requestID, "approved", TimelineText.approvedBy(approval.approvedBy.name), at: position)
        ]
    }

    /// The request's entry says why it was not approved.
    func changes(for rejecting: Decoded<RepeatPrescriptionRejected>, at position: Int64) -> [RowChange] {
        let rejection = rejecting.payload
        return [decided(rejection.requestID, "rejected", TimelineText.rejected(rejection.reason), at: position)]
    }

    /// The prescription, at the time it was issued; its request's entry says it was.
    func changes(for issuing: Decoded<PrescriptionIssued>, at position: Int64) -> [RowChange] {
        let issue = issuing.payload
        let entry = TimelineEntry(
            kind: .prescription,
            id: issue.prescriptionID,
            nhsNumber: issue.nhsNumber,
            occurredAt: issue.issuedAt,
            status: "issued",
            title: TimelineText.prescriptionTitle,
            summary: TimelineText.collection(from: issue.nominatedPharmacy?.name),
            detail: ("prescriptions", issue.prescriptionID),
            sourceSystem: issuing.metadata.sourceSystem,
            lastPosition: position
        )
        var changes = [upsert(entry)]
        if let requestID = issue.requestID {
            changes.append(
                update(TimelineEntry.key(.repeatRequest, requestID), ["status": .text("issued")], at: position)
            )
        }
        return changes
    }

    /// The prescription's entry says where it was dispensed.
    func changes(for dispensing: Decoded<PrescriptionDispensed>, at position: Int64) -> [RowChange] {
        let dispensed = dispensing.payload
        let summary = TimelineText.dispensedBy(dispensed.dispenser.name)
        return [
            update(
                TimelineEntry.key(.prescription, dispensed.prescriptionID),
                [
                    "status": .text("dispensed"), "summary_en": .text(summary.en), "summary_cy": .text(summary.cy),
                ],
                at: position
            )
        ]
    }

    /// The allergy, at the time it was recorded, with its severity and reaction.
    func changes(for recording: Decoded<AllergyRecorded>, at position: Int64) -> [RowChange] {
        let allergy = recording.payload
        let entry = TimelineEntry(
            kind: .allergy,
            id: allergy.allergyID,
            nhsNumber: allergy.nhsNumber,
            occurredAt: allergy.recordedAt,
            status: "active",
            title: TimelineText.allergyTitle(substance: allergy.substance.name),
            summary: TimelineText.allergySummary(severity: allergy.severity, reaction: allergy.reaction),
            detail: ("allergies", allergy.allergyID),
            sourceSystem: recording.metadata.sourceSystem,
            lastPosition: position
        )
        return [upsert(entry)]
    }

    /// The allergy's entry says it was resolved.
    func changes(for resolving: Decoded<AllergyResolved>, at position: Int64) -> [RowChange] {
        [update(TimelineEntry.key(.allergy, resolving.payload.allergyID), ["status": .text("resolved")], at: position)]
    }

    /// The allergy leaves the patient's timeline; the row stays, hidden, for audit.
    func changes(for error: Decoded<AllergyEnteredInError>, at position: Int64) -> [RowChange] {
        [
            update(
                TimelineEntry.key(.allergy, error.payload.allergyID),
                ["status": .text("entered-in-error"), "visible_to_patient": .bool(false)],
                at: position
            )
        ]
    }

    /// A request's entry after its decision: the state and what the patient reads about it.
    private func decided(
        _ requestID: String,
        _ state: String,
        _ summary: BilingualText,
        at position: Int64
    ) -> RowChange {
        update(
            TimelineEntry.key(.repeatRequest, requestID),
            [
                "status": .text(state), "summary_en": .text(summary.en), "summary_cy": .text(summary.cy),
                "cy_fallback": .bool(summary.cyIsFallback),
            ],
            at: position
        )
    }
}
