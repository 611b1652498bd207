import ArgumentParser
import Logging
import ProjectionEngine
import ServiceLifecycle
import UnixSignals

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Runs the projections: catches up from their checkpoints, then follows the log live.",
        discussion: """
            Each projection runs as its own catch-up subscription with a single writer (an advisory lock); \
            a second instance stands by and takes over when the first dies. Stops between batches on \
            SIGTERM or SIGINT. Exit code 0 when stopped or caught up, 1 on a failure.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Run only this projection (repeatable). Default: all.")
    var only: [String] = []

    @Flag(name: .long, help: "Stop once every committed event is applied, instead of following the log.")
    var exitWhenCaughtUp = false

    @Option(name: .long, help: "Events per transaction.")
    var batchSize = RunnerConfiguration().batchSize

    @Option(name: .long, help: "Seconds between polls of the log when no NOTIFY arrives.")
    var pollInterval = 5.0

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        guard pollInterval > 0 else { throw ValidationError("--poll-interval must be positive") }
    }

    func run() async throws {
        let logger = global.makeLogger()
        let projections = try AllProjections.select(only)
        try await ReadModelSetup.install(projections, global: global, logger: logger)
        var configuration = RunnerConfiguration()
        configuration.batchSize = batchSize
        configuration.exitWhenCaughtUp = exitWhenCaughtUp
        configuration.idlePollInterval = .milliseconds(Int64(pollInterval * 1000))
        let services = projections.map { projection in
            ServiceGroupConfiguration.ServiceConfiguration(
                service: ProjectionRunner(
                    projection: projection,
                    databaseURL: global.databaseURL,
                    configuration: configuration,
                    logger: logger
                ),
                successTerminationBehavior: exitWhenCaughtUp ? .ignore : .gracefullyShutdownGroup
            )
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        do {
            try await group.run()
        } catch {
            throw CommandFailure("projection failed: \(error)")
        }
    }
}
