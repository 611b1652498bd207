import Foundation
import Logging
import Postgres
import ProjectionCore
import ServiceLifecycle

/// Runs work that needs the database again and again while the database is away, waiting between tries
/// with capped exponential backoff and jitter.
///
/// A try that fails with a lost or refused connection (`Outage.isConnectionLoss`) is retried: a restart, a
/// failover, a network cut or `pg_terminate_backend` is never a reason to exit. Everything else ends the
/// run: shutdown, a changed projection, authentication, a database that does not exist. The first failure
/// of an outage is logged as a warning, later tries at debug, and its end once at notice.
public struct Reconnector: Sendable {
    /// The wait after the first failure, doubled per failure in a row up to `maxDelay`. Defaults to 0.25 s.
    public var initialDelay: Duration = .milliseconds(250)
    /// The longest wait between tries. Defaults to 15 seconds.
    public var maxDelay: Duration = .seconds(15)
    let health: DatabaseHealth
    let logger: Logger

    /// A reconnector that reports to `health`.
    public init(health: DatabaseHealth, logger: Logger) {
        self.health = health
        self.logger = logger
    }

    /// Runs `body` until it returns or fails with something a reconnect cannot mend.
    ///
    /// `body` calls its argument once it holds its sessions and has done its first work: that ends the outage
    /// (and resets the backoff).
    public func run<T>(_ body: (_ connected: @escaping @Sendable () -> Void) async throws -> T) async throws -> T {
        var failures = 0
        let health = health
        let logger = logger
        while true {
            do {
                return try await body {
                    if let ended = health.markConnected() {
                        logger.notice(
                            "database connection back",
                            metadata: [
                                "outage.seconds": "\(Self.seconds(ended.lasted))", "outage.tries": "\(ended.tries)",
                            ]
                        )
                    }
                }
            } catch {
                guard Outage.isConnectionLoss(error), !Task.isCancelled, !Task.isShuttingDownGracefully else {
                    throw error
                }
                if health.isConnected { failures = 0 }
                failures += 1
                let delay = Self.delay(after: failures, initial: initialDelay, max: maxDelay)
                // libpq's text names host and port, never the password, and a lost session's error has no values.
                let metadata: Logger.Metadata = [
                    "error": "\(error)", "retry.seconds": "\(Self.seconds(delay))",
                ]
                if health.markDisconnected() {
                    logger.warning("database connection lost; reconnecting until it is back", metadata: metadata)
                } else {
                    logger.debug("database still unreachable", metadata: metadata)
                }
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
                if Task.isCancelled || Task.isShuttingDownGracefully { throw CancellationError() }
            }
        }
    }

    /// The wait before try `failures + 1`: `initial × 2^(failures-1)` capped at `max`, then a random point in
    /// its upper half, so instances that lost the same server do not all come back at the same instant.
    static func delay(after failures: Int, initial: Duration, max: Duration) -> Duration {
        var delay = initial
        for _ in 1..<Swift.max(1, Swift.min(failures, 30)) where delay < max { delay = delay * 2 }
        let capped = Swift.min(delay, max)
        return capped / 2 + capped / 2 * Double.random(in: 0...1)
    }

    private static func seconds(_ duration: Duration) -> String {
        String(format: "%.2f", duration.seconds)
    }
}
