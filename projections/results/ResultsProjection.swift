import Foundation
import ProjectionContract
import ProjectionCore

/// Laboratory test orders and results: one row per result in its current version, every version in
/// its history, and one row per order (`results.lab_results`, `result_history`, `orders`; see README.md).
///
/// Every handled event is validated through the contract first; a broken rule throws and the engine
/// dead-letters the event. An amendment or an entered-in-error event for a result the read model has
/// not recorded is dead-lettered too (a requirement), so that a retry replays it once the result is in.
public struct ResultsProjection: Projection {
    /// Creates the projection.
    public init() {}

    /// `results`, also the schema of its tables.
    public var name: String { "results" }

    /// Version 2: merged patients (`merged_numbers`).
    public var version: Int { 2 }

    /// `TestOrdered`, `TestResultRecorded`, `TestResultAmended`, `TestResultEnteredInError` and `PatientRecordsMerged`.
    public var eventTypes: Set<String> { ResultsProjection.handlers.eventTypes }

    /// `lab_results` by `result_id`, `orders` by `order_id`, `result_history` by `(result_id, global_position)`,
    /// and `merged_numbers`.
    public var tables: [TableSpec] {
        [
            TableSpec(name: ResultsProjection.results, primaryKey: ["result_id"]),
            TableSpec(name: ResultsProjection.orders, primaryKey: ["order_id"]),
            TableSpec(name: ResultsProjection.history, primaryKey: ["result_id", "global_position"]),
            MergedNumbers.table,
        ]
    }

    /// The contents of `schema.sql`.
    public var schemaSQL: String { MergedNumbers.schemaSQL + ResultsProjection.schema }

    /// The row changes `event` causes; none for event types outside `eventTypes`.
    public func changes(for event: RecordedEvent) throws(ProjectionFailure) -> [RowChange] {
        try ResultsProjection.handlers.changes(for: event, by: self)
    }

    /// The table of results in their current version.
    static let results = "lab_results"
    /// The table of test orders.
    static let orders = "orders"
    /// The table of result versions, one row per result event.
    static let history = "result_history"

    /// What each handled event type does, built once; `eventTypes` is its keys.
    static let handlers = EventHandlers<ResultsProjection>()
        .on(TestOrdered.self) { $0.changes(for: $1, at: $2) }
        .on(TestResultRecorded.self) { $0.changes(for: $1, at: $2) }
        .on(TestResultAmended.self) { $0.changes(for: $1, at: $2) }
        .on(TestResultEnteredInError.self) { $0.changes(for: $1, at: $2) }
        .on(PatientRecordsMerged.self) { _, merging, _ throws(ProjectionFailure) in
            try MergedNumbers.changes(for: merging)
        }

    /// `schema.sql`, read once from the target's resources.
    static let schema = SchemaResource.schemaSQL(in: .module, projection: "ResultsProjection")
}
