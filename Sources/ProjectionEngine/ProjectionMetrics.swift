import Metrics

/// A projection's metrics through swift-metrics; `projector run` exports them as Prometheus text.
///
/// The names follow Prometheus conventions (a `_total` suffix on counters, seconds for durations)
/// and every series carries the projection's name as its only label. Until a metrics backend is
/// bootstrapped they go nowhere, so tests and other commands pay nothing for them.
public struct ProjectionMetrics: Sendable {
    private let eventsApplied: Counter
    private let deadLettered: Counter
    private let batches: Counter
    private let batchDuration: Metrics.Timer
    private let projection: String
    private let dimensions: [(String, String)]

    /// The metrics of `projection`.
    public init(projection: String) {
        self.projection = projection
        let dimensions = [("projection", projection)]
        eventsApplied = Counter(label: "projector_events_applied_total", dimensions: dimensions)
        deadLettered = Counter(label: "projector_events_dead_lettered_total", dimensions: dimensions)
        batches = Counter(label: "projector_batches_total", dimensions: dimensions)
        batchDuration = Metrics.Timer(
            label: "projector_batch_duration_seconds",
            dimensions: dimensions,
            preferredDisplayUnit: .seconds
        )
        self.dimensions = dimensions
    }

    /// Counts one committed batch and its events (applied or dead-lettered) and records its duration.
    func record(_ outcome: BatchApplier.Outcome, took duration: Duration) {
        eventsApplied.increment(by: outcome.events - outcome.deadLetters)
        if outcome.deadLetters > 0 { deadLettered.increment(by: outcome.deadLetters) }
        batches.increment()
        batchDuration.record(duration: duration)
    }

    /// Sets the gauges from a status sample.
    ///
    /// The gauges are created here, not with the counters: a gauge exists from its creation with the
    /// value 0, and a lag of 0 before anything was measured would read as "caught up".
    public func record(_ status: ProjectionStatus) {
        Gauge(label: "projector_lag_events", dimensions: dimensions).record(status.eventsBehind)
        Gauge(label: "projector_lag_seconds", dimensions: dimensions).record(status.secondsBehind)
        Gauge(label: "projector_dead_letters", dimensions: dimensions).record(status.deadLetters)
        Gauge(label: "projector_dead_letters_parked_behind", dimensions: dimensions)
            .record(status.deadLettersParkedBehind)
        Gauge(label: "projector_dead_letters_crashed_projector", dimensions: dimensions)
            .record(status.deadLettersCrashedProjector)
        Gauge(label: "projector_paused", dimensions: dimensions).record(status.isPaused ? 1 : 0)
        Gauge(label: "projector_stopped_at_dead_letter", dimensions: dimensions)
            .record(status.isStoppedAtDeadLetter ? 1 : 0)
        Gauge(label: "projector_writer_active", dimensions: dimensions).record(status.writerActive ? 1 : 0)
    }

    /// Sets `projector_rebuilding` from a status sample's builds: 1 while a generation that will replace this
    /// projection's live one (a rebuild, a changed projection's or a first install's) is moving. No instance
    /// holds the writer lease meanwhile, and that is expected.
    public func record(_ builds: [BuildStatus]) {
        let building = builds.contains { $0.projection == projection && $0.purpose == "rebuild" && $0.moving }
        Gauge(label: "projector_rebuilding", dimensions: dimensions).record(building ? 1 : 0)
    }
}

/// The process-wide gauges of `projector run`'s status sampler, beside the per-projection ones above.
///
/// Every metric `projector` exports is named in this file; `scripts/monitoring/` alerts and graphs on them.
public enum ServiceMetrics {
    /// Records whether the last status read reached the database: `projector_database_up` is 1 when it did.
    public static func recordStatusRead(succeeded: Bool) {
        Gauge(label: "projector_database_up").record(succeeded ? 1 : 0)
    }

    /// Records how long the oldest open transaction with a transaction id (the one holding every reader's
    /// watermark back) has been open, as `projector_watermark_held_seconds`; 0 when none has for a second.
    public static func recordWatermarkHeld(seconds: Double) {
        Gauge(label: "projector_watermark_held_seconds").record(seconds)
    }
}

/// The poison-pill breaker's counters, labelled by projection (a build's are its projection's).
enum BreakerMetrics {
    /// `projector_breaker_replays_total{projection, kind}`: a process started after one that died applying the
    /// projection's events, and replayed them `cautious`ly (a page at a time) or `careful`ly (an event at a time).
    static func recordReplay(of projection: String, kind: String) {
        Counter(label: "projector_breaker_replays_total", dimensions: [("projection", projection), ("kind", kind)])
            .increment()
    }

    /// `projector_events_quarantined_total{projection}`: events that killed the process twice on their own,
    /// now dead-lettered as `crashed-projector`.
    static func recordQuarantine(of projection: String) {
        Counter(label: "projector_events_quarantined_total", dimensions: [("projection", projection)]).increment()
    }
}
