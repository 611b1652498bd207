/// An event to append: the producer's part of the envelope (the event contract).
public struct NewEvent: Sendable, Hashable {
    /// `<category>-<id>`; patient data, never logged.
    public var stream: String
    /// The event type name.
    public var type: String
    /// The producer's idempotency key, a UUID in text form.
    public var eventID: String
    /// The payload: one JSON object, as text.
    public var data: String
    /// The metadata: one JSON object, as text.
    public var metadata: String

    /// Creates an event to append.
    public init(stream: String, type: String, eventID: String, data: String, metadata: String = "{}") {
        self.stream = stream
        self.type = type
        self.eventID = eventID
        self.data = data
        self.metadata = metadata
    }

    /// The part of `stream` before the first `-`: safe to print, unlike the stream id.
    public var streamCategory: Substring { stream.prefix { $0 != "-" } }
}

/// The version a stream must be at for an append to go ahead.
public enum ExpectedVersion: Sendable, Hashable, CustomStringConvertible {
    /// Whatever the stream's version.
    case any
    /// The stream must have no events yet.
    case noStream
    /// The stream's last `stream_position` must be this.
    case exactly(Int64)

    /// The `p_expected` argument of `eventlog.append`: NULL, -1 or n.
    var sqlValue: Int64? {
        switch self {
        case .any: nil
        case .noStream: -1
        case .exactly(let version): version
        }
    }

    public var description: String {
        switch self {
        case .any: "any"
        case .noStream: "no stream"
        case .exactly(let version): String(version)
        }
    }
}

/// An append found the stream at another version than expected: someone else appended first.
///
/// - Important: `stream` is patient data; `description` names only its category.
public struct WrongExpectedVersion: Error, Sendable, CustomStringConvertible {
    /// The full stream id, for the caller to act on; never print it.
    public var stream: String
    /// The version the caller expected.
    public var expected: ExpectedVersion
    /// The stream's actual version (-1 when it has no events).
    public var actual: Int64

    public var description: String {
        let category = stream.prefix { $0 != "-" }
        let actualText = actual < 0 ? "no stream" : String(actual)
        return "wrong expected version for a \(category) stream: expected \(expected), actual \(actualText)"
    }
}
