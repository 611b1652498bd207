import AsyncAlgorithms
import EventLog
import Foundation
import Logging
import Postgres
import ProjectionCore
import ServiceLifecycle

/// Keeps a set of projections up to date from one reading of the log: catch-up, then live on NOTIFY.
///
/// It installs the projections' tables if needed (rebuilding a changed one first), becomes the single
/// writer of each through a lease and an owner token on its checkpoint (standing by for those another
/// instance holds), and follows
/// the log with one reader session through the pipeline: each page is read and parsed once, planned for
/// every projection, and written for all that stand level with it. Live, that is one transaction that advances each
/// one's checkpoint (group commit: one WAL flush per page, whatever the number of projections); while
/// catching up (full pages), each projection's share is written in its own transaction on a session of
/// its own, side by side, so both cores and several server processes work. A projection
/// that is behind catches up on sessions of its own and joins when level; one that fails is left out
/// of that transaction and retried on its own, so it never holds the others back. Caught up, it waits
/// for the log's NOTIFY, polling every `idlePollInterval` in case one was missed. It stops between
/// batches on graceful shutdown (SIGTERM, SIGINT).
///
/// The control flow is `RunnerStateMachine`; this type does the I/O its actions ask for.
public struct ProjectionRunner: Service {
    let projections: [any Projection]
    let databaseURL: String?
    let configuration: RunnerConfiguration
    let logger: Logger
    /// Whether the runner reaches the database, for `/ready` and the metrics.
    public let health: DatabaseHealth
    /// Runs on the writer's session once the projections' tables are installed (or checked), at every start
    /// and reconnect, with the projections whose live tables are this code's: `projector run` recreates the
    /// analysts' views of them here. A changed projection's live tables are still the old code's until its
    /// rebuild swaps in (and the swap recreates its views), so new views could name tables it lacks.
    public var onInstalled: (@Sendable (Connection, _ current: [any Projection]) async throws -> Void)?

    /// A runner for `projections` against the database at `databaseURL` (libpq defaults when nil).
    public init(
        projections: [any Projection],
        databaseURL: String?,
        configuration: RunnerConfiguration = RunnerConfiguration(),
        health: DatabaseHealth = DatabaseHealth(),
        logger: Logger
    ) {
        // Each under one quarantine that its group reader, writers and builds share (the poison-pill breaker).
        self.projections = projections.map(QuarantinedProjection.wrap)
        self.databaseURL = databaseURL
        self.configuration = configuration
        self.health = health
        self.logger = logger
    }

    /// A runner for one projection.
    public init(
        projection: any Projection,
        databaseURL: String?,
        configuration: RunnerConfiguration = RunnerConfiguration(),
        logger: Logger
    ) {
        self.init(projections: [projection], databaseURL: databaseURL, configuration: configuration, logger: logger)
    }

    /// Runs until shut down (or caught up, with `exitWhenCaughtUp`), connecting again whenever the database
    /// goes away; throws only what no reconnect mends (see `Reconnector`).
    public func run() async throws {
        let names = projections.map(\.name)
        guard Set(names).count == names.count else { throw EngineError("a projection is named twice") }
        // One identity for the whole run: after a reconnect, this process takes its own leases back at once.
        let leases = HeldLeases(holder: UUID())
        var reconnector = Reconnector(health: health, logger: logger)
        reconnector.maxDelay = configuration.maxReconnectDelay
        // Every session starts afresh after an outage: a batch in flight was rolled back, and reading resumes
        // from the checkpoints, so each event still takes effect once.
        try await reconnector.run { connected in
            try await Connection.withConnection(to: databaseURL, applicationName: "projector:writer") { writer in
                try await run(writer: writer, leases: leases, connected: connected)
            }
        }
    }

    private func run(writer: Connection, leases: HeldLeases, connected: @escaping @Sendable () -> Void) async throws {
        try await writer.withTransaction { conn in try ClusterCheck.check(inTransactionOn: conn) }
        try await writer.executeScript(configuration.writerSessionSettings(registeredAs: leases.holder))
        // Live pages are small: planning the same statements again for each one would cost more than running them.
        await writer.cachePlans()
        var building: [String: Rebuild.Condition] = [:]
        var changed: Set<String> = []
        for projection in projections {
            let logger = memberLogger(projection.name)
            switch try await ProjectionCatalog.install(projection, on: writer) {
            case .created:
                logger.info("installed projection tables", metadata: [LogKey.version: "\(projection.version)"])
            case .unchanged:
                break
            case .changed(let change):
                // New code must not write into old tables: build its own generation while the old one serves.
                logger.notice(
                    "projection changed; rebuilding it while the old generation serves",
                    metadata: change.metadata
                )
                building[projection.name] = .ifChanged
                changed.insert(projection.name)
            }
        }
        for name in try await unstarted(projections.map(\.name).filter { building[$0] == nil }, on: writer) {
            building[name] = .firstInstall
        }
        try await onInstalled?(writer, projections.filter { !changed.contains($0.name) })
        try await Connection.withConnection(to: databaseURL, applicationName: "projector:reader") { reader in
            try await ReaderSession.prepare(reader, listening: true)
            try await reader.executeScript(Fencing.registration(of: leases.holder))
            // The same page read, again and again: planned once.
            await reader.cachePlans()
            connected()
            var machine = RunnerStateMachine(
                projections: projections.map(\.name),
                building: Set(building.keys),
                exitWhenCaughtUp: configuration.exitWhenCaughtUp
            )
            machine.retryDelay = configuration.retryDelay
            machine.maxRetryDelay = configuration.maxRetryDelay
            let watch = SessionWatch(deadline: configuration.statementDeadline)
            watch.watch(writer, as: "writer")
            watch.watch(reader, as: "reader")
            try await SessionPool.with(
                databaseURL: databaseURL,
                settings: configuration.writerSessionSettings(registeredAs: leases.holder),
                role: "writer",
                watch: watch
            ) { apartSessions in
                var loop = RunnerLoop(
                    runner: self,
                    writer: writer,
                    leases: leases,
                    apartSessions: apartSessions,
                    watch: watch,
                    machine: machine,
                    buildConditions: building
                )
                try await loop.run(reader: reader)
                // Given up now, not when they lapse, so a standby takes over at its next try and status is right at once.
                try await loop.releaseLeases()
            }
        }
    }

    /// Those of `names` to load like a rebuild (`RunnerConfiguration.bulkInstallMinimumEvents`): their live
    /// generation has applied no event and is not paused, and the log is long.
    private func unstarted(_ names: [String], on conn: Connection) async throws -> [String] {
        guard let minimum = configuration.bulkInstallMinimumEvents, !names.isEmpty else { return [] }
        let rows = try await conn.withTransaction { conn in
            // The highest position stands in for a count: it is read from the index's end, not the whole log.
            try conn.query(
                """
                SELECT projection FROM projector.checkpoints
                WHERE projection = ANY(\(names)) AND global_position = 0 AND NOT paused
                  AND (SELECT coalesce(max(global_position), 0) FROM eventlog.events) >= \(minimum)
                ORDER BY projection
                """
            ).rows.map { try $0.decode(String.self, at: 0) }
        }
        for name in rows {
            memberLogger(name).notice(
                "nothing applied yet and the log is long: loading it as a rebuild, swapped in once caught up",
                metadata: ["bulk_install.minimum_events": "\(minimum)"]
            )
        }
        return rows
    }

    func memberLogger(_ name: String) -> Logger {
        var logger = logger
        logger[metadataKey: LogKey.projection] = "\(name)"
        return logger
    }
}

extension ProjectionRunner: CustomStringConvertible {
    /// The projections it runs, and nothing else: ServiceLifecycle logs each service's description at
    /// debug level, and the reflected default would print the database URL, password included.
    public var description: String {
        "ProjectionRunner(\(projections.map(\.name).joined(separator: ", ")))"
    }
}
