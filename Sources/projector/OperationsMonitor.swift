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
/// says rather than what a runner last saw. Both endpoints answer from the last sample: a request
/// never waits for the database, however many arrive at once.
actor OperationsMonitor: Service {
    private let projections: [any Projection]
    private let databaseURL: String?
    private let interval: Duration
    private let logger: Logger
    private let metrics: [String: ProjectionMetrics]
    private var connection: Connection?
    private var lastSample: (at: ContinuousClock.Instant, report: StatusReport, json: [UInt8])?

    /// A monitor of `projections`, sampling every `interval`.
    init(projections: [any Projection], databaseURL: String?, interval: Duration, logger: Logger) {
        self.projections = projections
        self.databaseURL = databaseURL
        self.interval = interval
        self.logger = logger
        metrics = Dictionary(
            uniqueKeysWithValues: projections.map { ($0.name, ProjectionMetrics(projection: $0.name)) }
        )
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                _ = try await sample()
            } catch {
                ServiceMetrics.recordStatusRead(succeeded: false)
                // The error may quote SQL but never patient data; /ready reports the outage.
                logger.warning("status sample failed", metadata: ["error.type": "\(type(of: error))"])
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
            for status in report.projections { metrics[status.name]?.record(status) }
            ServiceMetrics.recordStatusRead(succeeded: true)
            ServiceMetrics.recordWatermarkHeld(seconds: report.watermarkHeldBy?.seconds ?? 0)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            lastSample = (ContinuousClock.now, report, Array(try encoder.encode(report)))
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

    /// Ready when the last sample is recent (the database answers) and no projection stopped at a dead letter.
    func readiness() -> Readiness {
        guard let lastSample = recentSample else {
            return Readiness(ready: false, reasons: ["the database has not answered a status read recently"])
        }
        let stopped = lastSample.report.projections.filter(\.isStoppedAtDeadLetter)
        return Readiness(
            ready: stopped.isEmpty,
            reasons: stopped.map { "projection \($0.name) stopped at a dead letter" }
        )
    }

    /// The status as `projector status --json` prints it, from the last sample (at most one
    /// `--sample-interval` old).
    ///
    /// - Throws: `StatusUnavailable` when there is no recent sample; the endpoint answers 503.
    func statusJSON() throws -> [UInt8] {
        guard let sample = recentSample else { throw StatusUnavailable() }
        return sample.json
    }
}

/// No status sample is recent: the database has not answered lately.
struct StatusUnavailable: Error, CustomStringConvertible {
    var description: String { "the database has not answered a status read recently" }
}
