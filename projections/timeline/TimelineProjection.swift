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

    /// Version 3: merged patients (`merged_numbers`, 2); medications and allergies (3).
    public var version: Int { 3 }

    /// The appointment, result, journal, registration, medication and allergy events, and merges
    /// (`merged_numbers`); consent and `PatientDetailsUpdated` change no entry.
    public var eventTypes: Set<String> { TimelineProjection.handlers.eventTypes }

    /// `entries`, keyed by `entry_id`, `merged_numbers`, and `pending_steps` (the order of medication events).
    public var tables: [TableSpec] {
        [
            TableSpec(name: TimelineProjection.table, primaryKey: ["entry_id"]), MergedNumbers.table,
            MedicationSteps.table,
        ]
    }

    /// The contents of `schema.sql`.
    public var schemaSQL: String {
        MergedNumbers.schemaSQL + MedicationSteps.schemaSQL + TimelineProjection.schema
    }

    /// The row changes `event` causes; none for event types outside `eventTypes`.
    public func changes(for event: RecordedEvent) throws(ProjectionFailure) -> [RowChange] {
        try TimelineProjection.handlers.changes(for: event, by: self)
    }

    /// The only table.
    static let table = "entries"

    /// What each handled event type does, built once; `eventTypes` is its keys.
    static let handlers = EventHandlers<TimelineProjection>()
        .on(PatientRegistered.self) { projection, event, position throws(ProjectionFailure) in
            try projection.changes(for: event, at: position)
        }
        .on(AppointmentBooked.self) { $0.changes(for: $1, at: $2) }
        .on(AppointmentRescheduled.self) { $0.changes(for: $1, at: $2) }
        .on(AppointmentCancelled.self) { $0.changes(for: $1, at: $2) }
        .on(AppointmentAttended.self) { $0.changes(for: $1, at: $2) }
        .on(AppointmentMissed.self) { $0.changes(for: $1, at: $2) }
        .on(TestOrdered.self) { $0.changes(for: $1, at: $2) }
        .on(TestResultRecorded.self) { $0.changes(for: $1, at: $2) }
        .on(TestResultAmended.self) { $0.changes(for: $1, at: $2) }
        .on(TestResultEnteredInError.self) { $0.changes(for: $1, at: $2) }
        .on(JournalEntryAdded.self) { $0.changes(for: $1, at: $2) }
        .on(JournalEntrySharingChanged.self) { $0.changes(for: $1, at: $2) }
        .on(JournalEntryDeleted.self) { $0.changes(for: $1, at: $2) }
        .inOrder(MedicationPrescribed.self) { $0.changes(for: $1, at: $2) }
        .inOrder(MedicationStopped.self) { $0.changes(for: $1, at: $2) }
        .inOrder(RepeatPrescriptionRequested.self) { $0.changes(for: $1, at: $2) }
        .inOrder(RepeatPrescriptionApproved.self) { $0.changes(for: $1, at: $2) }
        .inOrder(RepeatPrescriptionRejected.self) { $0.changes(for: $1, at: $2) }
        .inOrder(PrescriptionIssued.self) { $0.changes(for: $1, at: $2) }
        .inOrder(PrescriptionDispensed.self) { $0.changes(for: $1, at: $2) }
        .inOrder(AllergyRecorded.self) { $0.changes(for: $1, at: $2) }
        .inOrder(AllergyResolved.self) { $0.changes(for: $1, at: $2) }
        .inOrder(AllergyEnteredInError.self) { $0.changes(for: $1, at: $2) }
        .on(PatientRecordsMerged.self) { _, merging, _ throws(ProjectionFailure) in
            try MergedNumbers.changes(for: merging)
        }

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
