import Foundation
import Logging
import Postgres
import ProjectionCore

/// A projection that is behind the group catching up on sessions of its own, so the group's pages are
/// not held up while it replays (after a reset, a resume, a swap, or a failure): the pipeline with one
/// consumer, up to the group's position.
struct CatchUp: Sendable {
    /// How it writes, under the claim it was started with: a newer claim makes its commits fail.
    let applier: BatchApplier
    let runner: ProjectionRunner
    let logger: Logger
    let metrics: ProjectionMetrics
    /// Where its sessions are watched for a stalled statement, as the runner's own are.
    let watch: SessionWatch
    /// The runner's identity as a lease holder, under which its sessions register (`Fencing`).
    let holder: UUID

    /// Applies the log after `from` up to `until`; short of `until` only when shut down or left.
    func run(from: LogPosition, until: LogPosition) async -> Pipeline.Ending {
        let (name, url, configuration) = (applier.projection.name, runner.databaseURL, runner.configuration)
        do {
            return try await Connection.withConnection(to: url, applicationName: "projector:\(name):catch-up") {
                writer in
                try await writer.executeScript(configuration.writerSessionSettings(registeredAs: holder))
                watch.watch(writer, as: "\(name):catch-up")
                defer { watch.forget("\(name):catch-up") }
                return try await Connection.withConnection(
                    to: url,
                    applicationName: "projector:\(name):catch-up-reader"
                ) { reader in
                    try await ReaderSession.prepare(reader, listening: false)
                    try await reader.executeScript(Fencing.registration(of: holder))
                    watch.watch(reader, as: "\(name):catch-up-reader")
                    defer { watch.forget("\(name):catch-up-reader") }
                    let consumer = Pipeline.Consumer(
                        key: name,
                        applier: applier,
                        session: writer,
                        start: from,
                        logger: logger
                    )
                    var pipeline = Pipeline(consumers: [consumer], reader: reader, configuration: configuration)
                    pipeline.until = until
                    let endings = try await pipeline.run { [metrics] _, outcome, took in
                        if case .advanced(let written) = outcome { metrics.record(written.outcome, took: took) }
                    }
                    return endings[name] ?? .stopped(from)
                }
            }
        } catch {
            return .left(WriteOutcome(thrown: error))
        }
    }
}
