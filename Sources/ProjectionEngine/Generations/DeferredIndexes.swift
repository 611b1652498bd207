import Foundation
import Postgres

/// The indexes a build creates only once it has caught up, as a bulk load does.
///
/// A new generation starts empty, and maintaining every secondary index row by row while millions of
/// rows arrive costs more than building each index once, sorted, at the end. Only indexes the build's
/// own writes do not need are deferred: not the primary key (its upserts match on it), not a unique
/// index (it guards an invariant the load must not break), not an index behind a constraint.
enum DeferredIndexes {
    /// Drops the deferrable indexes of the tables in `schema`; call in the transaction that creates it.
    static func drop(in schema: String, on conn: isolated Connection) throws {
        for (name, _) in try deferrable(in: schema, on: conn) {
            try conn.execute("DROP INDEX \(identifier: schema).\(identifier: name)")
        }
    }

    /// Creates the deferrable indexes `ddl` declares that `schema` lacks, then ANALYZEs `tables`, so the
    /// planner knows the new generation before readers use it.
    ///
    /// - Returns: the names of the indexes created.
    @discardableResult
    static func complete(in schema: String, ddl: String, tables: [String], on conn: Connection) async throws -> [String]
    {
        try await conn.withTransaction { conn in
            // The sort behind each index is the cost; a larger budget keeps it in memory.
            try conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
            let present = Set(try deferrable(in: schema, on: conn).map(\.name))
            let declared = try declared(in: ddl, relocatedTo: schema, on: conn)
            // Should a definition come back unqualified, it still lands in the build's schema.
            try conn.execute("SET LOCAL search_path TO \(identifier: schema)")
            var created: [String] = []
            for (name, definition) in declared where !present.contains(name) {
                try conn.execute(Query(unsafeSQL: definition))
                created.append(name)
            }
            for table in tables { try conn.execute("ANALYZE \(identifier: schema).\(identifier: table)") }
            return created
        }
    }

    /// The deferrable indexes `ddl` declares, as `CREATE INDEX` statements on `schema`'s tables.
    ///
    /// The DDL is run in a scratch schema inside a savepoint that is rolled back, so the definitions come
    /// from PostgreSQL itself, exactly as `schema.sql` states them, and a resumed build needs no record of them.
    static func declared(
        in ddl: String,
        relocatedTo schema: String,
        on conn: isolated Connection
    ) throws -> [(name: String, definition: String)] {
        let probe = "projector_probe_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try conn.execute("SAVEPOINT deferred_index_probe")
        let found: [(name: String, definition: String)]
        do {
            try conn.execute("CREATE SCHEMA \(identifier: probe)")
            try conn.execute("SET LOCAL search_path TO \(identifier: probe)")
            try conn.executeScript(ddl)
            found = try deferrable(in: probe, on: conn)
        } catch {
            _ = try? conn.execute("ROLLBACK TO SAVEPOINT deferred_index_probe")
            throw error
        }
        try conn.execute("ROLLBACK TO SAVEPOINT deferred_index_probe")
        // pg_get_indexdef qualifies the table with its schema; the probe's name is unique, so replacing it is exact.
        return found.map { name, definition in
            (name, definition.replacingOccurrences(of: " ON \(probe).", with: " ON \(quoteIdentifier(schema))."))
        }
    }

    /// The deferrable indexes on the tables of `schema`, with their definitions, by name.
    private static func deferrable(
        in schema: String,
        on conn: isolated Connection
    ) throws -> [(name: String, definition: String)] {
        try conn.query(
            """
            SELECT i.relname, pg_get_indexdef(x.indexrelid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = \(schema) AND NOT x.indisunique AND NOT x.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            ORDER BY i.relname
            """
        ).rows.map { row in (try row.decode(String.self, at: 0), try row.decode(String.self, at: 1)) }
    }
}
