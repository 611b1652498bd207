import ProjectionContract
import ProjectionCore

/// Appointments: one entry per appointment, at its start time, carrying its latest state.
extension TimelineProjection {
    /// The entry, titled by the clinic and summarised by its state, mode and specialty.
    func changes(for booking: Decoded<AppointmentBooked>, at position: Int64) -> [RowChange] {
        let appointment = booking.payload
        let entry = TimelineEntry(
            kind: .appointment,
            id: appointment.appointmentID,
            nhsNumber: appointment.nhsNumber,
            occurredAt: appointment.startsAt,
            status: "booked",
            title: TimelineText.appointmentTitle(clinic: appointment.clinic.name),
            summary: TimelineText.appointmentBooked(mode: appointment.mode, specialty: appointment.specialty),
            detail: ("appointment", appointment.appointmentID),
            sourceSystem: booking.metadata.sourceSystem,
            lastPosition: position
        )
        return [upsert(entry)]
    }

    /// The entry moves to the new start time.
    func changes(for rescheduling: Decoded<AppointmentRescheduled>, at position: Int64) -> [RowChange] {
        var columns = stateColumns("rescheduled", TimelineText.rescheduled)
        columns["occurred_at"] = .text(rescheduling.payload.startsAt.text)
        return [update(TimelineEntry.key(.appointment, rescheduling.payload.appointmentID), columns, at: position)]
    }

    /// The entry stays, marked cancelled and by whom.
    func changes(for cancellation: Decoded<AppointmentCancelled>, at position: Int64) -> [RowChange] {
        let summary = TimelineText.cancelled(by: cancellation.payload.cancelledBy)
        return [
            update(
                TimelineEntry.key(.appointment, cancellation.payload.appointmentID),
                stateColumns("cancelled", summary),
                at: position
            )
        ]
    }

    /// The entry is marked attended; it stays at the appointment's start time.
    func changes(for attendance: Decoded<AppointmentAttended>, at position: Int64) -> [RowChange] {
        [
            update(
                TimelineEntry.key(.appointment, attendance.payload.appointmentID),
                stateColumns("attended", TimelineText.attended),
                at: position
            )
        ]
    }

    /// The entry is marked missed (did not attend).
    func changes(for absence: Decoded<AppointmentMissed>, at position: Int64) -> [RowChange] {
        [
            update(
                TimelineEntry.key(.appointment, absence.payload.appointmentID),
                stateColumns("missed", TimelineText.missed),
                at: position
            )
        ]
    }

    /// `status` and both summaries; the wording is translated, so `cy_fallback` is left as it was.
    private func stateColumns(_ status: String, _ summary: BilingualText) -> Columns {
        ["status": .text(status), "summary_en": .text(summary.en), "summary_cy": .text(summary.cy)]
    }
}
