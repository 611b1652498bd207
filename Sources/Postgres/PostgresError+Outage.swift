extension PostgresError {
    /// Whether the session is gone or the server cannot serve it now (a restart, a failover, a network cut, an
    /// administrator's `pg_terminate_backend`): connecting again later is the remedy.
    ///
    /// A failed connect counts unless `isPermanentConnectFailure`: a server that is down, starting or
    /// shutting down answers like one that is unreachable.
    public var isConnectionLoss: Bool {
        if kind == .connection { return !isPermanentConnectFailure }
        guard let sqlState else { return false }
        // 08: connection exception; 57P01-57P03: admin shutdown, crash shutdown, cannot connect now;
        // 53300: too many connections (a failover's stampede); 25P03: idle in transaction timeout.
        return sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03", "53300", "25P03"].contains(sqlState)
    }

    /// Whether connecting failed for a reason no retry mends: authentication, a database or role that does
    /// not exist, a malformed connection string.
    ///
    /// libpq reports a failed connect as text without a SQLSTATE, so this matches the messages of libpq and
    /// of a server whose `lc_messages` is English. A message in another language is retried as an outage.
    public var isPermanentConnectFailure: Bool {
        guard kind == .connection else { return false }
        return Self.permanentConnectMarkers.contains { message.contains($0) }
    }

    private static let permanentConnectMarkers = [
        "password authentication failed", "authentication failed", "no pg_hba.conf entry",
        "no password supplied", "does not exist", "invalid connection option", "invalid URI",
        "missing \"=\" after", "invalid sslmode value", "invalid port number", "invalid integer value",
        "invalid value for parameter", "invalid connection string", "permission denied for database",
    ]
}
