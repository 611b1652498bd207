import ProjectionContract
import ProjectionCore

/// Reschedules, cancellations, attendances and missed appointments: changes of a booked appointment.
extension AppointmentsProjection {
    /// Why an event for an appointment without a row is dead-lettered; names no patient or appointment.
    static let notBookedReason = "appointment not booked"

    /// The new times, `rescheduled_at` and one more reschedule, plus a `rescheduled` history row.
    ///
    /// A reschedule without `endsAt` clears `ends_at`: the old end belongs to the old slot, so the new
    /// end is unknown rather than the old one.
    func changes(for rescheduling: Decoded<AppointmentRescheduled>, at position: Int64) -> [RowChange] {
        let event = rescheduling.payload
        let occurredAt = rescheduling.metadata.occurredAt
        let entry = HistoryEntry(
            appointmentID: event.appointmentID,
            position: position,
            nhsNumber: event.nhsNumber,
            change: .rescheduled,
            changedAt: occurredAt,
            startsAt: event.startsAt,
            endsAt: event.endsAt,
            reason: event.reason
        )
        return transition(
            entry,
            setting: [
                "starts_at": .text(event.startsAt.text),
                "ends_at": .text(event.endsAt?.text),
                "rescheduled_at": .text(occurredAt?.text),
                "reschedule_count": .increment(1),
            ]
        )
    }

    /// `cancelled_at` and `cancelled_by`, plus a `cancelled` history row with the reason.
    func changes(for cancellation: Decoded<AppointmentCancelled>, at position: Int64) -> [RowChange] {
        let event = cancellation.payload
        let occurredAt = cancellation.metadata.occurredAt
        let entry = HistoryEntry(
            appointmentID: event.appointmentID,
            position: position,
            nhsNumber: event.nhsNumber,
            change: .cancelled,
            changedAt: occurredAt,
            cancelledBy: event.cancelledBy,
            reason: event.reason
        )
        return transition(
            entry,
            setting: ["cancelled_at": .text(occurredAt?.text), "cancelled_by": .text(event.cancelledBy.rawValue)]
        )
    }

    /// `attended_at` from the payload, which says when the patient was seen, plus an `attended` history row.
    func changes(for attendance: Decoded<AppointmentAttended>, at position: Int64) -> [RowChange] {
        let event = attendance.payload
        let entry = HistoryEntry(
            appointmentID: event.appointmentID,
            position: position,
            nhsNumber: event.nhsNumber,
            change: .attended,
            changedAt: event.attendedAt
        )
        return transition(entry, setting: ["attended_at": .text(event.attendedAt.text)])
    }

    /// `missed_at`, plus a `missed` history row.
    func changes(for absence: Decoded<AppointmentMissed>, at position: Int64) -> [RowChange] {
        let event = absence.payload
        let occurredAt = absence.metadata.occurredAt
        let entry = HistoryEntry(
            appointmentID: event.appointmentID,
            position: position,
            nhsNumber: event.nhsNumber,
            change: .missed,
            changedAt: occurredAt
        )
        return transition(entry, setting: ["missed_at": .text(occurredAt?.text)])
    }

    /// The requirement that the appointment was booked, the update of its row to `entry`'s state with
    /// `columns`, and `entry` itself.
    ///
    /// The requirement comes first: the engine checks it against the rows as they stand before the event,
    /// and dead-letters the whole event when the row is missing, so no history row is written either.
    private func transition(_ entry: HistoryEntry, setting columns: Columns) -> [RowChange] {
        let key = AppointmentsProjection.key(entry.appointmentID)
        var columns = columns
        columns["state"] = entry.change.value
        columns["last_position"] = .int(entry.position)
        return [
            .require(AppointmentsProjection.appointments, key: key, because: AppointmentsProjection.notBookedReason),
            .update(AppointmentsProjection.appointments, key: key, columns),
            entry.insert,
        ]
    }
}
