import Foundation
import Postgres
import ProjectionCore

/// The leases through which one instance at a time writes each projection (DESIGN.md, decision 8).
///
/// A lease is three columns of the projection's checkpoint row: the holding process, its session's server
/// process and an expiry on the server's clock. The holder renews it every third of its length. Another
/// instance takes it when it has lapsed (the holder froze, or lost the network) or when the holder's session
/// no longer exists (the holder died, or stopped without releasing it). Taking it says nothing about what an
/// old holder may still try: the claim that follows gives the checkpoint a new owner token, and every batch
/// commits only under the token it was started with.
enum Leases {
    /// Takes or renews the leases of `projections` that are free, lapsed, or already `holder`'s, for `length`
    /// from now; returns those it holds.
    static func acquire(
        _ projections: [String],
        holder: UUID,
        length: Duration,
        on conn: isolated Connection
    ) throws -> Set<String> {
        let rows = try conn.query(
            """
            UPDATE projector.checkpoints c
            SET lease_holder = \(PostgresUUID(holder.uuidString)), lease_backend_pid = pg_backend_pid(),
                lease_expires_at = clock_timestamp() + make_interval(secs => \(length.seconds))
            WHERE c.projection = ANY(\(projections))
              AND (c.lease_holder IS NULL OR c.lease_holder = \(PostgresUUID(holder.uuidString))
                   OR c.lease_expires_at < clock_timestamp()
                   OR NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = c.lease_backend_pid))
            RETURNING c.projection
            """
        ).rows
        return Set(try rows.map { try $0.decode(String.self, at: 0) })
    }

    /// Extends `holder`'s leases of `projections` by `length` from now; returns those still its own (a lease
    /// another instance took is not renewed: that projection is lost).
    static func renew(
        _ projections: [String],
        holder: UUID,
        length: Duration,
        on conn: isolated Connection
    ) throws -> Set<String> {
        let rows = try conn.query(
            """
            UPDATE projector.checkpoints
            SET lease_expires_at = clock_timestamp() + make_interval(secs => \(length.seconds))
            WHERE projection = ANY(\(projections)) AND lease_holder = \(PostgresUUID(holder.uuidString))
            RETURNING projection
            """
        ).rows
        return Set(try rows.map { try $0.decode(String.self, at: 0) })
    }

    /// Gives up `holder`'s leases of `projections`, so a standby takes over at its next try.
    static func release(_ projections: [String], holder: UUID, on conn: isolated Connection) throws {
        try conn.execute(
            """
            UPDATE projector.checkpoints SET lease_holder = NULL, lease_backend_pid = NULL, lease_expires_at = NULL
            WHERE projection = ANY(\(projections)) AND lease_holder = \(PostgresUUID(holder.uuidString))
            """
        )
    }
}
