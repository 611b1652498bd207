import Logging
import Synchronization

/// Logs a runner's builds (a changed projection, a first install) every `interval`: they can take minutes,
/// and nothing else in the log shows them moving. Counts and positions only, never an event's content.
final class BuildProgressLog: Sendable {
    private let logger: Logger
    private let interval: Duration
    private let last = Mutex<ContinuousClock.Instant?>(nil)

    init(logger: Logger, interval: Duration = .seconds(10)) {
        self.logger = logger
        self.interval = interval
    }

    /// Called after each batch of the build; logs at most once per interval.
    func record(_ progress: BuildProgress) {
        let now = ContinuousClock.now
        let due = last.withLock { last in
            guard last.map({ now - $0 >= interval }) ?? true else { return false }
            last = now
            return true
        }
        guard due else { return }
        logger.info(
            "building",
            metadata: [
                "build.events_done": "\(progress.eventsDone)",
                "build.events_total": "\(progress.eventsTotal)",
                "build.events_per_second": "\(Int(progress.eventsPerSecond))",
                "build.seconds_left": "\(progress.secondsLeft.map { Int($0) }.map(String.init) ?? "unknown")",
                "build.position": "\(progress.position)",
            ]
        )
    }
}
