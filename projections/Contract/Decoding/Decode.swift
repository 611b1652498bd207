import Foundation
import ProjectionCore

/// Decodes and validates the payload and metadata of `event` as a `Payload`.
///
/// The metadata is read first: its `schemaVersion` (the type's `currentSchemaVersion` when missing)
/// chooses how the payload is read, and older versions are upcast to the current shape.
/// Unknown fields are ignored. The caller picks `Payload` from `event.eventType`.
///
/// - Throws: `ProjectionFailure` with category `unsupportedSchemaVersion` when the version is not one
///   of `Payload.supportedSchemaVersions`, and `invalidPayload` when either JSON document does not
///   decode or breaks a rule of the event contract. Reasons name the field and the rule, never the value.
///
/// The outcome is kept with the event, so the next projection decoding it as the same type parses nothing.
public func decode<Payload: EventPayload>(
    _: Payload.Type,
    from event: RecordedEvent
) throws(ProjectionFailure) -> Decoded<Payload> {
    try event.decoded.value(for: Payload.self) {
        Result { () throws(ProjectionFailure) in try decodeOnce(Payload.self, from: event) }
    }.get()
}

private func decodeOnce<Payload: EventPayload>(
    _: Payload.Type,
    from event: RecordedEvent
) throws(ProjectionFailure) -> Decoded<Payload> {
    let fields: MetadataFields
    if let scanned = MetadataScanner.fields(of: event.metadata) {
        fields = scanned
    } else {
        fields = try ContractJSON.decode(MetadataFields.self, from: event.metadata, root: "metadata")
    }
    let metadata = fields.resolved(defaultSchemaVersion: Payload.currentSchemaVersion)
    guard Payload.supportedSchemaVersions.contains(metadata.schemaVersion) else {
        let versions = Payload.supportedSchemaVersions
        let supported =
            versions.count == 1
            ? "schema version \(versions.lowerBound)"
            : "schema versions \(versions.lowerBound) to \(versions.upperBound)"
        throw ProjectionFailure(
            .unsupportedSchemaVersion,
            "metadata.schemaVersion: \(Payload.eventType) supports \(supported)"
        )
    }
    let payload = try ContractJSON.decode(
        Payload.self,
        from: event.data,
        root: "data",
        schemaVersion: metadata.schemaVersion
    )
    try StreamPatient.check(payload, in: event)
    return Decoded(payload: payload, metadata: metadata, position: event.position, mergeLog: event.merges)
}

/// JSON decoding that reports every failure as a `ProjectionFailure` naming the field, not the value.
enum ContractJSON {
    /// Decodes `type` from `bytes`, which must hold one JSON object; `root` prefixes field paths in reasons.
    static func decode<T: Decodable>(
        _ type: T.Type,
        from bytes: [UInt8],
        root: String,
        schemaVersion: Int? = nil
    ) throws(ProjectionFailure) -> T {
        // Only JSON by RFC 8259 (what jsonb stores) reaches `JSONDecoder`: it traps on some broken documents
        // (found by the payload fuzzer: unterminated arrays reaching its depth limit at the last byte).
        let tape: JSONTape
        do { tape = try JSONTape(bytes) } catch { throw ContractViolation("is not valid JSON").failure(root: root) }
        // Whatever the fast path throws, `JSONDecoder` decides: it gives the same value or the precise failure.
        let userInfo: [CodingUserInfoKey: Any] = schemaVersion.map { [.contractSchemaVersion: $0] } ?? [:]
        if let value = try? TapeDecoder.decode(T.self, from: tape, userInfo: userInfo) {
            return value
        }
        return try decodeWithFoundation(type, from: bytes, root: root, schemaVersion: schemaVersion)
    }

    /// `decode` by `JSONDecoder` alone: the reference the fast path is held to, and the source of failures.
    static func decodeWithFoundation<T: Decodable>(
        _ type: T.Type,
        from bytes: [UInt8],
        root: String,
        schemaVersion: Int? = nil
    ) throws(ProjectionFailure) -> T {
        let decoder = JSONDecoder()
        if let schemaVersion {
            decoder.userInfo[.contractSchemaVersion] = schemaVersion
        }
        do {
            return try decoder.decode(T.self, from: Data(bytes))
        } catch let violation as ContractViolation {
            throw violation.failure(root: root)
        } catch let error as DecodingError {
            throw failure(for: error, root: root)
        } catch {
            throw ProjectionFailure(.invalidPayload, "\(root): could not be decoded")
        }
    }

    /// The failure for a `DecodingError`, built from its coding path only: its messages may quote values.
    static func failure(for error: DecodingError, root: String) -> ProjectionFailure {
        let violation: ContractViolation
        switch error {
        case .keyNotFound(let key, let context):
            violation = ContractViolation("required field is missing", at: context.codingPath, key)
        case .valueNotFound(_, let context):
            violation = ContractViolation("required field is null", at: context.codingPath)
        case .typeMismatch(let type, let context):
            if context.codingPath.isEmpty {
                violation = ContractViolation("must be a JSON object")
            } else {
                violation = ContractViolation("must be \(describe(type))", at: context.codingPath)
            }
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                violation = ContractViolation("is not valid JSON")
            } else {
                violation = ContractViolation("has a value of the wrong form", at: context.codingPath)
            }
        @unknown default:
            violation = ContractViolation("could not be decoded")
        }
        return violation.failure(root: root)
    }

    /// How a reason names the JSON type that was expected.
    private static func describe(_ type: Any.Type) -> String {
        if type == String.self { return "a string" }
        if type == Bool.self { return "true or false" }
        if type == Double.self || type == Int.self || type == Int64.self { return "a number" }
        if type == [String: Any].self { return "an object" }
        if type == [Any].self { return "an array" }
        return "of another JSON type"
    }
}

extension CodingUserInfoKey {
    /// The schema version of the payload being decoded, an `Int`; payloads read it through `Decoder`.
    static let contractSchemaVersion = CodingUserInfoKey(rawValue: "ProjectionContract.schemaVersion")!
}

extension Decoder {
    /// The schema version `decode(_:from:)` chose, or nil when a payload is decoded some other way.
    var contractSchemaVersion: Int? {
        userInfo[.contractSchemaVersion] as? Int
    }
}

/// Both ways of decoding a payload, for tests that hold the fast one to `JSONDecoder`'s answers.
package enum PayloadDecoding {
    /// What the tape decoder makes of `data`, or nil where it leaves the document to `JSONDecoder`.
    package static func tape<Payload: EventPayload>(_: Payload.Type, _ data: [UInt8], schemaVersion: Int) -> Payload? {
        try? TapeDecoder.decode(Payload.self, from: data, userInfo: [.contractSchemaVersion: schemaVersion])
    }

    /// Whether `data` is one JSON value by RFC 8259: only such a document is handed to `JSONDecoder`.
    package static func isJSON(_ data: [UInt8]) -> Bool {
        (try? JSONTape(data)) != nil
    }

    /// Whether `data` is valid JSON with arrays or objects nested deeper than `JSONDecoder` reads: the tape
    /// decodes such a document when only unknown fields are that deep, where `JSONDecoder` refuses it.
    package static func nestsDeeperThanJSONDecoderReads(_ data: [UInt8]) -> Bool {
        (try? JSONTape(data))?.nodes.contains(where: \.opaque) ?? false
    }

    /// What `JSONDecoder` makes of `data`.
    package static func foundation<Payload: EventPayload>(
        _: Payload.Type,
        _ data: [UInt8],
        schemaVersion: Int
    ) throws(ProjectionFailure) -> Payload {
        try ContractJSON.decodeWithFoundation(Payload.self, from: data, root: "data", schemaVersion: schemaVersion)
    }
}
