import EventGenerator
import EventLog
import Foundation
import Logging
import Migrations
import Postgres
import PostgresTestSupport
import ProjectionCore
import ProjectionEngine
import ReadModels

/// Appends generated events in batches.
func appendGenerated(_ options: GeneratorOptions, on conn: Connection) async throws -> Int {
    let events = EventGenerator(options).lazy.map {
        NewEvent(stream: $0.stream, type: $0.type, eventID: $0.eventID, data: $0.data, metadata: $0.metadata)
    }
    return try await LogWriter(connection: conn).appendMany(events, batchSize: 2_000).stored
}

/// The rows of a table as text, in order, for comparisons.
func dump(_ sql: String, on conn: Connection) async throws -> [String] {
    try await conn.query(Query(unsafeSQL: sql)).rows.map { $0.values.map { $0 ?? "NULL" }.joined(separator: "|") }
}

/// `sql/api/<name>.sql`, read from the source tree.
func apiQuery(_ name: String) throws -> String {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    return try String(contentsOf: root.appendingPathComponent("sql/api/\(name).sql"), encoding: .utf8)
}

/// Runs every read model until caught up, then creates the reporting views with a random pseudonym key.
func projectEverything(url: String, on conn: Connection, batchSize: Int = 2_000) async throws {
    for projection in ReadModels.all {
        try await runUntilCaughtUp(projection, url: url, batchSize: batchSize)
    }
    try await ReportingViews.install(for: ReadModels.names, on: conn)
    try await conn.execute("INSERT INTO projector.pseudonym_key (key) VALUES (gen_random_bytes(32))")
}

/// One integer from `sql`.
func count(_ sql: String, on conn: Connection) async throws -> Int {
    try await conn.query(Query(unsafeSQL: sql)).rows[0].decode(Int.self, at: 0)
}

/// Runs `body` connected as a new login user in role `group`, dropped afterwards (with what it owns
/// handed to the admin first, e.g. the schemas a writer created).
func asMember<T: Sendable>(
    of group: String,
    url: String,
    on admin: Connection,
    _ body: (Connection) async throws -> T
) async throws -> T {
    let user = "test_" + group + "_" + UUID().uuidString.prefix(8).lowercased()
    try await admin.execute("CREATE ROLE \(identifier: user) LOGIN IN ROLE \(identifier: group)")
    let result: Result<T, any Error>
    do {
        // A repeated keyword overrides the earlier one in a conninfo string.
        let conn = try await Connection.connect(to: url + " user=\(user)", applicationName: "projector-tests")
        do {
            result = .success(try await body(conn))
        } catch {
            result = .failure(error)
        }
        await conn.close()
    } catch {
        result = .failure(error)
    }
    try await admin.execute("REASSIGN OWNED BY \(identifier: user) TO CURRENT_USER")
    try await admin.execute("DROP OWNED BY \(identifier: user)")
    try await admin.execute("DROP ROLE \(identifier: user)")
    return try result.get()
}

/// Whether every sort in `plan` (EXPLAIN's text) sorts pages only: the rows of a loop over the patient's numbers
/// (one, unless records were merged) whose inner side stops at a LIMIT, never a patient's whole history.
func sortsOnlyPages(_ plan: String) -> Bool {
    let lines = plan.split(separator: "\n").map(String.init)
    func depth(_ line: String) -> Int { line.prefix { $0 == " " }.count }
    for (index, line) in lines.enumerated() where line.contains("Sort  (") {
        let below = lines[(index + 1)...].prefix { depth($0) > depth(line) }.joined(separator: "\n")
        guard below.contains("Nested Loop"), below.contains("Function Scan on unnest"), below.contains("Limit")
        else { return false }
    }
    return true
}
