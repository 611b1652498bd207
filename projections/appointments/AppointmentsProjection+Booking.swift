import ProjectionContract
import ProjectionCore

/// Booking: the only event that creates an appointment's row.
extension AppointmentsProjection {
    /// The appointment's row in state `booked`, plus a `booked` history row.
    ///
    /// A new row is written whole with `reschedule_count` 0. A booking of an appointment that already has
    /// a row (a producer sending it again, or booking it anew) restates what the booking knows and sets the
    /// state back to `booked`, but keeps the count and the times of earlier transitions. Hence an
    /// insert-if-absent of the whole row followed by an update of the booking's columns, right whether the
    /// row exists or not: an upsert would have to name `reschedule_count` and would reset it.
    func changes(for booking: Decoded<AppointmentBooked>, at position: Int64) -> [RowChange] {
        let appointment = booking.payload
        let row = BookedAppointment(booking: appointment, metadata: booking.metadata, lastPosition: position)
        let entry = HistoryEntry(
            appointmentID: appointment.appointmentID,
            position: position,
            nhsNumber: appointment.nhsNumber,
            change: .booked,
            changedAt: booking.metadata.occurredAt,
            startsAt: appointment.startsAt,
            endsAt: appointment.endsAt
        )
        return [
            .insert(AppointmentsProjection.appointments, key: row.key, row.newRowColumns),
            .update(AppointmentsProjection.appointments, key: row.key, row.bookingColumns),
            entry.insert,
        ]
    }
}
