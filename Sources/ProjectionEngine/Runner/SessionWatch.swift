import Metrics
import Postgres
import Synchronization

/// The sessions a runner writes and reads through, watched for a statement that runs past its deadline.
///
/// A session whose server process stops answering (frozen, or behind a network path that vanished without
/// a reset) blocks its statement for ever: no error, no timeout the server itself could enforce. The
/// runner's `LeaseKeeper`, on a session of its own, asks this watch at each renewal; a stalled session makes
/// the runner give its leases up, so a standby takes over, and cut the session off, so the runner connects
/// again.
final class SessionWatch: Sendable {
    /// How long one statement may run on a watched session. Longer than `lock_timeout`, so a batch that
    /// legitimately waits for a lock fails by itself first and ownership never flaps.
    let deadline: Duration
    private let sessions = Mutex<[String: Connection]>([:])

    init(deadline: Duration) { self.deadline = deadline }

    /// Watches `session` under `role` (writer, reader, a projection's writer for full pages).
    func watch(_ session: Connection, as role: String) {
        sessions.withLock { $0[role] = session }
        // Exported at 0 from now on, so that an alert on its increase sees the first stall.
        _ = Stall.counter(role)
    }

    /// Stops watching `role`'s session.
    func forget(_ role: String) {
        _ = sessions.withLock { $0.removeValue(forKey: role) }
    }

    /// The watched sessions whose statement in progress has run past the deadline.
    func stalled() -> [Stall] {
        sessions.withLock { sessions in
            sessions.compactMap { role, session in
                guard let age = session.statementAge, age > deadline else { return nil }
                return Stall(role: role, age: age, session: session)
            }
        }
        .sorted { $0.role < $1.role }
    }

    /// A session stuck in a statement.
    struct Stall: Sendable {
        var role: String
        var age: Duration
        var session: Connection

        /// Counts it in `projector_sessions_stalled_total` and cuts the session off.
        func end() {
            Self.counter(role).increment()
            session.abort()
        }

        static func counter(_ role: String) -> Counter {
            Counter(label: "projector_sessions_stalled_total", dimensions: [("session", role)])
        }
    }
}
