import EventLog
import Foundation
import ProjectionCore

/// The engine's knobs, with defaults that suit a 2-core machine.
public struct RunnerConfiguration: Sendable {
    /// Events read and applied per transaction. Defaults to 2 000 events.
    public var batchSize: Int = 2_000
    /// Bytes of payload and metadata a page holds at most (unless its first event alone is larger), so that
    /// memory is bounded by bytes as well as by `batchSize`. Defaults to `LogReader.defaultMaxBytes` (8 MiB).
    public var pageBytes: Int = LogReader.defaultMaxBytes
    /// How long a caught-up runner waits for a NOTIFY before polling the log anyway. Defaults to 1 second.
    ///
    /// Also how soon a reader whose server process froze is found out: its NOTIFYs never come, and only the
    /// next poll, a statement with a deadline, shows it stuck. At 5 s a standby took over 12.3 s after such a
    /// freeze (the target is 10 s); at 1 s an idle instance reads an empty page once a second.
    public var idlePollInterval: Duration = .seconds(1)
    /// How often a runner held back by an open transaction looks again. Defaults to 20 milliseconds.
    public var heldBackRetryInterval: Duration = .milliseconds(20)
    /// How often a standby instance tries to take a lease (and a failed projection's wait is checked).
    /// Defaults to 1 second.
    public var standbyRetryInterval: Duration = .seconds(1)
    /// How long a writer's lease on a projection lasts unless renewed; it is renewed every third of this.
    /// A standby takes over once it lapses (the writer froze or lost the network), or at once when the
    /// writer's session is gone. Defaults to 3 seconds: a frozen writer is replaced within about
    /// `leaseLength + standbyRetryInterval`.
    public var leaseLength: Duration = .seconds(3)
    /// How long a projection that failed waits before it is tried again on its own, doubled for each failure
    /// in a row up to `maxRetryDelay`. Defaults to 1 second.
    public var retryDelay: Duration = .seconds(1)
    /// The longest wait before a failed projection is tried again. Defaults to 60 seconds.
    public var maxRetryDelay: Duration = .seconds(60)
    /// The longest wait between tries to reach the database again after it went away (restart, failover,
    /// network); the first wait is a quarter of a second, doubled per failed try. Defaults to 15 seconds.
    public var maxReconnectDelay: Duration = .seconds(15)
    /// How long a writer waits for a lock on a read-model table before its batch fails (and the projection
    /// is retried on its own) rather than stalling behind whoever holds it. Defaults to 4 seconds: below
    /// `statementDeadline`, so a batch waiting for a lock fails by itself before its session counts as stalled.
    public var lockTimeout: Duration = .seconds(4)
    /// How long one statement may run on the runner's reader and writer sessions before the session counts
    /// as stalled (its server process frozen, a network path lost without a reset): the runner then gives its
    /// leases up, so a standby takes over, cuts the session off and connects again (`SessionWatch`). Defaults
    /// to 6 seconds: with `leaseLength`'s renewal every second and a standby's try every
    /// `standbyRetryInterval`, a standby writes within about 8 seconds of the stall. Builds' sessions are not
    /// watched: a CREATE INDEX may rightly run for minutes.
    public var statementDeadline: Duration = .seconds(6)
    /// How long a writer's session may sit idle inside a transaction before the server ends it: a process
    /// frozen mid-transaction then releases its row locks (a standby's claim waits for them), its table locks
    /// and its transaction id (which holds every reader's watermark back). Defaults to 5 seconds; the engine's
    /// own transactions never wait for anything but the server inside.
    public var idleInTransactionTimeout: Duration = .seconds(5)
    /// Stop once every committed event has been applied, instead of following the log live.
    public var exitWhenCaughtUp = false
    /// Whether live batches wait for their WAL to reach disk before the checkpoint is reported moved
    /// (`synchronous_commit`). Defaults to true.
    ///
    /// With false, a server crash can lose the last few hundred milliseconds of batches: their rows and
    /// their checkpoint together, never one without the other, so the projector applies them again and
    /// nothing is lost or doubled; readers may briefly see the older state meanwhile. Builds (rebuilds,
    /// as-of copies, verify scratches) always run with it off: nobody reads them before their swap,
    /// which commits synchronously.
    public var synchronousCommit = true
    /// A projection whose live generation has applied no event yet when the runner starts (just installed,
    /// or reset) is loaded the way a rebuild is when the log holds at least this many events: built in a
    /// schema of its own by COPY with its secondary indexes deferred, then swapped in. Its tables stay empty
    /// until the swap, rather than filling in log order. Below it, or when nil, or when that build fails, it
    /// catches up in its live tables. Defaults to 50 000 events, below which the build's fixed costs
    /// (schema, indexes, ANALYZE, swap) outweigh what it saves.
    public var bulkInstallMinimumEvents: Int64? = 50_000

    /// The defaults.
    public init() {}

    /// The session settings of every session that writes read models: the timeouts above, no hash or
    /// merge joins, and `synchronous_commit` off when `synchronousCommit` is false (builds always turn it
    /// off themselves).
    ///
    /// Every join these sessions run matches a batch's keys (at most a page of rows) against a primary
    /// key, which only a nested loop over the key's index does in time proportional to the batch. Left to
    /// its estimates, the planner hashes the whole table instead while it is small or its statistics are
    /// stale (a build's new tables, a log replayed from zero): measured on a replay of 292k events, the
    /// timeline's UPDATE seq-scanned all 53k rows of its table for each batch of about 1,000.
    var writerSessionSettings: String {
        synchronousCommit ? swapSessionSettings : swapSessionSettings + "; SET synchronous_commit = off"
    }

    /// `writerSessionSettings`, and the session's registration as `holder`'s, so that an instance taking a
    /// lease over from it can end the session (`Fencing`).
    func writerSessionSettings(registeredAs holder: UUID) -> String {
        writerSessionSettings + ";\n" + Fencing.registration(of: holder)
    }

    /// `writerSessionSettings` without `synchronous_commit`, for a rebuild's own session: its swap commits
    /// as the server is configured to, whatever live batches do.
    var swapSessionSettings: String {
        [
            "SET lock_timeout = '\(Int(lockTimeout.seconds * 1000))ms'",
            "SET idle_in_transaction_session_timeout = '\(Int(idleInTransactionTimeout.seconds * 1000))ms'",
            "SET enable_hashjoin = off",
            "SET enable_mergejoin = off",
        ].joined(separator: "; ")
    }
}
