import Foundation
import PostgresTestSupport
import Testing

/// The alert rules and the Grafana dashboard of `scripts/monitoring/` name only metrics that a running
/// `projector run` exports, named by Prometheus' conventions. (promtool checks the rules themselves:
/// scripts/monitoring/check, run by .ci/run.)
@Suite struct MonitoringKitTests {
    @Test func everyMetricTheAlertsAndTheDashboardNameIsExported() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let generate = try await ProjectorBinary.run(
                ["generate", "--patients", "10", "--invalid-fraction", "0.2", "--into-log"],
                database: url
            )
            #expect(generate.status == 0, "\(generate.stderr)")
            let port = TestPorts.http()
            let run = try ProjectorBinary.start(
                ["run", "--poll-interval", "0.2", "--http-port", "\(port)", "--sample-interval", "0.2"],
                database: url
            )
            defer { run.terminate() }
            var body = ""
            try await waitUntil("/metrics to show a caught-up timeline") {
                guard let metrics = await Self.get("/metrics", port: port) else { return false }
                body = metrics
                return try PrometheusText.parse(metrics).contains {
                    $0.name == "projector_lag_events" && $0.labels["projection"] == "timeline" && $0.value == 0
                }
            }
            let exported = Set(try PrometheusText.parse(body).map(\.name))
            let named = try Self.metricsNamedInTheKit()
            #expect(named.count >= 10)
            for name in named.sorted() {
                #expect(exported.contains(name), "\(name) is in scripts/monitoring but not exported by /metrics")
            }
            // Conventions: the projector_ prefix, snake case, counters end in _total and nothing else does.
            for line in body.split(separator: "\n") where line.hasPrefix("# TYPE projector_") {
                let parts = line.split(separator: " ")
                let (name, type) = (String(parts[2]), String(parts[3]))
                #expect(name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" }, "\(name)")
                #expect(name.hasSuffix("_total") == (type == "counter"), "\(name) is a \(type)")
            }
            run.terminate()
            await ProjectorBinary.waitForExit(run)
        }
    }

    /// Every `projector_…` name in alerts.yml and dashboard.json (histogram series with their suffixes).
    static func metricsNamedInTheKit() throws -> Set<String> {
        let kit = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/monitoring")
        var names: Set<String> = []
        for file in ["alerts.yml", "dashboard.json"] {
            let text = try String(contentsOf: kit.appendingPathComponent(file), encoding: .utf8)
            let pattern = try Regex("projector_[a-z0-9_]+")
            for match in text.matches(of: pattern) { names.insert(String(text[match.range])) }
        }
        return names
    }

    /// GETs `path` from the running projector; nil while it is not listening yet.
    static func get(_ path: String, port: Int) async -> String? {
        try? await HTTPGet.get(path, port: port).text
    }
}
