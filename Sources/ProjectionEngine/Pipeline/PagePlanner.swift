import EventLog
import Foundation
import ProjectionCore

/// The pure half of the pipeline: each consumer's share of a page, run through its projection and planned
/// as one transaction's writes, while the previous page is being written. No I/O.
enum PagePlanner {
    /// A generation a page is planned for.
    struct Consumer: Sendable {
        /// How its share is named in the plan: a projection's name, or a build's schema.
        var key: String
        var projection: any Projection
        /// Where it stands: events at or before this position are not its share (a resumed build that is
        /// ahead of the others it is built with). Nil for all of the page.
        var start: LogPosition? = nil
    }

    /// `page` planned for each of `consumers`, by key.
    ///
    /// Several consumers are planned side by side, one task each; a consumer alone has its page handed to
    /// its projection in a chunk per core instead, or one core would plan while the other waits.
    static func plan(_ page: LogPage, for consumers: [Consumer]) async -> [String: PreparedBatch] {
        if consumers.count == 1, let consumer = consumers.first {
            return [consumer.key: await planInChunks(share(of: page, for: consumer), for: consumer.projection)]
        }
        return await withTaskGroup(of: (String, PreparedBatch).self) { group in
            for consumer in consumers {
                let share = share(of: page, for: consumer)
                group.addTask { (consumer.key, prepare(share, for: consumer.projection)) }
            }
            var batches: [String: PreparedBatch] = [:]
            for await (key, batch) in group { batches[key] = batch }
            return batches
        }
    }

    /// Runs `projection` over its events of `page` (a page may hold other projections' types too) and
    /// plans the writes, on this thread.
    static func prepare(_ page: LogPage, for projection: any Projection) -> PreparedBatch {
        let events = events(of: page, for: projection)
        return PreparedBatch(
            page,
            events: events,
            plan: BatchPlan(outcomes(of: events, projection: projection), existing: nil)
        )
    }

    /// What `projection` makes of each of `events`, computed as the plan reads them.
    static func outcomes(
        of events: [RecordedEvent],
        projection: any Projection
    ) -> LazyMapSequence<[RecordedEvent], BatchPlan.Outcome> {
        events.lazy.map { event in
            BatchPlan.Outcome(
                event: event,
                changes: Result { () throws(ProjectionFailure) in try projection.changes(for: event) }
            )
        }
    }

    /// The fewest events worth a task of their own when a page is planned in chunks.
    static let minimumChunk = 128

    /// `prepare`, with a large page's events handed to the projection in a chunk per core.
    ///
    /// A projection is pure, so its events can be handed to it in any order and on any thread; only
    /// coalescing needs their order. Measured on a rebuild of the timeline planned on one core, `projector`
    /// used 16 s of CPU in 18.5 s while the server waited.
    private static func planInChunks(_ page: LogPage, for projection: any Projection) async -> PreparedBatch {
        let events = events(of: page, for: projection)
        let chunks = min(ProcessInfo.processInfo.activeProcessorCount, events.count / minimumChunk)
        guard chunks > 1 else { return prepare(page, for: projection) }
        let size = (events.count + chunks - 1) / chunks
        let planned = await withTaskGroup(of: (Int, [BatchPlan.Outcome]).self) { group in
            for start in stride(from: 0, to: events.count, by: size) {
                let chunk = Array(events[start..<min(start + size, events.count)])
                group.addTask { (start, Array(outcomes(of: chunk, projection: projection))) }
            }
            var parts: [(start: Int, outcomes: [BatchPlan.Outcome])] = []
            for await part in group { parts.append(part) }
            return parts.sorted { $0.start < $1.start }.flatMap(\.outcomes)
        }
        return PreparedBatch(page, events: events, plan: BatchPlan(planned, existing: nil))
    }

    /// The events of `page` that `projection` handles.
    private static func events(of page: LogPage, for projection: any Projection) -> [RecordedEvent] {
        let types = projection.eventTypes
        return page.events.allSatisfy { types.contains($0.eventType) }
            ? page.events : page.events.filter { types.contains($0.eventType) }
    }

    /// `page` without the events `consumer` has already applied.
    private static func share(of page: LogPage, for consumer: Consumer) -> LogPage {
        guard let start = consumer.start, page.events.first.map({ $0.position <= start }) ?? false else { return page }
        var share = page
        share.events = page.events.filter { $0.position > start }
        return share
    }
}

/// A page of events turned into what one transaction must write: coalesced row changes, dead
/// letters and the checkpoint to move to.
struct PreparedBatch: Sendable {
    /// The rows to write and the events set aside.
    var plan: BatchPlan
    /// The page's events, for the writer to plan again (the projection is pure, so it gives the same
    /// changes) when a row `plan` assumed exists does not, or at a dead letter under the stop policy;
    /// empty otherwise, so a page's payloads are not held while it is written.
    var events: [RecordedEvent]
    /// The stream of each event, in order: what the writer looks up among the streams parked before.
    var streams: [String] = []
    /// The global position of each event, in order: how the writer reads `events` again when it was not
    /// kept and one of `streams` turns out to be parked.
    var positions: [Int64] = []
    /// Where the checkpoint moves when the batch commits.
    var end: LogPosition
    /// How many events the page held.
    var eventCount: Int
    /// Whether every committed event was read once this batch is written.
    var isCaughtUp: Bool
}

extension PreparedBatch {
    /// The batch of `events` (the projection's of `page`), planned as `plan`.
    init(_ page: LogPage, events: [RecordedEvent], plan: BatchPlan) {
        // The events are kept only when the writer may plan again: a missing row, or the stop policy
        // (which it knows only when writing) at a dead letter. A stream parked before the batch, which
        // only the writer learns of, reads them again (rare: such a stream has failed already).
        let mayReplan = !plan.assumedRows.isEmpty || !plan.deadLetters.isEmpty
        self.init(
            plan: plan,
            events: mayReplan ? events : [],
            streams: events.map(\.streamID),
            positions: events.map(\.position.globalPosition),
            end: page.end,
            eventCount: events.count,
            isCaughtUp: page.isCaughtUp
        )
    }
}
