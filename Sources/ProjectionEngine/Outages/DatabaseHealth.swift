import Metrics
import Synchronization

/// Whether a running projector reaches its database, shared by the runner (which knows) and the HTTP
/// endpoints (which tell): `/ready` is 503 while it is disconnected.
///
/// Also exported as `projector_database_connected` (1 or 0) and `projector_reconnects_total`.
public final class DatabaseHealth: Sendable {
    private struct State {
        var connected = false
        /// When the current outage began; nil while connected.
        var outageStarted: ContinuousClock.Instant?
        /// Failed tries to connect again in the current outage.
        var failedTries = 0
        /// This instance's projections that another instance writes.
        var standingBy: Set<String> = []
    }

    private let state = Mutex(State())
    private let connectedGauge = Gauge(label: "projector_database_connected")
    private let reconnects = Counter(label: "projector_reconnects_total")

    /// Disconnected until the runner first says otherwise.
    public init() {
        connectedGauge.record(0)
    }

    /// Whether the runner's sessions are up.
    public var isConnected: Bool { state.withLock(\.connected) }

    /// How long the current outage has lasted; nil while connected.
    public var outage: Duration? {
        state.withLock { $0.outageStarted.map { ContinuousClock.now - $0 } }
    }

    /// The projections this instance stands by for, another instance being their writer.
    public var standingBy: Set<String> { state.withLock(\.standingBy) }

    /// The runner has its sessions; returns the outage that ended, with its failed tries, if there was one.
    @discardableResult
    func markConnected() -> (lasted: Duration, tries: Int)? {
        let ended = state.withLock { state -> (Duration, Int)? in
            defer {
                state.connected = true
                state.outageStarted = nil
                state.failedTries = 0
            }
            return state.outageStarted.map { (ContinuousClock.now - $0, state.failedTries) }
        }
        connectedGauge.record(1)
        return ended
    }

    /// A session was lost or could not be made; returns whether this began an outage (the first failure
    /// since the runner was last connected), so it is reported once, not at every try.
    func markDisconnected() -> Bool {
        let began = state.withLock { state in
            state.connected = false
            state.failedTries += 1
            guard state.outageStarted == nil else { return false }
            state.outageStarted = .now
            return true
        }
        connectedGauge.record(0)
        reconnects.increment()
        return began
    }

    /// Records whether this instance stands by for `projection`.
    func setStandingBy(_ projection: String, _ standingBy: Bool) {
        state.withLock { state in
            if standingBy { state.standingBy.insert(projection) } else { state.standingBy.remove(projection) }
        }
    }
}
