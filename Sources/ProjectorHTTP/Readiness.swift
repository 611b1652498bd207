/// Whether the service can do its work now, and if not, why not.
///
/// `GET /ready` answers 200 when `ready` is true and 503 otherwise, with this value as the JSON body.
public struct Readiness: Sendable, Equatable, Codable {
    /// True when the service is ready to serve; load balancers and orchestrators route to it only then.
    public var ready: Bool

    /// Short, operator-facing reasons the service is not ready; empty when it is.
    ///
    /// - Important: Reasons are served unauthenticated and must never contain patient data or stream ids.
    public var reasons: [String]

    /// Creates a readiness answer from a flag and the reasons behind it.
    public init(ready: Bool, reasons: [String]) {
        self.ready = ready
        self.reasons = reasons
    }
}
