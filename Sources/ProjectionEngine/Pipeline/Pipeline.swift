import AsyncAlgorithms
import EventLog
import Logging
import Postgres
import ProjectionCore
import ServiceLifecycle
import Synchronization

/// The pipeline run to an end: reads the log once for its consumers, plans each page for all of them
/// (`PagePlanner`) while the previous page is written, and writes each consumer's share apart
/// (`PageWriter`), until every consumer has applied the log up to its end (or `until`), or left.
///
/// Used by a projection catching up on its own and by builds. The live group runs the same reader,
/// planner and writer page by page under its state machine instead (`GroupReader`, `RunnerLoop`).
struct Pipeline: Sendable {
    /// A generation the pipeline writes: what it plans for, how it writes, where it starts.
    struct Consumer: Sendable {
        var key: String
        var applier: BatchApplier
        /// Its own session: shares are written apart.
        var session: Connection
        var start: LogPosition
        var logger: Logger
    }

    /// How a consumer's run ended.
    enum Ending: Sendable {
        /// Applied every committed event up to the log's end or `until`.
        case caughtUp(LogPosition)
        /// Shut down or cancelled first, at this position.
        case stopped(LogPosition)
        /// Left at a write that did not advance (a fault, a pause, another claim, a lost session); the
        /// others went on. It keeps what it committed before.
        case left(WriteOutcome)
    }

    let consumers: [Consumer]
    /// Its own session, prepared as `ReaderSession.prepare` does.
    let reader: Connection
    let configuration: RunnerConfiguration
    /// The last position to apply (as-of builds, a catch-up up to its group); nil for the whole log.
    var until: LogPosition? = nil
    /// The partition of the patients to read, for a worker of a shared rebuild; nil for every event.
    var partition: LogPartition? = nil

    /// Runs until every consumer caught up or left, or shutdown; `onWritten` is called after each share's write.
    ///
    /// - Throws: the reader's failures (its session, a read); a consumer's failure is its `Ending` instead.
    func run(
        onWritten: @escaping @Sendable (Consumer, WriteOutcome, Duration) async -> Void = { _, _, _ in }
    ) async throws -> [String: Ending] {
        let departures = Departures()
        // Capacity one: the reader waits while a planned page is still queued behind the one being written.
        let pages = AsyncThrowingChannel<[String: PreparedBatch], any Error>()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await readAndPlan(departures: departures, into: pages)
                    pages.finish()
                } catch {
                    pages.fail(error)
                }
            }
            var endings: [String: Ending] = [:]
            var positions = Dictionary(uniqueKeysWithValues: consumers.map { ($0.key, $0.start) })
            for try await batches in pages {
                let shares = consumers.compactMap { consumer -> PageWriter.Share? in
                    guard endings[consumer.key] == nil, let batch = batches[consumer.key] else { return nil }
                    return PageWriter.Share(
                        key: consumer.key,
                        applier: consumer.applier,
                        batch: batch,
                        session: consumer.session,
                        logger: consumer.logger
                    )
                }
                let (outcomes, took) = await PageWriter.write(shares, policy: .apart)
                for consumer in consumers {
                    guard let outcome = outcomes[consumer.key] else { continue }
                    if case .advanced(let written) = outcome {
                        positions[consumer.key] = written.outcome.end
                    } else {
                        // Out for good: a later page must never commit past the one that did not.
                        departures.add(consumer.key)
                        endings[consumer.key] = .left(outcome)
                    }
                    await onWritten(consumer, outcome, took)
                }
            }
            try await group.waitForAll()
            let stopped = Task.isCancelled || Task.isShuttingDownGracefully
            for consumer in consumers where endings[consumer.key] == nil {
                let position = positions[consumer.key] ?? consumer.start
                endings[consumer.key] = stopped ? .stopped(position) : .caughtUp(position)
            }
            return endings
        }
    }

    /// Reads pages of every type some consumer handles from the furthest-behind consumer's position, and
    /// plans each for every consumer still in, until caught up (or past `until`), shut down or cancelled.
    private func readAndPlan(
        departures: Departures,
        into pages: AsyncThrowingChannel<[String: PreparedBatch], any Error>
    ) async throws {
        let log = LogReader(connection: reader)
        let types = consumers.reduce(into: Set<String>()) { $0.formUnion($1.applier.projection.eventTypes) }
        guard var position = consumers.map(\.start).min() else { return }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let active = consumers.filter { !departures.contains($0.key) }
            // Once every consumer has left there is nobody to read for.
            if active.isEmpty { return }
            let page = try await log.read(
                after: position,
                types: types,
                limit: configuration.batchSize,
                maxBytes: configuration.pageBytes,
                until: until,
                partition: partition
            )
            // A caught-up page is sent even when empty, so each checkpoint reaches the end.
            if !page.events.isEmpty || page.end != position || page.isCaughtUp {
                let planned = active.filter { $0.start < page.end }.map {
                    PagePlanner.Consumer(key: $0.key, projection: $0.applier.projection, start: $0.start)
                }
                await pages.send(await PagePlanner.plan(page, for: planned))
                position = page.end
            }
            if page.isFull { continue }
            if page.isCaughtUp || until.map({ position >= $0 }) == true { return }
            // Committed events wait behind an open transaction: look again soon (lag, never loss).
            try await Task.sleep(for: configuration.heldBackRetryInterval)
        }
    }
}

/// The consumers that left a pipeline, shared between its writer and its reader.
private final class Departures: Sendable {
    private let left = Mutex<Set<String>>([])
    func add(_ key: String) { _ = left.withLock { $0.insert(key) } }
    func contains(_ key: String) -> Bool { left.withLock { $0.contains(key) } }
}
