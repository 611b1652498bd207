import Foundation
import ProjectionContract

/// One event as `import` reads it from an NDJSON line and `append --json` from its argument:
/// `{"stream", "type", "data", "metadata"?, "eventId"?}`.
///
/// The line is checked by the rules of `StorableJSON` (what PostgreSQL's `jsonb` accepts, and no key
/// twice) and the envelope's own; payload rules (NHS numbers, timestamps) are the projections' job.
/// `data` and `metadata` keep the producer's text, so numbers keep every digit.
package struct EventLine: Equatable {
    /// The stream, `<category>-<id>`.
    package var stream: String
    /// The event type.
    package var type: String
    /// The event id, lowercased, when the line names one.
    package var eventID: String?
    /// The payload's JSON text, as written.
    package var data: String
    /// The metadata's JSON text, as written; `{}` when the line has none.
    package var metadata: String

    /// The largest event `import` and `append` accept by default, in bytes of JSON: 4 MiB.
    package static let defaultMaxBytes = 4 << 20

    /// Why a line was refused; never quotes the line (it is patient data).
    package struct Problem: Error, Equatable, CustomStringConvertible {
        package var reason: String
        package var description: String { reason }
        package init(reason: String) { self.reason = reason }
    }

    /// Reads and checks `line`: its size (at most `maxBytes` bytes), its JSON and its envelope.
    package init(_ line: some Collection<UInt8>, maxBytes: Int) throws(Problem) {
        try Self.checkSize(line.count, maxBytes: maxBytes)
        let document = try Self.storable(Array(line), what: nil)
        guard document.kind == .object else { throw Problem(reason: "not a JSON object") }
        guard let stream = document.field("stream")?.string, !stream.isEmpty else {
            throw Problem(reason: "\"stream\" is missing or not a non-empty string")
        }
        try Self.checkStream(stream)
        guard let type = document.field("type")?.string, !type.isEmpty else {
            throw Problem(reason: "\"type\" is missing or not a non-empty string")
        }
        guard let data = document.field("data"), data.kind == .object else {
            throw Problem(reason: "\"data\" is missing or not a JSON object")
        }
        let metadata = document.field("metadata")
        if let metadata, metadata.kind != .object { throw Problem(reason: "\"metadata\" is not a JSON object") }
        if let id = document.field("eventId") {
            guard let text = id.string, Self.isUUID(text) else {
                throw Problem(reason: "\"eventId\" is not a UUID")
            }
            eventID = text.lowercased()
        }
        self.stream = stream
        self.type = type
        self.data = data.text
        self.metadata = metadata?.text ?? "{}"
    }

    /// Refuses an event of `bytes` bytes when that is over `maxBytes`.
    package static func checkSize(_ bytes: Int, maxBytes: Int) throws(Problem) {
        guard bytes <= maxBytes else {
            throw Problem(reason: "the event is \(bytes) bytes, over the limit of \(maxBytes) (--max-event-bytes)")
        }
    }

    /// Whether `text` is a UUID's text form, `8-4-4-4-12` hex digits in either case, as `UUID(uuidString:)`
    /// reads it: that one parses with `sscanf`, and took 6 % of `import`'s CPU (perf).
    package static func isUUID(_ text: String) -> Bool {
        var count = 0
        for byte in text.utf8 {
            let isHyphen = count == 8 || count == 13 || count == 18 || count == 23
            let matches =
                isHyphen
                ? byte == UInt8(ascii: "-")
                : (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
                    || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
            guard matches, count < 36 else { return false }
            count += 1
        }
        return count == 36
    }

    /// Refuses a stream name that is not `<category>-<id>`.
    package static func checkStream(_ stream: String) throws(Problem) {
        // On the bytes: String.contains(_: String) goes through Foundation's locale-aware search.
        guard stream.utf8.contains(UInt8(ascii: "-")), stream.utf8.first != UInt8(ascii: "-") else {
            throw Problem(reason: "\"stream\" must look like <category>-<id>")
        }
    }

    /// Refuses `text` unless it is one JSON object that `jsonb` stores as written; `what` prefixes reasons.
    package static func checkObject(_ text: String, what: String) throws(Problem) {
        guard try storable(Array(text.utf8), what: what).kind == .object else {
            throw Problem(reason: "\(what) must be a JSON object")
        }
    }

    private static func storable(_ bytes: [UInt8], what: String?) throws(Problem) -> StorableJSON {
        do {
            return try StorableJSON(bytes)
        } catch {
            throw Problem(reason: what.map { "\($0): \(error.reason)" } ?? error.reason)
        }
    }
}
