import Postgres

/// Every table of `schemas` (row count and an md5 of its rows in order) and the live dead letters, as one
/// comparable value: equal exactly when two builds wrote the same rows and parked the same events.
public func readModelDigest(schemas: [String], on conn: Connection) async throws -> [String] {
    let tables = try await conn.query(
        """
        SELECT table_schema || '.' || table_name FROM information_schema.tables
        WHERE table_schema = ANY(\(schemas)) AND table_type = 'BASE TABLE' ORDER BY 1
        """
    ).rows.map { try $0.decode(String.self, at: 0) }
    var digest: [String] = []
    for table in tables {
        let row = try await conn.query(
            Query(
                unsafeSQL: """
                    SELECT count(*) || ' ' || md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), ''))
                    FROM \(table) x
                    """
            )
        ).rows[0]
        digest.append("\(table) \(try row.decode(String.self, at: 0))")
    }
    let letters = try await conn.query(
        """
        SELECT count(*) || ' ' || md5(coalesce(string_agg(projection || event_id::text || category, '|'
               ORDER BY projection, event_id), '')) FROM projector.dead_letters
        """
    ).rows[0]
    digest.append("dead letters \(try letters.decode(String.self, at: 0))")
    return digest
}
