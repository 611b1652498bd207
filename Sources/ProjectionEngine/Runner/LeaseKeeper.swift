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

    /// Until when this process leaves the leases to others after giving them up over a stalled session.
    private let standingDownUntil = Mutex<ContinuousClock.Instant?>(nil)

    init(holder: UUID) { self.holder = holder }

    var all: Set<String> { names.withLock { $0 } }

    func insert(_ name: String) { _ = names.withLock { $0.insert(name) } }

    func remove(_ name: String) { _ = names.withLock { $0.remove(name) } }

    /// Leaves the leases to others for `duration`: without it, this process, connected again within
    /// moments, would take back what it gave up before any standby could try.
    func standDown(for duration: Duration) {
        standingDownUntil.withLock { $0 = .now + duration }
    }

    /// Whether this process is leaving the leases to others now.
    var isStandingDown: Bool {
        standingDownUntil.withLock { until in until.map { ContinuousClock.now < $0 } ?? false }
    }
}

/// Renews a runner's leases on a session of its own, every third of their length, so a writer busy with a
/// long batch or waiting for a table lock keeps them, and a frozen process loses them; and gives them up at
/// once when one of the runner's sessions is stuck in a statement (`SessionWatch`).
struct LeaseKeeper: Sendable {
    let held: HeldLeases
    let watch: SessionWatch
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
            let stalled = watch.stalled()
            if !stalled.isEmpty {
                try await giveUp(over: stalled, on: conn)
                continue
            }
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

    /// Gives every lease up for a while and cuts the stalled sessions off: the runner's loop, blocked in one of
    /// them, fails as after a lost connection and connects again, standing by while a standby takes over.
    private func giveUp(over stalled: [SessionWatch.Stall], on conn: Connection) async throws {
        for stall in stalled {
            logger.error(
                "a session is stuck in a statement past its deadline; giving the leases up and connecting again",
                metadata: [
                    "session": "\(stall.role)", "statement.seconds": "\(Int(stall.age.seconds))",
                    "deadline.seconds": "\(Int(watch.deadline.seconds))",
                ]
            )
        }
        held.standDown(for: configuration.standbyRetryInterval * 3)
        let (names, holder) = (Array(held.all), held.holder)
        if !names.isEmpty {
            try await conn.withTransaction { conn in try Leases.release(names, holder: holder, on: conn) }
            for name in names { held.remove(name) }
        }
        for stall in stalled { stall.end() }
    }
}
