import ProjectionContract
import ProjectionCore

/// One row of `appointments` as a booking states it: what the booking knows, the state `booked`.
struct BookedAppointment {
    /// The validated booking.
    var booking: AppointmentBooked
    /// The booking event's metadata: `booked_at` and `source_system`.
    var metadata: EventMetadata
    /// `last_position`: the booking's `global_position`.
    var lastPosition: Int64

    /// The primary key.
    var key: [SQLValue] { AppointmentsProjection.key(booking.appointmentID) }

    /// The columns a booking restates on an existing row: everything it knows, but not what later
    /// events counted or recorded (`reschedule_count` and the other transitions' columns).
    var bookingColumns: Columns {
        [
            "nhs_number": .text(booking.nhsNumber.digits),
            "state": AppointmentState.booked.value,
            "starts_at": .text(booking.startsAt.text),
            "ends_at": .text(booking.endsAt?.text),
            "clinic_code": .text(booking.clinic.code),
            "clinic_name_en": .text(booking.clinic.name.en),
            "clinic_name_cy": .text(booking.clinic.name.cy),
            "cy_fallback": .bool(booking.clinic.name.cyIsFallback),
            "specialty": .text(booking.specialty),
            "organisation_ods": .text(booking.organisation.odsCode),
            "organisation_name": .text(booking.organisation.name),
            "mode": .text(booking.mode.rawValue),
            "booking_reference": .text(booking.bookingReference),
            "booked_at": .text(metadata.occurredAt?.text),
            "source_system": .text(metadata.sourceSystem),
            "last_position": .int(lastPosition),
        ]
    }

    /// Every non-key column of a new row: the booking's, no transitions yet, never rescheduled.
    ///
    /// - Important: `reschedule_count` is named so that reschedules, which add to it, start from 0.
    var newRowColumns: Columns {
        bookingColumns.merging(
            [
                "rescheduled_at": .null,
                "cancelled_at": .null,
                "cancelled_by": .null,
                "attended_at": .null,
                "missed_at": .null,
                "reschedule_count": .int(0),
            ],
            uniquingKeysWith: { _, new in new }
        )
    }
}
