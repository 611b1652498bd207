import Foundation
import ProjectionContract
import ProjectionCore

/// Appointments with their current state, times, clinic and reschedule count, plus the history of their
/// changes (`appointments.appointments` and `appointments.appointment_history`, see README.md).
///
/// Every handled event is validated through the contract first; a broken rule throws and the engine
/// dead-letters the event, and the engine parks the stream's later events behind it. An event that
/// changes an appointment first requires its row: one for an appointment never booked (cancelled before
/// booked, out of order) is dead-lettered as a missing precondition rather than creating a row; that
/// parks nothing, so the booking that comes later in the stream applies and a retry then replays it.
public struct AppointmentsProjection: Projection {
    /// Creates the projection.
    public init() {}

    /// `appointments`, also the schema of its tables.
    public var name: String { "appointments" }

    /// Version 2: merged patients (`merged_numbers`).
    public var version: Int { 2 }

    /// The five appointment events and `PatientRecordsMerged`; every other type changes no row.
    public var eventTypes: Set<String> { AppointmentsProjection.handlers.eventTypes }

    /// `appointments`, keyed by `appointment_id`, `appointment_history`, keyed by `appointment_id` and
    /// `global_position`, and `merged_numbers`.
    public var tables: [TableSpec] {
        [
            TableSpec(name: AppointmentsProjection.appointments, primaryKey: ["appointment_id"]),
            TableSpec(name: AppointmentsProjection.history, primaryKey: ["appointment_id", "global_position"]),
            MergedNumbers.table,
        ]
    }

    /// The contents of `schema.sql`.
    public var schemaSQL: String { MergedNumbers.schemaSQL + AppointmentsProjection.schema }

    /// The row changes `event` causes; none for event types outside `eventTypes`.
    public func changes(for event: RecordedEvent) throws(ProjectionFailure) -> [RowChange] {
        try AppointmentsProjection.handlers.changes(for: event, by: self)
    }

    /// One row per appointment, in its current state.
    static let appointments = "appointments"

    /// One row per change of an appointment.
    static let history = "appointment_history"

    /// What each handled event type does, built once; `eventTypes` is its keys.
    static let handlers = EventHandlers<AppointmentsProjection>()
        .on(AppointmentBooked.self) { $0.changes(for: $1, at: $2) }
        .on(AppointmentRescheduled.self) { $0.changes(for: $1, at: $2) }
        .on(AppointmentCancelled.self) { $0.changes(for: $1, at: $2) }
        .on(AppointmentAttended.self) { $0.changes(for: $1, at: $2) }
        .on(AppointmentMissed.self) { $0.changes(for: $1, at: $2) }
        .on(PatientRecordsMerged.self) { _, merging, _ throws(ProjectionFailure) in
            try MergedNumbers.changes(for: merging)
        }

    /// `schema.sql`, read once from the target's resources.
    static let schema = SchemaResource.schemaSQL(in: .module, projection: "AppointmentsProjection")

    /// The `appointments` row key of `appointmentID`.
    static func key(_ appointmentID: String) -> [SQLValue] {
        [.text(appointmentID)]
    }
}
