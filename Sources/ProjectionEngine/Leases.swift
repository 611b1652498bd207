import Foundation
import Postgres
import ProjectionCore

/// The leases through which one instance at a time writes each projection (the architecture article, "Leases and fencing").
///
/// A lease is a row of `projector.leases`: the holding process, its session's server process and an expiry
/// on the server's clock. The holder renews it every third of its length. Another instance takes it when it
/// has lapsed (the holder froze, or lost the network) or when the holder's session no longer exists (the
/// holder died, or stopped without giving it up). Taking it says nothing about what an old holder may still
/// try: the claim that follows gives the checkpoint a new owner token, and every batch commits only under the
/// token it was started with; and the taker ends the old holder's sessions (`Fencing`), so that its frozen
/// transactions do not keep their locks.
///
/// Every statement locks its rows in the projections' order, so a holder renewing and standbys trying to take
/// over never deadlock.
enum Leases {
    /// What `acquire` took.
    struct Acquired: Sendable, Equatable {
        /// The projections whose leases the caller holds now.
        var held: Set<String> = []
        /// The other holders whose leases it took because they had lapsed or their session was gone: their
        /// sessions are to be ended (`Fencing`).
        var takenFrom: Set<UUID> = []
    }

    /// Takes or renews the leases of `projections` that are free, lapsed, or already `holder`'s, for `length`
    /// from now.
    static func acquire(
        _ projections: [String],
        holder: UUID,
        length: Duration,
        on conn: isolated Connection
    ) throws -> Acquired {
        let names = projections.sorted()
        // Locks every row in the projections' order, as the upsert below would: which other holders it
        // replaces cannot change in between, and the order stays the one every lease statement keeps.
        let others = try conn.query(
            """
            SELECT projection, holder::text FROM (
                SELECT projection, holder, expires_at < clock_timestamp()
                       OR NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = l.backend_pid) AS free
                FROM projector.leases l WHERE projection = ANY(\(names))
                ORDER BY projection FOR UPDATE
            ) locked
            WHERE free AND holder <> \(PostgresUUID(holder.uuidString))
            """
        ).rows.map { (try $0.decode(String.self, at: 0), try $0.decode(String.self, at: 1)) }
        let rows = try conn.query(
            """
            INSERT INTO projector.leases AS l (projection, holder, backend_pid, expires_at)
            SELECT p, \(PostgresUUID(holder.uuidString)), pg_backend_pid(),
                   clock_timestamp() + make_interval(secs => \(length.seconds))
            FROM unnest(\(names)::text[]) AS p ORDER BY p
            ON CONFLICT (projection) DO UPDATE
            SET holder = excluded.holder, backend_pid = excluded.backend_pid, expires_at = excluded.expires_at
            WHERE l.holder = excluded.holder OR l.expires_at < clock_timestamp()
               OR NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = l.backend_pid)
            RETURNING l.projection
            """
        ).rows
        let held = Set(try rows.map { try $0.decode(String.self, at: 0) })
        let takenFrom = Set(others.filter { held.contains($0.0) }.compactMap { UUID(uuidString: $0.1) })
        return Acquired(held: held, takenFrom: takenFrom)
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
            UPDATE projector.leases l
            SET expires_at = clock_timestamp() + make_interval(secs => \(length.seconds))
            FROM (SELECT projection FROM projector.leases
                  WHERE projection = ANY(\(projections)) AND holder = \(PostgresUUID(holder.uuidString))
                  ORDER BY projection FOR UPDATE) mine
            WHERE l.projection = mine.projection
            RETURNING l.projection
            """
        ).rows
        return Set(try rows.map { try $0.decode(String.self, at: 0) })
    }

    /// Gives up `holder`'s leases of `projections`, so a standby takes over at its next try.
    static func release(_ projections: [String], holder: UUID, on conn: isolated Connection) throws {
        try conn.execute(
            """
            DELETE FROM projector.leases l
            USING (SELECT projection FROM projector.leases
                   WHERE projection = ANY(\(projections)) AND holder = \(PostgresUUID(holder.uuidString))
                   ORDER BY projection FOR UPDATE) mine
            WHERE l.projection = mine.projection
            """
        )
    }
}
