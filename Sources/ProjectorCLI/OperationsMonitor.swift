import Foundation
import Logging
import Postgres
import ProjectionCore
import ProjectionEngine
import ProjectorHTTP
import ServiceLifecycle

/// Reads the status every few seconds for the lag and dead-letter gauges, and answers `/ready` and `/status`.
///
/// It has its own connection, opened again after a failure, so the endpoints say what the database
/// says rather than what a runner last saw; readiness also asks the runner's `DatabaseHealth`, which knows
/// at once when its sessions are lost. Both endpoints answer from the last sample: a request never waits
/// for the database, however many arrive at once.
actor OperationsMonitor: Service {
    private let projections: [any Projection]
    private let databaseURL: String?
    private let interval: Duration
    /// How long a projection with work may go without progress before `/ready` says 503.
    private let stallLimit: Duration
    private var progress = ProgressWatch()
    private let logger: Logger
    private let health: DatabaseHealth
    private let metrics: [String: ProjectionMetrics]
    private var connection: Connection?
    /// Whether the last sample failed: a failing database is logged once, not at every sample.
    private var failing = false
    private var lastSample: (at: ContinuousClock.Instant, report: StatusReport, json: [UInt8])?

    /// A monitor of `projections`, sampling every `interval`.
    init(
        projections: [any Projection],
        databaseURL: String?,
        interval: Duration,
        stallLimit: Duration,
        health: DatabaseHealth,
        logger: Logger
    ) {
        self.projections = projections
        self.databaseURL = databaseURL
        self.interval = interval
        self.stallLimit = stallLimit
        self.health = health
        self.logger = logger
        metrics = Dictionary(
            uniqueKeysWithValues: projections.map { ($0.name, ProjectionMetrics(projection: $0.name)) }
        )
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                _ = try await sample()
                if failing { logger.info("status samples succeed again") }
                failing = false
            } catch {
                ServiceMetrics.recordStatusRead(succeeded: false)
                // The error may quote SQL but never patient data; /ready reports the outage.
                if !failing {
                    logger.warning("status sample failed", metadata: ["error.type": "\(type(of: error))"])
                }
                failing = true
            }
            try? await cancelWhenGracefulShutdown { [interval] in try await Task.sleep(for: interval) }
        }
        await connection?.close()
        connection = nil
    }

    /// Reads the status now, records the gauges and remembers it for readiness.
    func sample() async throws -> StatusReport {
        let conn: Connection
        if let connection {
            conn = connection
        } else {
            conn = try await Connection.connect(to: databaseURL, applicationName: "projector:monitor")
            connection = conn
        }
        do {
            let report = try await StatusReport.read(projections, on: conn)
            for status in report.projections {
                metrics[status.name]?.record(status)
                metrics[status.name]?.record(report.builds)
            }
            ServiceMetrics.recordStatusRead(succeeded: true)
            ServiceMetrics.recordWatermarkHeld(seconds: report.watermarkHeldBy?.seconds ?? 0)
            let now = ContinuousClock.now
            let standingBy = health.standingBy
            for status in report.projections {
                if status.isPaused || standingBy.contains(status.name) {
                    progress.forget(status.name)
                } else {
                    progress.observe(
                        status.name,
                        checkpoint: status.checkpoint,
                        hasWork: status.eventsBehind > 0,
                        at: now
                    )
                }
            }
            lastSample = (now, report, Array(try StatusReport.encoder.encode(report)))
            return report
        } catch {
            connection = nil
            await conn.close()
            throw error
        }
    }

    /// The last sample, if it is recent enough to stand for the database's answer now.
    private var recentSample: (at: ContinuousClock.Instant, report: StatusReport, json: [UInt8])? {
        guard let lastSample, ContinuousClock.now - lastSample.at < interval * 3 + .seconds(5) else { return nil }
        return lastSample
    }

    /// Ready when the runner is connected, the last sample is recent (the database answers), no projection
    /// stopped at a dead letter, and none that this instance writes has had work without progress for longer
    /// than the stall limit (a hung backend, a full disk, a lock held for minutes).
    func readiness() -> Readiness {
        guard health.isConnected else {
            let reason =
                if let outage = health.outage {
                    "the database has been unreachable for \(Int(outage.seconds)) s; reconnecting"
                } else {
                    "not connected to the database yet"
                }
            return Readiness(ready: false, reasons: [reason])
        }
        guard let lastSample = recentSample else {
            return Readiness(ready: false, reasons: ["the database has not answered a status read recently"])
        }
        let stopped = lastSample.report.projections.filter(\.isStoppedAtDeadLetter)
        let stalled = progress.stalled(longerThan: stallLimit, at: ContinuousClock.now)
        let reasons =
            stopped.map { "projection \($0.name) stopped at a dead letter" }
            + stalled.map {
                "projection \($0.projection) has had events to apply and no progress for \(Int($0.for.seconds)) s"
            }
        return Readiness(ready: reasons.isEmpty, reasons: reasons)
    }

    /// The status as `projector status --json` prints it, from the last sample (at most one
    /// `--sample-interval` old), with this instance's view: `standing-by` for the projections another
    /// instance writes, and every projection `disconnected` (with the last figures) while the runner is.
    ///
    /// - Throws: `StatusUnavailable` when there is no sample to show; the endpoint answers 503.
    func statusJSON() throws -> [UInt8] {
        let connected = health.isConnected
        guard let sample = connected ? recentSample : lastSample else { throw StatusUnavailable() }
        let standingBy = health.standingBy
        if connected && standingBy.isEmpty { return sample.json }
        var report = sample.report
        for index in report.projections.indices {
            if !connected {
                report.projections[index].state = .disconnected
            } else if standingBy.contains(report.projections[index].name), report.projections[index].state == .running {
                report.projections[index].state = .standingBy
            }
        }
        return Array(try StatusReport.encoder.encode(report))
    }
}

/// No status sample is recent: the database has not answered lately.
struct StatusUnavailable: Error, CustomStringConvertible {
    var description: String { "the database has not answered a status read recently" }
}
