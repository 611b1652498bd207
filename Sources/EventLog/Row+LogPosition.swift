import Postgres
import ProjectionCore

extension Row {
    /// The log position in columns `first` (`transaction_id::text`) and `first + 1` (`global_position`).
    public func logPosition(at first: Int = 0) throws(PostgresError) -> LogPosition {
        LogPosition(
            transactionID: try decode(UInt64.self, at: first),
            globalPosition: try decode(Int64.self, at: first + 1)
        )
    }
}
