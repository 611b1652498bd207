/// Which projections have had work and made no progress for too long: a stalled writer is a fault that
/// `/ready` must report, not something to find in the lag graph later.
///
/// A projection counts as stalled while it has events to apply and its checkpoint stays where it was,
/// from the first sample that saw it so. A paused projection, or one stopped at a dead letter, is in a
/// state of its own (shown in `/status`), and one another instance writes is not this instance's fault:
/// the caller leaves those out. Pure, so its rules are tested without a clock or a database.
public struct ProgressWatch: Sendable {
    private var since: [String: (checkpoint: String, at: ContinuousClock.Instant)] = [:]

    /// No projection seen yet.
    public init() {}

    /// Records a sample of `projection` at `now`: where its checkpoint is, and whether events wait for it.
    public mutating func observe(
        _ projection: String,
        checkpoint: String,
        hasWork: Bool,
        at now: ContinuousClock.Instant
    ) {
        guard hasWork else {
            since[projection] = nil
            return
        }
        if since[projection]?.checkpoint != checkpoint { since[projection] = (checkpoint, now) }
    }

    /// Forgets `projection` (paused, stopped, written by another instance): it is not stalled.
    public mutating func forget(_ projection: String) {
        since[projection] = nil
    }

    /// The projections that have had work without progress for longer than `limit` at `now`, with how
    /// long, longest first.
    public func stalled(
        longerThan limit: Duration,
        at now: ContinuousClock.Instant
    ) -> [(projection: String, for: Duration)] {
        since.compactMap { name, entry in
            let stalledFor = now - entry.at
            return stalledFor > limit ? (name, stalledFor) : nil
        }.sorted { $0.for > $1.for }
    }
}
