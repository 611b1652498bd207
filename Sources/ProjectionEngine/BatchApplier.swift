import EventLog
import Foundation
import Logging
import Postgres
import ProjectionCore

/// A page of events turned into what one transaction must write: coalesced row changes, dead
/// letters and the checkpoint to move to. Pure work, done while the previous batch is written.
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

/// Applies pages of events to a projection: pure changes first (`prepare`), then one transaction of
/// set-based writes, dead letters and the checkpoint (`write`), for exactly-once effects.
struct BatchApplier: Sendable {
    let projection: any Projection
    let generation: Generation
    let layouts: [String: TableLayout]
    let owner: String
    let onFailure: FailurePolicy
    /// The keys this writer may have written, when it writes a new generation that started empty
    /// (`WrittenKeys`); nil otherwise.
    var writtenKeys: WrittenKeys? = nil
    /// The streams this writer's generation has parked, as far as it knows; one per applier, so per claim.
    let parkedStreams = ParkedStreams()

    /// What one batch did.
    struct Outcome: Sendable {
        var events = 0
        /// Events set aside, those parked behind an earlier dead letter of their stream included.
        var deadLetters = 0
        /// Of `deadLetters`, those parked behind an earlier dead letter of their stream.
        var parkedBehind = 0
        /// Queries spent looking up parked streams: 0 while the generation is known to have parked none.
        var parkingLookups = 0
        /// Where the checkpoint moved: the batch's end, or its first failure under the stop policy.
        var end = LogPosition.start
        var rowsWritten = 0
        var statements = 0
    }

    /// Runs the projection over `page` and plans the writes, on this thread; no I/O.
    func prepare(_ page: LogPage) -> PreparedBatch {
        BatchApplier.prepare(page, for: projection)
    }

    /// Runs `projection` over its events of `page` (a page may hold other projections' types too) and
    /// plans the writes, on this thread; no I/O.
    static func prepare(_ page: LogPage, for projection: any Projection) -> PreparedBatch {
        let events = BatchApplier.events(of: page, for: projection)
        let plan = BatchPlan(BatchApplier.outcomes(of: events, projection: projection), existing: nil)
        return PreparedBatch(page, events: events, plan: plan)
    }

    /// `prepare(_:)`, with a large page's events handed to the projection in a chunk per core: for a
    /// projection planned alone (a build, a catch-up on sessions of its own). The live group plans its
    /// projections side by side already.
    func prepareInParallel(_ page: LogPage) async -> PreparedBatch {
        let events = BatchApplier.events(of: page, for: projection)
        let chunks = min(ProcessInfo.processInfo.activeProcessorCount, events.count / BatchApplier.minimumParallelChunk)
        let plan =
            chunks > 1
            ? BatchPlan(await BatchApplier.outcomes(of: events, in: chunks, projection: projection), existing: nil)
            : BatchPlan(BatchApplier.outcomes(of: events, projection: projection), existing: nil)
        return PreparedBatch(page, events: events, plan: plan)
    }

    /// The events of `page` that `projection` handles.
    static func events(of page: LogPage, for projection: any Projection) -> [RecordedEvent] {
        let types = projection.eventTypes
        return page.events.allSatisfy { types.contains($0.eventType) }
            ? page.events : page.events.filter { types.contains($0.eventType) }
    }

    /// Writes `batch` and moves the checkpoint, in one transaction on `conn`.
    ///
    /// Under the stop policy only the events up to the first failing one are applied, and the
    /// projection is paused in the same transaction; the writer learns of it at its next batch.
    ///
    /// - Throws: `LostOwnership` or `ProjectionPaused` (inside a `TransactionError`): the batch rolled back.
    func write(_ batch: PreparedBatch, on conn: Connection, logger: Logger) async throws -> Outcome {
        let written = try await conn.withTransaction { conn in try self.write(batch, inTransactionOn: conn) }
        report(written, logger: logger)
        return written.outcome
    }

    /// Logs what a committed write parked, and a stop by policy.
    func report(_ written: Written, logger: Logger) {
        for letter in written.letters { log(letter, logger: logger) }
        if written.stopped, let first = written.letters.first(where: { $0.behind == nil }) {
            logger.error(
                "projection stopped at a dead letter (policy stop); resume it after retrying or skipping the event",
                metadata: [LogKey.eventID: "\(first.event.eventID)", LogKey.position: "\(first.event.position)"]
            )
        }
    }

    /// What `write(_:inTransactionOn:)` did, with the letters to log once the transaction commits.
    struct Written: Sendable {
        var outcome: Outcome
        var letters: [DeadLetter]
        var stopped: Bool
    }

    /// `write(_:on:logger:)` inside a transaction the caller holds (a swap's final catch-up, a verify).
    func write(_ batch: PreparedBatch, inTransactionOn conn: isolated Connection) throws -> Written {
        let stops = onFailure == .stop && generation.role == .live
        // Streams parked by earlier batches: their events wait behind their first dead letter.
        let (parked, asked) = try parkedStreams.lookUp(batch.streams, of: generation, on: conn)
        var batch = batch
        if !parked.isEmpty && batch.events.isEmpty && !batch.positions.isEmpty {
            batch.events = try LogReader.events(at: batch.positions, on: conn)
        }
        var plan = try BatchApplier.confirm(
            parked.isEmpty
                ? batch.plan
                : BatchPlan(
                    BatchApplier.outcomes(of: batch.events, projection: projection),
                    existing: nil,
                    parked: parked
                ),
            events: batch.events,
            parked: parked,
            layouts: layouts,
            projection: projection,
            on: conn
        )
        var end = batch.end
        var eventCount = batch.eventCount
        // Stop policy: nothing after the first failure is applied; the batch ends at it. Events parked behind
        // an earlier dead letter are no failure of their own.
        if stops, let first = plan.deadLetters.first(where: { $0.behind == nil }),
            let index = batch.events.firstIndex(where: { $0.eventID == first.event.eventID }),
            index < batch.events.count - 1
        {
            let kept = Array(batch.events[...index])
            plan = try BatchApplier.confirm(
                BatchPlan(BatchApplier.outcomes(of: kept, projection: projection), existing: nil, parked: parked),
                events: kept,
                parked: parked,
                layouts: layouts,
                projection: projection,
                on: conn
            )
            end = first.event.position
            eventCount = kept.count
        }
        let counts = try BatchApplier.writeRows(
            of: plan,
            layouts: layouts,
            projection: projection.name,
            writtenKeys: writtenKeys,
            on: conn
        )
        var outcome = Outcome(events: eventCount, deadLetters: plan.deadLetters.count, end: end)
        outcome.parkedBehind = plan.deadLetters.count(where: { $0.behind != nil })
        outcome.parkingLookups = asked ? 1 : 0
        outcome.statements = counts.statements
        outcome.rowsWritten = counts.rows
        if plan.deadLetters.contains(where: { $0.behind == nil && $0.failure.category.parksItsStream }) {
            parkedStreams.parkedSome()
        }
        try DeadLetters.park(plan.deadLetters, of: generation, on: conn)
        try Checkpoints.advance(generation, owner: owner, to: end, eventsSeen: eventCount, on: conn)
        let failed = plan.deadLetters.first { $0.behind == nil }
        let stopped = stops && failed != nil
        if stopped, let failed {
            try Checkpoints.stop(generation.projection, at: failed, on: conn)
        }
        return Written(outcome: outcome, letters: plan.deadLetters, stopped: stopped)
    }

    /// Applies the log after `start` (up to `until` when given) inside a transaction the caller holds: a
    /// swap's last few events, or a verify scratch brought to the live checkpoint in its snapshot.
    ///
    /// - Returns: where it got to, and whether that is caught up (false after `maxPages` pages, or when
    ///   held back by an open transaction).
    func catchUp(
        from start: LogPosition,
        until: LogPosition? = nil,
        pageSize: Int,
        maxPages: Int = .max,
        on conn: isolated Connection
    ) throws -> (position: LogPosition, caughtUp: Bool) {
        var position = start
        for _ in 0..<maxPages {
            let page = try LogReader.read(
                after: position,
                types: projection.eventTypes,
                limit: pageSize,
                until: until,
                on: conn
            )
            let written = try write(prepare(page), inTransactionOn: conn)
            if written.stopped { return (written.outcome.end, false) }
            if page.isCaughtUp { return (page.end, true) }
            if page.end == position { return (position, false) }
            position = page.end
        }
        return (position, false)
    }

    /// `plan` (made from `events`) once the rows it assumed exist are checked; planned again when one does not.
    static func confirm(
        _ plan: BatchPlan,
        events: [RecordedEvent],
        parked: [String: FirstLetter] = [:],
        layouts: [String: TableLayout],
        projection: any Projection,
        on conn: isolated Connection
    ) throws -> BatchPlan {
        guard !plan.assumedRows.isEmpty else { return plan }
        var existing: Set<RowAddress> = []
        let byTable = Dictionary(grouping: plan.assumedRows, by: \.table)
        for (table, rows) in byTable {
            let writer = TableWriter(layout: try layout(of: table, in: layouts, projection: projection.name))
            for index in try writer.existing(rows.map(\.key), on: conn) { existing.insert(rows[index]) }
        }
        if existing.count == plan.assumedRows.count { return plan }
        return BatchPlan(outcomes(of: events, projection: projection), existing: existing, parked: parked)
    }

    /// Writes `plan`'s row changes, table by table; call inside the transaction that records the outcome.
    static func writeRows(
        of plan: BatchPlan,
        layouts: [String: TableLayout],
        projection: String,
        writtenKeys: WrittenKeys? = nil,
        on conn: isolated Connection
    ) throws -> TableWriter.Counts {
        var total = TableWriter.Counts()
        for (table, rows) in plan.changes {
            let layout = try layout(of: table, in: layouts, projection: projection)
            let counts = try TableWriter(layout: layout, writtenKeys: writtenKeys).write(rows, on: conn)
            total.statements += counts.statements
            total.rows += counts.rows
            total.copied += counts.copied
        }
        return total
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
    static let minimumParallelChunk = 128

    /// What `projection` makes of each of `events`, worked out in `chunks` tasks and returned in order.
    ///
    /// A projection is pure, so its events can be handed to it in any order and on any thread; only
    /// coalescing needs their order. A full page of one projection (a build, a read model catching up
    /// alone) would otherwise be planned on one core while the reader and the other core wait: measured on
    /// a rebuild of the timeline, `projector` used 16 s of CPU in 18.5 s.
    static func outcomes(
        of events: [RecordedEvent],
        in chunks: Int,
        projection: any Projection
    ) async -> [BatchPlan.Outcome] {
        let size = (events.count + chunks - 1) / chunks
        return await withTaskGroup(of: (Int, [BatchPlan.Outcome]).self) { group in
            for start in stride(from: 0, to: events.count, by: size) {
                let chunk = Array(events[start..<min(start + size, events.count)])
                group.addTask { (start, Array(outcomes(of: chunk, projection: projection))) }
            }
            var parts: [(start: Int, outcomes: [BatchPlan.Outcome])] = []
            for await part in group { parts.append(part) }
            return parts.sorted { $0.start < $1.start }.flatMap(\.outcomes)
        }
    }

    static func layout(of table: String, in layouts: [String: TableLayout], projection: String) throws -> TableLayout {
        guard let layout = layouts[table] else {
            throw EngineError("projection \(projection) wrote to table \(table), which it does not declare")
        }
        return layout
    }

    /// Logs a dead letter by position, id, type and reason; never the stream or the payload.
    ///
    /// A build's letters are at debug: they were logged when the live generation parked them, and a
    /// rebuild of a large log would repeat thousands; the swap reports how many it hands over.
    func log(_ letter: DeadLetter, logger: Logger) {
        if let first = letter.behind {
            logger.log(
                level: generation.role == .live ? .notice : .debug,
                "event parked behind a dead letter of its stream",
                metadata: [
                    LogKey.position: "\(letter.event.position)", LogKey.eventID: "\(letter.event.eventID)",
                    LogKey.eventType: "\(letter.event.eventType)", "deadletter.behind_event_id": "\(first.eventID)",
                ]
            )
            return
        }
        logger.log(
            level: generation.role == .live ? .warning : .debug,
            "event dead-lettered",
            metadata: [
                LogKey.position: "\(letter.event.position)", LogKey.eventID: "\(letter.event.eventID)",
                LogKey.eventType: "\(letter.event.eventType)", LogKey.category: "\(letter.failure.category)",
                "deadletter.reason": "\(letter.failure.reason)",
            ]
        )
    }
}
