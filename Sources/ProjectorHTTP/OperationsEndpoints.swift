/// The answers the operations endpoints serve, supplied by whoever runs the engine.
public struct OperationsEndpoints: Sendable {
    /// Called on every `GET /ready`; it should answer quickly from state already in memory.
    public var readiness: @Sendable () async -> Readiness

    /// Called on every `GET /status` and returns the JSON body to serve.
    ///
    /// - Important: When it throws, the endpoint answers 503 with a fixed body and never shows the error,
    ///   because the error's text may carry patient data.
    public var status: @Sendable () async throws -> [UInt8]

    /// Creates the endpoints from a readiness check and a status report.
    public init(
        readiness: @escaping @Sendable () async -> Readiness,
        status: @escaping @Sendable () async throws -> [UInt8]
    ) {
        self.readiness = readiness
        self.status = status
    }
}
