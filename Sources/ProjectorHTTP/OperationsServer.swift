import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import Synchronization

/// A swift-service-lifecycle Service that runs the HTTP server until graceful shutdown.
///
/// It serves `/health`, `/ready`, `/metrics` and `/status`; see ``router(endpoints:registry:)``.
public struct OperationsServer: Service {
    private let host: String
    private let port: Int
    private let endpoints: OperationsEndpoints
    private let registry: PrometheusCollectorRegistry
    private let logger: Logger
    private let onListening: (@Sendable (Int) async -> Void)?
    private let limits: Limits

    /// What one client may hold of the server: the endpoints must answer an operator (and a probe) while
    /// somebody floods the port with idle or half-sent requests.
    public struct Limits: Sendable {
        /// How long a connection may go without a complete request part (a request head, a body chunk)
        /// before the server closes it: the idle timeout, and the header timeout of a half-sent request.
        /// Defaults to 10 seconds.
        public var idleTimeout: Duration = .seconds(10)
        /// How many connections are served at once; more wait in the listen backlog until one closes, so
        /// a flood can take neither all the process's file descriptors (which its database sessions need)
        /// nor its memory. Defaults to 256.
        public var maxConnections = 256

        /// The defaults.
        public init() {}
    }

    /// Creates a server that will bind `host:port` when run.
    ///
    /// - Parameters:
    ///   - host: The address to bind, such as `127.0.0.1` or `0.0.0.0`.
    ///   - port: The TCP port to bind; 0 lets the kernel pick a free one.
    ///   - endpoints: The readiness and status answers to serve.
    ///   - registry: The Prometheus registry that `/metrics` emits.
    ///   - logger: The logger for the server and its requests.
    ///   - limits: What one client may hold of the server. Defaults to ``Limits/init()``.
    ///   - onListening: Called once with the bound port when the server accepts connections. Defaults to nothing.
    public init(
        host: String,
        port: Int,
        endpoints: OperationsEndpoints,
        registry: PrometheusCollectorRegistry,
        logger: Logger,
        limits: Limits = Limits(),
        onListening: (@Sendable (Int) async -> Void)? = nil
    ) {
        self.host = host
        self.port = port
        self.endpoints = endpoints
        self.registry = registry
        self.logger = logger
        self.onListening = onListening
        self.limits = limits
    }

    /// Serves requests until graceful shutdown or cancellation, and throws if the address cannot be bound.
    public func run() async throws {
        let onListening = self.onListening
        let listening = Atomic(false)
        let application = Application(
            router: Self.router(endpoints: endpoints, registry: registry),
            server: .http1(configuration: .init(idleTimeout: TimeAmount(limits.idleTimeout))),
            configuration: ApplicationConfiguration(
                address: .hostname(host, port: port),
                availableConnectionsDelegate: .maximum(limits.maxConnections, logger: logger)
            ),
            onServerRunning: { channel in
                listening.store(true, ordering: .relaxed)
                // The channel knows the real port, which differs from the configured one when that was 0.
                if let port = channel.localAddress?.port {
                    await onListening?(port)
                }
            },
            logger: logger
        )
        // The application runs its own ServiceGroup, which follows the graceful shutdown of the group running us.
        do {
            try await application.run()
        } catch  where !listening.load(ordering: .relaxed) {
            throw ListenFailure(host: host, port: port, cause: "\(error)")
        }
    }
}

/// The endpoints could not be served: the address is taken, or cannot be bound.
public struct ListenFailure: Error, CustomStringConvertible {
    /// The address asked for.
    public var host: String
    /// The port asked for.
    public var port: Int
    /// What the system said.
    public var cause: String

    public var description: String { "cannot serve the HTTP endpoints on \(host):\(port): \(cause)" }
}

extension OperationsServer: CustomStringConvertible {
    /// Where it listens: ServiceLifecycle logs each service's description, and the reflected default
    /// would print every stored property.
    public var description: String { "OperationsServer(\(host):\(port))" }
}
