import EventLog
import Foundation
import Logging
import Postgres
import ProjectionCore
import ServiceLifecycle

/// Keeps one projection up to date: a catch-up subscription to the log, then live on NOTIFY.
///
/// It installs the projection's tables if needed, becomes its single writer through an advisory
/// lock (or stands by until it can), reads pages after the checkpoint filtered to the projection's
/// event types, and applies each in one transaction with the checkpoint. Caught up, it waits for
/// the log's NOTIFY, polling every `idlePollInterval` in case one was missed. It stops between
/// batches on graceful shutdown (SIGTERM, SIGINT).
public struct ProjectionRunner: Service {
    let projection: any Projection
    let databaseURL: String?
    let configuration: RunnerConfiguration
    let logger: Logger

    /// A runner for `projection` against the database at `databaseURL` (libpq defaults when nil).
    public init(
        projection: any Projection,
        databaseURL: String?,
        configuration: RunnerConfiguration = RunnerConfiguration(),
        logger: Logger
    ) {
        self.projection = projection
        self.databaseURL = databaseURL
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: LogKey.projection] = "\(projection.name)"
        self.logger = logger
    }

    public func run() async throws {
        let conn = try await Connection.connect(to: databaseURL, applicationName: "projector:\(projection.name)")
        defer { Task { await conn.close() } }
        try await conn.withTransaction { conn in try ClusterCheck.verify(on: conn) }
        let outcome = try await ProjectionCatalog.install(projection, on: conn)
        if outcome == .created {
            logger.info("installed projection tables", metadata: [LogKey.version: "\(projection.version)"])
        }
        guard try await becomeWriter(on: conn) else { return }

        let owner = UUID().uuidString.lowercased()
        let name = projection.name
        var position = try await conn.withTransaction { conn in try Checkpoints.claim(name, owner: owner, on: conn) }
        let layouts = try await loadLayouts(on: conn)
        let applier = BatchApplier(projection: projection, layouts: layouts, owner: owner)
        let reader = LogReader(connection: conn)
        try await conn.listen("eventlog_appended")
        logger.info("projection started", metadata: [LogKey.checkpoint: "\(position)"])

        var wasCaughtUp = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let page = try await reader.read(
                after: position,
                types: projection.eventTypes,
                limit: configuration.batchSize
            )
            if !page.events.isEmpty || page.end != position {
                let batch = try await applier.apply(page, on: conn, logger: logger)
                logger.debug(
                    "batch applied",
                    metadata: [
                        LogKey.batchEvents: "\(batch.events)", LogKey.checkpoint: "\(page.end)",
                        "batch.rows": "\(batch.rowsWritten)", "batch.statements": "\(batch.statements)",
                    ]
                )
                position = page.end
            }
            if page.isFull { continue }
            if page.isCaughtUp {
                if !wasCaughtUp {
                    logger.info("caught up", metadata: [LogKey.checkpoint: "\(position)"])
                    wasCaughtUp = true
                }
                if configuration.exitWhenCaughtUp { return }
                try await waitForAppend(on: conn)
            } else {
                // Committed events wait behind an open transaction: look again soon (lag, never loss).
                wasCaughtUp = false
                try await Task.sleep(for: configuration.heldBackRetryInterval)
            }
        }
        logger.info("projection stopped", metadata: [LogKey.checkpoint: "\(position)"])
    }

    /// Takes the projection's advisory lock, standing by until it can; false when shut down first.
    private func becomeWriter(on conn: Connection) async throws -> Bool {
        let name = projection.name
        var announced = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if try await conn.withTransaction({ conn in try AdvisoryLock.tryAcquire(name, on: conn) }) {
                return true
            }
            if configuration.exitWhenCaughtUp {
                throw EngineError("projection \(name) is being run by another instance")
            }
            if !announced {
                logger.info("standing by: another instance is the writer")
                announced = true
            }
            try await Task.sleep(for: configuration.standbyRetryInterval)
        }
        return false
    }

    private func loadLayouts(on conn: Connection) async throws -> [String: TableLayout] {
        let tables = projection.tables
        let schema = projection.name
        return try await conn.withTransaction { conn in
            var layouts: [String: TableLayout] = [:]
            for spec in tables { layouts[spec.name] = try TableLayout.load(spec, schema: schema, on: conn) }
            return layouts
        }
    }

    /// Waits for a NOTIFY from the log, at most `idlePollInterval`, in slices so shutdown is prompt.
    private func waitForAppend(on conn: Connection) async throws {
        let slice = Duration.milliseconds(250)
        var waited = Duration.zero
        while waited < configuration.idlePollInterval && !Task.isShuttingDownGracefully && !Task.isCancelled {
            if try await conn.nextNotification(timeout: slice) != nil {
                // Drain the burst: one read serves every append that woke us.
                while try await conn.nextNotification(timeout: .zero) != nil {}
                return
            }
            waited += slice
        }
    }
}
