import Foundation
import Postgres
import ProjectionCore

/// PostgreSQL's own fastest loads of the rows a rebuild produced, to compare a rebuild against.
struct CopyBaselines {
    /// What both loads took.
    struct Figures {
        /// Rows loaded.
        var rows = 0
        /// COPY into empty copies of the tables with every index and constraint.
        var indexedSeconds = 0.0
        /// COPY into bare copies (no index, no constraint).
        var bareSeconds = 0.0
        /// Then creating those indexes and constraints: with `bareSeconds`, the physical limit.
        var indexSeconds = 0.0
    }

    let projections: [BenchProjection]

    /// Exports every read-model table once, then times loading it both ways in a scratch schema.
    func measure(on conn: Connection) async throws -> Figures {
        try await conn.execute("DROP SCHEMA IF EXISTS bench_copy CASCADE")
        try await conn.execute("CREATE SCHEMA bench_copy")
        var figures = Figures()
        for projection in projections {
            for table in projection.tables {
                let source = quoteIdentifier(projection.name) + "." + quoteIdentifier(table)
                let file = try await Self.export(source, on: conn)
                defer { try? FileManager.default.removeItem(at: file) }
                let indexed = "bench_copy." + quoteIdentifier("\(projection.name)_\(table)")
                try await conn.execute(Query(unsafeSQL: "CREATE TABLE \(indexed) (LIKE \(source) INCLUDING ALL)"))
                var start = ContinuousClock.now
                figures.rows += try await Self.load(file, into: indexed, on: conn)
                figures.indexedSeconds += (ContinuousClock.now - start).seconds

                let bare = "bench_copy." + quoteIdentifier("\(projection.name)_\(table)_bare")
                let indexes = try await definitions(of: indexed, renamedTo: bare, on: conn)
                try await conn.execute(
                    Query(unsafeSQL: "CREATE TABLE \(bare) (LIKE \(source) INCLUDING DEFAULTS INCLUDING GENERATED)")
                )
                start = ContinuousClock.now
                _ = try await Self.load(file, into: bare, on: conn)
                figures.bareSeconds += (ContinuousClock.now - start).seconds
                start = ContinuousClock.now
                for statement in indexes { try await conn.execute(Query(unsafeSQL: statement)) }
                figures.indexSeconds += (ContinuousClock.now - start).seconds
            }
        }
        try await conn.execute("DROP SCHEMA bench_copy CASCADE")
        return figures
    }

    /// The statements that give `target` the indexes and constraints `table` has: constraints as
    /// `ALTER TABLE … ADD CONSTRAINT`, other indexes as `CREATE INDEX`, with fresh names.
    private func definitions(of table: String, renamedTo target: String, on conn: Connection) async throws -> [String] {
        let constraints = try await conn.query(
            Query(
                unsafeSQL: """
                    SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c
                    WHERE c.conrelid = '\(table)'::regclass AND c.conindid <> 0 ORDER BY c.conname
                    """
            )
        ).rows.map { try $0.decode(String.self, at: 0) }
        let indexes = try await conn.query(
            Query(
                unsafeSQL: """
                    SELECT pg_get_indexdef(x.indexrelid) FROM pg_index x
                    WHERE x.indrelid = '\(table)'::regclass
                      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
                    ORDER BY x.indexrelid
                    """
            )
        ).rows.map { try $0.decode(String.self, at: 0) }
        // pg_get_indexdef names the index and the table; keep the rest (method, columns, predicate).
        let created = indexes.compactMap { definition -> String? in
            guard let using = definition.range(of: " USING ") else { return nil }
            let unique = definition.hasPrefix("CREATE UNIQUE") ? "UNIQUE " : ""
            return "CREATE \(unique)INDEX ON \(target)\(definition[using.lowerBound...])"
        }
        return constraints.map { "ALTER TABLE \(target) ADD \($0)" } + created
    }

    /// COPYs `table` (or a parenthesised query) out to a temporary file.
    static func export(_ table: String, on conn: Connection) async throws -> URL {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID()).copy")
        guard FileManager.default.createFile(atPath: file.path, contents: nil),
            let sink = FileHandle(forWritingAtPath: file.path)
        else { throw BenchError("cannot write \(file.path)") }
        try await conn.copyTo(Query(unsafeSQL: "COPY \(table) TO STDOUT")) { chunk in sink.write(Data(chunk)) }
        try sink.close()
        return file
    }

    /// COPYs `file` into `table` (with a column list, when given); returns the rows loaded.
    static func load(_ file: URL, into table: String, on conn: Connection) async throws -> Int {
        try await conn.copyFrom(Query(unsafeSQL: "COPY \(table) FROM STDIN")) { writer in
            guard let input = FileHandle(forReadingAtPath: file.path) else { throw BenchError("cannot read back") }
            while true {
                let chunk = input.readData(ofLength: 1 << 20)
                if chunk.isEmpty { break }
                try chunk.withUnsafeBytes { try writer.writeRaw($0) }
            }
        }
    }
}
