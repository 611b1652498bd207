import EventGenerator
import EventLog
import Foundation
import Logging
import Postgres
import ProjectionCore
import ProjectionEngine

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
