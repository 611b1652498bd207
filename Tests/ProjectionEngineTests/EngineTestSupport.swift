import EventLog
import Foundation
import Logging
import Postgres
import ProjectionCore
import ProjectionEngine

func note(_ id: String, _ text: String, n: Int, type: String = "NoteAdded") -> NewEvent {
    NewEvent(stream: "note-\(id)", type: type, eventID: eventID(n), data: #"{"id": "\#(id)", "text": "\#(text)"}"#)
}

func eventID(_ n: Int) -> String {
    let hex = String(n, radix: 16)
    return "00000000-0000-4000-8000-" + String(repeating: "0", count: 12 - hex.count) + hex
}

/// The rows of a table as text, in key order, for comparisons.
func dump(_ table: String, on conn: Connection) async throws -> [String] {
    try await conn.query(Query(unsafeSQL: "SELECT t::text FROM \(table) t ORDER BY 1")).rows.map { $0[0] ?? "NULL" }
}
