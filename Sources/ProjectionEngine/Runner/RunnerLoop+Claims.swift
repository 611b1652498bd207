import Foundation
import Logging
import Postgres

/// Leases and claims: which projections this runner writes, and under which owner token.
extension RunnerLoop {
    /// Tries to take the leases of `names` (one statement for all), and reports each to the machine.
    mutating func acquire(_ names: [String]) async throws -> [RunnerStateMachine.Action] {
        let (holder, length) = (leases.holder, runner.configuration.leaseLength)
        // Standing down after a stalled session: the leases are left to a standby for a while.
        let result =
            leases.isStandingDown
            ? Leases.Acquired()
            : try await writer.withTransaction { conn in
                try Leases.acquire(names, holder: holder, length: length, on: conn)
            }
        var acquired = result.held
        // The lease session may have given them up (a stalled session) while this statement ran.
        if leases.isStandingDown && !acquired.isEmpty {
            let taken = Array(acquired)
            try await writer.withTransaction { conn in try Leases.release(taken, holder: holder, on: conn) }
            acquired = []
        }
        if !acquired.isEmpty { try await fence(result.takenFrom) }
        var actions: [RunnerStateMachine.Action] = []
        for name in names {
            let taken = acquired.contains(name)
            runner.health.setStandingBy(name, !taken)
            if taken {
                leases.insert(name)
                members[name]?.announcedStandby = false
            } else {
                // Held before an outage, perhaps: another instance took it meanwhile.
                leases.remove(name)
                if members[name]?.announcedStandby == false, !runner.configuration.exitWhenCaughtUp {
                    members[name]?.logger.info("standing by: another instance is the writer")
                    members[name]?.announcedStandby = true
                }
            }
            actions += machine.leased(name, acquired: taken)
        }
        return actions
    }

    /// Ends the sessions of the instances whose lapsed leases this runner just took (`Fencing`). Best effort:
    /// a server that refuses leaves the old holder's transactions to end by themselves, and the claims that
    /// follow wait for them as before.
    private func fence(_ holders: Set<UUID>) async throws {
        guard !holders.isEmpty else { return }
        do {
            let ended = try await writer.withTransaction { conn in try Fencing.endSessions(of: holders, on: conn) }
            runner.logger.notice(
                "took over leases another instance let lapse; ended its sessions",
                metadata: ["sessions.ended": "\(ended)"]
            )
        } catch {
            if Outage.isConnectionLoss(error) { throw error }
            runner.logger.warning(
                "took over leases another instance let lapse, but could not end its sessions; its open transactions hold their locks until they end",
                metadata: ["error": "\(error)"]
            )
        }
    }

    /// Another instance holds `name`'s lease now: forget the claim, and stand by.
    mutating func loseLease(_ name: String) -> [RunnerStateMachine.Action] {
        leases.remove(name)
        members[name]?.applier = nil
        runner.health.setStandingBy(name, true)
        members[name]?.logger.warning("another instance took the lease over; standing by")
        members[name]?.announcedStandby = true
        return machine.leaseLost(name)
    }

    /// Takes ownership of `name`'s live checkpoint with a fresh owner token, if its lease is still held.
    mutating func claim(_ name: String, epoch: Int) async throws -> [RunnerStateMachine.Action] {
        guard let member = members[name] else { return [] }
        // A fresh token per claim: whatever an older claim started can no longer commit.
        let owner = UUID().uuidString.lowercased()
        let holder = leases.holder
        let claimed: CheckpointClaim?
        switch await Self.claimCheckpoint(name, owner: owner, holder: holder, on: writer) {
        case .success(let claim):
            claimed = claim
        case .failure(let error) where Self.isLockTimeout(error):
            // The checkpoint row is locked: by a writer's transaction frozen before its commit, say, after
            // that writer gave its lease up. Not this projection's fault, and no reason to stop the runner.
            member.logger.warning(
                "claiming the checkpoint waited past lock_timeout; claiming it again after a back-off",
                metadata: ["error": "\(error)"]
            )
            return machine.claimFailed(name, epoch: epoch, now: .now)
        case .failure(let error):
            throw error
        }
        guard let claim = claimed else {
            // Another instance took the lease between this runner's last renewal and now.
            return loseLease(name)
        }
        if claim.paused {
            member.logger.notice(
                "paused; waiting for projector resume",
                metadata: [LogKey.checkpoint: "\(claim.position)"]
            )
            members[name]?.applier = nil
            return machine.claimed(name, epoch: epoch, position: claim.position, paused: true)
        }
        // A swap may have brought in tables built by other code: this code must not write into them. Newer
        // code's (an upgrade's new version swapped them in): leave the projection to it, give the lease up,
        // and run the others on.
        if case .changed(let change) = try await ProjectionCatalog.check(member.projection, on: writer) {
            guard change.isDowngrade else { throw change }
            try await writer.withTransaction { conn in try Leases.release([name], holder: holder, on: conn) }
            leases.remove(name)
            members[name]?.applier = nil
            runner.health.setStandingBy(name, false)
            member.logger.error(
                "left to the newer version that rebuilt it; the other projections run on",
                metadata: ["projection.installedVersion": "\(change.installedVersion)"]
            )
            return machine.retired(name, epoch: epoch, reason: "\(change)")
        }
        let applier = BatchApplier(
            projection: member.projection,
            generation: .live(name),
            layouts: try await TableLayout.loadAll(of: member.projection, on: writer),
            owner: owner,
            onFailure: claim.onFailure
        )
        members[name]?.applier = applier
        members[name]?.announcedCaughtUp = false
        member.logger.info("projection claimed", metadata: [LogKey.checkpoint: "\(claim.position)"])
        // Before the group reads on: if the last writer died after this checkpoint, the breaker replays
        // what it was applying, carefully, on this session.
        let replay = BreakerReplay(
            consumer: name,
            applier: applier,
            session: writer,
            configuration: runner.configuration,
            logger: member.logger
        )
        switch try await BreakerReplay.start(replay, holder: holder, at: claim.position) {
        case .at(let position):
            return machine.claimed(name, epoch: epoch, position: position, paused: false)
        case .left(.sessionLost(let error), _):
            throw error
        case .left(let outcome, let position):
            // The group meets the same fault at once, and deals with it as it deals with any.
            member.logger.warning(
                "the breaker's replay stopped at a write that did not advance",
                metadata: ["outcome": "\(outcome)"]
            )
            return machine.claimed(name, epoch: epoch, position: position, paused: false)
        }
    }

    /// `Checkpoints.claim` in a transaction on `writer`, its failure as a value.
    ///
    /// A function of its own: Swift 6.3.1's ClosureLifetimeFixup pass crashed (signal 11) on the same call
    /// inside `do`/`catch let … where` in `claim`, in some clean builds.
    private static func claimCheckpoint(
        _ name: String,
        owner: String,
        holder: UUID,
        on writer: Connection
    ) async -> Result<CheckpointClaim?, any Error> {
        do {
            return .success(
                try await writer.withTransaction { conn in
                    try Checkpoints.claim(name, owner: owner, leaseHolder: holder, on: conn)
                }
            )
        } catch {
            return .failure(error)
        }
    }

    /// Whether `error` is a statement that gave up waiting for a lock (`lock_timeout`, SQLSTATE 55P03).
    static func isLockTimeout(_ error: any Error) -> Bool {
        PostgresError.sqlState(of: error) == "55P03"
    }

    /// Gives up every lease this runner holds, having stopped cleanly: the breaker has nothing to fear.
    func releaseLeases() async throws {
        let (held, holder) = (Array(leases.all), leases.holder)
        guard !held.isEmpty else { return }
        try await writer.withTransaction { conn in
            try Breaker.end(held, holder: holder, inTransactionOn: conn)
            try Leases.release(held, holder: holder, on: conn)
        }
        for name in held { leases.remove(name) }
    }
}
