import Foundation
import Postgres
import Testing

/// Events for the chaos scenarios, and the checks every scenario ends with.
enum Chaos {
    /// Patients per round of `projector generate` (about 23 events each).
    static let patientsPerRound = 10

    /// The part of `projector status --json` the scenarios read.
    struct Status: Decodable {
        struct Projection: Decodable {
            var name: String
            var eventsBehind: Int64
            var writerActive: Bool
        }
        var projections: [Projection]
        var logEvents: Int64
    }

    /// `url` with every session named `name` in `pg_stat_activity`.
    static func named(_ url: String, _ name: String) -> String { "\(url) application_name=\(name)" }

    /// Appends one round of generated events (seed `seed`) in small transactions, retrying while the server
    /// is away (the same seed gives the same event ids, so a retry appends each event once) for at most 60 s.
    static func appendRound(_ url: String, seed: Int, patients: Int = patientsPerRound) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let result = try await ProjectorBinary.run(
                ["generate", "--patients", "\(patients)", "--seed", "\(seed)", "--into-log", "--batch-size", "20"],
                database: named(url, "chaos-appender")
            )
            if result.status == 0 { return }
            guard ContinuousClock.now < deadline else {
                throw ClusterFailure(message: "projector generate kept failing: \(result.stderr)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Appends rounds `seeds`, one after another: events that keep arriving while a fault happens.
    static func appendRounds(_ url: String, seeds: ClosedRange<Int>) async throws {
        for seed in seeds where !Task.isCancelled { try await appendRound(url, seed: seed) }
    }

    /// `projector status --json`, or nil when it fails (the server may be away).
    static func status(_ url: String) async -> Status? {
        guard let result = try? await ProjectorBinary.run(["status", "--json"], database: named(url, "chaos-status")),
            result.status == 0
        else { return nil }
        return try? JSONDecoder().decode(Status.self, from: Data(result.stdout.utf8))
    }

    /// Waits until every projection is 0 events behind, polling `projector status` every 100 ms for
    /// `timeout`; records an issue and returns false when not, or as soon as one of `alive` exits.
    @discardableResult
    static func waitUntilCaughtUp(
        _ url: String,
        alive: [ChaosProjector],
        timeout: Duration = .seconds(30),
        sourceLocation: SourceLocation = #_sourceLocation
    ) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        var last: Status?
        while ContinuousClock.now < deadline {
            if let dead = alive.first(where: { !$0.isRunning }) {
                Issue.record(
                    "projector run died before catching up: \(dead.exitDescription)",
                    sourceLocation: sourceLocation
                )
                return false
            }
            if let status = await status(url) {
                last = status
                if status.logEvents > 0 && status.projections.allSatisfy({ $0.eventsBehind == 0 }) { return true }
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        let behind = last?.projections.map { "\($0.name) \($0.eventsBehind)" }.joined(separator: ", ") ?? "no status"
        Issue.record("not caught up within \(timeout): \(behind)", sourceLocation: sourceLocation)
        return false
    }

    /// `projector verify` of every read model, two at a time; records an issue for each that is not clean.
    static func verifyAll(_ url: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for pair in stride(from: 0, to: ChaosCluster.readModels.count, by: 2) {
            let names = ChaosCluster.readModels[pair..<min(pair + 2, ChaosCluster.readModels.count)]
            try await withThrowingTaskGroup(of: (String, ProjectorBinary.Output).self) { group in
                for name in names {
                    group.addTask { (name, try await ProjectorBinary.run(["verify", name], database: url)) }
                }
                for try await (name, result) in group {
                    #expect(
                        result.status == 0,
                        "verify \(name): \(result.stdout)\(result.stderr)",
                        sourceLocation: sourceLocation
                    )
                }
            }
        }
    }

    /// The end of every scenario: each projector is alive and ready, events appended now (round `seed`) are
    /// projected within 30 s, and every read model verifies clean.
    static func expectRunningAndCorrect(
        _ url: String,
        _ projectors: [ChaosProjector],
        seed: Int,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        for projector in projectors {
            let ready = await projector.waitFor("/ready", status: 200, timeout: .seconds(30))
            try #require(ready, "/ready is not 200: \(projector.exitDescription)", sourceLocation: sourceLocation)
        }
        try await appendRound(url, seed: seed)
        let caughtUp = await waitUntilCaughtUp(url, alive: projectors, sourceLocation: sourceLocation)
        try #require(caughtUp, sourceLocation: sourceLocation)
        try await verifyAll(url, sourceLocation: sourceLocation)
        for projector in projectors {
            #expect(projector.isRunning, "\(projector.exitDescription)", sourceLocation: sourceLocation)
        }
    }

    /// The instance whose session holds the lease of every projection (`projector.leases`'
    /// `backend_pid`, with an expiry still ahead), by `application_name`; nil unless exactly one instance
    /// holds all of them.
    static func writer(_ url: String) async throws -> String? {
        let conn = try await ChaosCluster.connect(url)
        let rows: [Row]
        do {
            rows = try await conn.query(
                """
                SELECT a.application_name, count(*)
                FROM projector.leases l JOIN pg_stat_activity a ON a.pid = l.backend_pid
                WHERE l.expires_at > clock_timestamp()
                GROUP BY a.application_name
                """
            ).rows
        } catch {
            await conn.close()
            throw error
        }
        await conn.close()
        guard rows.count == 1, try rows[0].decode(Int64.self, at: 1) == Int64(ChaosCluster.readModels.count) else {
            return nil
        }
        return try rows[0].decode(String.self, at: 0)
    }
}
