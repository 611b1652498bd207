import AppointmentsProjection
import ProjectionCore

extension Payloads {
    /// Metadata whose `occurredAt` is `occurredAt`, or has none when nil.
    static func appointmentsMetadata(occurredAt: String?) -> [String: Any] {
        metadata().setting("occurredAt", to: occurredAt)
    }

    /// `AppointmentRescheduled` of `appt-1` to `startsAt`, with an end time.
    static func appointmentsRescheduled(startsAt: String, endsAt: String?) -> [String: Any] {
        appointmentRescheduled().setting("startsAt", to: startsAt).setting("endsAt", to: endsAt)
    }
}

/// `type` with `payload` at global position `position`, the world time of the metadata being `occurredAt`.
func appointmentsEvent(
    _ type: String,
    _ payload: [String: Any],
    at position: Int64,
    occurredAt: String? = "2026-01-15T12:00:00Z"
) -> RecordedEvent {
    recordedEvent(type, payload, metadata: Payloads.appointmentsMetadata(occurredAt: occurredAt), position: position)
}

/// Both tables of the appointments read model in memory, changed event by event with the engine's rules.
struct AppointmentsTables {
    /// `appointments`, by `appointment_id`.
    var appointments = InMemoryTable()
    /// `appointment_history`, by `appointment_id` and `global_position`.
    var history = InMemoryTable()

    private let projection = AppointmentsProjection()

    /// Applies `event`'s changes in order; when a requirement is unmet before the event, applies none.
    ///
    /// - Returns: the unmet requirement's reason (the event would be dead-lettered), or nil.
    @discardableResult
    mutating func apply(_ event: RecordedEvent) throws -> String? {
        let changes = try projection.changes(for: event)
        for change in changes {
            guard let reason = change.requirement else { continue }
            if self[change.table][key: change.key] == nil { return reason }
        }
        for change in changes where change.requirement == nil {
            self[change.table].apply(change)
        }
        return nil
    }

    /// The row of `appointments` for `appointmentID`, or nil.
    func appointment(_ appointmentID: String) -> Columns? {
        appointments[appointmentID]
    }

    /// The history rows of `appointmentID`, in log order.
    func changes(of appointmentID: String) -> [Columns] {
        history.rows
            .filter { $0.key.first == .text(appointmentID) }
            .sorted { AppointmentsTables.position($0.key) < AppointmentsTables.position($1.key) }
            .map(\.value)
    }

    private subscript(table: String) -> InMemoryTable {
        get { table == "appointments" ? appointments : history }
        set {
            if table == "appointments" { appointments = newValue } else { history = newValue }
        }
    }

    private static func position(_ key: [SQLValue]) -> Int64 {
        if key.count == 2, case .int(let position) = key[1] { position } else { -1 }
    }
}

extension RowChange {
    /// The columns this change writes, whatever its kind; nil for a delete or a requirement.
    var appointmentsWrittenColumns: Columns? {
        switch kind {
        case .insert(let columns), .upsert(let columns), .update(let columns): columns
        case .delete, .requireExisting: nil
        }
    }
}

/// The fixture payload of appointment event `type` for `appt-1`, or nil for other types.
func appointmentsFixture(_ type: String) -> [String: Any]? {
    switch type {
    case "AppointmentBooked": Payloads.appointmentBooked()
    case "AppointmentRescheduled": Payloads.appointmentRescheduled()
    case "AppointmentCancelled": Payloads.appointmentCancelled()
    case "AppointmentAttended": Payloads.appointmentAttended()
    case "AppointmentMissed": Payloads.appointmentMissed()
    default: nil
    }
}
