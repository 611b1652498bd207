import CoreMetrics
import Prometheus

/// Bootstraps swift-metrics with a Prometheus factory once per process and returns the shared registry.
public enum MetricsBootstrap {
    /// Returns the registry behind swift-metrics, bootstrapping the metrics system on the first call.
    ///
    /// - Important: Nothing else in the process may call `MetricsSystem.bootstrap`, which traps on a second call.
    public static func registry() -> PrometheusCollectorRegistry {
        shared
    }

    // A static let is initialised once, under the runtime's own lock, so concurrent first callers cannot
    // bootstrap twice; a hand-written Mutex would only repeat that guarantee.
    private static let shared: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}
