import ProjectionCore

/// The control flow of a runner that keeps several projections up to date from one reading of the log.
///
/// Pure: inputs come from the I/O shell (`ProjectionRunner`), and every input returns the actions the
/// shell must take. Projections that stand level with the group's position form the group: each page
/// read once is written for all of them in one transaction. A projection that is behind (just claimed,
/// resumed, reset, swapped, or evicted after a failure) catches up on its own sessions and joins the
/// group when level; one ahead of the group waits for the group to pass it.
///
/// Ops' commands (pause, resume, reset, swap) reach it as `.control` inputs; a claim carries an epoch,
/// so results of work started under an older claim are recognised and ignored.
struct RunnerStateMachine {
    /// Where one projection stands in this runner.
    enum MemberState: Equatable, Sendable {
        /// A new generation is being built before it can run: the installed tables differ from the code, or
        /// nothing is applied yet and the log is long (loaded as a rebuild is).
        case rebuilding
        /// Another instance is the writer (holds the lease); the lease is tried again at each tick.
        case standingBy
        /// The lease is held; the checkpoint is being claimed.
        case claiming
        /// Claimed at this position; placed once every pending claim is in (the group forms from all).
        case claimed(LogPosition)
        /// Ops paused it (or the stop policy did); it waits for a resume.
        case paused
        /// In the group: written with every page.
        case level
        /// Catching up on its own towards the group's position.
        case catchingUp
        /// Catching up inside the writer's transaction, to join at once.
        case joining
        /// Ahead of the group (a swap moved it on): joins once the group has passed this position.
        case ahead(LogPosition)
        /// Failed on its own; claimed again at the tick after `retryAt`.
        case failed(retryAt: ContinuousClock.Instant, failures: Int)
        /// Its live tables were built by a newer version of the code (an upgrade swapped them in): left to that
        /// version, never claimed again by this process, whose other projections run on.
        case retired
    }

    /// One projection's entry.
    struct Member: Sendable {
        var state: MemberState
        /// Bumped by every claim; work started under another epoch is stale.
        var epoch = 0
        /// Failures in a row, for the retry backoff; reset when a page of the group applies for it. (Not when
        /// it rejoins: a group that fails together rejoins at once, and would never back off.)
        var failures = 0
    }

    /// What the shell must do.
    enum Action: Equatable, Sendable {
        /// Build these projections' new generations in one pass over the log and swap each in, then report
        /// `.rebuilt` for each.
        case rebuild([String])
        /// Try to take these projections' leases; report each with `.leased`.
        case acquire([String])
        /// Claim the checkpoint with a fresh owner token (ending every older claim's work); report `.claimed`.
        case claim(String, epoch: Int)
        /// Start reading pages after this position (the first claim, or the group formed again).
        case startReading(from: LogPosition)
        /// Write the page for these group members in one transaction; report `.groupWritten`.
        case writeGroup([String])
        /// Catch the member up on its own sessions from `from` to `until`; report `.caughtUp` or `.failedAlone`.
        case catchUp(String, epoch: Int, from: LogPosition, until: LogPosition)
        /// Apply the member's last few pages from `from` up to `until` inside one transaction on the writer's
        /// session; report `.joinAttempted` (or `.failedAlone`).
        case join(String, epoch: Int, from: LogPosition, until: LogPosition)
        /// Every projection is level (or paused) and the log is read: a run asked to stop there is done.
        case finish
        /// Stop the runner with this failure.
        case fail(String)
    }

    /// What happened to one group member in a group transaction.
    enum GroupOutcome: Equatable, Sendable {
        /// Its checkpoint moved to the page's end.
        case advanced
        /// The stop policy paused it at a failing event inside the page.
        case stopped
        /// Its checkpoint was refused (paused, reset or swapped by ops, or lost to another instance).
        case needsClaim
        /// Its part failed; the others committed without it.
        case failed
    }

    /// Whether the runner stops once caught up.
    let exitWhenCaughtUp: Bool
    /// How long a failed projection waits before it is claimed again, doubled per failure up to `maxRetryDelay`.
    var retryDelay: Duration = .seconds(1)
    /// The longest wait before a failed projection is claimed again.
    var maxRetryDelay: Duration = .seconds(60)

    var members: [String: Member]
    /// The projections in the order given, for deterministic actions.
    let order: [String]
    /// The position every level member has reached: the end of the last page written; nil until the first claims.
    var groupPosition: LogPosition?
    /// Whether the last page read reached every committed event.
    var caughtUp = false

    /// A machine for `projections`; those in `building` are rebuilt before they run.
    init(projections: [String], building: Set<String> = [], exitWhenCaughtUp: Bool) {
        self.order = projections
        self.exitWhenCaughtUp = exitWhenCaughtUp
        var members: [String: Member] = [:]
        for name in projections {
            members[name] = Member(state: building.contains(name) ? .rebuilding : .standingBy)
        }
        self.members = members
    }

    /// The actions that start the runner.
    func start() -> [Action] {
        let rebuilding = order.filter { members[$0]?.state == .rebuilding }
        let waiting = order.filter { members[$0]?.state == .standingBy }
        return (rebuilding.isEmpty ? [] : [.rebuild(rebuilding)]) + (waiting.isEmpty ? [] : [.acquire(waiting)])
    }

    /// The group's members, in order.
    var level: [String] { order.filter { members[$0]?.state == .level } }

    /// The state of `name`.
    func state(of name: String) -> MemberState? { members[name]?.state }

    // MARK: Inputs

    /// A new generation of `name` is live (or another instance did the work).
    mutating func rebuilt(_ name: String) -> [Action] {
        guard members[name]?.state == .rebuilding else { return [] }
        members[name]?.state = .standingBy
        return [.acquire([name])]
    }

    /// The result of trying to take `name`'s lease.
    mutating func leased(_ name: String, acquired: Bool) -> [Action] {
        guard members[name]?.state == .standingBy else { return [] }
        guard acquired else {
            return exitWhenCaughtUp ? [.fail("projection \(name) is being run by another instance")] : []
        }
        return claim(name)
    }

    /// The checkpoint of `name` was claimed under `epoch`.
    mutating func claimed(_ name: String, epoch: Int, position: LogPosition, paused: Bool) -> [Action] {
        guard let member = members[name], member.epoch == epoch, member.state == .claiming else { return [] }
        members[name]?.state = paused ? .paused : .claimed(position)
        return placeClaimed() + finishIfDone()
    }

    /// Claiming `name` under `epoch` found tables a newer version of the code built: it is left to that
    /// version and the others run on; the run fails (`reason`) only when nothing is left for it to run.
    mutating func retired(_ name: String, epoch: Int, reason: String) -> [Action] {
        guard let member = members[name], member.epoch == epoch, member.state == .claiming else { return [] }
        members[name]?.state = .retired
        if order.allSatisfy({ members[$0]?.state == .retired }) { return [.fail(reason)] }
        return placeClaimed() + finishIfDone()
    }

    /// `name`'s lease was taken by another instance (this one stopped renewing it in time, a freeze or a
    /// network cut): whatever it started can no longer commit, and it stands by.
    mutating func leaseLost(_ name: String) -> [Action] {
        switch members[name]?.state {
        case nil, .rebuilding, .standingBy, .retired: return []
        default:
            members[name]?.epoch += 1
            members[name]?.state = .standingBy
            return exitWhenCaughtUp ? [.fail("projection \(name) was taken over by another instance")] : []
        }
    }

    /// Ops changed `name`'s checkpoint row (nil: every projection's): claim it again.
    mutating func control(_ name: String?) -> [Action] {
        let names = name.map { [$0] } ?? order
        var actions: [Action] = []
        for name in names {
            switch members[name]?.state {
            case nil, .rebuilding, .standingBy, .claiming, .retired: continue
            default: actions += claim(name)
            }
        }
        return actions
    }

    /// A page after the group's position was read; its end is where the level members move.
    ///
    /// - Parameters:
    ///   - start: where the page was read from; a page read from anywhere else is stale and dropped.
    ///   - end: where the page ends.
    ///   - caughtUp: whether it reached every committed event.
    mutating func pageRead(start: LogPosition, end: LogPosition, caughtUp: Bool) -> [Action]? {
        guard start == groupPosition else { return nil }
        self.caughtUp = caughtUp
        return [.writeGroup(level)]
    }

    /// The group transaction committed (or the page had no members) and moved the group to `end`.
    mutating func groupWritten(
        end: LogPosition,
        outcomes: [String: GroupOutcome],
        now: ContinuousClock.Instant
    )
        -> [Action]
    {
        groupPosition = end
        var actions: [Action] = []
        for (name, outcome) in outcomes.sorted(by: { $0.key < $1.key }) where members[name]?.state == .level {
            switch outcome {
            case .advanced: members[name]?.failures = 0
            case .stopped: members[name]?.state = .paused
            case .needsClaim: actions += claim(name)
            case .failed: actions += fail(name, now: now)
            }
        }
        // Members ahead of the group join once it has passed them: only the events in between are theirs to apply.
        for name in order {
            if case .ahead(let position) = members[name]?.state, position <= end {
                actions += startJoin(name, from: position)
            }
        }
        return actions + finishIfDone()
    }

    /// `name`'s own catch-up under `epoch` reached `position`.
    mutating func caughtUp(_ name: String, epoch: Int, at position: LogPosition) -> [Action] {
        guard let member = members[name], member.epoch == epoch, member.state == .catchingUp else { return [] }
        return place(name, at: position) + finishIfDone()
    }

    /// `name`'s work under `epoch` (its own catch-up or its join) failed; `needsClaim` when ops or another
    /// instance changed its checkpoint row, rather than a fault.
    /// Claiming `name`'s checkpoint, under `epoch`, failed without fault of the projection (its row locked
    /// past `lock_timeout`, by a frozen transaction say): it waits its back-off and is claimed again, and
    /// the others are not held up.
    mutating func claimFailed(_ name: String, epoch: Int, now: ContinuousClock.Instant) -> [Action] {
        guard let member = members[name], member.epoch == epoch, member.state == .claiming else { return [] }
        return fail(name, now: now) + placeClaimed() + finishIfDone()
    }

    mutating func failedAlone(_ name: String, epoch: Int, needsClaim: Bool, now: ContinuousClock.Instant) -> [Action] {
        guard let member = members[name], member.epoch == epoch else { return [] }
        guard member.state == .catchingUp || member.state == .joining else { return [] }
        return needsClaim ? claim(name) : fail(name, now: now)
    }

    /// `name`'s join under `epoch` applied the log up to `position`, inside the writer's transaction.
    mutating func joinAttempted(_ name: String, epoch: Int, reached position: LogPosition) -> [Action] {
        guard let member = members[name], member.epoch == epoch, member.state == .joining else { return [] }
        return place(name, at: position) + finishIfDone()
    }

    /// Time passed: stand-bys try the lease again, failed members whose wait is over are claimed again.
    mutating func tick(now: ContinuousClock.Instant) -> [Action] {
        var actions: [Action] = []
        let standing = order.filter { members[$0]?.state == .standingBy }
        if !standing.isEmpty { actions.append(.acquire(standing)) }
        for name in order {
            if case .failed(let retryAt, _) = members[name]?.state, retryAt <= now { actions += claim(name) }
        }
        return actions
    }
}
