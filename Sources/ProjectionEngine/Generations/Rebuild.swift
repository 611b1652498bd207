import EventLog
import Foundation
import Logging
import Postgres
import ProjectionCore
import ServiceLifecycle

/// How far a build has got, reported after each batch.
public struct BuildProgress: Sendable, Codable {
    /// Events handled so far (applied or dead-lettered).
    public var eventsDone: Int64
    /// Events of the projection's types in the log when the build started (or up to its end), at least `eventsDone`.
    public var eventsTotal: Int64
    /// Where the build has read up to.
    public var position: String
    /// Seconds since this run of the build started.
    public var seconds: Double
    /// Events per second over this run.
    public var eventsPerSecond: Double
    /// Seconds left at that rate; nil until there is a rate.
    public var secondsLeft: Double?

    /// Progress after `elapsed`, of which `eventsDone - eventsAtStart` events were done by this run.
    init(eventsDone: Int64, eventsTotal: Int64, eventsAtStart: Int64, position: LogPosition, elapsed: Duration) {
        self.eventsDone = eventsDone
        self.eventsTotal = max(eventsTotal, eventsDone)
        self.position = position.description
        seconds = elapsed.seconds
        eventsPerSecond = seconds > 0 ? Double(eventsDone - eventsAtStart) / seconds : 0
        secondsLeft = eventsPerSecond > 0 ? Double(self.eventsTotal - eventsDone) / eventsPerSecond : nil
    }
}

/// Builds a generation of a projection from the log in its own schema while the live one serves, and
/// (for a rebuild) swaps it in once caught up.
///
/// One rebuild per projection runs at a time, under an advisory lock held by its session. A rebuild stopped by a shutdown
/// keeps its schema and checkpoint and resumes from them when started again with the same code; one
/// cancelled by ops (`discardWhenStopped`) drops them. Either way the live generation is untouched.
public struct Rebuild: Sendable {
    let projection: any Projection
    let databaseURL: String?
    let configuration: RunnerConfiguration
    let logger: Logger
    /// Keep the replaced generation, renamed, instead of dropping it after the swap.
    public var keepOld = false
    /// Drop the partial build when stopped before the swap, instead of keeping it to resume.
    public var discardWhenStopped = false
    /// When another rebuild of the projection is running: wait for it (true) or fail (false).
    public var waitForOtherRebuild = true
    /// Partitions of the patients the build is shared in (`PartitionWorker`); 1 builds it in this process
    /// alone. Only a build not written yet is split; one resumed keeps how it was started.
    public var partitions = 1
    /// Called after each batch of the build.
    public var onProgress: @Sendable (BuildProgress) async -> Void = { _ in }

    /// A rebuild of `projection` against the database at `databaseURL`.
    public init(projection: any Projection, databaseURL: String?, configuration: RunnerConfiguration, logger: Logger) {
        // One quarantine for its build and its swap.
        self.projection = QuarantinedProjection.wrap(projection)
        self.databaseURL = databaseURL
        var configuration = configuration
        configuration.exitWhenCaughtUp = true
        self.configuration = configuration
        self.logger = logger
    }

    /// The schema a rebuild of `projection` is built in before its swap.
    public static func schema(for projection: String) -> String { "\(projection)__rebuild" }

    /// What a rebuild did.
    public enum Outcome: Sendable {
        /// The new generation is live.
        case swapped(GenerationSwap.Result)
        /// Stopped (shutdown or cancellation) before the swap; the live generation is untouched.
        case stopped
        /// No longer wanted once its lock was held (see `Condition`): another instance did the work meanwhile.
        case notNeeded
    }

    /// When a rebuild is still wanted once its lock is held.
    public enum Condition: Sendable, Equatable {
        /// Always: what ops ask for.
        case always
        /// While the installed tables differ from this code (a runner starting new code).
        case ifChanged
        /// A first install: while the live generation has applied no event (a runner installing a projection
        /// before a long log: loaded as a build is, by COPY with deferred indexes, instead of row by row in
        /// live tables).
        case firstInstall
    }

    /// When the rebuild is still wanted; checked under its lock, since another instance may have done it.
    public var condition = Condition.always

    /// Rebuilds the projection and swaps the new generation in: `runAll` of this rebuild alone.
    @discardableResult
    public func run() async throws -> Outcome {
        guard let result = await Rebuild.runAll([self])[projection.name] else { return .stopped }
        return try result.get()
    }

    /// What a rebuild has to do once it holds its lock.
    enum Preparation: Sendable {
        /// Build this (created, or resumed), then swap it in.
        case build(Build)
        /// Nothing to build.
        case done(Outcome)
    }

    /// Takes the rebuild lock on `conn`'s session and creates the build, or resumes the one left by the same code.
    func prepare(on conn: Connection) async throws -> Preparation {
        guard try await takeRebuildLock(on: conn) else { return .done(.stopped) }
        // Also fails clearly when the projection was never installed: there is nothing to swap with.
        let installed = try await ProjectionCatalog.check(projection, on: conn)
        switch condition {
        case .always:
            break
        case .ifChanged:
            if installed == .unchanged { return .done(.notNeeded) }
        case .firstInstall:
            let name = projection.name
            let live = try await conn.withTransaction { conn in try Checkpoints.livePosition(name, on: conn) }
            if live != .start { return .done(.notNeeded) }
        }
        let build = Build(projection: projection, schema: Rebuild.schema(for: projection.name), purpose: .rebuild)
        try await build.createOrResume(on: conn, logger: logger)
        return .build(build)
    }

    /// Swaps `build` in once it has caught up (`built`), catching up again on its own whenever the log moved
    /// on too far during the swap; a stopped build is dropped or kept as asked.
    func finish(_ build: Build, built: Bool, on conn: Connection) async throws -> Outcome {
        var caughtUp = built
        while true {
            guard caughtUp else {
                if discardWhenStopped { try await build.discard(on: conn) }
                return .stopped
            }
            let swap = GenerationSwap(
                projection: projection,
                build: build,
                configuration: configuration,
                logger: logger
            )
            if let result = try await swap.perform(on: conn, keepOld: keepOld) { return .swapped(result) }
            // The log moved on too far during the swap: catch up outside its transaction, then try again.
            caughtUp = try await build.run(
                databaseURL: databaseURL,
                configuration: configuration,
                logger: logger,
                onProgress: onProgress
            )
        }
    }

    /// Takes the projection's rebuild lock on `conn`'s session, waiting for another rebuild if asked;
    /// false when shut down first.
    private func takeRebuildLock(on conn: Connection) async throws -> Bool {
        let lock = "rebuild:\(projection.name)"
        var announced = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if try await conn.withTransaction({ conn in try AdvisoryLock.tryAcquire(lock, on: conn) }) { return true }
            guard waitForOtherRebuild else {
                throw EngineError("a rebuild of \(projection.name) is already running")
            }
            if !announced {
                logger.info("waiting for another instance's rebuild to finish")
                announced = true
            }
            try await Task.sleep(for: configuration.standbyRetryInterval)
        }
        return false
    }
}
