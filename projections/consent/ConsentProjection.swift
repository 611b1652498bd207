import Foundation
import ProjectionContract
import ProjectionCore

/// Patients' consents: one row per consent with its grantee, scopes, purpose and validity, every
/// grant and withdrawal in a history, and `may_view`, the access question over them (see README.md).
///
/// Every handled event is validated through the contract first; a broken rule throws and the engine
/// dead-letters the event, and the engine parks the stream's later events behind it, so a retry replays
/// them in order. A withdrawal requires its consent to exist, so one that arrives before its grant is
/// dead-lettered whole (a missing precondition) rather than lost; that parks nothing, so the grant that
/// comes later applies and a retry then replays the withdrawal.
public struct ConsentProjection: Projection {
    /// Creates the projection.
    public init() {}

    /// `consent`, also the schema of its tables.
    public var name: String { "consent" }

    /// Version 3: merged patients (`merged_numbers`, 2) and the `medications` scope (3).
    public var version: Int { 3 }

    /// `ConsentGranted`, `ConsentWithdrawn` and `PatientRecordsMerged`.
    public var eventTypes: Set<String> { ConsentProjection.handlers.eventTypes }

    /// `consents` by `consent_id`, `consent_history` by `consent_id` and `global_position`, and `merged_numbers`.
    public var tables: [TableSpec] {
        [
            TableSpec(name: ConsentProjection.consents, primaryKey: ["consent_id"]),
            TableSpec(name: ConsentHistoryEntry.table, primaryKey: ["consent_id", "global_position"]),
            MergedNumbers.table,
        ]
    }

    /// The contents of `schema.sql`.
    public var schemaSQL: String { MergedNumbers.schemaSQL + ConsentProjection.schema }

    /// The row changes `event` causes; none for event types outside `eventTypes`.
    public func changes(for event: RecordedEvent) throws(ProjectionFailure) -> [RowChange] {
        try ConsentProjection.handlers.changes(for: event, by: self)
    }

    /// The table of consents, one row each.
    static let consents = "consents"

    /// What each handled event type does, built once; `eventTypes` is its keys.
    static let handlers = EventHandlers<ConsentProjection>()
        .on(ConsentGranted.self) { $0.changes(for: $1, at: $2) }
        .on(ConsentWithdrawn.self) { $0.changes(for: $1, at: $2) }
        .on(PatientRecordsMerged.self) { _, merging, _ throws(ProjectionFailure) in
            try MergedNumbers.changes(for: merging)
        }

    /// `schema.sql`, read once from the target's resources.
    static let schema = SchemaResource.schemaSQL(in: .module, projection: "ConsentProjection")

    /// The `consents` row key of the consent `consentID`.
    static func key(_ consentID: String) -> [SQLValue] {
        [.text(consentID)]
    }
}
