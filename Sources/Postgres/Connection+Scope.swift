extension Connection {
    /// Connects, runs `body` with the session, and closes it however `body` ends: the one owner of a session
    /// that lives for a scope.
    public static func withConnection<T>(
        to conninfo: String?,
        applicationName: String = "projector",
        _ body: (Connection) async throws -> T
    ) async throws -> T {
        try await connect(to: conninfo, applicationName: applicationName).closing(after: body)
    }

    /// Runs `body` with this session and closes it however `body` ends.
    public nonisolated func closing<T>(after body: (Connection) async throws -> T) async throws -> T {
        do {
            let value = try await body(self)
            await close()
            return value
        } catch {
            await close()
            throw error
        }
    }
}
