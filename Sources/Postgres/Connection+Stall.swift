import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What a watchdog on another thread may know of a session and do to it, without waiting for it: a
/// session may be stuck inside a statement that never returns.
extension Connection {
    /// How long the statement in progress has run; nil between statements (a NOTIFY wait included).
    ///
    /// Read from any thread, without waiting for the session: what a watchdog asks of a session that may
    /// be stuck inside a statement.
    public nonisolated var statementAge: Duration? {
        let start = statementStart.load(ordering: .relaxed)
        guard start != 0 else { return nil }
        let now = DispatchTime.now().uptimeNanoseconds
        return .nanoseconds(Int64(clamping: now &- min(start, now)))
    }

    /// Cuts the session off from any thread, even while a statement blocks it: the socket is shut down, so
    /// the statement in progress (and every later call) fails as a lost connection at once.
    ///
    /// For a session whose server process stopped answering (frozen, or behind a network path that lost
    /// its peer without a reset): closing the session normally would wait for that same process. The
    /// server side ends whenever that process runs again and finds its client gone.
    /// Shutting a socket down ends it for every descriptor that refers to it, libpq's included.
    public nonisolated func abort() {
        socket.withLock { fd in
            if fd >= 0 { _ = shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    /// Marks a statement as started, for `statementAge`; call `statementEnded()` when it returns.
    func statementStarted() {
        statementStart.store(max(1, DispatchTime.now().uptimeNanoseconds), ordering: .relaxed)
    }

    func statementEnded() {
        statementStart.store(0, ordering: .relaxed)
    }
}
