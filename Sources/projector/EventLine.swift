import Foundation

/// One NDJSON line of `projector import`: `{"stream", "type", "data", "metadata"?, "eventId"?}`.
///
/// Only the envelope is checked here; payload rules (NHS numbers, timestamps) are the projections' job.
enum EventLine {
    /// Why a line was refused; never quotes the line (it is patient data).
    struct Problem: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    /// The largest event `import` and `append` accept by default, in bytes of JSON: 4 MiB.
    static let defaultMaxBytes = 4 << 20

    /// Checks the envelope of `line`, its size (at most `maxBytes` bytes) and that PostgreSQL can store it.
    static func validate(_ line: String, maxBytes: Int) throws(Problem) {
        try checkSize(line.utf8.count, maxBytes: maxBytes)
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed])
        } catch {
            throw Problem(reason: "not valid JSON")
        }
        try checkStorable(object)
        guard let fields = object as? [String: Any] else { throw Problem(reason: "not a JSON object") }
        guard let stream = fields["stream"] as? String, !stream.isEmpty else {
            throw Problem(reason: "\"stream\" is missing or not a non-empty string")
        }
        guard stream.contains("-"), !stream.hasPrefix("-") else {
            throw Problem(reason: "\"stream\" must look like <category>-<id>")
        }
        guard let type = fields["type"] as? String, !type.isEmpty else {
            throw Problem(reason: "\"type\" is missing or not a non-empty string")
        }
        guard fields["data"] is [String: Any] else { throw Problem(reason: "\"data\" is missing or not a JSON object") }
        if let metadata = fields["metadata"], !(metadata is [String: Any]) {
            throw Problem(reason: "\"metadata\" is not a JSON object")
        }
        if let id = fields["eventId"] {
            guard let text = id as? String, UUID(uuidString: text) != nil else {
                throw Problem(reason: "\"eventId\" is not a UUID")
            }
        }
    }

    /// Refuses an event of `bytes` bytes when that is over `maxBytes`.
    static func checkSize(_ bytes: Int, maxBytes: Int) throws(Problem) {
        guard bytes <= maxBytes else {
            throw Problem(reason: "the event is \(bytes) bytes, over the limit of \(maxBytes) (--max-event-bytes)")
        }
    }

    /// Refuses JSON that PostgreSQL's `jsonb` cannot store: a string or key holding `\u0000`.
    ///
    /// PostgreSQL would reject it only when the batch is sent, failing the whole import without a line
    /// number (and its log would quote the payload around it).
    static func checkStorable(_ object: Any) throws(Problem) {
        if holdsNUL(object) { throw Problem(reason: "a string holds \\u0000, which PostgreSQL's jsonb cannot store") }
    }

    private static func holdsNUL(_ value: Any) -> Bool {
        switch value {
        case let text as String: return text.utf8.contains(0)
        case let array as [Any]: return array.contains(where: holdsNUL)
        case let object as [String: Any]: return object.contains { holdsNUL($0.key) || holdsNUL($0.value) }
        default: return false
        }
    }
}
