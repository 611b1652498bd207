import Postgres
import ProjectionCore

/// Writes the coalesced changes of one table with a few set-based statements.
///
/// Every value travels inside one `text[]` parameter per column and is cast to the column's type,
/// so a batch costs one statement per kind and shape (column names, and which of them increment),
/// not one per row:
/// DELETE (deletes and replaces), UPDATE (merges' `set`), INSERT … ON CONFLICT DO NOTHING
/// (replaces and merges' `insert`), sent together in one round trip. That order realises
/// `CoalescedChange`'s meaning. An
/// `SQLValue.increment` in a merge's `set` becomes `column = t.column + value`.
///
/// With `writtenKeys` (a new generation that started empty), a row whose key it has certainly never
/// written is known to be absent: its insert goes to a COPY per shape, with no lookup, no conflict check
/// and no array to parse, and its delete or update is nothing to do.
struct TableWriter {
    let layout: TableLayout
    var writtenKeys: WrittenKeys? = nil

    /// How many statements and rows a write took, for logs and benchmarks.
    struct Counts {
        var statements = 0
        var rows = 0
        /// Of `rows`, those inserted by COPY (known absent).
        var copied = 0
    }

    /// The statements that write a table's changes, in the order they must run, and the rows to COPY.
    struct Statements {
        var queries: [Query] = []
        /// Rows known to be absent (`writtenKeys`), for `copy(_:on:)`: in any order with `queries`, whose
        /// keys they never share.
        var copies = ShapeGroups()
        var counts = Counts()
    }

    /// Writes `rows` now: its copies, then its statements in one round trip.
    func write(_ rows: [(key: [SQLValue], change: CoalescedChange)], on conn: isolated Connection) throws -> Counts {
        let statements = try self.statements(for: rows)
        try copy(statements.copies, on: conn)
        _ = try conn.pipeline(statements.queries)
        return statements.counts
    }

    /// The statements that write `rows`, for a caller that sends them with others (`Connection.pipeline`).
    func statements(for rows: [(key: [SQLValue], change: CoalescedChange)]) throws -> Statements {
        var statements = Statements()
        var deleteKeys: [[SQLValue]] = []
        var updates = ShapeGroups()
        var inserts = ShapeGroups()
        // Keys are added before anything is written: a key is never reported absent once it may exist.
        let absent = writtenKeys?.absentThenAdd(layout.table, rows.lazy.map { ($0.key, $0.change != .delete) })
        for (index, (key, change)) in rows.enumerated() {
            if absent?[index] == true {
                switch change {
                case .delete, .merge(insert: nil, set: _): break
                case .replace(let columns), .merge(insert: .some(let columns), set: _):
                    statements.copies.add(key, columns)
                }
                continue
            }
            switch change {
            case .delete:
                deleteKeys.append(key)
            case .replace(let columns):
                deleteKeys.append(key)
                inserts.add(key, columns)
            case .merge(let insert, let set):
                if !set.isEmpty { updates.add(key, set) }
                if let insert { inserts.add(key, insert) }
            }
        }
        if !deleteKeys.isEmpty {
            statements.queries.append(try delete(deleteKeys))
            statements.counts.rows += deleteKeys.count
        }
        for group in updates.groups {
            statements.queries.append(try update(group))
            statements.counts.rows += group.keys.count
        }
        for group in inserts.groups {
            statements.queries.append(try insert(group))
            statements.counts.rows += group.keys.count
        }
        statements.counts.statements = statements.queries.count + statements.copies.groups.count
        for group in statements.copies.groups {
            statements.counts.rows += group.keys.count
            statements.counts.copied += group.keys.count
        }
        return statements
    }

    private func delete(_ keys: [[SQLValue]]) throws -> Query {
        let key = layout.primaryKey
        let aliases = key.indices.map { "k\($0)" }
        let match = try keyMatch()
        let sql = """
            DELETE FROM \(layout.qualifiedName) AS t
            USING unnest(\(placeholders(key.count, from: 1))) AS s(\(aliases.joined(separator: ", ")))
            WHERE \(match)
            """
        let binds = key.indices.map { i in arrayBind(keys.map { $0[i] }) }
        return Query(unsafeSQL: sql, binds: binds)
    }

    private func update(_ group: ShapeGroups.Group) throws -> Query {
        let key = layout.primaryKey
        let keyAliases = key.indices.map { "k\($0)" }
        let valueAliases = group.shape.indices.map { "v\($0)" }
        // An increment adds to the column instead of setting it.
        let assignments = try group.shape.indices.map { i in
            let column = group.shape[i]
            let value = "s.v\(i)::\(try layout.type(of: column.name))"
            let name = quoteIdentifier(column.name)
            return column.increments ? "\(name) = t.\(name) + \(value)" : "\(name) = \(value)"
        }
        let match = try keyMatch()
        let sql = """
            UPDATE \(layout.qualifiedName) AS t SET \(assignments.joined(separator: ", "))
            FROM unnest(\(placeholders(key.count + group.shape.count, from: 1)))
                AS s(\((keyAliases + valueAliases).joined(separator: ", ")))
            WHERE \(match)
            """
        let binds =
            key.indices.map { i in arrayBind(group.keys.map { $0[i] }) }
            + group.shape.indices.map { i in arrayBind(group.rows.map { $0.columns[i].value }) }
        return Query(unsafeSQL: sql, binds: binds)
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

    private func insert(_ group: ShapeGroups.Group) throws -> Query {
        let key = layout.primaryKey
        // A projection may repeat a key column among the columns; the key's own values win.
        let valueIndices = group.shape.indices.filter { !key.contains(group.shape[$0].name) }
        let all = key + valueIndices.map { group.shape[$0].name }
        let aliases = all.indices.map { "c\($0)" }
        let casts = try all.indices.map { "s.c\($0)::\(try layout.type(of: all[$0]))" }
        let sql = """
            INSERT INTO \(layout.qualifiedName) (\(all.map(quoteIdentifier).joined(separator: ", ")))
            SELECT \(casts.joined(separator: ", "))
            FROM unnest(\(placeholders(all.count, from: 1))) AS s(\(aliases.joined(separator: ", ")))
            ON CONFLICT (\(key.map(quoteIdentifier).joined(separator: ", "))) DO NOTHING
            """
        let binds =
            key.indices.map { i in arrayBind(group.keys.map { $0[i] }) }
            + valueIndices.map { i in arrayBind(group.rows.map { $0.columns[i].value }) }
        return Query(unsafeSQL: sql, binds: binds)
    }

    /// Inserts rows known to be absent with `COPY … FROM STDIN`, a statement per shape.
    func copy(_ copies: ShapeGroups, on conn: isolated Connection) throws {
        for group in copies.groups { try copy(group, on: conn) }
    }

    private func copy(_ group: ShapeGroups.Group, on conn: isolated Connection) throws {
        let key = layout.primaryKey
        let valueIndices = group.shape.indices.filter { !key.contains(group.shape[$0].name) }
        let all = key + valueIndices.map { group.shape[$0].name }
        // The same check the other statements make by casting: a column the table lacks fails by name.
        for column in all { _ = try layout.type(of: column) }
        let sql = "COPY \(layout.qualifiedName) (\(all.map(quoteIdentifier).joined(separator: ", "))) FROM STDIN"
        let (keys, rows) = (group.keys, group.rows)
        try conn.copyFrom(Query(unsafeSQL: sql, binds: [])) { writer in
            for (key, row) in zip(keys, rows) {
                for value in key { writer.append(value.sqlText) }
                for index in valueIndices { writer.append(row.columns[index].value.sqlText) }
                try writer.endRow()
            }
        }
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

/// Rows grouped by shape, in the order each shape first appears.
///
/// A table sees few shapes per batch and consecutive rows mostly share one, so finding a row's group
/// compares its column names with the last group's (no hashing, no sorting: `Columns` are sorted).
struct ShapeGroups {
    /// A column of a shape: its name, and whether rows add to it instead of setting it.
    struct ShapeColumn: Equatable {
        var name: String
        var increments: Bool
    }

    /// The rows of one shape.
    struct Group {
        var shape: [ShapeColumn]
        var keys: [[SQLValue]] = []
        var rows: [Columns] = []

        func fits(_ columns: Columns) -> Bool {
            guard columns.count == shape.count else { return false }
            for (column, expected) in zip(columns.columns, shape)
            where column.name != expected.name || column.value.isIncrement != expected.increments {
                return false
            }
            return true
        }
    }

    private(set) var groups: [Group] = []
    private var last = 0

    mutating func add(_ key: [SQLValue], _ columns: Columns) {
        if !groups.indices.contains(last) || !groups[last].fits(columns) {
            if let index = groups.firstIndex(where: { $0.fits(columns) }) {
                last = index
            } else {
                let shape = columns.columns.map { ShapeColumn(name: $0.name, increments: $0.value.isIncrement) }
                groups.append(Group(shape: shape))
                last = groups.count - 1
            }
        }
        groups[last].keys.append(key)
        groups[last].rows.append(columns)
    }
}
