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
        let outcome = try await ProjectionCatalog.install(projection, on: writer)
        if outcome == .created {
            logger.info("installed projection tables", metadata: [LogKey.version: "\(projection.version)"])
        }
        guard try await becomeWriter(on: writer) else { return }

        let owner = UUID().uuidString.lowercased()
        let name = projection.name
        let start = try await writer.withTransaction { conn in try Checkpoints.claim(name, owner: owner, on: conn) }
        let applier = BatchApplier(
            projection: projection,
            layouts: try await TableLayout.loadAll(of: projection, on: writer),
            owner: owner
        )
        let reader = try await Connection.connect(to: databaseURL, applicationName: "projector:\(name):reader")
        do {
            try await follow(from: start, reader: reader, writer: writer, applier: applier)
        } catch {
            await reader.close()
            throw error
        }
        await reader.close()
        // Released now, not when the server notices the session has gone, so status is right at once.
        try await writer.withTransaction { conn in try AdvisoryLock.release(name, on: conn) }
    }

    /// Reads, prepares and writes batches from `start` until shut down or, when asked, caught up.
    private func follow(
        from start: LogPosition,
        reader: Connection,
        writer: Connection,
        applier: BatchApplier
    )
        async throws
    {
        // This session only runs the page read, whose right plan is always the ordered range scan of
        // events_read_order that stops at the page size. Without statistics (a log loaded moments ago)
        // the planner picked a bitmap scan and a sort of every remaining event, for every page.
        try await reader.executeScript("SET enable_seqscan = off; SET enable_bitmapscan = off")
        try await reader.listen("eventlog_appended")
        logger.info("projection started", metadata: [LogKey.checkpoint: "\(start)"])

        // Capacity one: the reader waits while a prepared batch is still queued behind the one being written.
        let batches = AsyncThrowingChannel<PreparedBatch, any Error>()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await readAndPrepare(from: start, on: reader, applier: applier, into: batches)
                    batches.finish()
                } catch {
                    batches.fail(error)
                }
            }
            var wasCaughtUp = false
            var position = start
            for try await batch in batches {
                let written = try await applier.write(batch, on: writer, logger: logger)
                position = batch.end
                logger.debug(
                    "batch applied",
                    metadata: [
                        LogKey.batchEvents: "\(written.events)", LogKey.checkpoint: "\(position)",
                        "batch.rows": "\(written.rowsWritten)", "batch.statements": "\(written.statements)",
                    ]
                )
                if batch.isCaughtUp && !wasCaughtUp {
                    logger.info("caught up", metadata: [LogKey.checkpoint: "\(position)"])
                }
                wasCaughtUp = batch.isCaughtUp
            }
            try await group.waitForAll()
            logger.info("projection stopped", metadata: [LogKey.checkpoint: "\(position)"])
        }
    }

    /// Reads pages after `start`, prepares them and hands them to the writer, until shut down (or,
    /// with `exitWhenCaughtUp`, until every committed event has been handed over).
    private func readAndPrepare(
        from start: LogPosition,
        on conn: Connection,
        applier: BatchApplier,
        into batches: AsyncThrowingChannel<PreparedBatch, any Error>
    ) async throws {
        let reader = LogReader(connection: conn)
        var position = start
        var sentCaughtUp = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let page = try await reader.read(
                after: position,
                types: projection.eventTypes,
                limit: configuration.batchSize
            )
            // A caught-up batch is sent even when empty, once, so the writer can say so.
            if !page.events.isEmpty || page.end != position || (page.isCaughtUp && !sentCaughtUp) {
                await batches.send(applier.prepare(page))
                position = page.end
                sentCaughtUp = page.isCaughtUp
            }
            if page.isFull { continue }
            if page.isCaughtUp {
                if configuration.exitWhenCaughtUp { return }
                try await waitForAppend(on: conn)
            } else {
                // Committed events wait behind an open transaction: look again soon (lag, never loss).
                sentCaughtUp = false
                try await Task.sleep(for: configuration.heldBackRetryInterval)
            }
        }
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
