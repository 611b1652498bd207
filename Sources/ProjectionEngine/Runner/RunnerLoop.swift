import AsyncAlgorithms
import EventLog
import Logging
import Postgres
import ProjectionCore
import ServiceLifecycle

/// The I/O half of a `ProjectionRunner`: takes inputs one at a time, feeds them to the state machine
/// and carries out the actions it returns, on the writer's session or in child tasks.
///
/// Its concerns live in one file each: claims and leases (`RunnerLoop+Claims`), the group's pages
/// (`RunnerLoop+Pages`), and work on sessions of its own, catch-ups and builds (`RunnerLoop+Alone`).
struct RunnerLoop {
    let runner: ProjectionRunner
    let writer: Connection
    let leases: HeldLeases
    /// Sessions for full pages, written apart.
    let apartSessions: SessionPool
    /// The sessions watched for a stalled statement: the writer, the reader, those of `apartSessions` and
    /// of catch-ups.
    let watch: SessionWatch
    var machine: RunnerStateMachine

    /// One projection's I/O state: its current claim and how it writes.
    struct Member {
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

    var members: [String: Member]
    let requests = ReadRequests()
    let inputs = AsyncChannel<RunnerInput>()
    /// The page being written, between `.page` and its `.writeGroup`.
    var page: GroupPage?
    private var finished = false

    /// A loop for `runner`'s projections; those the machine builds first are built under `buildConditions`.
    init(
        runner: ProjectionRunner,
        writer: Connection,
        leases: HeldLeases,
        apartSessions: SessionPool,
        watch: SessionWatch,
        machine: RunnerStateMachine,
        buildConditions: [String: Rebuild.Condition] = [:]
    ) {
        self.runner = runner
        self.writer = writer
        self.leases = leases
        self.apartSessions = apartSessions
        self.watch = watch
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

    /// Runs until shut down, finished (`exitWhenCaughtUp`) or failed; `reader` must be prepared by
    /// `ReaderSession.prepare(_:listening: true)`.
    mutating func run(reader: Connection) async throws {
        let (inputs, requests, configuration, leases, watch) = (inputs, requests, runner.configuration, leases, watch)
        let (projections, databaseURL, logger) = (runner.projections, runner.databaseURL, runner.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                await LeaseKeeper(
                    held: leases,
                    watch: watch,
                    configuration: configuration,
                    databaseURL: databaseURL,
                    logger: logger
                )
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
        case .failedAlone(let name, let epoch, let outcome):
            try await perform(failedAlone(name, epoch: epoch, outcome: outcome, during: "catch-up"), in: &group)
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
                queue += try await writePage(for: names)
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

    /// What a share that did not advance means for the machine; logged. A lost session stops the runner,
    /// which connects again (see `ProjectionRunner.run`).
    func groupOutcome(
        of name: String,
        _ outcome: WriteOutcome,
        during: String
    ) throws -> RunnerStateMachine.GroupOutcome {
        switch outcome {
        case .advanced(let written):
            return written.stopped ? .stopped : .advanced
        case .sessionLost(let error):
            throw error
        case .paused, .lostOwnership:
            (members[name]?.logger ?? runner.logger).info(
                "checkpoint changed by ops or another instance; claiming it again",
                metadata: ["during": "\(during)"]
            )
            return .needsClaim
        case .failed(let error):
            (members[name]?.logger ?? runner.logger).error(
                "projection failed; the others go on, and it is retried on its own",
                metadata: ["during": "\(during)", "error": "\(error)"]
            )
            return .failed
        }
    }

    /// A catch-up or a join that did not advance, told to the machine.
    mutating func failedAlone(
        _ name: String,
        epoch: Int,
        outcome: WriteOutcome,
        during: String
    ) throws -> [RunnerStateMachine.Action] {
        // One the machine no longer runs (its lease lost meanwhile) has nothing to report.
        guard machine.state(of: name) != nil else {
            if case .sessionLost(let error) = outcome { throw error }
            return machine.failedAlone(name, epoch: epoch, needsClaim: outcome.needsClaim, now: .now)
        }
        let needsClaim = try groupOutcome(of: name, outcome, during: during) == .needsClaim
        return machine.failedAlone(name, epoch: epoch, needsClaim: needsClaim, now: .now)
    }
}
