/// One synthetic event as a producer would append it: stream, type, id, payload and metadata (the event contract).
///
/// - Important: `stream` and `data` hold NHS numbers. The first ~909 000 patients get numbers from the `999`
///   range the NHS keeps for testing, but code handling generated events should treat them as patient data.
public struct GeneratedEvent: Sendable, Hashable {
    /// `<category>-<id>`: `patient-…`, `appointment-…`, `laborder-…`, `labresult-…`, `consent-…` or `journal-…`.
    public var stream: String
    /// The event type, one of the names of the event contract.
    public var type: String
    /// A lowercase canonical version-4 UUID, deterministic for the generator's seed.
    public var eventID: String
    /// The payload: one compact JSON object.
    public var data: String
    /// One compact JSON object: `schemaVersion`, `occurredAt`, `sourceSystem`, `correlationId`, `causationId?`.
    public var metadata: String

    /// Creates an event from its parts; `data` and `metadata` must each be one JSON object.
    public init(stream: String, type: String, eventID: String, data: String, metadata: String) {
        self.stream = stream
        self.type = type
        self.eventID = eventID
        self.data = data
        self.metadata = metadata
    }

    /// One NDJSON line without its trailing newline, keys in this fixed order:
    /// `{"stream":…,"type":…,"eventId":…,"data":{…},"metadata":{…}}`.
    public var ndjsonLine: String {
        var stream = stream
        var type = type
        var eventID = eventID
        var data = data
        var metadata = metadata
        return stream.withUTF8 { stream in
            type.withUTF8 { type in
                eventID.withUTF8 { eventID in
                    data.withUTF8 { data in
                        metadata.withUTF8 { metadata in
                            Self.line(stream: stream, type: type, eventID: eventID, data: data, metadata: metadata)
                        }
                    }
                }
            }
        }
    }

    /// Assembles the line in one allocation; the envelope strings are escaped only when they need it.
    private static func line(
        stream: UnsafeBufferPointer<UInt8>,
        type: UnsafeBufferPointer<UInt8>,
        eventID: UnsafeBufferPointer<UInt8>,
        data: UnsafeBufferPointer<UInt8>,
        metadata: UnsafeBufferPointer<UInt8>
    ) -> String {
        func plain(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
            !text.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        }
        guard plain(stream), plain(type), plain(eventID) else {
            var bytes: [UInt8] = []
            appendLiteral(#"{"stream":"#, to: &bytes)
            JSONWriter.appendQuoted(String(decoding: stream, as: UTF8.self), to: &bytes)
            appendLiteral(#","type":"#, to: &bytes)
            JSONWriter.appendQuoted(String(decoding: type, as: UTF8.self), to: &bytes)
            appendLiteral(#","eventId":"#, to: &bytes)
            JSONWriter.appendQuoted(String(decoding: eventID, as: UTF8.self), to: &bytes)
            appendLiteral(#","data":"#, to: &bytes)
            bytes.append(contentsOf: data)
            appendLiteral(#","metadata":"#, to: &bytes)
            bytes.append(contentsOf: metadata)
            bytes.append(UInt8(ascii: "}"))
            return String(decoding: bytes, as: UTF8.self)
        }
        // The five key literals below (11 + 10 + 13 + 9 + 12 bytes) and the closing brace.
        let count = 56 + stream.count + type.count + eventID.count + data.count + metadata.count
        return String(unsafeUninitializedCapacity: count) { buffer in
            var index = 0
            func put(_ literal: StaticString, _ text: UnsafeBufferPointer<UInt8>) {
                let prefix = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
                _ = UnsafeMutableBufferPointer(rebasing: buffer[index...]).initialize(from: prefix)
                index += prefix.count
                _ = UnsafeMutableBufferPointer(rebasing: buffer[index...]).initialize(from: text)
                index += text.count
            }
            put(#"{"stream":""#, stream)
            put(#"","type":""#, type)
            put(#"","eventId":""#, eventID)
            put(#"","data":"#, data)
            put(#","metadata":"#, metadata)
            buffer[index] = UInt8(ascii: "}")
            return index + 1
        }
    }

    private static func appendLiteral(_ literal: StaticString, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }
}
