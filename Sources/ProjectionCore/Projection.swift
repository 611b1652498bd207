/// A read model: a pure function from one recorded event to the row changes it causes.
///
/// A projection does no I/O. The engine reads events, calls `changes(for:)`, coalesces the
/// changes of a batch and writes them with set-based statements in one transaction with the
/// checkpoint (the architecture article, "The pipeline").
public protocol Projection: Sendable {
    /// A lowercase identifier, also the schema that holds the tables (`timeline`).
    var name: String { get }
    /// Bumped whenever the rows produced for the same events change.
    var version: Int { get }
    /// The event types this projection handles; others are not read, but still advance its checkpoint.
    var eventTypes: Set<String> { get }
    /// The tables `schemaSQL` creates, with their primary keys.
    var tables: [TableSpec] { get }
    /// The DDL of the tables, with unqualified names, so the engine can place it in any schema.
    var schemaSQL: String { get }

    /// The row changes `event` causes, in order.
    ///
    /// - Throws: `ProjectionFailure` when the event cannot be decoded or breaks a rule of the event contract;
    ///   the engine dead-letters it and goes on.
    func changes(for event: RecordedEvent) throws(ProjectionFailure) -> [RowChange]
}
