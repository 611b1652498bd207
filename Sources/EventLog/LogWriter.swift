import Postgres
import ProjectionCore

/// Appends events to the log through the `eventlog.append*` functions, one round trip per call.
public struct LogWriter: Sendable {
    /// The connection appends run on.
    public let connection: Connection

    /// A writer on `connection`.
    public init(connection: Connection) {
        self.connection = connection
    }

    /// Appends `events` to `stream` when it is at `expected`, in one transaction.
    ///
    /// Re-appending events whose ids are all in the log already is a no-op, whatever the version; the
    /// result then gives the position where they were first stored.
    /// - Returns: the stream's version (last `stream_position`) after the append, and the log position of
    ///   the last of the events, for read-your-writes (`projector.wait_for`).
    /// - Throws: `WrongExpectedVersion` on a conflict, `PostgresError` otherwise.
    @discardableResult
    public func append(
        _ events: [NewEvent],
        to stream: String,
        expected: ExpectedVersion = .any
    ) async throws -> Appended {
        precondition(!events.isEmpty, "append at least one event")
        precondition(events.allSatisfy { $0.stream == stream }, "every event must belong to the stream appended to")
        let ids = events.map(\.eventID)
        let types = events.map(\.type)
        let data = events.map(\.data)
        let metadata = events.map(\.metadata)
        let result: QueryResult
        do {
            result = try await connection.query(
                """
                SELECT version, transaction_id::text, global_position
                FROM eventlog.append_with_position(\(stream), \(expected.sqlValue), \(ids)::uuid[], \(types),
                                                   \(data)::jsonb[], \(metadata)::jsonb[])
                """
            )
        } catch {
            guard error.sqlState == "EL409" else { throw error }
            throw WrongExpectedVersion(stream: stream, expected: expected, actual: Self.actualVersion(in: error))
        }
        let row = result.rows[0]
        return Appended(version: try row.decode(Int64.self, at: 0), position: try row.logPosition(at: 1))
    }

    /// Appends `events` to their streams at whatever versions they have, set-based, in one transaction.
    ///
    /// Events whose ids are already in the log are skipped, so a re-import is a no-op.
    /// - Returns: how many events were stored.
    @discardableResult
    public func appendMany(_ events: [NewEvent]) async throws(PostgresError) -> Int {
        try await append(AppendBatch(events))
    }

    /// Appends a batch made ready beforehand (`AppendBatch`), as `appendMany(_:)` does.
    /// - Returns: how many events were stored.
    @discardableResult
    public func append(_ batch: AppendBatch) async throws(PostgresError) -> Int {
        guard let query = batch.query else { return 0 }
        return try await connection.query(query).rows[0].decode(Int.self, at: 0)
    }

    /// Appends a stream of events in transactions of `batchSize`, holding one batch in memory at a time.
    ///
    /// - Returns: how many events were read from `events` and how many were stored (the rest were
    ///   already in the log).
    @discardableResult
    public func appendMany(
        _ events: some Sequence<NewEvent>,
        batchSize: Int
    ) async throws(PostgresError) -> (read: Int, stored: Int) {
        precondition(batchSize > 0, "batchSize must be positive")
        var batch: [NewEvent] = []
        batch.reserveCapacity(batchSize)
        var read = 0
        var stored = 0
        for event in events {
            batch.append(event)
            read += 1
            if batch.count == batchSize {
                stored += try await appendMany(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        stored += try await appendMany(batch)
        return (read, stored)
    }

    /// The actual version from `eventlog.append`'s DETAIL ("expected 3, actual 5").
    private static func actualVersion(in error: PostgresError) -> Int64 {
        guard let last = error.detail?.split(separator: " ").last else { return -1 }
        return Int64(last) ?? -1
    }
}
