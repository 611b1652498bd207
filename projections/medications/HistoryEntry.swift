import ProjectionContract
import ProjectionCore

/// One row of `medication_history`: one change of one medication, request, prescription or allergy.
struct HistoryEntry {
    /// `medication_history`.
    static let table = "medication_history"

    /// `subject_id`.
    var subjectID: String
    /// `subject`: medication, repeat-request, prescription or allergy.
    var subject: String
    /// `medication_id`; nil for an allergy.
    var medicationID: String?
    /// `nhs_number`, as the event sent it.
    var nhsNumber: NHSNumber
    /// `change`.
    var change: String
    /// `changed_at`: the event's own time field (`metadata.occurredAt` for an entry in error, when sent).
    var changedAt: Timestamp?
    /// `by_ods`, when the event names who did it.
    var by: Organisation? = nil

    /// Inserts the row at `position`; a replay of the same event finds it there and changes nothing.
    func insert(at position: Int64) -> RowChange {
        .insert(
            Self.table,
            key: [.text(subjectID), .int(position)],
            [
                "subject": .text(subject),
                "medication_id": .text(medicationID),
                "nhs_number": .text(nhsNumber.digits),
                "change": .text(change),
                "changed_at": .text(changedAt?.text),
                "by_ods": .text(by?.odsCode),
                "last_position": .int(position),
            ]
        )
    }
}
