import Postgres
import ProjectionCore

/// Writes the coalesced changes of one table with a few set-based statements.
///
/// Every value travels inside one `text[]` parameter per column and is cast to the column's type,
/// so a batch costs one statement per kind and column set, not one per row:
/// DELETE (deletes and replaces), UPDATE (merges' `set`), INSERT … ON CONFLICT DO NOTHING
/// (replaces and merges' `insert`). That order realises `CoalescedChange`'s meaning. An
/// `SQLValue.increment` in a merge's `set` becomes `column = t.column + value`.
struct TableWriter {
    let layout: TableLayout

    /// How many statements and rows a write took, for logs and benchmarks.
    struct Counts {
        var statements = 0
        var rows = 0
    }

    func write(_ rows: [(key: [SQLValue], change: CoalescedChange)], on conn: isolated Connection) throws -> Counts {
        var counts = Counts()
        var deleteKeys: [[SQLValue]] = []
        var updates: [[String]: [(key: [SQLValue], columns: Columns)]] = [:]
        var inserts: [[String]: [(key: [SQLValue], columns: Columns)]] = [:]
        for (key, change) in rows {
            switch change {
            case .delete:
                deleteKeys.append(key)
            case .replace(let columns):
                deleteKeys.append(key)
                inserts[columns.keys.sorted(), default: []].append((key, columns))
            case .merge(let insert, let set):
                if !set.isEmpty { updates[TableWriter.assignmentShape(set), default: []].append((key, set)) }
                if let insert { inserts[insert.keys.sorted(), default: []].append((key, insert)) }
            }
        }
        if !deleteKeys.isEmpty {
            try delete(deleteKeys, on: conn)
            counts.statements += 1
            counts.rows += deleteKeys.count
        }
        for (columns, group) in updates.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            try update(columns: columns, group, on: conn)
            counts.statements += 1
            counts.rows += group.count
        }
        for (columns, group) in inserts.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            try insert(columns: columns, group, on: conn)
            counts.statements += 1
            counts.rows += group.count
        }
        return counts
    }

    private func delete(_ keys: [[SQLValue]], on conn: isolated Connection) throws {
        let key = layout.primaryKey
        let aliases = key.indices.map { "k\($0)" }
        let match = try keyMatch()
        let sql = """
            DELETE FROM \(layout.qualifiedName) AS t
            USING unnest(\(placeholders(key.count, from: 1))) AS s(\(aliases.joined(separator: ", ")))
            WHERE \(match)
            """
        let binds = key.indices.map { i in arrayBind(keys.map { $0[i] }) }
        try conn.execute(Query(unsafeSQL: sql, binds: binds))
    }

    private func update(
        columns: [String],
        _ group: [(key: [SQLValue], columns: Columns)],
        on conn: isolated Connection
    ) throws {
        let key = layout.primaryKey
        let keyAliases = key.indices.map { "k\($0)" }
        let valueAliases = columns.indices.map { "v\($0)" }
        // A shape entry "+name" adds to the column instead of setting it.
        let assignments = try columns.indices.map { i in
            let column = columns[i].hasPrefix("+") ? String(columns[i].dropFirst()) : columns[i]
            let value = "s.v\(i)::\(try layout.type(of: column))"
            let name = quoteIdentifier(column)
            return columns[i].hasPrefix("+") ? "\(name) = t.\(name) + \(value)" : "\(name) = \(value)"
        }
        let match = try keyMatch()
        let sql = """
            UPDATE \(layout.qualifiedName) AS t SET \(assignments.joined(separator: ", "))
            FROM unnest(\(placeholders(key.count + columns.count, from: 1)))
                AS s(\((keyAliases + valueAliases).joined(separator: ", ")))
            WHERE \(match)
            """
        let binds =
            key.indices.map { i in arrayBind(group.map { $0.key[i] }) }
            + columns.map { shape in
                let column = shape.hasPrefix("+") ? String(shape.dropFirst()) : shape
                return arrayBind(group.map { $0.columns[column] ?? .null })
            }
        try conn.execute(Query(unsafeSQL: sql, binds: binds))
    }

    /// The sorted column names of `set`, increments marked with a leading "+": rows of one shape
    /// share an UPDATE statement.
    static func assignmentShape(_ set: Columns) -> [String] {
        set.map { column, value in
            if case .increment = value { "+" + column } else { column }
        }.sorted()
    }

    /// The indices of `keys` whose rows exist, in one statement.
    func existing(_ keys: [[SQLValue]], on conn: isolated Connection) throws -> [Int] {
        let key = layout.primaryKey
        let aliases = key.indices.map { "k\($0)" } + ["i"]
        let sql = """
            SELECT s.i FROM unnest(\(placeholders(key.count, from: 1))) WITH ORDINALITY AS s(\(aliases.joined(separator: ", ")))
            WHERE EXISTS (SELECT 1 FROM \(layout.qualifiedName) AS t WHERE \(try keyMatch()))
            """
        let binds = key.indices.map { i in arrayBind(keys.map { $0[i] }) }
        return try conn.query(Query(unsafeSQL: sql, binds: binds)).rows.map { row in
            Int(try row.decode(Int64.self, at: 0)) - 1
        }
    }

    private func insert(
        columns: [String],
        _ group: [(key: [SQLValue], columns: Columns)],
        on conn: isolated Connection
    ) throws {
        let key = layout.primaryKey
        let valueColumns = columns.filter { !key.contains($0) }
        let all = key + valueColumns
        let aliases = all.indices.map { "c\($0)" }
        let casts = try all.indices.map { "s.c\($0)::\(try layout.type(of: all[$0]))" }
        let sql = """
            INSERT INTO \(layout.qualifiedName) (\(all.map(quoteIdentifier).joined(separator: ", ")))
            SELECT \(casts.joined(separator: ", "))
            FROM unnest(\(placeholders(all.count, from: 1))) AS s(\(aliases.joined(separator: ", ")))
            ON CONFLICT (\(key.map(quoteIdentifier).joined(separator: ", "))) DO NOTHING
            """
        let binds =
            key.indices.map { i in arrayBind(group.map { $0.key[i] }) }
            + valueColumns.map { column in arrayBind(group.map { $0.columns[column] ?? .null }) }
        try conn.execute(Query(unsafeSQL: sql, binds: binds))
    }

    /// `t.k1 = s.k0::type AND …`: the target row of source row `s` (key aliases `k0`, `k1` …).
    private func keyMatch() throws -> String {
        let key = layout.primaryKey
        return try key.indices.map { "t.\(quoteIdentifier(key[$0])) = s.k\($0)::\(try layout.type(of: key[$0]))" }
            .joined(separator: " AND ")
    }

    private func placeholders(_ count: Int, from first: Int) -> String {
        (first..<(first + count)).map { "$\($0)::text[]" }.joined(separator: ", ")
    }

    private func arrayBind(_ values: [SQLValue]) -> PostgresBind {
        PostgresBind(text: PostgresArray.literal(values.map(\.sqlText)), type: PostgresType.textArray)
    }
}
