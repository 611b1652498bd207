import ProjectionContract
import ProjectionCore

/// Allergies: recorded, resolved, entered in error.
extension MedicationsProjection {
    /// The allergy, written whole, active and visible.
    func changes(for recording: Decoded<AllergyRecorded>, at position: Int64) -> [RowChange] {
        let allergy = recording.payload
        return [
            .upsert(
                Self.allergies,
                key: [.text(allergy.allergyID)],
                [
                    "nhs_number": .text(allergy.nhsNumber.digits),
                    "substance_code": .text(allergy.substance.code),
                    "substance_system": .text(allergy.substance.system),
                    "substance_name_en": .text(allergy.substance.name.en),
                    "substance_name_cy": .text(allergy.substance.name.cy),
                    "reaction_en": .text(allergy.reaction?.en),
                    "reaction_cy": .text(allergy.reaction?.cy),
                    "cy_fallback": .bool(allergy.substance.name.cyIsFallback || allergy.reaction?.cyIsFallback == true),
                    "severity": .text(allergy.severity.rawValue),
                    "status": .text("active"),
                    "visible_to_patient": .bool(true),
                    "recorded_at": .text(allergy.recordedAt.text),
                    "recorded_by_ods": .text(allergy.recordedBy.odsCode),
                    "recorded_by_name": .text(allergy.recordedBy.name),
                    "resolved_at": .null,
                    "entered_in_error_reason": .null,
                    "last_position": .int(position),
                ]
            ),
            HistoryEntry(
                subjectID: allergy.allergyID,
                subject: "allergy",
                nhsNumber: allergy.nhsNumber,
                change: "recorded",
                changedAt: allergy.recordedAt,
                by: allergy.recordedBy
            ).insert(at: position),
        ]
    }

    /// `resolved`.
    func changes(for resolving: Decoded<AllergyResolved>, at position: Int64) -> [RowChange] {
        let resolved = resolving.payload
        return [
            .update(
                Self.allergies,
                key: [.text(resolved.allergyID)],
                [
                    "status": .text("resolved"),
                    "resolved_at": .text(resolved.resolvedAt.text),
                    "last_position": .int(position),
                ]
            ),
            HistoryEntry(
                subjectID: resolved.allergyID,
                subject: "allergy",
                nhsNumber: resolved.nhsNumber,
                change: "resolved",
                changedAt: resolved.resolvedAt
            ).insert(at: position),
        ]
    }

    /// Hidden from the patient and flagged (active or resolved before); kept for audit.
    ///
    /// The event carries no time of its own, so its history row takes `metadata.occurredAt` (NULL without it).
    func changes(for error: Decoded<AllergyEnteredInError>, at position: Int64) -> [RowChange] {
        let mistake = error.payload
        return [
            .update(
                Self.allergies,
                key: [.text(mistake.allergyID)],
                [
                    "status": .text("entered-in-error"),
                    "visible_to_patient": .bool(false),
                    "entered_in_error_reason": .text(mistake.reason),
                    "last_position": .int(position),
                ]
            ),
            HistoryEntry(
                subjectID: mistake.allergyID,
                subject: "allergy",
                nhsNumber: mistake.nhsNumber,
                change: "entered-in-error",
                changedAt: error.metadata.occurredAt
            ).insert(at: position),
        ]
    }
}
