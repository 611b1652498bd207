import ProjectionCore

/// What reaches a runner's loop: pages from its reader, ops' commands, the work of its child tasks, time.
///
/// Every producer sends into one channel, so the loop handles one input at a time and owns all state.
enum RunnerInput: Sendable {
    /// A page read once after the group's position, prepared for every projection of the runner.
    case page(GroupPage)
    /// Ops changed a projection's checkpoint row (pause, resume, reset, swap); nil for every projection.
    case control(String?)
    /// Time passed: retry stand-bys and failed projections.
    case tick
    /// Another instance took these projections' leases: this runner stopped renewing them in time.
    case leaseLost([String])
    /// A projection's build before it runs (a changed projection's, a first install's) is over: swapped in,
    /// not needed, or (a first install's only) failed, leaving it to catch up in its live tables.
    case rebuilt(String)
    /// A projection's own catch-up, started under `epoch`, reached `position`.
    case caughtUp(String, epoch: Int, at: LogPosition)
    /// A projection's own catch-up, started under `epoch`, stopped at a write that did not advance.
    case failedAlone(String, epoch: Int, outcome: WriteOutcome)
    /// A failure no retry mends here (the reader's session died, a rebuild failed): the runner stops.
    case fatal(any Error)
}

/// One page of the log, read once, with each projection's share of it already planned.
struct GroupPage: Sendable {
    /// The number of the read request it was read under (`ReadRequests`).
    var request: Int
    /// Where it was read from: the group's position when the read began.
    var start: LogPosition
    /// Where it ends: every projection written with it moves its checkpoint here.
    var end: LogPosition
    /// How many events it held, of any projection's types.
    var eventCount: Int
    /// Whether it reached every committed event.
    var isCaughtUp: Bool
    /// Whether it was full: the runner is catching up, and more pages follow at once.
    var isFull: Bool
    /// Each projection's events of the page, planned (pure work done by the reader).
    var batches: [String: PreparedBatch]
}
