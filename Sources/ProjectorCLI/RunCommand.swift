import ArgumentParser
import Foundation
import Logging
import Postgres
import ProjectionCore
import ProjectionEngine
import ProjectorHTTP
import ServiceLifecycle
import UnixSignals

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Runs the projections: catches up from their checkpoints, then follows the log live.",
        discussion: """
            One reader reads each page of the log once for every projection, and one transaction per page \
            writes it to every projection that is level with it (a projection that is behind catches up on \
            its own and joins; one that fails is retried on its own while the others go on). A projection that \
            has applied nothing yet before a long log (--bulk-install-events) is first loaded as a rebuild \
            is, in one pass for all such, and swapped in. Each projection \
            has a single writer, which holds a lease on it; a second instance stands by and takes over when \
            the first's session is gone or its lease lapses (a frozen process). When the database goes away \
            (restart, failover, network), every session is opened again with backoff until it is back; a \
            batch in flight is rolled back and read again, so each event still takes effect once. Stops \
            between batches on SIGTERM or SIGINT. Exit code 0 when stopped or caught up, 1 on what no \
            reconnect mends: authentication, a database that does not exist, tables built by other code at \
            start. A projection a newer version rebuilds and swaps in while this runs is given up to it, and \
            the others go on. Run it under a supervisor that starts it again (systemd Restart=always, Kubernetes): an event \
            whose projection kills the process (a trap, out of memory) is replayed more carefully at each \
            start, and quarantined as a crashed-projector dead letter after four deaths (sometimes six), while everything \
            else goes on.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Run only this projection (repeatable). Default: all.")
    var only: [String] = []

    @Flag(name: .long, help: "Stop once every committed event is applied, instead of following the log.")
    var exitWhenCaughtUp = false

    @OptionGroup var page: PageOptions

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A projection that has applied no event yet is loaded as a rebuild is (a new generation by COPY, indexes after, swapped in) when the log holds at least this many events; its tables stay empty until then. 0: never.",
            valueName: "events"
        )
    )
    var bulkInstallEvents = RunnerConfiguration().bulkInstallMinimumEvents ?? 0

    @Option(name: .long, help: "Seconds between polls of the log when no NOTIFY arrives, 0.01 to 3600.")
    var pollInterval = 1.0

    @Option(
        name: .long,
        help: ArgumentHelp(
            "on: a live batch returns once its WAL is on disk; off: up to ~0.6 s of batches can be lost in a server crash (rows and checkpoint together, applied again at restart). Default: PROJECTOR_SYNCHRONOUS_COMMIT, else on.",
            valueName: "on|off"
        )
    )
    var synchronousCommit: String?

    @Option(
        name: .long,
        help: "Serve /health, /ready, /metrics and /status on this port. Default: PROJECTOR_HTTP_PORT, else none."
    )
    var httpPort: Int?

    @Option(name: .long, help: "The address the HTTP endpoints bind to.")
    var httpHost = "127.0.0.1"

    @Option(name: .long, help: "Seconds between the status reads behind /ready and the lag gauges, 0.1 to 3600.")
    var sampleInterval = 2.0

    @Option(
        name: .long,
        help: ArgumentHelp(
            "/ready answers 503 once a projection this instance writes has had events to apply and no progress for this long (a hung backend, a full disk, a lock held for minutes), 1 to 86400. Paused and stopped projections are states in /status, not unreadiness.",
            valueName: "seconds"
        )
    )
    var readyStallSeconds = 60.0

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Length of a writer's lease on a projection, renewed every third of it: a standby takes over within about this plus 1 s once the writer freezes or is cut off. Default: PROJECTOR_LEASE_SECONDS, else 3.",
            valueName: "seconds"
        )
    )
    var leaseSeconds: Double?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Seconds one statement may run on this instance's reader or writer session before the session counts as stalled (a frozen server process, a lost network path): the instance gives its leases up, so a standby takes over, and connects again. 5 to 3600, above the writers' 4 s lock timeout so that a lock wait fails first.",
            valueName: "seconds"
        )
    )
    var statementDeadline = RunnerConfiguration().statementDeadline.seconds

    /// The lease length, from the option or the environment.
    private var leaseLength: Double {
        leaseSeconds ?? ProcessInfo.processInfo.environment["PROJECTOR_LEASE_SECONDS"].flatMap { Double($0) } ?? 3
    }

    /// `on` or `off`, from the option or the environment.
    private var synchronousCommitSetting: String {
        synchronousCommit ?? ProcessInfo.processInfo.environment["PROJECTOR_SYNCHRONOUS_COMMIT"] ?? "on"
    }

    /// The HTTP port, from the option or the environment.
    private var port: Int? {
        httpPort ?? ProcessInfo.processInfo.environment["PROJECTOR_HTTP_PORT"].flatMap { Int($0) }
    }

    func validate() throws {
        guard bulkInstallEvents >= 0 else { throw ValidationError("--bulk-install-events must be 0 or more") }
        // Bounded, not only positive: `inf` or `1e400` seconds would trap turning into a `Duration`.
        guard (0.01...3600).contains(pollInterval) else {
            throw ValidationError("--poll-interval must be 0.01 to 3600 seconds")
        }
        guard (0.1...3600).contains(sampleInterval) else {
            throw ValidationError("--sample-interval must be 0.1 to 3600 seconds")
        }
        guard (1...86_400).contains(readyStallSeconds) else {
            throw ValidationError("--ready-stall-seconds must be 1 to 86400 seconds")
        }
        guard (5...3600).contains(statementDeadline) else {
            throw ValidationError("--statement-deadline must be 5 to 3600 seconds")
        }
        guard leaseLength >= 0.3 && leaseLength <= 3600 else {
            throw ValidationError("--lease-seconds (or PROJECTOR_LEASE_SECONDS) must be 0.3 to 3600")
        }
        if let port, !(0...65535).contains(port) { throw ValidationError("--http-port must be 0 to 65535") }
        if !["on", "off"].contains(synchronousCommitSetting) {
            throw ValidationError("--synchronous-commit must be on or off")
        }
        if port != nil && exitWhenCaughtUp {
            throw ValidationError("--http-port serves a running projector; it cannot go with --exit-when-caught-up")
        }
    }

    func run() async throws {
        let logger = global.makeLogger()
        // Before any metric is created: swift-metrics binds each to the backend present at its creation.
        let registry = port.map { _ in MetricsBootstrap.registry() }
        let projections = try AllProjections.select(only)
        var configuration = RunnerConfiguration()
        page.apply(to: &configuration)
        configuration.statementDeadline = .milliseconds(Int64(statementDeadline * 1000))
        configuration.exitWhenCaughtUp = exitWhenCaughtUp
        configuration.bulkInstallMinimumEvents = bulkInstallEvents > 0 ? bulkInstallEvents : nil
        configuration.idlePollInterval = .milliseconds(Int64(pollInterval * 1000))
        configuration.synchronousCommit = synchronousCommitSetting == "on"
        configuration.leaseLength = .milliseconds(Int64(leaseLength * 1000))
        configuration.standbyRetryInterval = min(.seconds(1), configuration.leaseLength / 3)
        let health = DatabaseHealth()
        var runner = ProjectionRunner(
            projections: projections,
            databaseURL: global.databaseURL,
            configuration: configuration,
            health: health,
            logger: logger
        )
        runner.onInstalled = { conn, current in
            try await ReadModelSetup.installViews(for: current, on: conn, logger: logger)
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        // With endpoints, the runner starts only once they are bound: a taken port must fail the command
        // before it claims any projection, not after it has taken them from a standby.
        let (listening, bound) = AsyncStream.makeStream(of: Void.self)
        let runnerService: any Service = port == nil ? runner : StartsAfter(runner, gate: listening)
        services.append(.init(service: runnerService, successTerminationBehavior: .gracefullyShutdownGroup))
        if let port, let registry {
            let monitor = OperationsMonitor(
                projections: projections,
                databaseURL: global.databaseURL,
                interval: .milliseconds(Int64(sampleInterval * 1000)),
                stallLimit: .milliseconds(Int64(readyStallSeconds * 1000)),
                health: health,
                logger: logger
            )
            let endpoints = OperationsEndpoints(
                readiness: { await monitor.readiness() },
                status: { try await monitor.statusJSON() }
            )
            let server = OperationsServer(
                host: httpHost,
                port: port,
                endpoints: endpoints,
                registry: registry,
                logger: logger,
                onListening: { port in
                    logger.notice("HTTP endpoints listening", metadata: ["http.port": "\(port)"])
                    bound.yield()
                    bound.finish()
                }
            )
            services.append(.init(service: monitor))
            services.append(.init(service: server))
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
            // The runner's transactions wrap what failed inside them; say the cause itself.
            let cause = (error as? TransactionError)?.underlying ?? error
            switch cause {
            case let cause as PostgresError where cause.isPermanentConnectFailure:
                throw CommandFailure("cannot connect to PostgreSQL: \(cause)")
            case let restored as RestoredClusterError:
                throw CommandFailure("\(restored)")
            case let listen as ListenFailure:
                throw CommandFailure("\(listen); no projection was claimed")
            default:
                throw CommandFailure("projection failed: \(error)")
            }
        }
    }
}
