import AsyncAlgorithms
import EventLog
import Foundation
import Logging
import Postgres
import ProjectionCore
import ServiceLifecycle
import Synchronization

/// Brings several builds up to the log's end (or their `until`) with one read of the log: each page is
/// read and decoded once, planned for every build side by side, and written to each build in its own
/// transaction on its own session, so the server's work spreads over the cores while the next page is
/// read and planned.
///
/// Read apart, a rebuild of the four read models read and decoded the log four times, and took 1.5 times
/// as long as `projector run` from zero over the same log (README, "Performance").
///
/// A build that fails leaves the pass; the others go on. Builds may start at different positions (one
/// resumed, one new): each is handed only the events after its own checkpoint.
struct BuildPass: Sendable {
    /// The builds; all share `until` (an as-of build is passed alone).
    let builds: [Build]
    let databaseURL: String?
    let configuration: RunnerConfiguration
    let logger: Logger

    init(builds: [Build], databaseURL: String?, configuration: RunnerConfiguration, logger: Logger) {
        precondition(Set(builds.map(\.until)).count <= 1, "the builds of one pass share their end")
        self.builds = builds
        self.databaseURL = databaseURL
        self.configuration = configuration
        self.logger = logger
    }

    /// What became of one build.
    enum Result: Sendable {
        /// It has applied every event and has its secondary indexes (but for a verify scratch).
        case caughtUp
        /// Shut down or cancelled first; it keeps what it committed.
        case stopped
        /// It failed; it keeps what it committed before.
        case failed(any Error)
    }

    /// Runs the pass; the results are by build schema. `onProgress` is called, by build schema, after each of its batches.
    ///
    /// - Throws: when the pass as a whole fails: the log's reader (its session, or a read). A build whose own
    ///   session or claim fails is reported failed in the results instead.
    func run(
        onProgress: @escaping @Sendable (String, BuildProgress) async -> Void = { _, _ in }
    ) async throws -> [String: Result] {
        var members: [Member] = []
        var results: [String: Result] = [:]
        // A build that cannot start fails alone, as one that fails later does.
        for build in builds {
            do {
                members.append(try await Member.open(build, pass: self))
            } catch {
                results[build.schema] = Task.isCancelled ? .stopped : .failed(error)
                logger.error(
                    "build failed to start; the others in its pass go on",
                    metadata: ["build.schema": "\(build.schema)", "error": "\(error)"]
                )
            }
        }
        guard !members.isEmpty else { return results }
        let reader: Connection
        do {
            // No LISTEN: a build reads until caught up and never waits for appends, and NOTIFYs nobody
            // drains would pile up in the client for as long as the build runs.
            reader = try await Connection.connect(
                to: databaseURL,
                applicationName: builds.count == 1
                    ? "projector:\(builds[0].projection.name):build-reader" : "projector:build-reader"
            )
        } catch {
            for member in members { await member.writer.close() }
            throw error
        }
        do {
            try await reader.executeScript(BatchPipeline.readerSettings)
            results.merge(try await apply(members, reader: reader, onProgress: onProgress)) { _, new in new }
            await reader.close()
        } catch {
            await reader.close()
            for member in members { await member.writer.close() }
            throw error
        }
        let stopped = Task.isCancelled || Task.isShuttingDownGracefully
        for member in members where results[member.build.schema] == nil {
            results[member.build.schema] = stopped ? .stopped : .caughtUp
        }
        if !stopped { await completeIndexes(of: members, results: &results) }
        for member in members { await member.writer.close() }
        return results
    }

    // MARK: Members

    /// One build in the pass: its session, how it writes, where it stands.
    private struct Member: Sendable {
        let build: Build
        let writer: Connection
        let applier: BatchApplier
        let start: LogPosition
        let done: Int64
        let total: Int64

        /// Claims `build`'s checkpoint on a session of its own.
        static func open(_ build: Build, pass: BuildPass) async throws -> Member {
            let writer = try await Connection.connect(
                to: pass.databaseURL,
                applicationName: "projector:\(build.projection.name):build"
            )
            do {
                // Nobody reads a build before its swap, and its rows commit with its checkpoint: a server crash
                // can only lose some progress, never split it.
                try await writer.executeScript(
                    pass.configuration.writerSessionSettings + "; SET synchronous_commit = off"
                )
                let owner = UUID().uuidString.lowercased()
                let generation = build.generation
                let claim = try await writer.withTransaction { conn in
                    try Checkpoints.claim(generation, owner: owner, on: conn)
                }
                let (done, total) = try await build.counts(on: writer)
                let layouts = try await TableLayout.loadAll(of: build.projection, in: build.schema, on: writer)
                let applier = BatchApplier(
                    projection: build.projection,
                    generation: generation,
                    layouts: layouts,
                    owner: owner,
                    onFailure: .park,
                    // Loaded like a bulk load while it is known to hold only what this writer wrote.
                    writtenKeys: try await BuildPass.isEmpty(layouts.values, on: writer) ? WrittenKeys() : nil
                )
                pass.logger.info(
                    "build started",
                    metadata: ["build.schema": "\(build.schema)", LogKey.checkpoint: "\(claim.position)"]
                )
                return Member(
                    build: build,
                    writer: writer,
                    applier: applier,
                    start: claim.position,
                    done: done,
                    total: total
                )
            } catch {
                await writer.close()
                throw error
            }
        }
    }

    /// Whether every table of `layouts` is empty: a new build, or one that has written nothing yet.
    private static func isEmpty(_ layouts: some Sequence<TableLayout>, on conn: Connection) async throws -> Bool {
        for layout in layouts {
            let rows = try await conn.query(Query(unsafeSQL: "SELECT 1 FROM \(layout.qualifiedName) LIMIT 1")).rows
            if !rows.isEmpty { return false }
        }
        return true
    }

    /// Builds that failed during the pass, by schema: the reader stops planning for them.
    private final class Failures: Sendable {
        private let failed = Mutex<Set<String>>([])
        func add(_ schema: String) { _ = failed.withLock { $0.insert(schema) } }
        func contains(_ schema: String) -> Bool { failed.withLock { $0.contains(schema) } }
    }

    /// A page planned for each build that takes part in it, by schema.
    private struct PlannedPage: Sendable {
        var batches: [String: PreparedBatch]
    }

    // MARK: The pass

    /// Reads and plans pages in one task while the previous page is written; returns the builds that left the
    /// pass: failed, or stopped (an error met once shutting down or cancelled is no failure).
    private func apply(
        _ members: [Member],
        reader: Connection,
        onProgress: @escaping @Sendable (String, BuildProgress) async -> Void
    ) async throws -> [String: Result] {
        let failures = Failures()
        let pages = AsyncThrowingChannel<PlannedPage, any Error>()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await readAndPlan(members, on: reader, failures: failures, into: pages)
                    pages.finish()
                } catch {
                    pages.fail(error)
                }
            }
            var results: [String: Result] = [:]
            var done = Dictionary(uniqueKeysWithValues: members.map { ($0.build.schema, $0.done) })
            let started = ContinuousClock.now
            for try await page in pages {
                let written = await write(page, to: members.filter { results[$0.build.schema] == nil })
                for (member, outcome) in written {
                    let schema = member.build.schema
                    switch outcome {
                    case .success(let outcome):
                        done[schema, default: 0] += Int64(outcome.events)
                        await onProgress(
                            schema,
                            BuildProgress(
                                eventsDone: done[schema] ?? 0,
                                eventsTotal: member.total,
                                eventsAtStart: member.done,
                                position: outcome.end,
                                elapsed: ContinuousClock.now - started
                            )
                        )
                    case .failure(let error):
                        // Out of the pass either way: a later page must never commit past the one that failed.
                        // An error once stopping counts as stopping; the build keeps what it committed.
                        let stopping = Task.isCancelled || Task.isShuttingDownGracefully
                        failures.add(schema)
                        results[schema] = stopping ? .stopped : .failed(error)
                        logger.log(
                            level: stopping ? .notice : .error,
                            "build failed; the others in its pass go on",
                            metadata: ["build.schema": "\(schema)", "error": "\(error)"]
                        )
                    }
                }
            }
            try await group.waitForAll()
            for member in members where results[member.build.schema] == nil {
                logger.info(
                    Task.isCancelled || Task.isShuttingDownGracefully ? "build stopped" : "build caught up",
                    metadata: ["build.schema": "\(member.build.schema)"]
                )
            }
            return results
        }
    }

    /// Writes each member's part of `page`, each in its own transaction on its own session, side by side.
    private func write(
        _ page: PlannedPage,
        to members: [Member]
    ) async -> [(Member, Swift.Result<BatchApplier.Outcome, any Error>)] {
        let logger = logger
        return await withTaskGroup(of: (Member, Swift.Result<BatchApplier.Outcome, any Error>)?.self) { group in
            for member in members {
                guard let batch = page.batches[member.build.schema] else { continue }
                group.addTask {
                    do {
                        return (
                            member, .success(try await member.applier.write(batch, on: member.writer, logger: logger))
                        )
                    } catch {
                        return (member, .failure(error))
                    }
                }
            }
            var written: [(Member, Swift.Result<BatchApplier.Outcome, any Error>)] = []
            for await result in group { if let result { written.append(result) } }
            return written
        }
    }

    /// Reads pages of every type some build handles from the furthest-behind build's checkpoint, and plans
    /// each for every build, until caught up (or past `until`), shut down or cancelled.
    private func readAndPlan(
        _ members: [Member],
        on conn: Connection,
        failures: Failures,
        into pages: AsyncThrowingChannel<PlannedPage, any Error>
    ) async throws {
        let reader = LogReader(connection: conn)
        let types = members.reduce(into: Set<String>()) { $0.formUnion($1.build.projection.eventTypes) }
        let until = builds.first?.until
        guard var position = members.map(\.start).min() else { return }
        // Once every build has failed there is nobody to read for.
        while !Task.isShuttingDownGracefully && !Task.isCancelled
            && members.contains(where: { !failures.contains($0.build.schema) })
        {
            let page = try await reader.read(
                after: position,
                types: types,
                limit: configuration.batchSize,
                until: until
            )
            // A caught-up page is sent even when empty, once, so each build's checkpoint reaches its end.
            if !page.events.isEmpty || page.end != position || page.isCaughtUp {
                let active = members.filter { !failures.contains($0.build.schema) && $0.start < page.end }
                await pages.send(PlannedPage(batches: await plan(page, for: active)))
                position = page.end
            }
            if page.isFull { continue }
            if page.isCaughtUp { return }
            // Committed events wait behind an open transaction: look again soon (lag, never loss).
            try await Task.sleep(for: configuration.heldBackRetryInterval)
        }
    }

    /// `page` planned for each of `members`, from its own checkpoint on.
    ///
    /// Builds are planned side by side; a build alone plans its page in a chunk per core instead.
    private func plan(_ page: LogPage, for members: [Member]) async -> [String: PreparedBatch] {
        func share(of member: Member) -> LogPage {
            guard page.events.first.map({ $0.position <= member.start }) ?? false else { return page }
            var share = page
            share.events = page.events.filter { $0.position > member.start }
            return share
        }
        if members.count == 1, let member = members.first {
            return [member.build.schema: await member.applier.prepareInParallel(share(of: member))]
        }
        return await withTaskGroup(of: (String, PreparedBatch).self) { group in
            for member in members {
                let page = share(of: member)
                group.addTask { (member.build.schema, BatchApplier.prepare(page, for: member.build.projection)) }
            }
            var batches: [String: PreparedBatch] = [:]
            for await (schema, batch) in group { batches[schema] = batch }
            return batches
        }
    }

    /// Creates the secondary indexes of the caught-up builds (but verify scratches, which are compared and
    /// dropped) and ANALYZEs their tables, side by side on their own sessions.
    private func completeIndexes(of members: [Member], results: inout [String: Result]) async {
        let logger = logger
        let finished = members.filter { member in
            guard case .caughtUp = results[member.build.schema], member.build.purpose != .verify else { return false }
            return true
        }
        let completed = await withTaskGroup(of: (String, Swift.Result<Int, any Error>).self) { group in
            for member in finished {
                group.addTask {
                    let build = member.build
                    do {
                        let created = try await DeferredIndexes.complete(
                            in: build.schema,
                            ddl: build.projection.schemaSQL,
                            tables: build.projection.tables.map(\.name),
                            on: member.writer
                        )
                        return (build.schema, .success(created.count))
                    } catch {
                        return (build.schema, .failure(error))
                    }
                }
            }
            var completed: [(String, Swift.Result<Int, any Error>)] = []
            for await result in group { completed.append(result) }
            return completed
        }
        for (schema, outcome) in completed {
            switch outcome {
            case .success(let count):
                logger.info(
                    "secondary indexes built and tables analyzed",
                    metadata: ["build.schema": "\(schema)", "build.indexes": "\(count)"]
                )
            case .failure(let error):
                results[schema] = .failed(error)
            }
        }
    }
}
