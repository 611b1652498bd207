/// Why a projection could not apply an event: what goes into the dead-letter table.
///
/// - Important: `reason` names the rule and the field (`nhsNumber fails the Modulus 11 check`),
///   never the value: dead-letter reasons are printed by `projector status` and logged.
public struct ProjectionFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// What an operator must do about the failure.
    public struct Category: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidPayload = "invalid-payload"
            case unsupportedSchemaVersion = "unsupported-schema-version"
            case missingPrecondition = "missing-precondition"
            case outOfOrder = "out-of-order"
            case parkedBehind = "parked-behind"
            case crashedProjector = "crashed-projector"
        }
        private let base: Base

        /// The payload breaks the contract (missing field, bad NHS number, timestamp without offset):
        /// the producer must correct it, then ops retry or skip.
        public static let invalidPayload = Category(base: .invalidPayload)
        /// `metadata.schemaVersion` is one this projection does not know: deploy a newer projection.
        public static let unsupportedSchemaVersion = Category(base: .unsupportedSchemaVersion)
        /// The event refers to something the read model has not seen (cancelled before booked). Parks nothing:
        /// if the event only came early, what should have come first still applies, and a retry replays it.
        public static let missingPrecondition = Category(base: .missingPrecondition)
        /// The event takes a step its stream's earlier events rule out (approved after rejected, dispensed before
        /// issued, requested after the course stopped): the stream is wrong, and is parked behind it until the
        /// producer corrects it and ops retry or skip.
        public static let outOfOrder = Category(base: .outOfOrder)
        /// Not the event's own failure: an earlier event of its stream is a dead letter, and the engine keeps
        /// the stream's later events behind it until ops retry or skip that one. Projections never throw it.
        public static let parkedBehind = Category(base: .parkedBehind)
        /// Not a broken rule: applying the event killed the process (a trap in the projection's code, or an
        /// out-of-memory kill) twice on its own, so the poison-pill breaker quarantined it. Fix the projection,
        /// release it under a new version (a rebuild runs it again), or skip it. Projections never throw it.
        public static let crashedProjector = Category(base: .crashedProjector)

        /// The stable text stored in `projector.dead_letters.category`.
        public var description: String { base.rawValue }
    }

    /// What ops must do.
    public var category: Category
    /// The rule that failed and the field it concerns; never the field's value.
    public var reason: String

    /// Creates a failure.
    public init(_ category: Category, _ reason: String) {
        self.category = category
        self.reason = reason
    }

    public var description: String { "\(category): \(reason)" }
}
