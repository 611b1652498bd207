import EventLog
import Foundation
import Logging
import Postgres
import ProjectionCore

/// Writes a planned page (`PagePlanner`) to one generation of a projection: set-based row writes, dead
/// letters and the checkpoint, in one transaction, for exactly-once effects.
struct BatchApplier: Sendable {
    /// The projection, under its quarantine (the poison-pill breaker's): a quarantined event is dead-lettered.
    let quarantined: QuarantinedProjection
    var projection: any Projection { quarantined }
    let generation: Generation
    let layouts: [String: TableLayout]
    let owner: String
    let onFailure: FailurePolicy
    /// The keys this writer may have written, when it writes a new generation that started empty
    /// (`WrittenKeys`); nil otherwise.
    var writtenKeys: WrittenKeys? = nil

    /// An applier for `projection` (under its quarantine, or a new, empty one) into `generation`.
    init(
        projection: any Projection,
        generation: Generation,
        layouts: [String: TableLayout],
        owner: String,
        onFailure: FailurePolicy,
        writtenKeys: WrittenKeys? = nil
    ) {
        self.quarantined = QuarantinedProjection.wrap(projection)
        self.generation = generation
        self.layouts = layouts
        self.owner = owner
        self.onFailure = onFailure
        self.writtenKeys = writtenKeys
    }
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

    /// Writes `batch` and moves the checkpoint, in one transaction on `conn`, which commits only if the
    /// checkpoint advanced; logs what it parked once committed.
    ///
    /// Under the stop policy only the events up to the first failing one are applied, and the
    /// projection is paused in the same transaction; the writer learns of it at its next batch.
    func write(_ batch: PreparedBatch, on conn: Connection, logger: Logger) async -> WriteOutcome {
        do {
            let outcome = try await conn.withTransaction(ending: { conn in
                try self.write(batch, inTransactionOn: conn).transactionEnd
            })
            if case .advanced(let written) = outcome { report(written, logger: logger) }
            return outcome
        } catch {
            return WriteOutcome(thrown: error)
        }
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

    /// `write(_:on:logger:)` inside a transaction the caller holds, which must roll back unless the outcome
    /// is `.advanced`.
    func write(_ batch: PreparedBatch, inTransactionOn conn: isolated Connection) throws -> WriteOutcome {
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
                    PagePlanner.outcomes(of: batch.events, projection: projection),
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
                BatchPlan(PagePlanner.outcomes(of: kept, projection: projection), existing: nil, parked: parked),
                events: kept,
                parked: parked,
                layouts: layouts,
                projection: projection,
                on: conn
            )
            end = first.event.position
            eventCount = kept.count
        }
        // The rows, the letters and the checkpoint in one round trip: no result is needed in between, and
        // on a busy machine the round trips were most of a small live page's time.
        let statements = try BatchApplier.rowStatements(
            of: plan,
            layouts: layouts,
            projection: projection.name,
            writtenKeys: writtenKeys
        )
        let counts = statements.counts
        let park = DeadLetters.parkStatement(plan.deadLetters, of: generation)
        let checkpoint = Checkpoints.advanceStatement(generation, owner: owner, to: end, eventsSeen: eventCount)
        let results = try statements.write(then: [park, checkpoint].compactMap { $0 }, on: conn)
        var outcome = Outcome(events: eventCount, deadLetters: plan.deadLetters.count, end: end)
        outcome.parkedBehind = plan.deadLetters.count(where: { $0.behind != nil })
        outcome.parkingLookups = asked ? 1 : 0
        outcome.statements = counts.statements
        outcome.rowsWritten = counts.rows
        if plan.deadLetters.contains(where: { $0.behind == nil && $0.failure.category.parksItsStream }) {
            parkedStreams.parkedSome()
        }
        let advance = try Checkpoints.advance(
            generation,
            owner: owner,
            updated: results.last?.affectedRows ?? 0,
            on: conn
        )
        let failed = plan.deadLetters.first { $0.behind == nil }
        let stopped = stops && failed != nil
        if advance == .advanced, stopped, let failed {
            try Checkpoints.stop(generation.projection, at: failed, on: conn)
        }
        return WriteOutcome(
            advance: advance,
            written: Written(outcome: outcome, letters: plan.deadLetters, stopped: stopped)
        )
    }

    /// How far `catchUp` got.
    struct Reach: Sendable {
        var position: LogPosition
        /// Whether every committed event (up to `until`) is applied.
        var caughtUp: Bool
        /// Set when the checkpoint refused a page (`.paused` or `.lostOwnership`): the caller's transaction
        /// must roll back.
        var refusal: WriteOutcome?

        /// This reach, or, when the checkpoint refused a page, `CheckpointRefused`: for a caller whose
        /// transaction fails as a whole then (a swap, a verification).
        func refusalThrown(for projection: String) throws(CheckpointRefused) -> Reach {
            switch refusal {
            case .paused?: throw CheckpointRefused(projection: projection, advance: .paused)
            case .some: throw CheckpointRefused(projection: projection, advance: .lostOwnership)
            case nil: return self
            }
        }
    }

    /// Applies the log after `start` (up to `until` when given) inside a transaction the caller holds: a
    /// projection joining its group, a swap's last few events, or a verify scratch brought to the live
    /// checkpoint in its snapshot. Stops early after `maxPages` pages, when held back by an open
    /// transaction, at a dead letter under the stop policy, or when the checkpoint refuses a page.
    func catchUp(
        from start: LogPosition,
        until: LogPosition? = nil,
        pageSize: Int,
        pageBytes: Int,
        maxPages: Int = .max,
        on conn: isolated Connection
    ) throws -> Reach {
        var position = start
        for _ in 0..<maxPages {
            let page = try LogReader.read(
                after: position,
                types: projection.eventTypes,
                limit: pageSize,
                maxBytes: pageBytes,
                until: until,
                on: conn
            )
            let outcome = try write(PagePlanner.prepare(page, for: projection), inTransactionOn: conn)
            guard case .advanced(let written) = outcome else {
                return Reach(position: position, caughtUp: false, refusal: outcome)
            }
            if written.stopped { return Reach(position: written.outcome.end, caughtUp: false) }
            if page.isCaughtUp { return Reach(position: page.end, caughtUp: true) }
            if page.end == position { return Reach(position: position, caughtUp: false) }
            position = page.end
        }
        return Reach(position: position, caughtUp: false)
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
        return BatchPlan(PagePlanner.outcomes(of: events, projection: projection), existing: existing, parked: parked)
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
