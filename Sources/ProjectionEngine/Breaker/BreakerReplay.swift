import EventLog
import Foundation
import Logging
import Postgres
import ProjectionCore
import ServiceLifecycle

/// What a process does first with a consumer whose last holder died: the events after its checkpoint
/// applied in small pages, one at a time, each recorded in `projector.breakers` before it is applied, so
/// that the next death says where it happened (`BreakerDecision`).
///
/// Reads and writes on one session, in turn: no page is read ahead of the one being written. Used by a
/// live projection's claim and a build's start; the pipeline takes over from where it ends.
struct BreakerReplay: Sendable {
    /// The live projection's name or the build's schema.
    let consumer: String
    /// How it writes, under the claim just taken.
    let applier: BatchApplier
    let session: Connection
    let configuration: RunnerConfiguration
    let logger: Logger
    /// The last position to apply (an as-of build, a verification), nil for the log's end.
    var until: LogPosition? = nil

    /// How many pages a cautious replay applies before the pipeline takes over: as many as the pipeline can
    /// hold in flight (one written, one queued, one planned), so the page that killed the process is among them.
    static let cautiousPages = 3

    /// How a replay ended.
    enum Ending: Sendable {
        /// The consumer stands here; the pipeline goes on from it.
        case at(LogPosition)
        /// A write did not advance (a fault, a pause, another claim, a lost session); the consumer stands at
        /// the position.
        case left(WriteOutcome, LogPosition)
    }

    /// Loads the projection's quarantine, starts `holder`'s work on the consumer at `checkpoint`
    /// (`Breaker.start`) and carries out what the breaker decides.
    static func start(
        _ replay: BreakerReplay,
        holder: UUID,
        at checkpoint: LogPosition
    ) async throws -> Ending {
        let applier = replay.applier
        try await applier.quarantined.quarantine.load(for: applier.projection, on: replay.session)
        let decision = try await Breaker.start(replay.consumer, holder: holder, at: checkpoint, on: replay.session)
        return try await replay.run(decision, from: checkpoint)
    }

    func run(_ decision: BreakerDecision, from checkpoint: LogPosition) async throws -> Ending {
        let projection = applier.projection
        let limit: Int
        var end: LogPosition?
        var pages = Int.max
        switch decision {
        case .proceed:
            return .at(checkpoint)
        case .cautious:
            (limit, pages) = (configuration.batchSize, Self.cautiousPages)
            logger.warning(
                "the last process applying this died after this checkpoint; replaying the next pages one at a time",
                metadata: [LogKey.checkpoint: "\(checkpoint)", "breaker.pages": "\(pages)"]
            )
            BreakerMetrics.recordReplay(of: projection.name, kind: "cautious")
        case .careful(let until), .quarantine(thenCarefulUntil: let until):
            if case .quarantine = decision { try await quarantine(after: checkpoint) }
            limit = 1
            if let until {
                end = until
            } else {
                end = try await Breaker.pageEnd(
                    after: checkpoint,
                    of: projection,
                    events: configuration.batchSize,
                    on: session
                )
            }
            logger.warning(
                "processes applying this died here before; replaying the next events one per transaction",
                metadata: [LogKey.checkpoint: "\(checkpoint)", "breaker.until": "\(end.map { "\($0)" } ?? "-")"]
            )
            BreakerMetrics.recordReplay(of: projection.name, kind: "careful")
        }
        let stop = [end, until].compactMap { $0 }.min()
        var position = checkpoint
        while pages > 0, stop.map({ position < $0 }) ?? true, !Task.isCancelled, !Task.isShuttingDownGracefully {
            let page = try await LogReader(connection: session).read(
                after: position,
                types: projection.eventTypes,
                limit: limit,
                maxBytes: configuration.pageBytes,
                until: stop
            )
            guard !page.events.isEmpty else {
                // Committed events wait behind an older transaction still open (anywhere in the cluster): wait
                // for them, as the pipeline does. Leaving here would hand the suspect events back to the
                // pipeline's read-ahead, and the next death would count as a first one (seen in CI: six deaths
                // instead of four while other tests held transactions open).
                guard page.isHeldBack else { break }
                try await Task.sleep(for: configuration.heldBackRetryInterval)
                continue
            }
            // Marked in flight only now, just before its events are decoded and applied, where a poison event
            // kills: not while the page waits behind an open transaction, a window in which a kill -9 (seen in
            // CI, twice at one event) looked like the event's doing.
            try await Breaker.mark(consumer, .init(after: position, limit: limit, until: end), on: session)
            let batch = PagePlanner.prepare(page, for: projection)
            // One event's code ran and returned: a death while it is written is far likelier a kill than a trap.
            if limit == 1 { try await Breaker.planned(consumer, on: session) }
            let outcome = await applier.write(batch, on: session, logger: logger)
            guard case .advanced(let written) = outcome else { return .left(outcome, position) }
            position = written.outcome.end
            pages -= 1
        }
        try await Breaker.finishPass(consumer, on: session)
        return .at(position)
    }

    /// Quarantines the event after `checkpoint` for the projection's code, and has this process's holders of
    /// that code dead-letter it from now on.
    private func quarantine(after checkpoint: LogPosition) async throws {
        let projection = applier.projection
        if let eventID = try await Breaker.quarantine(
            after: checkpoint,
            of: projection,
            foundBy: consumer,
            on: session
        ) {
            logger.error(
                "an event killed the process twice on its own; quarantined, it is dead-lettered as crashed-projector",
                metadata: [LogKey.checkpoint: "\(checkpoint)", LogKey.eventID: "\(eventID)"]
            )
            BreakerMetrics.recordQuarantine(of: projection.name)
        }
        try await applier.quarantined.quarantine.load(for: projection, on: session)
    }
}
