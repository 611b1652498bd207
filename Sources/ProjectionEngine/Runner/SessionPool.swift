import Postgres

/// Sessions of one projection each, opened when first needed and closed together when the pool's scope
/// ends: the live group's sessions for full pages written apart.
actor SessionPool {
    private let databaseURL: String?
    private let settings: String
    private let role: String
    /// Where its sessions are watched for a stalled statement, if anywhere.
    private let watch: SessionWatch?
    private var sessions: [String: Connection] = [:]

    private init(databaseURL: String?, settings: String, role: String, watch: SessionWatch?) {
        self.databaseURL = databaseURL
        self.settings = settings
        self.role = role
        self.watch = watch
    }

    /// Runs `body` with a pool of sessions opened with `settings`, and closes them however `body` ends.
    static func with<T: Sendable>(
        databaseURL: String?,
        settings: String,
        role: String,
        watch: SessionWatch? = nil,
        _ body: (SessionPool) async throws -> T
    ) async throws -> T {
        let pool = SessionPool(databaseURL: databaseURL, settings: settings, role: role, watch: watch)
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
        watch?.watch(session, as: "\(name):\(role)")
        return session
    }

    /// Closes `name`'s session, which may be what failed; its next use opens a new one.
    func discard(_ name: String) async {
        watch?.forget("\(name):\(role)")
        await sessions.removeValue(forKey: name)?.close()
    }

    private func closeAll() async {
        for name in sessions.keys { watch?.forget("\(name):\(role)") }
        for session in sessions.values { await session.close() }
        sessions = [:]
    }
}
