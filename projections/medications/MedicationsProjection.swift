import Foundation
import ProjectionContract
import ProjectionCore

/// Medication courses, repeat prescription requests, prescriptions and allergies, with the history of their
/// changes (`medications.*`, see README.md).
///
/// Each thing moves through steps (a request is requested, then approved or rejected, then issued; a
/// prescription is issued, then dispensed); the contract's `MedicationSteps` keeps their order as rows of
/// `pending_steps`, in this read model and in the timeline alike, and an event out of order is dead-lettered
/// (`out-of-order`), parking its stream.
public struct MedicationsProjection: Projection {
    /// Creates the projection.
    public init() {}

    /// `medications`, also the schema of its tables.
    public var name: String { "medications" }

    /// Version 1.
    public var version: Int { 1 }

    /// The seven medication events, the three allergy events and `PatientRecordsMerged`.
    public var eventTypes: Set<String> { MedicationsProjection.handlers.eventTypes }

    /// `medications`, `repeat_requests`, `prescriptions`, `allergies` by their ids, `medication_history` by
    /// `(subject_id, global_position)`, `pending_steps` by `(subject_id, step)`, and `merged_numbers`.
    public var tables: [TableSpec] {
        [
            TableSpec(name: Self.medications, primaryKey: ["medication_id"]),
            TableSpec(name: Self.requests, primaryKey: ["request_id"]),
            TableSpec(name: Self.prescriptions, primaryKey: ["prescription_id"]),
            TableSpec(name: Self.allergies, primaryKey: ["allergy_id"]),
            TableSpec(name: HistoryEntry.table, primaryKey: ["subject_id", "global_position"]),
            MedicationSteps.table,
            MergedNumbers.table,
        ]
    }

    /// `merged_numbers`, `pending_steps` (the contract's order rules), then the contents of `schema.sql`.
    public var schemaSQL: String {
        MergedNumbers.schemaSQL + MedicationSteps.schemaSQL + MedicationsProjection.schema
    }

    /// The row changes `event` causes; none for event types outside `eventTypes`.
    public func changes(for event: RecordedEvent) throws(ProjectionFailure) -> [RowChange] {
        try MedicationsProjection.handlers.changes(for: event, by: self)
    }

    static let medications = "medications"
    static let requests = "repeat_requests"
    static let prescriptions = "prescriptions"
    static let allergies = "allergies"

    /// What each handled event type does, built once; `eventTypes` is its keys.
    static let handlers = EventHandlers<MedicationsProjection>()
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
    static let schema = SchemaResource.schemaSQL(in: .module, projection: "MedicationsProjection")
}
