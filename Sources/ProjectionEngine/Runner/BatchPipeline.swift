import AsyncAlgorithms
import EventLog
import Logging
import Postgres
import ProjectionCore
import ServiceLifecycle

/// The channels a runner listens on: the log's appends, and ops' commands (pause, resume, reset, swap).
enum Channels {
    /// NOTIFYed by every append (migration 0001).
    static let appended = "eventlog_appended"
    /// NOTIFYed with a projection's name when ops change its checkpoint row or swap its generation.
    static let control = "projector_control"
}

/// Reads pages after a position and writes them to one generation of one projection, preparing the next
/// page while the previous one is written, so client and server work overlap on two cores: a build, or a
/// projection catching up on its own before it joins its runner's group.
struct BatchPipeline: Sendable {
    /// What to do once every committed event is applied.
    enum WhenCaughtUp: Sendable {
        /// Wait for the log's NOTIFY (or a poll) and go on: the live generation.
        case follow
        /// Return: a build, or `projector run --exit-when-caught-up`.
        case finish
    }

    let applier: BatchApplier
    let configuration: RunnerConfiguration
    let whenCaughtUp: WhenCaughtUp
    /// The last position to apply (as-of builds); nil for the whole log.
    var until: LogPosition? = nil
    let logger: Logger
    /// Called after each committed batch with how long its transaction took, for progress and metrics.
    var onBatch: @Sendable (BatchApplier.Outcome, Duration) async -> Void = { _, _ in }

    private var projection: any Projection { applier.projection }

    /// A session for reading the log: it LISTENs for appends and, with `control`, for ops' commands.
    static func connectReader(
        to databaseURL: String?,
        applicationName: String,
        control: Bool
    ) async throws -> Connection {
        let reader = try await Connection.connect(to: databaseURL, applicationName: applicationName)
        do {
            try await prepareReader(reader, control: control)
            return reader
        } catch {
            await reader.close()
            throw error
        }
    }

    /// The page read's plan, for a session that only reads the log: why in `prepareReader`.
    static let readerSettings = "SET enable_seqscan = off; SET enable_bitmapscan = off"

    /// Makes `reader` a reader's session: the page read's plan, and LISTEN on the log (and `control`'s channel).
    static func prepareReader(_ reader: Connection, control: Bool) async throws {
        // This session only runs the page read, whose right plan is always the ordered range scan of
        // events_read_order that stops at the page size. Without statistics (a log loaded moments ago)
        // the planner picked a bitmap scan and a sort of every remaining event, for every page.
        try await reader.executeScript(readerSettings)
        try await reader.listen(Channels.appended)
        if control { try await reader.listen(Channels.control) }
    }

    /// Applies batches from `start` until shut down, cancelled or (with `.finish`) caught up; returns the last checkpoint.
    ///
    /// `reader` must already LISTEN on `Channels.appended`.
    ///
    /// - Throws: the writer's `LostOwnership` or `ProjectionPaused` inside a `TransactionError`.
    func run(from start: LogPosition, reader: Connection, writer: Connection) async throws -> LogPosition {
        // Capacity one: the reader waits while a prepared batch is still queued behind the one being written.
        let batches = AsyncThrowingChannel<PreparedBatch, any Error>()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await readAndPrepare(from: start, on: reader, into: batches)
                    batches.finish()
                } catch {
                    batches.fail(error)
                }
            }
            var wasCaughtUp = false
            var position = start
            for try await batch in batches {
                let started = ContinuousClock.now
                let written = try await applier.write(batch, on: writer, logger: logger)
                let took = ContinuousClock.now - started
                position = written.end
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
                await onBatch(written, took)
            }
            try await group.waitForAll()
            return position
        }
    }

    /// Reads pages after `start`, prepares them and hands them to the writer, until shut down or finished.
    private func readAndPrepare(
        from start: LogPosition,
        on conn: Connection,
        into batches: AsyncThrowingChannel<PreparedBatch, any Error>
    ) async throws {
        let reader = LogReader(connection: conn)
        var position = start
        var sentCaughtUp = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let page = try await reader.read(
                after: position,
                types: projection.eventTypes,
                limit: configuration.batchSize,
                until: until
            )
            // A caught-up batch is sent even when empty, once, so the writer can say so.
            if !page.events.isEmpty || page.end != position || (page.isCaughtUp && !sentCaughtUp) {
                await batches.send(await applier.prepareInParallel(page))
                position = page.end
                sentCaughtUp = page.isCaughtUp
            }
            let appendedSinceRead = try await drainNotifications(on: conn)
            if page.isFull { continue }
            if page.isCaughtUp {
                if whenCaughtUp == .finish || (until.map { position >= $0 } ?? false) { return }
                // An append NOTIFY drained just now may be for an event this page missed: read again.
                if !appendedSinceRead { try await waitForAppend(on: conn) }
            } else {
                // Committed events wait behind an open transaction: look again soon (lag, never loss).
                sentCaughtUp = false
                try await Task.sleep(for: configuration.heldBackRetryInterval)
            }
        }
    }

    /// Consumes the waiting NOTIFYs and says whether one was an append.
    @discardableResult
    private func drainNotifications(on conn: Connection) async throws -> Bool {
        var appended = false
        while let note = try await conn.nextNotification(timeout: .zero) {
            appended = appended || note.channel == Channels.appended
        }
        return appended
    }

    /// Waits for a NOTIFY, at most `idlePollInterval`.
    private func waitForAppend(on conn: Connection) async throws {
        guard try await Self.nextNotification(on: conn, within: configuration.idlePollInterval) != nil else {
            return
        }
        // Drain the burst: one read serves every append that woke us.
        try await drainNotifications(on: conn)
    }

    /// The next NOTIFY on `conn` within `limit`, waited for in slices so shutdown is prompt; nil when none came.
    static func nextNotification(on conn: Connection, within limit: Duration) async throws -> PostgresNotification? {
        let slice = Duration.milliseconds(250)
        var waited = Duration.zero
        while waited < limit && !Task.isShuttingDownGracefully && !Task.isCancelled {
            if let note = try await conn.nextNotification(timeout: slice) { return note }
            waited += slice
        }
        return nil
    }
}
