import EventLog
import Foundation
import Logging
import Postgres
import ProjectionCore
import ServiceLifecycle
import Synchronization

/// One process's share of the work of shared rebuilds (`Rebuild.partitions`): it claims a partition at a time
/// through its lease (`PartitionLeases`) and applies it to every build of its run with one run of the
/// pipeline, reading only the partition's events up to the run's target, until no partition is left.
///
/// Any number of workers, in any processes on any machines, share a run; the process that started the
/// rebuild is one of them. A worker that dies or freezes stops renewing its lease, and once it lapses another
/// takes the partition over from its checkpoint; the claim's new owner token fences the old worker out.
public struct PartitionWorker: Sendable {
    /// What a worker did.
    public struct Summary: Sendable, Equatable {
        /// Partitions it claimed.
        public var claims = 0
        /// Events it applied (summed over the builds).
        public var events: Int64 = 0

        /// Nothing yet.
        public init() {}
    }

    let projections: [String: any Projection]
    let databaseURL: String?
    let configuration: RunnerConfiguration
    let logger: Logger
    /// Only this run's partitions (the process that started it); nil for any shared rebuild's.
    public var run: UUID?
    /// How long to wait for a shared rebuild to appear when none has partitions left (a worker started before
    /// the rebuild it is meant for); once it has seen one, it leaves when none is left.
    public var waitForWork: Duration = .zero
    /// Who this worker is in `status`: host and process id unless set.
    public var name = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
    /// This process as a lease holder.
    let holder = UUID()

    /// A worker with `projections` (the builds it finds must be of the same code) against `databaseURL`.
    public init(
        projections: [any Projection],
        databaseURL: String?,
        configuration: RunnerConfiguration,
        logger: Logger
    ) {
        self.projections = Dictionary(projections.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.databaseURL = databaseURL
        self.configuration = configuration
        self.logger = logger
    }

    /// Works until no partition is left to do (partitions other workers hold are waited for, and taken over
    /// when their leases lapse), shutdown or cancellation.
    ///
    /// - Throws: when a build is of other code than this worker's, or the database fails.
    public func run() async throws -> Summary {
        try await Connection.withConnection(to: databaseURL, applicationName: "projector:partition-worker") { control in
            try await control.executeScript(configuration.writerSessionSettings)
            var summary = Summary()
            let waitingSince = ContinuousClock.now
            // Once it has seen work, a worker leaves as soon as none is left.
            var sawWork = false
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                let attempt = await Result {
                    try await control.withTransaction { conn in
                        try PartitionLeases.claim(
                            run: run,
                            holder: holder,
                            worker: name,
                            lease: configuration.leaseLength,
                            on: conn
                        )
                    }
                }
                switch attempt {
                case .success(let claim?):
                    sawWork = true
                    summary.claims += 1
                    summary.events += try await work(claim, control: control)
                    continue
                case .success(nil):
                    break
                case .failure(let error):
                    // A frozen holder's open transaction holds the rows until the server ends its session.
                    guard RunnerLoop.isLockTimeout(error) else { throw error }
                }
                let left = try await control.withTransaction { conn in try PartitionLeases.anyLeft(run: run, on: conn) }
                sawWork = sawWork || left
                if !left && (sawWork || ContinuousClock.now - waitingSince >= waitForWork) { break }
                // Cancelled (a signal): the loop ends, having given up whatever it held.
                try? await Task.sleep(for: configuration.standbyRetryInterval)
            }
            return summary
        }
    }

    /// Applies `claim`'s partition to each of its builds up to the target, renewing the lease meanwhile;
    /// records which reached it and gives the partition up. Returns the events applied.
    private func work(_ claim: PartitionClaim, control: Connection) async throws -> Int64 {
        let label: Logger.MetadataValue = "\(claim.partition.index) of \(claim.partition.count)"
        do {
            try await checkCode(of: claim, on: control)
        } catch {
            try await control.withTransaction { conn in try PartitionLeases.release(claim, holder: holder, on: conn) }
            throw error
        }
        logger.info("partition claimed", metadata: ["partition": label, "partition.builds": "\(claim.shares.count)"])
        let applied = EventCount()
        let settings = configuration.writerSessionSettings + "; SET synchronous_commit = off"
        let endings = try await SessionPool.with(databaseURL: databaseURL, settings: settings, role: "partition") {
            sessions in
            var made: [Pipeline.Consumer] = []
            for share in claim.shares {
                made.append(try await consumer(for: share, of: claim, session: sessions.session(for: share.schema)))
            }
            let consumers = made
            return try await withThrowingTaskGroup(of: [String: Pipeline.Ending]?.self) { group in
                group.addTask {
                    try await Connection.withConnection(
                        to: databaseURL,
                        applicationName: "projector:partition-reader"
                    ) { reader in
                        try await ReaderSession.prepare(reader, listening: false)
                        var pipeline = Pipeline(consumers: consumers, reader: reader, configuration: configuration)
                        pipeline.until = claim.target
                        pipeline.partition = claim.partition
                        return try await pipeline.run { _, outcome, _ in
                            if case .advanced(let written) = outcome {
                                applied.add(written.outcome.events)
                            }
                        }
                    }
                }
                group.addTask { try await keepLease(of: claim, on: control) }
                // The pipeline's endings, or nil when the lease was lost first.
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first
            }
        }
        guard let endings else {
            logger.warning(
                "partition lost: its lease lapsed and another worker took it",
                metadata: ["partition": label]
            )
            return applied.value
        }
        try await record(endings, of: claim, on: control)
        logger.info("partition given up", metadata: ["partition": label, "partition.events": "\(applied.value)"])
        return applied.value
    }

    /// Refuses a claim whose builds were started by other code than this worker's.
    private func checkCode(of claim: PartitionClaim, on conn: Connection) async throws {
        for share in claim.shares {
            let projection = projections[share.projection]
            var hash: String?
            if let ddl = projection?.schemaSQL {
                hash = try await conn.withTransaction { conn in try ProjectionCatalog.hash(of: ddl, on: conn) }
            }
            guard let projection, projection.version == share.version, hash == share.schemaHash
            else {
                throw EngineError(
                    "the build in schema \(share.schema) is of other code than this worker's \(share.projection) "
                        + "(version \(share.version)); run a worker of the same build of projector"
                )
            }
        }
    }

    /// The pipeline's consumer for one build's share of the partition, writing on `session`.
    private func consumer(
        for share: PartitionClaim.Share,
        of claim: PartitionClaim,
        session: Connection
    ) async throws -> Pipeline.Consumer {
        // Checked by `checkCode`.
        let projection = QuarantinedProjection.wrap(projections[share.projection]!)
        var generation = Generation.build(share.projection, in: share.schema)
        generation.partition = claim.partition.index
        let layouts = try await TableLayout.loadAll(of: projection, in: share.schema, on: session)
        // A partition nothing of which is written yet holds none of its keys: the rows of one patient are
        // written by one partition only. A clash (one key written by two patients' events) turns it off.
        let fresh = share.position == .start && share.bulk
        let applier = BatchApplier(
            projection: projection,
            generation: generation,
            layouts: layouts,
            owner: claim.owner,
            onFailure: .park,
            writtenKeys: fresh ? WrittenKeys() : nil
        )
        var logger = logger
        logger[metadataKey: "build.schema"] = "\(share.schema)"
        logger[metadataKey: "partition"] = "\(claim.partition.index)"
        return Pipeline.Consumer(
            key: share.schema,
            applier: applier,
            session: session,
            start: share.position,
            logger: logger
        )
    }

    /// Renews the lease every third of its length; returns nil once it is lost.
    private func keepLease(of claim: PartitionClaim, on conn: Connection) async throws -> [String: Pipeline.Ending]? {
        while true {
            try await Task.sleep(for: configuration.leaseLength / 3)
            let held = try await conn.withTransaction { conn in
                try PartitionLeases.renew(claim.partition, holder: holder, lease: configuration.leaseLength, on: conn)
            }
            if !held { return nil }
        }
    }

    /// Records each build's ending in the partition and gives the partition up.
    private func record(
        _ endings: [String: Pipeline.Ending],
        of claim: PartitionClaim,
        on control: Connection
    ) async throws {
        var failures: [(schema: String, reason: String, bulkClash: Bool)] = []
        for share in claim.shares {
            guard case .left(let outcome)? = endings[share.schema], case .failed(let error) = outcome else { continue }
            let clash = share.bulk && PostgresError.sqlState(of: error) == "23505"
            logger.log(
                level: clash ? .notice : .error,
                clash
                    ? "a key was written by two partitions; the partition is applied again without COPY"
                    : "partition failed; the rebuild fails with it",
                metadata: [
                    "build.schema": "\(share.schema)", "partition": "\(claim.partition.index)", "error": "\(error)",
                ]
            )
            failures.append((share.schema, "\(error)", clash))
        }
        let (holder, failed) = (holder, failures)
        try await control.withTransaction { conn in
            for share in claim.shares {
                if case .caughtUp? = endings[share.schema] {
                    try PartitionLeases.finish(share.schema, of: claim, on: conn)
                }
            }
            for failure in failed {
                try PartitionLeases.fail(
                    failure.schema,
                    of: claim,
                    reason: failure.reason,
                    bulkClash: failure.bulkClash,
                    on: conn
                )
            }
            try PartitionLeases.release(claim, holder: holder, on: conn)
        }
    }
}

/// Events applied so far, counted from the pipeline's writer task.
private final class EventCount: Sendable {
    private let count = Mutex<Int64>(0)
    var value: Int64 { count.withLock { $0 } }
    func add(_ events: Int) { count.withLock { $0 += Int64(events) } }
}
