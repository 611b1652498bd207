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
        let writer = try await Connection.connect(
            to: runner.databaseURL,
            applicationName: "projector:\(name):catch-up"
        )
        do {
            try await writer.executeScript(runner.configuration.writerSessionSettings)
            let reader = try await BatchPipeline.connectReader(
                to: runner.databaseURL,
                applicationName: "projector:\(name):catch-up-reader",
                control: false
            )
            do {
                var pipeline = BatchPipeline(
                    applier: applier,
                    configuration: runner.configuration,
                    whenCaughtUp: .finish,
                    logger: logger,
                    onBatch: { [metrics] outcome, took in metrics.record(outcome, took: took) }
                )
                pipeline.until = until
                let end = try await pipeline.run(from: from, reader: reader, writer: writer)
                await reader.close()
                await writer.close()
                return end
            } catch {
                await reader.close()
                throw error
            }
        } catch {
            await writer.close()
            throw error
        }
    }
}
