/// The engine's knobs, with defaults that suit a 2-core machine.
public struct RunnerConfiguration: Sendable {
    /// Events read and applied per transaction. Defaults to 2 000 events.
    public var batchSize: Int = 2_000
    /// How long a caught-up runner waits for a NOTIFY before polling the log anyway. Defaults to 5 seconds.
    public var idlePollInterval: Duration = .seconds(5)
    /// How often a runner held back by an open transaction looks again. Defaults to 20 milliseconds.
    public var heldBackRetryInterval: Duration = .milliseconds(20)
    /// How often a standby instance tries to become the writer. Defaults to 2 seconds.
    public var standbyRetryInterval: Duration = .seconds(2)
    /// Stop once every committed event has been applied, instead of following the log live.
    public var exitWhenCaughtUp = false

    /// The defaults.
    public init() {}
}
