import EventGenerator
import EventLog
import Foundation
import Logging
import Postgres
import ProjectionCore
import ProjectionEngine

/// Appends generated events in batches.
func appendGenerated(_ options: GeneratorOptions, on conn: Connection) async throws -> Int {
    let writer = LogWriter(connection: conn)
    var batch: [NewEvent] = []
    var total = 0
    for event in EventGenerator(options) {
        batch.append(
            NewEvent(
                stream: event.stream,
                type: event.type,
                eventID: event.eventID,
                data: event.data,
                metadata: event.metadata
            )
        )
        if batch.count == 2_000 {
            total += try await writer.appendMany(batch)
            batch.removeAll()
        }
    }
    total += try await writer.appendMany(batch)
    return total
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
