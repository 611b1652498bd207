import AsyncAlgorithms
import EventLog
import Foundation
import Logging
import Postgres
import ProjectionCore
import ServiceLifecycle

/// The I/O half of a `ProjectionRunner`: takes inputs one at a time, feeds them to the state machine
/// and carries out the actions it returns, on the writer's session or in child tasks.
struct RunnerLoop {
    let runner: ProjectionRunner
    let writer: Connection
    let leases: HeldLeases
    var machine: RunnerStateMachine

    /// One projection's I/O state: its current claim and how it writes.
    private struct Member {
        let projection: any Projection
        let logger: Logger
        let metrics: ProjectionMetrics
        /// How it writes under its current claim; nil until claimed.
        var applier: BatchApplier?
        /// Whether "standing by" was logged since it last held the lease.
        var announcedStandby = false
        /// Whether "caught up" was logged since it last fell behind.
        var announcedCaughtUp = false
        /// When its build before it runs (`.rebuild`) is still wanted.
        var buildCondition = Rebuild.Condition.ifChanged
    }

    private var members: [String: Member]
    /// A session per projection for full pages, written side by side (`writeApart`); opened when first needed.
    private var apartWriters: [String: Connection] = [:]
    private let requests = ReadRequests()
    private let inputs = AsyncChannel<RunnerInput>()
    /// The page being written, between `.page` and its `.writeGroup`.
    private var page: GroupPage?
    private var finished = false

    /// A loop for `runner`'s projections; those the machine builds first are built under `buildConditions`.
    init(
        runner: ProjectionRunner,
        writer: Connection,
        leases: HeldLeases,
        machine: RunnerStateMachine,
        buildConditions: [String: Rebuild.Condition] = [:]
    ) {
        self.runner = runner
        self.writer = writer
        self.leases = leases
        self.machine = machine
        var members: [String: Member] = [:]
        for projection in runner.projections {
            members[projection.name] = Member(
                projection: projection,
                logger: runner.memberLogger(projection.name),
                metrics: ProjectionMetrics(projection: projection.name),
                buildCondition: buildConditions[projection.name] ?? .ifChanged
            )
        }
        self.members = members
    }

    /// Runs until shut down, finished (`exitWhenCaughtUp`) or failed; `reader` must LISTEN on both channels.
    mutating func run(reader: Connection) async throws {
        let (inputs, requests, configuration, leases) = (inputs, requests, runner.configuration, leases)
        let (projections, databaseURL, logger) = (runner.projections, runner.databaseURL, runner.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                await LeaseKeeper(held: leases, configuration: configuration, databaseURL: databaseURL, logger: logger)
                    .run(into: inputs)
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: configuration.standbyRetryInterval)
                    await inputs.send(.tick)
                }
            }
            group.addTask {
                await GroupReader(projections: projections, configuration: configuration, requests: requests)
                    .run(on: reader, into: inputs)
            }
            do {
                try await perform(machine.start(), in: &group)
                for await input in inputs.cancelOnGracefulShutdown() {
                    try await handle(input, in: &group)
                    if finished { break }
                }
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }

    /// Closes the sessions of `writeApart`.
    mutating func closeApartWriters() async {
        for conn in apartWriters.values { await conn.close() }
        apartWriters = [:]
    }

    /// Gives up every lease this runner holds.
    func releaseLeases() async throws {
        let (held, holder) = (Array(leases.all), leases.holder)
        guard !held.isEmpty else { return }
        try await writer.withTransaction { conn in try Leases.release(held, holder: holder, on: conn) }
        for name in held { leases.remove(name) }
    }

    private mutating func handle(_ input: RunnerInput, in group: inout ThrowingTaskGroup<Void, any Error>) async throws
    {
        switch input {
        case .page(let page):
            // A page read before the latest request is stale, even when it starts where the group formed
            // again: the reader is already reading from there once more, and would send that stretch twice.
            guard page.request == requests.latest else { return }
            // So is a page read from a position the group has left.
            guard let actions = machine.pageRead(start: page.start, end: page.end, caughtUp: page.isCaughtUp) else {
                return
            }
            self.page = page
            try await perform(actions, in: &group)
        case .control(let name):
            try await perform(machine.control(name), in: &group)
        case .tick:
            try await perform(machine.tick(now: .now), in: &group)
        case .leaseLost(let names):
            for name in names { try await perform(loseLease(name), in: &group) }
        case .rebuilt(let name):
            try await perform(machine.rebuilt(name), in: &group)
        case .caughtUp(let name, let epoch, let position):
            try await perform(machine.caughtUp(name, epoch: epoch, at: position), in: &group)
        case .failedAlone(let name, let epoch, let error):
            if Outage.isConnectionLoss(error) { throw error }
            try await perform(failedAlone(name, epoch: epoch, error: error), in: &group)
        case .fatal(let error):
            throw error
        }
    }

    /// Carries out `actions` and those that follow from their results, in order.
    private mutating func perform(
        _ actions: [RunnerStateMachine.Action],
        in group: inout ThrowingTaskGroup<Void, any Error>
    ) async throws {
        var queue = actions[...]
        while let action = queue.popFirst() {
            switch action {
            case .rebuild(let names):
                startRebuild(names, in: &group)
            case .acquire(let names):
                queue += try await acquire(names)
            case .claim(let name, let epoch):
                queue += try await claim(name, epoch: epoch)
            case .startReading(let position):
                requests.request(position)
            case .writeGroup(let names):
                guard let page else { continue }
                // Catching up, pages are full and each projection's share is large: one transaction per
                // projection on sessions of their own puts both cores (and as many server processes) to
                // work. Live, pages are small: one transaction for all saves a WAL flush per projection.
                let started = ContinuousClock.now
                let outcomes =
                    page.isFull && names.count > 1
                    ? try await writeApart(names, page: page) : try await writeGroup(names, page: page)
                runner.logger.debug(
                    "page written",
                    metadata: [
                        LogKey.checkpoint: "\(page.end)", LogKey.batchEvents: "\(page.eventCount)",
                        "page.projections": "\(names.count)", "page.apart": "\(page.isFull && names.count > 1)",
                        "page.milliseconds": "\(Int((ContinuousClock.now - started).seconds * 1000))",
                    ]
                )
                requests.writerCommitted()
                self.page = nil
                queue += machine.groupWritten(end: page.end, outcomes: outcomes, now: .now)
            case .catchUp(let name, let epoch, let from, let until):
                startCatchUp(name, epoch: epoch, from: from, until: until, in: &group)
            case .join(let name, let epoch, let from, let until):
                queue += try await join(name, epoch: epoch, from: from, until: until)
            case .finish:
                finished = true
            case .fail(let message):
                throw EngineError(message)
            }
        }
    }

    // MARK: Actions

    /// Tries to take the leases of `names` (one statement for all), and reports each to the machine.
    private mutating func acquire(_ names: [String]) async throws -> [RunnerStateMachine.Action] {
        let (holder, length) = (leases.holder, runner.configuration.leaseLength)
        let acquired = try await writer.withTransaction { conn in
            try Leases.acquire(names, holder: holder, length: length, on: conn)
        }
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

    /// Another instance holds `name`'s lease now: forget the claim, and stand by.
    private mutating func loseLease(_ name: String) -> [RunnerStateMachine.Action] {
        leases.remove(name)
        members[name]?.applier = nil
        runner.health.setStandingBy(name, true)
        members[name]?.logger.warning("another instance took the lease over; standing by")
        members[name]?.announcedStandby = true
        return machine.leaseLost(name)
    }

    private mutating func claim(_ name: String, epoch: Int) async throws -> [RunnerStateMachine.Action] {
        guard let member = members[name] else { return [] }
        // A fresh token per claim: whatever an older claim started can no longer commit.
        let owner = UUID().uuidString.lowercased()
        let generation = Generation.live(name)
        let holder = leases.holder
        let claimed = try await writer.withTransaction { conn in
            try Checkpoints.claim(name, owner: owner, leaseHolder: holder, on: conn)
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
        // A swap may have brought in tables built by other code: this code must not write into them.
        if case .changed(let change) = try await ProjectionCatalog.check(member.projection, on: writer) {
            throw change
        }
        members[name]?.applier = BatchApplier(
            projection: member.projection,
            generation: generation,
            layouts: try await TableLayout.loadAll(of: member.projection, on: writer),
            owner: owner,
            onFailure: claim.onFailure
        )
        members[name]?.announcedCaughtUp = false
        member.logger.info("projection claimed", metadata: [LogKey.checkpoint: "\(claim.position)"])
        return machine.claimed(name, epoch: epoch, position: claim.position, paused: false)
    }

    /// Writes `page` for `names` in one transaction; a member whose part fails is left out and the rest
    /// written again without it.
    private mutating func writeGroup(
        _ names: [String],
        page: GroupPage
    ) async throws -> [String: RunnerStateMachine.GroupOutcome] {
        var outcomes: [String: RunnerStateMachine.GroupOutcome] = [:]
        var remaining = names.compactMap { name -> (String, BatchApplier, PreparedBatch)? in
            guard let applier = members[name]?.applier, let batch = page.batches[name] else { return nil }
            return (name, applier, batch)
        }
        while !remaining.isEmpty {
            let parts = remaining
            let started = ContinuousClock.now
            let result = await writer.transactionResult { conn in
                try parts.map { name, applier, batch in
                    do {
                        return (name, try applier.write(batch, inTransactionOn: conn))
                    } catch {
                        throw MemberFailure(projection: name, underlying: error)
                    }
                }
            }
            switch result {
            case .success(let written):
                let took = ContinuousClock.now - started
                for (name, result) in written {
                    guard let member = members[name] else { continue }
                    member.applier?.report(result, logger: member.logger)
                    member.metrics.record(result.outcome, took: took)
                    outcomes[name] = result.stopped ? .stopped : .advanced
                    announceCaughtUp(name, page: page)
                }
                return outcomes
            case .failure(let error):
                // A lost session is nobody's fault: every session starts again (see `ProjectionRunner.run`).
                guard let failure = error.underlying as? MemberFailure, !Outage.isConnectionLoss(error) else {
                    throw error
                }
                let needsClaim = Self.needsClaim(failure.underlying)
                outcomes[failure.projection] = needsClaim ? .needsClaim : .failed
                log(failure.underlying, of: failure.projection, needsClaim: needsClaim, context: "group write")
                remaining.removeAll { $0.0 == failure.projection }
            }
        }
        return outcomes
    }

    /// Writes `page` for `names` side by side, each in its own transaction on its own session.
    private mutating func writeApart(
        _ names: [String],
        page: GroupPage
    ) async throws -> [String: RunnerStateMachine.GroupOutcome] {
        var parts: [(String, BatchApplier, PreparedBatch, Connection)] = []
        for name in names {
            guard let applier = members[name]?.applier, let batch = page.batches[name] else { continue }
            parts.append((name, applier, batch, try await apartWriter(for: name)))
        }
        let started = ContinuousClock.now
        let results = await withTaskGroup(of: (String, Result<BatchApplier.Written, any Error>).self) { group in
            for (name, applier, batch, conn) in parts {
                group.addTask {
                    do {
                        return (
                            name,
                            .success(
                                try await conn.withTransaction { conn in
                                    try applier.write(batch, inTransactionOn: conn)
                                }
                            )
                        )
                    } catch {
                        return (name, .failure(error))
                    }
                }
            }
            var results: [(String, Result<BatchApplier.Written, any Error>)] = []
            for await result in group { results.append(result) }
            return results
        }
        let took = ContinuousClock.now - started
        for case (_, .failure(let error)) in results where Outage.isConnectionLoss(error) { throw error }
        var outcomes: [String: RunnerStateMachine.GroupOutcome] = [:]
        for (name, result) in results {
            guard let member = members[name] else { continue }
            switch result {
            case .success(let written):
                member.applier?.report(written, logger: member.logger)
                member.metrics.record(written.outcome, took: took)
                outcomes[name] = written.stopped ? .stopped : .advanced
                announceCaughtUp(name, page: page)
            case .failure(let error):
                let needsClaim = Self.needsClaim(error)
                outcomes[name] = needsClaim ? .needsClaim : .failed
                log(error, of: name, needsClaim: needsClaim, context: "write")
                // The session may be what failed; the next full page opens a new one.
                if !needsClaim, let conn = apartWriters.removeValue(forKey: name) { await conn.close() }
            }
        }
        return outcomes
    }

    private mutating func apartWriter(for name: String) async throws -> Connection {
        if let conn = apartWriters[name] { return conn }
        let conn = try await Connection.connect(to: runner.databaseURL, applicationName: "projector:\(name):writer")
        try await conn.executeScript(runner.configuration.writerSessionSettings)
        apartWriters[name] = conn
        return conn
    }

    private mutating func announceCaughtUp(_ name: String, page: GroupPage) {
        guard page.isCaughtUp else {
            members[name]?.announcedCaughtUp = false
            return
        }
        guard members[name]?.announcedCaughtUp == false else { return }
        members[name]?.announcedCaughtUp = true
        members[name]?.logger.info("caught up", metadata: [LogKey.checkpoint: "\(page.end)"])
    }

    /// Applies `name`'s last pages up to the group's position in one transaction on the writer's session.
    private mutating func join(
        _ name: String,
        epoch: Int,
        from: LogPosition,
        until: LogPosition
    ) async throws -> [RunnerStateMachine.Action] {
        guard let applier = members[name]?.applier else { return [] }
        let pageSize = runner.configuration.batchSize
        do {
            let reached = try await writer.withTransaction { conn in
                try applier.catchUp(from: from, until: until, pageSize: pageSize, maxPages: 2, on: conn).position
            }
            requests.writerCommitted()
            if reached == until {
                members[name]?.logger.debug("joined the group", metadata: [LogKey.checkpoint: "\(until)"])
            }
            return machine.joinAttempted(name, epoch: epoch, reached: reached)
        } catch {
            if Outage.isConnectionLoss(error) { throw error }
            return failedAlone(name, epoch: epoch, error: error)
        }
    }

    private mutating func failedAlone(_ name: String, epoch: Int, error: any Error) -> [RunnerStateMachine.Action] {
        let needsClaim = Self.needsClaim(error)
        if machine.state(of: name) != nil, members[name] != nil {
            log(error, of: name, needsClaim: needsClaim, context: "catch-up")
        }
        return machine.failedAlone(name, epoch: epoch, needsClaim: needsClaim, now: .now)
    }

    private func startCatchUp(
        _ name: String,
        epoch: Int,
        from: LogPosition,
        until: LogPosition,
        in group: inout ThrowingTaskGroup<Void, any Error>
    ) {
        guard let member = members[name], let applier = member.applier else { return }
        let (inputs, runner) = (inputs, runner)
        member.logger.info(
            "catching up on its own",
            metadata: [LogKey.checkpoint: "\(from)", "catchup.until": "\(until)"]
        )
        group.addTask {
            do {
                let end = try await CatchUp(
                    applier: applier,
                    runner: runner,
                    logger: member.logger,
                    metrics: member.metrics
                )
                .run(from: from, until: until)
                await inputs.send(.caughtUp(name, epoch: epoch, at: end))
            } catch {
                await inputs.send(.failedAlone(name, epoch: epoch, error: error))
            }
        }
    }

    /// Builds `names` in one pass over the log (`RebuildGroup`), each swapped in as soon as the pass is done.
    ///
    /// A changed projection whose build fails stops the runner: its new code must not write the old tables.
    /// A first install's failure only costs the shortcut: it catches up in its live tables like any other,
    /// where a failure stays its own (retried alone while the others go on). An outage stops the runner
    /// either way, which connects again and resumes the builds.
    private func startRebuild(_ names: [String], in group: inout ThrowingTaskGroup<Void, any Error>) {
        let building = names.compactMap { self.members[$0] }
        let rebuilds = building.map { member in
            var rebuild = Rebuild(
                projection: member.projection,
                databaseURL: runner.databaseURL,
                configuration: runner.configuration,
                logger: member.logger
            )
            rebuild.condition = member.buildCondition
            let progress = BuildProgressLog(logger: member.logger)
            rebuild.onProgress = { progress.record($0) }
            return rebuild
        }
        let inputs = inputs
        group.addTask {
            let outcomes = await RebuildGroup(rebuilds).run()
            // In the order given, so that the first failure is the one reported.
            for member in building {
                let name = member.projection.name
                switch outcomes[name] {
                case .success(.swapped), .success(.notNeeded):
                    await inputs.send(.rebuilt(name))
                case .failure(let error)
                where member.buildCondition == .ifNothingApplied && !Outage.isConnectionLoss(error):
                    member.logger.error(
                        "loading it as a rebuild failed; it catches up in its live tables instead",
                        metadata: ["error": "\(error)"]
                    )
                    await inputs.send(.rebuilt(name))
                case .failure(let error):
                    await inputs.send(.fatal(error))
                    return
                case .success(.stopped), nil:
                    continue
                }
            }
        }
    }

    // MARK: Failures

    /// Whether `error` means ops or another instance changed the checkpoint row (pause, reset, swap, a new
    /// owner) rather than a fault: the projection claims its checkpoint again.
    static func needsClaim(_ error: any Error) -> Bool {
        if let failed = error as? TransactionError { return needsClaim(failed.underlying) }
        if let failed = error as? MemberFailure { return needsClaim(failed.underlying) }
        return error is ProjectionPaused || error is LostOwnership
    }

    private func log(_ error: any Error, of name: String, needsClaim: Bool, context: String) {
        let logger = members[name]?.logger ?? runner.logger
        if needsClaim {
            logger.info(
                "checkpoint changed by ops or another instance; claiming it again",
                metadata: ["during": "\(context)"]
            )
        } else {
            logger.error(
                "projection failed; the others go on, and it is retried on its own",
                metadata: ["during": "\(context)", "error": "\(error)"]
            )
        }
    }
}

extension Connection {
    /// `withTransaction`'s outcome as a value, so the caller can branch on a failure's cause.
    fileprivate func transactionResult<T: Sendable>(
        _ body: @Sendable (isolated Connection) throws -> T
    ) -> Result<T, TransactionError> {
        do {
            return .success(try withTransaction(body))
        } catch {
            return .failure(error)
        }
    }
}

/// One projection's part of a group transaction failed; the transaction rolled back.
struct MemberFailure: Error, Sendable {
    var projection: String
    var underlying: any Error
}
