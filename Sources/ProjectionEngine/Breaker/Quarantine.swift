import Postgres
import ProjectionCore
import Synchronization

/// The events one projection's code must not run again: each killed a process twice on its own
/// (`projector.quarantined_events`, filled by the breaker).
///
/// Shared by everything that runs that code in a process (the live group's planner, its writers, its builds),
/// so an event quarantined by one is dead-lettered by all from then on.
final class Quarantine: Sendable {
    private let eventIDs = Mutex<Set<String>>([])
    /// Whether `eventIDs` has any, read without the lock: on the hot path the set is empty.
    private let isEmpty = Atomic<Bool>(true)

    init() {}

    func contains(_ eventID: String) -> Bool {
        guard !isEmpty.load(ordering: .acquiring) else { return false }
        return eventIDs.withLock { $0.contains(eventID) }
    }

    /// Replaces the events with those quarantined for `projection`'s name and version.
    func load(for projection: any Projection, on conn: Connection) async throws {
        let ids = try await conn.query(
            """
            SELECT event_id::text FROM projector.quarantined_events
            WHERE projection = \(projection.name) AND version = \(projection.version)
            """
        ).rows.map { try $0.decode(String.self, at: 0) }
        eventIDs.withLock { $0 = Set(ids) }
        isEmpty.store(ids.isEmpty, ordering: .releasing)
    }
}

/// A projection whose quarantined events fail as `crashed-projector` dead letters instead of being run:
/// how the engine holds every projection, so that the breaker's verdict reaches every generation of that code.
struct QuarantinedProjection: Projection {
    let base: any Projection
    let quarantine: Quarantine

    /// `projection` under a quarantine of its own, or as it is when it already has one.
    static func wrap(_ projection: any Projection) -> QuarantinedProjection {
        (projection as? QuarantinedProjection) ?? QuarantinedProjection(base: projection, quarantine: Quarantine())
    }

    /// `projection` under its quarantine, loaded from the database now (a command that runs it once).
    static func loaded(_ projection: any Projection, on conn: Connection) async throws -> QuarantinedProjection {
        let quarantined = wrap(projection)
        try await quarantined.quarantine.load(for: projection, on: conn)
        return quarantined
    }

    /// The reason its dead letters give: the rule that failed is the process's, not the payload's.
    static let reason =
        "applying this event killed the projector process twice on its own (a trap in the projection, or an out-of-memory kill); quarantined for this version"

    var name: String { base.name }
    var version: Int { base.version }
    var eventTypes: Set<String> { base.eventTypes }
    var tables: [TableSpec] { base.tables }
    var schemaSQL: String { base.schemaSQL }

    func changes(for event: RecordedEvent) throws(ProjectionFailure) -> [RowChange] {
        if quarantine.contains(event.eventID) { throw ProjectionFailure(.crashedProjector, Self.reason) }
        return try base.changes(for: event)
    }
}
