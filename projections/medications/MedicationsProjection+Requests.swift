import ProjectionContract
import ProjectionCore

/// Repeat prescription requests: requested, then approved or rejected (issuing is in +Courses). The order rules
/// (`MedicationSteps`) come with each handler's changes.
extension MedicationsProjection {
    /// The request, written whole, waiting for a decision; the course's latest request.
    func changes(for requesting: Decoded<RepeatPrescriptionRequested>, at position: Int64) -> [RowChange] {
        let request = requesting.payload
        return [
            .upsert(
                Self.requests,
                key: [.text(request.requestID)],
                [
                    "medication_id": .text(request.medicationID),
                    "nhs_number": .text(request.nhsNumber.digits),
                    "state": .text("requested"),
                    "channel": .text(request.channel.rawValue),
                    "requested_at": .text(request.requestedAt.text),
                    "approved_at": .null,
                    "approved_by_ods": .null,
                    "approved_by_name": .null,
                    "rejected_at": .null,
                    "rejection_reason_en": .null,
                    "rejection_reason_cy": .null,
                    "prescription_id": .null,
                    "issued_at": .null,
                    "last_position": .int(position),
                ]
            ),
            latest(request.requestID, "requested", of: request.medicationID, at: position),
            HistoryEntry(
                subjectID: request.requestID,
                subject: "repeat-request",
                medicationID: request.medicationID,
                nhsNumber: request.nhsNumber,
                change: "requested",
                changedAt: request.requestedAt
            ).insert(at: position),
        ]
    }

    /// `approved`; it can then be issued once.
    func changes(for approving: Decoded<RepeatPrescriptionApproved>, at position: Int64) -> [RowChange] {
        let approval = approving.payload
        return [
            .update(
                Self.requests,
                key: [.text(approval.requestID)],
                [
                    "state": .text("approved"),
                    "approved_at": .text(approval.approvedAt.text),
                    "approved_by_ods": .text(approval.approvedBy.odsCode),
                    "approved_by_name": .text(approval.approvedBy.name),
                    "last_position": .int(position),
                ]
            ),
            latest(approval.requestID, "approved", of: approval.medicationID, at: position),
            HistoryEntry(
                subjectID: approval.requestID,
                subject: "repeat-request",
                medicationID: approval.medicationID,
                nhsNumber: approval.nhsNumber,
                change: "approved",
                changedAt: approval.approvedAt,
                by: approval.approvedBy
            ).insert(at: position),
        ]
    }

    /// `rejected` with the reason; nothing can follow it.
    func changes(for rejecting: Decoded<RepeatPrescriptionRejected>, at position: Int64) -> [RowChange] {
        let rejection = rejecting.payload
        return [
            .update(
                Self.requests,
                key: [.text(rejection.requestID)],
                [
                    "state": .text("rejected"),
                    "rejected_at": .text(rejection.rejectedAt.text),
                    "rejection_reason_en": .text(rejection.reason.en),
                    "rejection_reason_cy": .text(rejection.reason.cy),
                    "last_position": .int(position),
                ]
            ),
            latest(rejection.requestID, "rejected", of: rejection.medicationID, at: position),
            HistoryEntry(
                subjectID: rejection.requestID,
                subject: "repeat-request",
                medicationID: rejection.medicationID,
                nhsNumber: rejection.nhsNumber,
                change: "rejected",
                changedAt: rejection.rejectedAt
            ).insert(at: position),
        ]
    }

    /// The course's latest request and its state: the request whose event came last.
    private func latest(_ requestID: String, _ state: String, of medicationID: String, at position: Int64) -> RowChange
    {
        .update(
            Self.medications,
            key: [.text(medicationID)],
            [
                "latest_request_id": .text(requestID),
                "latest_request_state": .text(state),
                "last_position": .int(position),
            ]
        )
    }
}
