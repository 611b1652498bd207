import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle

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

    /// Creates a server that will bind `host:port` when run.
    ///
    /// - Parameters:
    ///   - host: The address to bind, such as `127.0.0.1` or `0.0.0.0`.
    ///   - port: The TCP port to bind; 0 lets the kernel pick a free one.
    ///   - endpoints: The readiness and status answers to serve.
    ///   - registry: The Prometheus registry that `/metrics` emits.
    ///   - logger: The logger for the server and its requests.
    ///   - onListening: Called once with the bound port when the server accepts connections. Defaults to nothing.
    public init(
        host: String,
        port: Int,
        endpoints: OperationsEndpoints,
        registry: PrometheusCollectorRegistry,
        logger: Logger,
        onListening: (@Sendable (Int) async -> Void)? = nil
    ) {
        self.host = host
        self.port = port
        self.endpoints = endpoints
        self.registry = registry
        self.logger = logger
        self.onListening = onListening
    }

    /// Serves requests until graceful shutdown or cancellation, and throws if the address cannot be bound.
    public func run() async throws {
        let onListening = self.onListening
        let application = Application(
            router: Self.router(endpoints: endpoints, registry: registry),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
            onServerRunning: { channel in
                // The channel knows the real port, which differs from the configured one when that was 0.
                if let port = channel.localAddress?.port {
                    await onListening?(port)
                }
            },
            logger: logger
        )
        // The application runs its own ServiceGroup, which follows the graceful shutdown of the group running us.
        try await application.run()
    }
}

extension OperationsServer: CustomStringConvertible {
    /// Where it listens: ServiceLifecycle logs each service's description, and the reflected default
    /// would print every stored property.
    public var description: String { "OperationsServer(\(host):\(port))" }
}
