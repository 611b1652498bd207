import Foundation
import ProjectionCore

/// A minimal projection for engine tests: `NoteAdded {id, text}` upserts, `NoteDeleted {id}` deletes,
/// and an event without `id` is a failure, so dead letters can be provoked on purpose.
struct NotesProjection: Projection {
    var name = "notes"
    var version = 1
    /// Stores texts in upper case: a change of output, as a new version would bring.
    var shout = false
    var eventTypes: Set<String> = ["NoteAdded", "NoteDeleted"]
    var tables = [
        TableSpec(name: "notes", primaryKey: ["id"]), TableSpec(name: "note_history", primaryKey: ["position"]),
    ]
    var schemaSQL = """
        CREATE TABLE notes (id text PRIMARY KEY, text text, tags text[], last_position bigint NOT NULL);
        CREATE TABLE note_history (position bigint PRIMARY KEY, id text NOT NULL, kind text NOT NULL);
        """

    func changes(for event: RecordedEvent) throws(ProjectionFailure) -> [RowChange] {
        let object = (try? JSONSerialization.jsonObject(with: Data(event.data))) as? [String: Any] ?? [:]
        guard let id = object["id"] as? String else { throw ProjectionFailure(.invalidPayload, "data.id is required") }
        let position = SQLValue.int(event.position.globalPosition)
        let history = RowChange.insert(
            "note_history",
            key: [position],
            ["id": .text(id), "kind": .text(event.eventType)]
        )
        switch event.eventType {
        case "NoteAdded":
            let tags = (object["tags"] as? [String]).map { SQLValue.textArray($0) } ?? .null
            return [
                .upsert(
                    "notes",
                    key: [.text(id)],
                    [
                        "text": .text((object["text"] as? String).map { shout ? $0.uppercased() : $0 }), "tags": tags,
                        "last_position": position,
                    ]
                ),
                history,
            ]
        default:
            return [.delete("notes", key: [.text(id)]), history]
        }
    }
}
