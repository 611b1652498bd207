import EventLog
import Foundation
import Logging
import Postgres
import ProjectionCore
import ServiceLifecycle

/// A generation of a projection being built from the log in its own schema, with its checkpoint in
/// `projector.builds`: a rebuild before its swap, an as-of copy, or a verify scratch.
public struct Build: Sendable {
    /// Why it is built; recorded in `projector.builds.purpose`.
    public enum Purpose: String, Sendable {
        case rebuild
        case asOf = "as-of"
        case verify
    }

    /// The projection whose code builds it.
    public let projection: any Projection
    /// The schema it is built in.
    public let schema: String
    /// Why.
    public let purpose: Purpose
    /// The last position to apply; nil for the whole log.
    public var until: LogPosition?

    /// A build of `projection` in `schema`.
    public init(projection: any Projection, schema: String, purpose: Purpose, until: LogPosition? = nil) {
        self.projection = QuarantinedProjection.wrap(projection)
        self.schema = schema
        self.purpose = purpose
        self.until = until
    }

    var generation: Generation { .build(projection.name, in: schema) }

    /// Creates the schema, its tables and its checkpoint row.
    ///
    /// - Throws: `EngineError` when the schema exists already.
    public func create(on conn: Connection) async throws {
        let (name, schema, purpose, until, version, ddl) = (
            projection.name, schema, purpose.rawValue, until, projection.version, projection.schemaSQL
        )
        // A rebuild is swapped in and serves the API; as-of copies and verify scratches never do.
        let servesAPI = self.purpose == .rebuild
        let exists = try await conn.query("SELECT 1 FROM pg_namespace WHERE nspname = \(schema)").rows.isEmpty == false
        if exists { throw EngineError("schema \(schema) exists already; choose another or drop it first") }
        try await conn.withTransaction { conn in
            try ProjectionCatalog.createSchema(schema, ddl: ddl, readableByAPI: servesAPI, on: conn)
            // Loaded like a bulk load: secondary indexes are built once it has caught up (`run`).
            try DeferredIndexes.drop(in: schema, on: conn)
            try Breaker.forget(schema, inTransactionOn: conn)
            let untilXID = until.map { String($0.transactionID) }
            try conn.execute(
                """
                INSERT INTO projector.builds
                    (schema_name, projection, purpose, version, schema_hash, until_transaction_id, until_position)
                VALUES (\(schema), \(name), \(purpose), \(version), \(try ProjectionCatalog.hash(of: ddl, on: conn)),
                        \(untilXID)::xid8, \(until?.globalPosition))
                """
            )
        }
    }

    /// Creates the build, or resumes one left in its schema by the same code; any other leftover is dropped.
    func createOrResume(on conn: Connection, logger: Logger) async throws {
        let (schema, version, ddl) = (schema, projection.version, projection.schemaSQL)
        let resumable = try await conn.withTransaction { conn in
            let rows = try conn.query(
                "SELECT version, schema_hash, events_seen FROM projector.builds WHERE schema_name = \(schema)"
            ).rows
            guard let row = rows.first else { return false }
            return try row.decode(Int.self, at: 0) == version
                && row.decode(String.self, at: 1) == ProjectionCatalog.hash(of: ddl, on: conn)
        }
        if resumable {
            logger.notice("resuming the build left in its schema", metadata: ["build.schema": "\(schema)"])
            return
        }
        try await discard(on: conn)
        try await create(on: conn)
    }

    /// Drops the schema and the checkpoint row, if there.
    public func discard(on conn: Connection) async throws {
        let schema = schema
        try await conn.withTransaction { conn in
            try conn.execute("DROP SCHEMA IF EXISTS \(identifier: schema) CASCADE")
            try conn.execute("DELETE FROM projector.builds WHERE schema_name = \(schema)")
            try Breaker.forget(schema, inTransactionOn: conn)
        }
    }

    /// Applies the log to the build until it has caught up (or reached `until`), then (but for a verify
    /// scratch, which is compared and dropped) creates its secondary indexes and ANALYZEs its tables:
    /// `runAll` of this build alone.
    ///
    /// - Returns: false when shut down or cancelled first (an error thrown once cancelled counts as that);
    ///   the build keeps what it committed.
    public func run(
        databaseURL: String?,
        configuration: RunnerConfiguration,
        logger: Logger,
        onProgress: @escaping @Sendable (BuildProgress) async -> Void = { _ in }
    ) async throws -> Bool {
        do {
            let endings = try await Build.runAll(
                [self],
                databaseURL: databaseURL,
                configuration: configuration,
                logger: logger,
                onProgress: { _, progress in await onProgress(progress) }
            )
            switch endings[schema] {
            case .caughtUp: return true
            case .stopped, nil: return false
            case .failed(let error): throw error
            }
        } catch  where Task.isCancelled {
            return false
        }
    }

    /// Events the build has handled, and events of its types in the log up to its end.
    func counts(on conn: Connection) async throws -> (done: Int64, total: Int64) {
        let types = projection.eventTypes.sorted()
        let untilXID = until.map { String($0.transactionID) }
        let row = try await conn.query(
            """
            SELECT (SELECT events_seen FROM projector.builds WHERE schema_name = \(schema)),
                   (SELECT count(*) FROM eventlog.events e WHERE e.event_type = ANY(\(types))
                      AND (\(untilXID)::xid8 IS NULL
                           OR (e.transaction_id, e.global_position) <= (\(untilXID)::xid8, \(until?.globalPosition))))
            """
        ).rows[0]
        return (try row.decode(Int64.self, at: 0), try row.decode(Int64.self, at: 1))
    }
}
