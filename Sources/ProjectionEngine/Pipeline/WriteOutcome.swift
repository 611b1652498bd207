import Postgres

/// What became of one consumer's share of a page: the pipeline's answer, as a value.
///
/// A refusal by the checkpoint (a pause, another claim) is no fault, and neither is a lost session (the
/// database went away); both are told apart from a failure here, once, where the write ran.
enum WriteOutcome: Sendable {
    /// Committed: the checkpoint moved to the page's end (or, under the stop policy, to a dead letter).
    case advanced(BatchApplier.Written)
    /// Rolled back: ops paused the projection. It claims again, and waits for a resume.
    case paused
    /// Rolled back: another claim owns the checkpoint (another instance, a swap, a reset). It claims again.
    case lostOwnership
    /// Rolled back: this consumer's own fault (a statement failed). It is retried on its own.
    case failed(any Error)
    /// The session went away: nobody's fault; every session starts again.
    case sessionLost(any Error)

    /// The outcome of a write that threw `error`.
    init(thrown error: any Error) {
        self = Outage.isConnectionLoss(error) ? .sessionLost(error) : .failed(error)
    }

    /// Whether the write committed.
    var committed: Bool {
        if case .advanced = self { return true }
        return false
    }

    /// Whether ops or another claim changed the checkpoint row: the projection claims it again.
    var needsClaim: Bool {
        switch self {
        case .paused, .lostOwnership: true
        case .advanced, .failed, .sessionLost: false
        }
    }

    /// The outcome of a write whose checkpoint answered `advance`.
    init(advance: Checkpoints.Advance, written: BatchApplier.Written) {
        switch advance {
        case .advanced: self = .advanced(written)
        case .paused: self = .paused
        case .lostOwnership: self = .lostOwnership
        }
    }

    /// How a transaction holding this write ends.
    var transactionEnd: TransactionEnd<WriteOutcome> { committed ? .commit(self) : .rollback(self) }
}

extension WriteOutcome {
    /// What a write that did not advance means as an error, for one that must throw it (a build).
    func failure(of projection: String) -> any Error {
        switch self {
        case .failed(let error), .sessionLost(let error): error
        case .paused: CheckpointRefused(projection: projection, advance: .paused)
        case .lostOwnership, .advanced: CheckpointRefused(projection: projection, advance: .lostOwnership)
        }
    }
}
