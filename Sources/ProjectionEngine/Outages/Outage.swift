import Postgres

/// Which failures mean "the database went away" (wait and connect again) rather than a fault to report.
public enum Outage {
    /// Whether `error`, or the error it wraps, is a lost or refused connection that a reconnect may mend.
    public static func isConnectionLoss(_ error: any Error) -> Bool {
        switch error {
        case let error as PostgresError: error.isConnectionLoss
        case let error as TransactionError:
            isConnectionLoss(error.underlying) || error.rollbackError.map { $0.isConnectionLoss } == true
        default: false
        }
    }
}
