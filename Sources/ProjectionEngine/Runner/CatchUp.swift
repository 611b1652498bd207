import Logging
import Postgres
import ProjectionCore

/// A projection that is behind the group catching up on sessions of its own, so the group's pages are
/// not held up while it replays (after a reset, a resume, a swap, or a failure).
struct CatchUp: Sendable {
    /// How it writes, under the claim it was started with: a newer claim makes its commits fail.
    let applier: BatchApplier
    let runner: ProjectionRunner
    let logger: Logger
    let metrics: ProjectionMetrics

    /// Applies the log after `from` up to `until`; returns where it got to (short of `until` only when shut down).
    func run(from: LogPosition, until: LogPosition) async throws -> LogPosition {
        let name = applier.projection.name
        let url = runner.databaseURL
        return try await Connection.withConnection(to: url, applicationName: "projector:\(name):catch-up") { writer in
            try await writer.executeScript(runner.configuration.writerSessionSettings)
            return try await Connection.withConnection(to: url, applicationName: "projector:\(name):catch-up-reader") {
                reader in
                try await BatchPipeline.prepareReader(reader, control: false)
                var pipeline = BatchPipeline(
                    applier: applier,
                    configuration: runner.configuration,
                    whenCaughtUp: .finish,
                    logger: logger,
                    onBatch: { [metrics] outcome, took in metrics.record(outcome, took: took) }
                )
                pipeline.until = until
                return try await pipeline.run(from: from, reader: reader, writer: writer)
            }
        }
    }
}
