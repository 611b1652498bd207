import Postgres
import ProjectionCore

/// A read-model table as installed: where it lives, its key and the SQL type of every column.
///
/// The engine sends all values as text and casts them to these types, so projections never state
/// SQL types twice: `schema.sql` stays the one source.
struct TableLayout: Sendable {
    /// The schema holding the table.
    var schema: String
    /// The unqualified table name.
    var table: String
    /// The primary key columns, in `RowChange.key` order.
    var primaryKey: [String]
    /// Column name → `format_type` of its type (`timestamp with time zone`, `text[]` …).
    var columnTypes: [String: String]

    /// `"schema"."table"`.
    var qualifiedName: String { quoteIdentifier(schema) + "." + quoteIdentifier(table) }

    /// The SQL type of `column`, or an error naming the table and column.
    func type(of column: String) throws(EngineError) -> String {
        guard let type = columnTypes[column] else {
            throw EngineError("projection wrote column \(column) that table \(table) does not have")
        }
        return type
    }

    /// Reads the layout of `spec` in `schema`.
    static func load(_ spec: TableSpec, schema: String, on conn: isolated Connection) throws -> TableLayout {
        let rows = try conn.query(
            """
            SELECT a.attname, format_type(a.atttypid, a.atttypmod)
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = \(schema) AND c.relname = \(spec.name) AND a.attnum > 0 AND NOT a.attisdropped
            """
        ).rows
        guard !rows.isEmpty else {
            throw EngineError("table \(spec.name) is missing from schema \(schema); is the projection installed?")
        }
        var types: [String: String] = [:]
        for row in rows { types[try row.decode(String.self, at: 0)] = try row.decode(String.self, at: 1) }
        let layout = TableLayout(schema: schema, table: spec.name, primaryKey: spec.primaryKey, columnTypes: types)
        for column in spec.primaryKey { _ = try layout.type(of: column) }
        return layout
    }

    /// The layouts of every table of `projection` in `schema` (its live schema when nil), by table name.
    static func loadAll(
        of projection: any Projection,
        in schema: String? = nil,
        on conn: Connection
    ) async throws -> [String: TableLayout] {
        let tables = projection.tables
        let schema = schema ?? projection.name
        return try await conn.withTransaction { conn in
            var layouts: [String: TableLayout] = [:]
            for spec in tables { layouts[spec.name] = try load(spec, schema: schema, on: conn) }
            return layouts
        }
    }
}
