import Postgres

/// The advisory locks that serialise installs and make one process at a time build a projection's rebuild.
///
/// A session-level lock on the builder's own connection: when its process or connection dies, PostgreSQL
/// releases it and a waiting instance goes on. (Writers of live projections hold leases instead, see `Leases`:
/// a frozen process keeps a session lock for ever.)
public enum AdvisoryLock {
    /// The first key of every projector lock ("proj").
    static let namespace: Int32 = 0x7072_6F6A
    /// The key serialising installs.
    static let installKey: Int64 = 0x7072_6F6A_696E_7374

    /// The second key for `projection`: FNV-1a of its name, kept positive so `pg_locks.objid` shows it as is.
    public static func key(for projection: String) -> Int32 {
        var hash: UInt32 = 2_166_136_261
        for byte in projection.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return Int32(bitPattern: hash & 0x7FFF_FFFF)
    }

    /// Tries to take the lock named `projection` on `conn`'s session.
    static func tryAcquire(_ projection: String, on conn: isolated Connection) throws -> Bool {
        try conn.query("SELECT pg_try_advisory_lock(\(namespace), \(key(for: projection)))").rows[0]
            .decode(Bool.self, at: 0)
    }
}
