import Foundation
import ProjectionContract
import ProjectionCore

/// The patient's health timeline: one entry per appointment, test order, result, journal entry and
/// registration, updated in place by later events (`timeline.entries`, see README.md).
///
/// Every handled event is validated through the contract first; a broken rule throws and the engine
/// dead-letters the event. Later events that change an entry are partial updates, which do nothing
/// when the entry is absent; the engine parks a stream's later events behind a dead-lettered one, so
/// a retry replays them in order.
public struct TimelineProjection: Projection {
    /// Creates the projection.
    public init() {}

    /// `timeline`, also the schema of its tables.
    public var name: String { "timeline" }

    /// Version 1.
    public var version: Int { 1 }

    /// The appointment, result, journal and registration events; consent and `PatientDetailsUpdated`
    /// change no entry.
    public var eventTypes: Set<String> { TimelineProjection.handledEventTypes }

    /// `entries`, keyed by `entry_id`.
    public var tables: [TableSpec] { [TableSpec(name: TimelineProjection.table, primaryKey: ["entry_id"])] }

    /// The contents of `schema.sql`.
    public var schemaSQL: String { TimelineProjection.schema }

    /// The row changes `event` causes; none for event types outside `eventTypes`.
    public func changes(for event: RecordedEvent) throws(ProjectionFailure) -> [RowChange] {
        let position = event.position.globalPosition
        return switch event.eventType {
        case PatientRegistered.eventType:
            try changes(for: decode(PatientRegistered.self, from: event), at: position)
        case AppointmentBooked.eventType:
            try changes(for: decode(AppointmentBooked.self, from: event), at: position)
        case AppointmentRescheduled.eventType:
            try changes(for: decode(AppointmentRescheduled.self, from: event), at: position)
        case AppointmentCancelled.eventType:
            try changes(for: decode(AppointmentCancelled.self, from: event), at: position)
        case AppointmentAttended.eventType:
            try changes(for: decode(AppointmentAttended.self, from: event), at: position)
        case AppointmentMissed.eventType:
            try changes(for: decode(AppointmentMissed.self, from: event), at: position)
        case TestOrdered.eventType:
            try changes(for: decode(TestOrdered.self, from: event), at: position)
        case TestResultRecorded.eventType:
            try changes(for: decode(TestResultRecorded.self, from: event), at: position)
        case TestResultAmended.eventType:
            try changes(for: decode(TestResultAmended.self, from: event), at: position)
        case TestResultEnteredInError.eventType:
            try changes(for: decode(TestResultEnteredInError.self, from: event), at: position)
        case JournalEntryAdded.eventType:
            try changes(for: decode(JournalEntryAdded.self, from: event), at: position)
        case JournalEntrySharingChanged.eventType:
            try changes(for: decode(JournalEntrySharingChanged.self, from: event), at: position)
        case JournalEntryDeleted.eventType:
            try changes(for: decode(JournalEntryDeleted.self, from: event), at: position)
        default:
            []
        }
    }

    /// The only table.
    static let table = "entries"

    /// The `event_type`s of `eventTypes`, built once.
    static let handledEventTypes: Set<String> = [
        PatientRegistered.eventType,
        AppointmentBooked.eventType, AppointmentRescheduled.eventType, AppointmentCancelled.eventType,
        AppointmentAttended.eventType, AppointmentMissed.eventType,
        TestOrdered.eventType, TestResultRecorded.eventType, TestResultAmended.eventType,
        TestResultEnteredInError.eventType,
        JournalEntryAdded.eventType, JournalEntrySharingChanged.eventType, JournalEntryDeleted.eventType,
    ]

    /// `schema.sql`, read once from the target's resources.
    static let schema = SchemaResource.schemaSQL(in: .module, projection: "TimelineProjection")

    /// A partial update of the entry at `key` that also records the event at `position` as the row's last change.
    func update(_ key: [SQLValue], _ columns: Columns, at position: Int64) -> RowChange {
        var columns = columns
        columns["last_position"] = .int(position)
        return .update(TimelineProjection.table, key: key, columns)
    }

    /// Insert the entry, or overwrite every column of an existing one.
    func upsert(_ entry: TimelineEntry) -> RowChange {
        .upsert(TimelineProjection.table, key: entry.key, entry.columns)
    }
}
