import EventLog
import Foundation
import Logging
import Postgres
import ProjectionCore
import ServiceLifecycle
import Synchronization

extension Build {
    /// How a build's run ended.
    enum Ending: Sendable {
        /// It has applied every event and has its secondary indexes (but for a verify scratch).
        case caughtUp
        /// Shut down or cancelled first; it keeps what it committed.
        case stopped
        /// It failed; it keeps what it committed before.
        case failed(any Error)
    }

    /// Brings `builds` up to the log's end (or their shared `until`) with one run of the pipeline: each page
    /// read and decoded once, planned for every build, written to each in its own transaction on its own
    /// session. Then creates the secondary indexes of those that caught up and ANALYZEs their tables.
    ///
    /// Builds may start at different positions (one resumed, one new): each is handed only the events after
    /// its own checkpoint. One that fails leaves; the others go on. `onProgress` is called, by schema,
    /// after each of a build's batches.
    ///
    /// - Returns: each build's ending by schema.
    /// - Throws: when the run as a whole fails: the log's reader (its session, or a read).
    static func runAll(
        _ builds: [Build],
        databaseURL: String?,
        configuration: RunnerConfiguration,
        logger: Logger,
        onProgress: @escaping @Sendable (String, BuildProgress) async -> Void = { _, _ in }
    ) async throws -> [String: Ending] {
        precondition(Set(builds.map(\.until)).count <= 1, "builds run together share their end")
        // Nobody reads a build before its swap, and its rows commit with its checkpoint: a server crash can
        // only lose some progress, never split it.
        let settings = configuration.writerSessionSettings + "; SET synchronous_commit = off"
        return try await SessionPool.with(databaseURL: databaseURL, settings: settings, role: "build") { sessions in
            var endings: [String: Ending] = [:]
            var started: [Started] = []
            // A build that cannot start fails alone, as one that fails later does.
            for build in builds {
                do {
                    started.append(
                        try await build.start(
                            on: sessions.session(for: build.schema),
                            configuration: configuration,
                            logger: logger
                        )
                    )
                } catch {
                    endings[build.schema] = Task.isCancelled ? .stopped : .failed(error)
                    logger.error(
                        "build failed to start; the others go on",
                        metadata: ["build.schema": "\(build.schema)", "error": "\(error)"]
                    )
                }
            }
            guard !started.isEmpty else { return endings }
            // No LISTEN: a build reads until caught up and never waits for appends.
            let readerName =
                builds.count == 1 ? "projector:\(builds[0].projection.name):build-reader" : "projector:build-reader"
            let ran = try await Connection.withConnection(to: databaseURL, applicationName: readerName) { reader in
                try await ReaderSession.prepare(reader, listening: false)
                var pipeline = Pipeline(
                    consumers: started.map(\.consumer),
                    reader: reader,
                    configuration: configuration
                )
                pipeline.until = builds.first?.until
                let tally = Tally(started)
                return try await pipeline.run { consumer, outcome, _ in
                    guard case .advanced(let written) = outcome, let progress = tally.add(written, to: consumer.key)
                    else { return }
                    await onProgress(consumer.key, progress)
                }
            }
            for entry in started {
                endings[entry.build.schema] = entry.ending(ran[entry.build.schema], logger: logger)
            }
            // Stopped cleanly: whoever resumes them has nothing to fear. (One that caught up keeps this process
            // as its holder until its swap forgets it: a death in the swap is the breaker's business too.)
            let stopped = started.map(\.build.schema).filter { if case .stopped = endings[$0] { true } else { false } }
            if let first = stopped.first {
                try? await sessions.session(for: first).withTransaction { conn in
                    try Breaker.end(stopped, holder: Breaker.processHolder, inTransactionOn: conn)
                }
            }
            let finished = started.filter { entry in
                guard case .caughtUp = endings[entry.build.schema] else { return false }
                return entry.build.purpose != .verify
            }
            for (schema, ending) in await completeIndexes(of: finished.map(\.build), sessions: sessions, logger: logger)
            {
                endings[schema] = ending
            }
            return endings
        }
    }

    /// Claims the build's checkpoint on `session`, its own, and says how it writes and where it starts.
    private func start(
        on session: Connection,
        configuration: RunnerConfiguration,
        logger: Logger
    ) async throws -> Started {
        let owner = UUID().uuidString.lowercased()
        let generation = generation
        let claim = try await session.withTransaction { conn in
            try Checkpoints.claim(generation, owner: owner, on: conn)
        }
        let (done, total) = try await counts(on: session)
        let layouts = try await TableLayout.loadAll(of: projection, in: schema, on: session)
        let applier = BatchApplier(
            projection: projection,
            generation: generation,
            layouts: layouts,
            owner: owner,
            onFailure: .park,
            // Loaded like a bulk load while it is known to hold only what this writer wrote.
            writtenKeys: try await Self.isEmpty(layouts.values, on: session) ? WrittenKeys() : nil
        )
        logger.info("build started", metadata: ["build.schema": "\(schema)", LogKey.checkpoint: "\(claim.position)"])
        var buildLogger = logger
        buildLogger[metadataKey: "build.schema"] = "\(schema)"
        // If the last process building it died after this checkpoint, the breaker replays what it was
        // applying, carefully, before the shared pipeline reads on.
        var replay = BreakerReplay(
            consumer: schema,
            applier: applier,
            session: session,
            configuration: configuration,
            logger: buildLogger
        )
        replay.until = until
        let start: LogPosition
        switch try await BreakerReplay.start(replay, holder: Breaker.processHolder, at: claim.position) {
        case .at(let position):
            start = position
        case .left(let outcome, _):
            throw outcome.failure(of: projection.name)
        }
        let consumer = Pipeline.Consumer(
            key: schema,
            applier: applier,
            session: session,
            start: start,
            logger: buildLogger
        )
        return Started(build: self, consumer: consumer, done: done, total: total)
    }

    /// Whether every table of `layouts` is empty: a new build, or one that has written nothing yet.
    private static func isEmpty(_ layouts: some Sequence<TableLayout>, on conn: Connection) async throws -> Bool {
        for layout in layouts {
            let rows = try await conn.query(Query(unsafeSQL: "SELECT 1 FROM \(layout.qualifiedName) LIMIT 1")).rows
            if !rows.isEmpty { return false }
        }
        return true
    }

    /// Creates the secondary indexes of `builds` and ANALYZEs their tables, side by side on their sessions;
    /// returns the endings of those that failed.
    private static func completeIndexes(
        of builds: [Build],
        sessions: SessionPool,
        logger: Logger
    ) async -> [String: Ending] {
        await withTaskGroup(of: (String, Ending?).self) { group in
            for build in builds {
                group.addTask {
                    do {
                        let created = try await DeferredIndexes.complete(
                            in: build.schema,
                            ddl: build.projection.schemaSQL,
                            tables: build.projection.tables.map(\.name),
                            on: sessions.session(for: build.schema)
                        )
                        logger.info(
                            "secondary indexes built and tables analyzed",
                            metadata: ["build.schema": "\(build.schema)", "build.indexes": "\(created.count)"]
                        )
                        return (build.schema, nil)
                    } catch {
                        return (build.schema, .failed(error))
                    }
                }
            }
            var failed: [String: Ending] = [:]
            for await (schema, ending) in group { failed[schema] = ending }
            return failed
        }
    }
}

/// A build that has claimed its checkpoint, as the pipeline's consumer.
private struct Started: Sendable {
    let build: Build
    let consumer: Pipeline.Consumer
    /// Events it had handled when this run started, and events of its types in the log up to its end.
    let done: Int64
    let total: Int64

    /// Its ending, from how its pipeline run ended; logged.
    func ending(_ ran: Pipeline.Ending?, logger: Logger) -> Build.Ending {
        let stopping = Task.isCancelled || Task.isShuttingDownGracefully
        let schema: Logger.MetadataValue = "\(build.schema)"
        switch ran {
        case .caughtUp?:
            logger.info("build caught up", metadata: ["build.schema": schema])
            return .caughtUp
        case .stopped?, nil:
            logger.info("build stopped", metadata: ["build.schema": schema])
            return .stopped
        case .left(let outcome)?:
            // An error once stopping counts as stopping; the build keeps what it committed.
            let error = outcome.failure(of: build.projection.name)
            logger.log(
                level: stopping ? .notice : .error,
                "build failed; the others go on",
                metadata: ["build.schema": schema, "error": "\(error)"]
            )
            return stopping ? .stopped : .failed(error)
        }
    }
}

/// Each build's progress in one run, counted as its batches commit.
private final class Tally: Sendable {
    private let counts: Mutex<[String: (done: Int64, atStart: Int64, total: Int64)]>
    private let started = ContinuousClock.now

    init(_ builds: [Started]) {
        counts = Mutex(
            Dictionary(uniqueKeysWithValues: builds.map { ($0.build.schema, ($0.done, $0.done, $0.total)) })
        )
    }

    /// Counts `written` for the build `schema`; its progress since.
    func add(_ written: BatchApplier.Written, to schema: String) -> BuildProgress? {
        let elapsed = ContinuousClock.now - started
        return counts.withLock { counts in
            guard var count = counts[schema] else { return nil }
            count.done += Int64(written.outcome.events)
            counts[schema] = count
            return BuildProgress(
                eventsDone: count.done,
                eventsTotal: count.total,
                eventsAtStart: count.atStart,
                position: written.outcome.end,
                elapsed: elapsed
            )
        }
    }
}
