import ProjectionCore

/// Where an appointment stands: the `state` column, and the `change` that led there in its history.
enum AppointmentState: String {
    /// Booked, by `AppointmentBooked`.
    case booked
    /// Moved to a new time, by `AppointmentRescheduled`.
    case rescheduled
    /// Cancelled by the patient or the provider, by `AppointmentCancelled`.
    case cancelled
    /// The patient attended, by `AppointmentAttended`.
    case attended
    /// The patient did not attend, by `AppointmentMissed`.
    case missed

    /// The column value.
    var value: SQLValue { .text(rawValue) }
}
