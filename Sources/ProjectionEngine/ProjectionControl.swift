import Postgres
import ProjectionCore

/// What ops do to a projection through the database, so it works on a running `projector run`
/// wherever it runs: each command changes the checkpoint row, then NOTIFYs the runner to claim it again.
///
/// Each command waits for a batch in flight (the batch updates the same row last), so when it returns
/// the runner has seen it: a paused projection commits no further batch, a reset one starts from zero.
public enum ProjectionControl {
    /// Stops `projection` applying events until `resume`; `reason` (who, why) shows in `projector status`.
    public static func pause(_ projection: String, reason: String, on conn: Connection) async throws {
        try await update(projection, on: conn) { conn in
            try conn.execute(
                "UPDATE projector.checkpoints SET paused = true, paused_reason = \(reason), paused_by = 'ops' WHERE projection = \(projection)"
            )
        }
    }

    /// Lets a paused (or stopped) projection go on from its checkpoint.
    public static func resume(_ projection: String, on conn: Connection) async throws {
        try await update(projection, on: conn) { conn in
            try conn.execute(
                "UPDATE projector.checkpoints SET paused = false, paused_reason = NULL, paused_by = NULL WHERE projection = \(projection)"
            )
        }
    }

    /// Sets what `projection` does when an event fails.
    public static func setPolicy(_ projection: String, _ policy: FailurePolicy, on conn: Connection) async throws {
        try await update(projection, on: conn) { conn in
            try conn.execute(
                "UPDATE projector.checkpoints SET on_failure = \(policy.rawValue) WHERE projection = \(projection)"
            )
        }
    }

    /// Empties `projection`'s tables and moves its checkpoint back to the start of the log, in one
    /// transaction; its dead letters go too (the replay parks again whatever still fails).
    ///
    /// Readers see the tables empty from then until the runner has replayed the log; `projector rebuild`
    /// replaces a read model without that gap.
    public static func reset(_ projection: any Projection, on conn: Connection) async throws {
        let name = projection.name
        let tables = projection.tables.map { quoteIdentifier(name) + "." + quoteIdentifier($0.name) }
        try await update(name, on: conn) { conn in
            try conn.execute(Query(unsafeSQL: "TRUNCATE " + tables.joined(separator: ", ")))
            try conn.execute("DELETE FROM projector.dead_letters WHERE projection = \(name)")
            try conn.execute(
                """
                UPDATE projector.checkpoints
                SET transaction_id = '0', global_position = 0, events_seen = 0, owner = NULL, updated_at = now()
                WHERE projection = \(name)
                """
            )
        }
    }

    /// Locks `projection`'s checkpoint row (waiting for a batch in flight), runs `change`, and notifies runners.
    private static func update(
        _ projection: String,
        on conn: Connection,
        _ change: @Sendable (isolated Connection) throws -> Void
    ) async throws {
        do {
            try await conn.withTransaction { conn in
                try conn.execute("SET LOCAL lock_timeout = '10s'")
                let rows = try conn.query(
                    "SELECT 1 FROM projector.checkpoints WHERE projection = \(projection) FOR UPDATE"
                ).rows
                guard !rows.isEmpty else {
                    throw EngineError("projection \(projection) is not installed; projector run installs it")
                }
                try change(conn)
                try conn.notify(Channels.control, payload: projection)
            }
        } catch {
            if let engine = error.underlying as? EngineError { throw engine }
            throw error
        }
    }
}
