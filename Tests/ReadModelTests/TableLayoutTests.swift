import EventGenerator
import Postgres
import PostgresTestSupport
import ProjectionCore
import ReadModels
import Testing

/// Every read model's tables as its Swift code states them, held to the catalog of its `schema.sql` applied to
/// PostgreSQL, both ways.
///
/// The Swift side is `tables` (names and primary keys) and the row changes the projection makes of generated
/// events that hold every type it handles (the columns, and the kinds of the values, it writes). The engine loads
/// column types from the catalog when it runs (`TableLayout`), but trusts `tables` for the keys and finds a column
/// a change names but the table lacks only when that change comes; here both are checked before any event does.
@Suite struct TableLayoutTests {
    @Test(arguments: ReadModels.names)
    func theTablesKeysAndColumnsInSwiftAreTheOnesItsSchemaCreates(_ name: String) async throws {
        let projection = try #require(ReadModels.named(name))
        let written = try WrittenLayout(of: projection)
        // A type missing from the sample would leave its changes unchecked.
        let unseen = projection.eventTypes.subtracting(written.eventTypes)
        #expect(unseen.isEmpty, "no generated event of \(unseen.sorted())")

        try await TestDatabase.withConnection { conn, _ in
            let catalog = try await CatalogLayout.install(projection, on: conn)
            #expect(catalog.tables.keys.sorted() == projection.tables.map(\.name).sorted(), "tables")
            for spec in projection.tables {
                guard let table = catalog.tables[spec.name] else { continue }
                #expect(table.primaryKey == spec.primaryKey, "the primary key of \(spec.name)")
                let keyTypes = spec.primaryKey.map { table.columns[$0]?.type ?? "missing" }
                for (index, kinds) in (written.keys[spec.name] ?? []).enumerated() {
                    let type = index < keyTypes.count ? keyTypes[index] : "beyond the key"
                    for kind in kinds where !kind.fits(type) {
                        Issue.record("\(spec.name): key value \(index + 1) is \(kind), its column is \(type)")
                    }
                }
                // Every column is written: one the code never names is dead in schema.sql, or forgotten.
                let nonKey = Set(table.columns.keys).subtracting(spec.primaryKey)
                let never = nonKey.subtracting(written.columns[spec.name].map { Set($0.keys) } ?? [])
                #expect(never.isEmpty, "\(spec.name): columns no change writes: \(never.sorted())")
                // A row written whole (an insert, or an upsert of an absent row) names every column but the key.
                for row in written.wholeRows[spec.name] ?? [] where row != nonKey {
                    Issue.record(
                        """
                        \(spec.name): a row written whole names \(row.sorted()), \
                        not every column but the key: \(nonKey.sorted())
                        """
                    )
                }
            }
            for (tableName, columns) in written.columns {
                guard let table = catalog.tables[tableName] else {
                    Issue.record("a change writes table \(tableName), which schema.sql does not create")
                    continue
                }
                let keyLengths = written.keyLengths[tableName] ?? []
                #expect(keyLengths == [table.primaryKey.count], "\(tableName): the numbers of key values changes give")
                for (columnName, kinds) in columns.sorted(by: { $0.key < $1.key }) {
                    guard let column = table.columns[columnName] else {
                        Issue.record("\(tableName).\(columnName) is written but schema.sql does not create it")
                        continue
                    }
                    #expect(!table.primaryKey.contains(columnName), "\(tableName).\(columnName) is a key column")
                    for kind in kinds where !kind.fits(column.type) {
                        Issue.record("\(tableName).\(columnName) is \(column.type), and a change writes \(kind)")
                    }
                    if kinds.contains(.null) && column.notNull {
                        Issue.record("\(tableName).\(columnName) is NOT NULL, and a change writes NULL")
                    }
                }
            }
        }
    }

    @Test(arguments: ReadModels.names)
    func everyTableViewColumnAndFunctionOfTheSchemaHasAComment(_ name: String) async throws {
        let projection = try #require(ReadModels.named(name))
        try await TestDatabase.withConnection { conn, _ in
            let schema = try await CatalogLayout.install(projection, on: conn).schema
            let relations = try await conn.query(
                """
                SELECT c.relname, obj_description(c.oid, 'pg_class') IS NOT NULL
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = \(schema) AND c.relkind IN ('r', 'p', 'v', 'm')
                """
            ).rows
            #expect(!relations.isEmpty)
            for row in relations {
                let name = try row.decode(String.self, at: 0)
                #expect(try row.decode(Bool.self, at: 1), "no comment on \(name)")
            }
            let columns = try await conn.query(
                """
                SELECT c.relname || '.' || a.attname
                FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = \(schema) AND c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0
                  AND NOT a.attisdropped AND col_description(c.oid, a.attnum) IS NULL
                ORDER BY 1
                """
            ).rows
            #expect(try columns.map { try $0.decode(String.self, at: 0) } == [], "columns without a comment")
            let functions = try await conn.query(
                """
                SELECT p.oid::regprocedure::text
                FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname = \(schema) AND obj_description(p.oid, 'pg_proc') IS NULL
                ORDER BY 1
                """
            ).rows
            #expect(try functions.map { try $0.decode(String.self, at: 0) } == [], "functions without a comment")
        }
    }
}

/// What a value written into a column is, as far as the column's type is concerned.
enum ValueKind: String, Hashable, CustomStringConvertible {
    case null, text, integer, double, boolean, json
    case textArray = "text[]"

    init(_ value: SQLValue) {
        switch value {
        case .null: self = .null
        case .text: self = .text
        case .int, .increment: self = .integer
        case .double: self = .double
        case .bool: self = .boolean
        case .json: self = .json
        case .textArray: self = .textArray
        }
    }

    /// Whether the engine may write a value of this kind into a column of `type` (as `format_type` names it):
    /// it sends the value's text form and the column's type parses it, so text suits the types read from text
    /// (times, dates, exact decimals) and each other kind its own types.
    func fits(_ type: String) -> Bool {
        switch self {
        case .null: true
        case .text:
            ["text", "timestamp with time zone", "date", "numeric", "uuid"].contains(type)
                || type.hasPrefix("character varying")
        case .integer: ["smallint", "integer", "bigint", "numeric"].contains(type)
        case .double: ["double precision", "real", "numeric"].contains(type)
        case .boolean: type == "boolean"
        case .json: ["jsonb", "json"].contains(type)
        case .textArray: type == "text[]"
        }
    }

    var description: String { rawValue }
}

/// The tables a projection writes, from its row changes for generated events.
struct WrittenLayout {
    /// Table → the kinds of the key values, by position in the key.
    var keys: [String: [Set<ValueKind>]] = [:]
    /// Table → how many key values its changes give.
    var keyLengths: [String: Set<Int>] = [:]
    /// Table → column → the kinds of the values written to it, by any change.
    var columns: [String: [String: Set<ValueKind>]] = [:]
    /// Table → the column names of each distinct row written whole (insert or upsert), key left out.
    var wholeRows: [String: Set<Set<String>>] = [:]
    /// The event types among the events the projection was given.
    var eventTypes: Set<String> = []

    /// The changes `projection` makes of 40 patients' events: every twentieth patient's story (the first
    /// among them) holds every event type of the contract.
    init(of projection: any Projection) throws {
        var streamPositions: [String: Int64] = [:]
        for (index, generated) in EventGenerator(GeneratorOptions(patients: 40, seed: 1)).enumerated() {
            let position = Int64(index + 1)
            let streamPosition = streamPositions[generated.stream, default: 0]
            streamPositions[generated.stream] = streamPosition + 1
            let event = RecordedEvent(
                position: LogPosition(transactionID: UInt64(position), globalPosition: position),
                streamID: generated.stream,
                streamPosition: streamPosition,
                eventID: generated.eventID,
                eventType: generated.type,
                data: Array(generated.data.utf8),
                metadata: Array(generated.metadata.utf8),
                recordedAt: "2026-11-01 00:00:00+00"
            )
            eventTypes.insert(event.eventType)
            for change in try projection.changes(for: event) { record(change) }
        }
    }

    private mutating func record(_ change: RowChange) {
        keyLengths[change.table, default: []].insert(change.key.count)
        var keyKinds = keys[change.table] ?? Array(repeating: [], count: change.key.count)
        if keyKinds.count < change.key.count {
            keyKinds += Array(repeating: [], count: change.key.count - keyKinds.count)
        }
        for (index, value) in change.key.enumerated() { keyKinds[index].insert(ValueKind(value)) }
        keys[change.table] = keyKinds
        var written = columns[change.table] ?? [:]
        let values: Columns
        switch change.kind {
        case .insert(let row), .upsert(let row):
            wholeRows[change.table, default: []].insert(Set(row.keys))
            values = row
        case .update(let set):
            values = set
        case .delete, .requireExisting:
            values = [:]
        }
        for (name, value) in values { written[name, default: []].insert(ValueKind(value)) }
        columns[change.table] = written
    }
}

/// A read model's tables as PostgreSQL has them once its `schema.sql` is applied.
struct CatalogLayout {
    /// One column.
    struct Column {
        /// `format_type` of its type: `text`, `timestamp with time zone`, `text[]` …
        var type: String
        /// Whether it is NOT NULL.
        var notNull: Bool
    }

    /// One table.
    struct Table {
        /// The primary key's columns, in key order.
        var primaryKey: [String] = []
        /// Its columns by name.
        var columns: [String: Column] = [:]
    }

    /// The schema `schema.sql` was applied in.
    var schema: String
    /// The ordinary and partitioned tables of the schema, by name.
    var tables: [String: Table] = [:]

    /// Applies `projection`'s `schema.sql` as the engine does (its names unqualified, `search_path` set to the
    /// schema) in a new schema whose name is not the projection's, so a name qualified with it in the file would
    /// create its table elsewhere, and reads back what the file created.
    static func install(_ projection: any Projection, on conn: Connection) async throws -> CatalogLayout {
        let schema = "layout_check_" + projection.name
        let sql = projection.schemaSQL
        try await conn.execute("CREATE SCHEMA \(identifier: schema)")
        try await conn.withTransaction { conn in
            try conn.execute("SET LOCAL search_path TO \(identifier: schema)")
            try conn.executeScript(sql)
        }
        var layout = CatalogLayout(schema: schema)
        let columns = try await conn.query(
            """
            SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = \(schema) AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
            """
        ).rows
        for row in columns {
            let column = Column(type: try row.decode(String.self, at: 2), notNull: try row.decode(Bool.self, at: 3))
            layout.tables[try row.decode(String.self, at: 0), default: Table()].columns[
                try row.decode(String.self, at: 1)
            ] = column
        }
        let keys = try await conn.query(
            """
            SELECT c.relname, string_agg(a.attname, ',' ORDER BY k.ordinality)
            FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ordinality)
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
            WHERE n.nspname = \(schema) AND i.indisprimary
            GROUP BY c.relname
            """
        ).rows
        for row in keys {
            let key = try row.decode(String.self, at: 1).split(separator: ",").map(String.init)
            layout.tables[try row.decode(String.self, at: 0), default: Table()].primaryKey = key
        }
        return layout
    }
}
