import CLibPQ

#if canImport(Glibc)
import Glibc
#endif

/// A message received through LISTEN/NOTIFY.
public struct PostgresNotification: Sendable, Hashable {
    /// The channel it was sent on.
    public var channel: String
    /// The payload; empty when the sender gave none.
    public var payload: String
    /// The server process that sent it.
    public var senderPID: Int32
}

extension Connection {
    /// Subscribes this connection to `channel`.
    public func listen(_ channel: String) throws(PostgresError) {
        try execute("LISTEN \(identifier: channel)")
    }

    /// Sends `payload` on `channel`, delivered when the current transaction commits.
    public func notify(_ channel: String, payload: String = "") throws(PostgresError) {
        try execute("SELECT pg_notify(\(channel), \(payload))")
    }

    /// The next notification on a channel this connection listens to, or nil after `timeout`.
    ///
    /// Notifications that arrived during earlier statements are returned first, without waiting.
    /// - Throws: a connection error when the connection breaks while waiting.
    public func nextNotification(timeout: Duration) throws(PostgresError) -> PostgresNotification? {
        let conn = try liveHandle()
        if let pending = try takeNotification(conn) { return pending }
        var fd = pollfd(fd: PQsocket(conn), events: Int16(POLLIN), revents: 0)
        let millis = Int32(
            clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        )
        let ready = poll(&fd, 1, millis)
        if ready < 0 && errno != EINTR {
            throw PostgresError(kind: .connection, message: "poll failed on the connection socket")
        }
        return try takeNotification(conn)
    }

    private func takeNotification(_ conn: OpaquePointer) throws(PostgresError) -> PostgresNotification? {
        guard PQconsumeInput(conn) == 1 else { throw PostgresError.connection(conn) }
        guard let raw = PQnotifies(conn) else { return nil }
        defer { PQfreemem(raw) }
        return PostgresNotification(
            channel: String(cString: raw.pointee.relname),
            payload: String(cString: raw.pointee.extra),
            senderPID: raw.pointee.be_pid
        )
    }
}
