import Postgres
import ProjectionCore

/// Turns what ops type for "as of" into a log position.
///
/// - Important: The queries sort by the qualified `e.transaction_id`. A bare `transaction_id` in
///   `ORDER BY` names the selected `transaction_id::text` output column, which sorts as text
///   ("998" after "1860").
public enum LogPositions {
    /// The position `text` names: `xid/position` as `projector status` prints it, a bare
    /// `global_position`, or a time (anything PostgreSQL reads as `timestamptz`, e.g.
    /// `2026-03-01T09:00:00Z`), meaning the last event in log order recorded at or before it.
    ///
    /// - Throws: `LogPositionError` when `text` is none of these or names no event.
    public static func resolve(_ text: String, on conn: Connection) async throws -> LogPosition {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 2, let xid = UInt64(parts[0]), let position = Int64(parts[1]) {
            return LogPosition(transactionID: xid, globalPosition: position)
        }
        if let position = Int64(text) {
            let rows = try await conn.query(
                "SELECT transaction_id::text FROM eventlog.events WHERE global_position = \(position)"
            ).rows
            guard let row = rows.first else { throw LogPositionError("no event has global position \(position)") }
            return LogPosition(transactionID: try row.decode(UInt64.self, at: 0), globalPosition: position)
        }
        let time: String
        do {
            time = try await conn.query("SELECT \(text)::timestamptz::text").rows[0].decode(String.self, at: 0)
        } catch {
            throw LogPositionError("\(text) is neither a position (xid/position or a number) nor a time")
        }
        let rows = try await conn.query(
            """
            SELECT e.transaction_id::text, e.global_position FROM eventlog.events e
            WHERE e.recorded_at <= \(time)::timestamptz
            ORDER BY e.transaction_id DESC, e.global_position DESC LIMIT 1
            """
        ).rows
        guard let row = rows.first else { throw LogPositionError("no event was recorded at or before \(time)") }
        return try row.logPosition()
    }

    /// The position of the last committed event, or the start of the log when it is empty.
    public static func head(on conn: Connection) async throws -> LogPosition {
        let rows = try await conn.query(
            """
            SELECT e.transaction_id::text, e.global_position FROM eventlog.events e
            WHERE e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY e.transaction_id DESC, e.global_position DESC LIMIT 1
            """
        ).rows
        guard let row = rows.first else { return .start }
        return try row.logPosition()
    }
}

/// An "as of" that names no position.
public struct LogPositionError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, in words for ops.
    public var description: String
    init(_ description: String) { self.description = description }
}
