import AsyncAlgorithms
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
    let metrics: ProjectionMetrics

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
        self.metrics = ProjectionMetrics(projection: projection.name)
    }

    public func run() async throws {
        // Two sessions: the writer holds the lock and commits batches; the reader listens, reads
        // and prepares the next page meanwhile, so client and server work overlap on two cores.
        let writer = try await Connection.connect(to: databaseURL, applicationName: "projector:\(projection.name)")
        do {
            try await run(writer: writer)
        } catch {
            await writer.close()
            throw error
        }
        await writer.close()
    }

    private func run(writer: Connection) async throws {
        try await writer.withTransaction { conn in try ClusterCheck.verify(on: conn) }
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
            var rebuild = Rebuild(
                projection: projection,
                databaseURL: databaseURL,
                configuration: configuration,
                logger: logger
            )
            rebuild.onlyIfChanged = true
            if case .stopped = try await rebuild.run() { return }
        }
        guard try await becomeWriter(on: writer) else { return }
        try await writer.listen(Channels.control)
        let reader = try await BatchPipeline.connectReader(
            to: databaseURL,
            applicationName: "projector:\(projection.name):reader",
            control: true
        )
        do {
            try await followClaims(reader: reader, writer: writer)
        } catch {
            await reader.close()
            throw error
        }
        await reader.close()
        // Released now, not when the server notices the session has gone, so status is right at once.
        try await writer.withTransaction { [name = projection.name] conn in try AdvisoryLock.release(name, on: conn) }
    }

    /// Claims the checkpoint and follows the log from it; claims again whenever ops pause, resume,
    /// reset or swap the projection, until shut down.
    private func followClaims(reader: Connection, writer: Connection) async throws {
        let owner = UUID().uuidString.lowercased()
        let generation = Generation.live(projection.name)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let claim = try await writer.withTransaction { conn in
                try Checkpoints.claim(generation, owner: owner, on: conn)
            }
            if claim.paused {
                // Nothing more will be applied until ops resume it: a run that was to finish is done.
                if configuration.exitWhenCaughtUp {
                    logger.notice("paused; stopping", metadata: [LogKey.checkpoint: "\(claim.position)"])
                    return
                }
                logger.notice(
                    "paused; waiting for projector resume",
                    metadata: [LogKey.checkpoint: "\(claim.position)"]
                )
                // Any NOTIFY, or the poll, is a reason to look at the checkpoint row again.
                _ = try await BatchPipeline.nextNotification(on: writer, within: configuration.idlePollInterval)
                continue
            }
            // A swap may have brought in tables built by other code: this code must not write into them.
            if case .changed(let change) = try await ProjectionCatalog.check(projection, on: writer) {
                throw change
            }
            let pipeline = BatchPipeline(
                applier: BatchApplier(
                    projection: projection,
                    generation: generation,
                    layouts: try await TableLayout.loadAll(of: projection, on: writer),
                    owner: owner,
                    onFailure: claim.onFailure
                ),
                configuration: configuration,
                whenCaughtUp: configuration.exitWhenCaughtUp ? .finish : .follow,
                logger: logger,
                onBatch: { [metrics] outcome, took in metrics.record(outcome, took: took) }
            )
            logger.info("projection started", metadata: [LogKey.checkpoint: "\(claim.position)"])
            do {
                let position = try await pipeline.run(from: claim.position, reader: reader, writer: writer)
                logger.info("projection stopped", metadata: [LogKey.checkpoint: "\(position)"])
                return
            } catch let error where Self.needsNewClaim(error) {
                logger.info("checkpoint changed by ops; claiming it again")
            }
        }
    }

    /// Whether `error` means ops changed the checkpoint row (pause, reset, swap) rather than a failure.
    static func needsNewClaim(_ error: any Error) -> Bool {
        if error is ControlChanged { return true }
        guard let failed = error as? TransactionError else { return false }
        return failed.underlying is ProjectionPaused || failed.underlying is LostOwnership
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
}
