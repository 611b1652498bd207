import CoreMetrics
import Logging
import PostgresTestSupport
import ProjectorHTTP
import ServiceLifecycle
import Testing

/// The swift-metrics bootstrap and what it puts behind `/metrics`.
struct MetricsBootstrapTests {
    /// A second call returns the first registry instead of bootstrapping again, which would trap.
    @Test func registryIsBootstrappedOnce() {
        #expect(MetricsBootstrap.registry() === MetricsBootstrap.registry())
    }

    /// Metrics made through the swift-metrics API appear in `/metrics` as valid exposition text.
    @Test func swiftMetricsAppearInTheMetricsEndpoint() async throws {
        let registry = MetricsBootstrap.registry()
        Counter(label: "bootstrap_test_events_applied_total", dimensions: [("projection", "timeline")])
            .increment(by: 3)
        Gauge(label: "bootstrap_test_lag_events", dimensions: [("projection", "timeline")]).record(42)
        CoreMetrics.Timer(label: "bootstrap_test_batch_duration_seconds", dimensions: [("projection", "timeline")])
            .recordMilliseconds(20)

        let endpoints = OperationsEndpoints(readiness: { Readiness(ready: true, reasons: []) }, status: { [] })
        let body = try await withServer(endpoints: endpoints, registry: registry) { port in
            try await HTTPGet.get("/metrics", port: port).text
        }

        let samples = try PrometheusText.parse(body)
        let timeline = ["projection": "timeline"]
        #expect(samples.contains(.init(name: "bootstrap_test_events_applied_total", labels: timeline, value: 3)))
        #expect(samples.contains(.init(name: "bootstrap_test_lag_events", labels: timeline, value: 42)))
        #expect(
            samples.contains(.init(name: "bootstrap_test_batch_duration_seconds_count", labels: timeline, value: 1))
        )
        #expect(
            samples.contains(.init(name: "bootstrap_test_batch_duration_seconds_sum", labels: timeline, value: 0.02))
        )
        let bucket = ["projection": "timeline", "le": "0.025"]
        #expect(samples.contains(.init(name: "bootstrap_test_batch_duration_seconds_bucket", labels: bucket, value: 1)))
    }
}
