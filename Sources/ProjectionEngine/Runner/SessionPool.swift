import Postgres

/// Sessions of one projection each, opened when first needed and closed together when the pool's scope
/// ends: the live group's sessions for full pages written apart.
actor SessionPool {
    private let databaseURL: String?
    private let settings: String
    private let role: String
    private var sessions: [String: Connection] = [:]

    private init(databaseURL: String?, settings: String, role: String) {
        self.databaseURL = databaseURL
        self.settings = settings
        self.role = role
    }

    /// Runs `body` with a pool of sessions opened with `settings`, and closes them however `body` ends.
    static func with<T: Sendable>(
        databaseURL: String?,
        settings: String,
        role: String,
        _ body: (SessionPool) async throws -> T
    ) async throws -> T {
        let pool = SessionPool(databaseURL: databaseURL, settings: settings, role: role)
        do {
            let value = try await body(pool)
            await pool.closeAll()
            return value
        } catch {
            await pool.closeAll()
            throw error
        }
    }

    /// `name`'s session, opened now if it has none.
    func session(for name: String) async throws -> Connection {
        if let session = sessions[name] { return session }
        let session = try await Connection.connect(to: databaseURL, applicationName: "projector:\(name):\(role)")
        do {
            try await session.executeScript(settings)
        } catch {
            await session.close()
            throw error
        }
        sessions[name] = session
        return session
    }

    /// Closes `name`'s session, which may be what failed; its next use opens a new one.
    func discard(_ name: String) async {
        await sessions.removeValue(forKey: name)?.close()
    }

    private func closeAll() async {
        for session in sessions.values { await session.close() }
        sessions = [:]
    }
}
