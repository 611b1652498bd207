import ProjectionContract
import ProjectionCore

/// One row of `appointment_history`: one change of one appointment, keyed by the event's position.
struct HistoryEntry {
    /// `appointment_id`.
    var appointmentID: String
    /// `global_position`, also `last_position`: history rows never change after their event.
    var position: Int64
    /// `nhs_number`, as the event sent it.
    var nhsNumber: NHSNumber
    /// `change`.
    var change: AppointmentState
    /// `changed_at`: when it happened in the world, when known.
    var changedAt: Timestamp?
    /// `starts_at` after a booking or reschedule.
    var startsAt: Timestamp? = nil
    /// `ends_at` after a booking or reschedule, when sent.
    var endsAt: Timestamp? = nil
    /// `cancelled_by`, for a cancellation.
    var cancelledBy: CancelledBy? = nil
    /// `reason`: the producer's free text, for a reschedule or cancellation.
    var reason: String? = nil

    /// Inserts the row; a replay of the same event finds it there and changes nothing.
    var insert: RowChange {
        .insert(
            AppointmentsProjection.history,
            key: [.text(appointmentID), .int(position)],
            [
                "nhs_number": .text(nhsNumber.digits),
                "change": change.value,
                "changed_at": .text(changedAt?.text),
                "starts_at": .text(startsAt?.text),
                "ends_at": .text(endsAt?.text),
                "cancelled_by": .text(cancelledBy?.rawValue),
                "reason": .text(reason),
                "last_position": .int(position),
            ]
        )
    }
}
