import AsyncAlgorithms
import Foundation
import Logging
import Postgres
import ProjectionCore
import ServiceLifecycle
import Synchronization

/// The leases a runner holds, shared by its loop (which takes and gives them up) and its `LeaseKeeper`.
final class HeldLeases: Sendable {
    /// This process's identity as a lease holder, kept across reconnects so it takes its own leases back.
    let holder: UUID
    private let names = Mutex<Set<String>>([])

    init(holder: UUID) { self.holder = holder }

    var all: Set<String> { names.withLock { $0 } }

    func insert(_ name: String) { _ = names.withLock { $0.insert(name) } }

    func remove(_ name: String) { _ = names.withLock { $0.remove(name) } }
}

/// Renews a runner's leases on a session of its own, every third of their length, so a writer busy with a
/// long batch or waiting for a table lock keeps them, and a frozen process loses them.
struct LeaseKeeper: Sendable {
    let held: HeldLeases
    let configuration: RunnerConfiguration
    let databaseURL: String?
    let logger: Logger

    /// Renews until cancelled; a lease another instance took reaches the loop as `.leaseLost`, a failure as `.fatal`.
    func run(into inputs: AsyncChannel<RunnerInput>) async {
        do {
            try await Connection.withConnection(to: databaseURL, applicationName: "projector:lease") { conn in
                try await renew(on: conn, into: inputs)
            }
        } catch {
            if !Task.isCancelled { await inputs.send(.fatal(error)) }
        }
    }

    private func renew(on conn: Connection, into inputs: AsyncChannel<RunnerInput>) async throws {
        let (holder, length) = (held.holder, configuration.leaseLength)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try await Task.sleep(for: length / 3)
            let names = held.all
            if names.isEmpty { continue }
            let kept: Set<String>
            do {
                kept = try await conn.withTransaction { conn in
                    try Leases.renew(Array(names), holder: holder, length: length, on: conn)
                }
            } catch {
                // A lost session ends the runner's sessions, this one included, and they start again; anything
                // else (a statement timeout, say) is tried again at the next renewal, before the lease lapses.
                if Outage.isConnectionLoss(error) { throw error }
                logger.warning("renewing the leases failed; trying again", metadata: ["error": "\(error)"])
                continue
            }
            let lost = names.subtracting(kept)
            if !lost.isEmpty { await inputs.send(.leaseLost(lost.sorted())) }
        }
    }
}
