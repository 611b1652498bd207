import ProjectionCore

/// The typed payload of one event type of the event contract, validated while it is decoded.
///
/// Decode payloads with `decode(_:from:)`, which reads the schema version from the metadata,
/// checks it against `supportedSchemaVersions` and turns every broken rule into a `ProjectionFailure`.
/// A payload's `init(from:)` accepts every supported version and returns the current shape:
/// older versions are upcast while they are decoded. Decoding a payload any other way (a bare
/// `JSONDecoder`) assumes the current version and throws errors that carry no reason.
public protocol EventPayload: Decodable, Sendable {
    /// The `event_type` this payload belongs to (`AppointmentBooked`).
    static var eventType: String { get }
    /// The version assumed when `metadata.schemaVersion` is missing, and the shape this type has.
    ///
    /// Defaults to 1.
    static var currentSchemaVersion: Int { get }
    /// Every version this type can decode and upcast to `currentSchemaVersion`.
    ///
    /// Defaults to 1 through `currentSchemaVersion`.
    static var supportedSchemaVersions: ClosedRange<Int> { get }
    /// The patient the event is about; a stream named after a patient must name the same one (`StreamPatient`).
    var nhsNumber: NHSNumber { get }
}

extension EventPayload {
    /// Version 1, the version of every type of the event contract except `TestResultRecorded`.
    public static var currentSchemaVersion: Int { 1 }

    /// Every version from 1 up to the current one.
    public static var supportedSchemaVersions: ClosedRange<Int> { 1...currentSchemaVersion }
}
