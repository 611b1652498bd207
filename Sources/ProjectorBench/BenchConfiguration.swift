/// What `projector bench` measures, and where.
public struct BenchConfiguration: Sendable {
    /// Log sizes to measure, one fresh database each. Defaults to 1 000 000 events.
    public var eventCounts: [Int] = [1_000_000]
    /// Events appended per second in the live-lag measurements, one measurement each. Defaults to 1 000 and 5 000.
    public var rates = [1_000, 5_000]
    /// The live runner's `synchronous_commit` settings to measure at each rate. Defaults to on, then off.
    public var synchronousCommits = [true, false]
    /// How long the live-lag measurement appends. Defaults to 30 seconds.
    public var duration: Duration = .seconds(30)
    /// Workers of the shared rebuilds measured after the single-process one (`rebuild --partitions N` with
    /// N - 1 `build-worker`s), one measurement each. Defaults to 2 and 4.
    public var workers = [2, 4]
    /// The `projector` executable to run as the child whose speed and memory are measured.
    public var projectorPath: String
    /// A database where the user may CREATE DATABASE; nil for libpq's defaults.
    public var adminConninfo: String?
    /// Keep the benchmark databases afterwards.
    public var keepDatabases = false
    /// The commit being measured, recorded in the report; nil when unknown.
    public var commit: String?

    /// A configuration that runs `projectorPath` against the server of `adminConninfo`.
    public init(projectorPath: String, adminConninfo: String?) {
        self.projectorPath = projectorPath
        self.adminConninfo = adminConninfo
    }
}

/// One read model as the benchmark needs it: its name and tables.
public struct BenchProjection: Sendable {
    /// The projection's name, also its schema.
    public var name: String
    /// Its tables, unqualified.
    public var tables: [String]

    /// Describes a projection.
    public init(name: String, tables: [String]) {
        self.name = name
        self.tables = tables
    }
}
