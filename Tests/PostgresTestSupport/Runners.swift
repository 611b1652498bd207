import Logging
import ProjectionCore
import ProjectionEngine

/// A logger that stays silent, for tests that run the engine.
public func quietLogger() -> Logger {
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    return logger
}

/// Runs `projection` in this process until every committed event of the database at `url` is applied.
public func runUntilCaughtUp(_ projection: any Projection, url: String, batchSize: Int = 2_000) async throws {
    try await runUntilCaughtUp([projection], url: url, batchSize: batchSize)
}

/// Runs `projections` together in one runner until every committed event is applied; `configure` changes
/// the rest of its configuration.
public func runUntilCaughtUp(
    _ projections: [any Projection],
    url: String,
    batchSize: Int = 2_000,
    configure: (inout RunnerConfiguration) -> Void = { _ in }
) async throws {
    var configuration = RunnerConfiguration()
    configuration.exitWhenCaughtUp = true
    configuration.batchSize = batchSize
    configure(&configuration)
    try await ProjectionRunner(
        projections: projections,
        databaseURL: url,
        configuration: configuration,
        logger: quietLogger()
    ).run()
}
