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
                try await conn.executeScript(Fencing.registration(of: held.holder))
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
                try await giveUp(over: stalled, on: conn, into: inputs)
                continue
            }
            let names = held.all
            if names.isEmpty { continue }
            let kept: Set<String>
            do {
                kept = try await bounded(conn) { conn in
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

    /// Cuts the stalled sessions off, then gives every lease up for a while: the runner's loop, blocked in
    /// one of them, fails as after a lost connection and connects again, standing by while a standby takes
    /// over. The sessions go first, so that nothing below, should it hang or fail, keeps the loop blocked.
    private func giveUp(
        over stalled: [SessionWatch.Stall],
        on conn: Connection,
        into inputs: AsyncChannel<RunnerInput>
    ) async throws {
        for stall in stalled {
            logger.error(
                "a session is stuck in a statement past its deadline; giving the leases up and connecting again",
                metadata: [
                    "session": "\(stall.role)", "statement.seconds": "\(Int(stall.age.seconds))",
                    "deadline.seconds": "\(Int(watch.deadline.seconds))",
                ]
            )
            stall.end()
        }
        // A run to the end has no standby to leave them to; standing down would only fail it.
        if !configuration.exitWhenCaughtUp { held.standDown(for: configuration.standbyRetryInterval * 3) }
        let (names, holder) = (Array(held.all), held.holder)
        guard !names.isEmpty else { return }
        for name in names { held.remove(name) }
        // Best effort: a lease not released lapses by itself within its length.
        do {
            try await bounded(conn) { conn in try Leases.release(names, holder: holder, on: conn) }
        } catch {
            if Outage.isConnectionLoss(error) { throw error }
            logger.warning("giving the leases up failed; they lapse by themselves", metadata: ["error": "\(error)"])
        }
        await inputs.send(.leaseLost(names.sorted()))
    }

    /// `body` in a transaction on the lease session, which is cut off if it takes longer than the deadline
    /// of the sessions it watches: nothing else watches this one.
    private func bounded<T: Sendable>(
        _ conn: Connection,
        _ body: @Sendable (isolated Connection) throws -> T
    ) async throws -> T {
        let deadline = watch.deadline
        let watchdog = Task {
            try await Task.sleep(for: deadline)
            conn.abort()
        }
        defer { watchdog.cancel() }
        return try await conn.withTransaction(body)
    }
}
