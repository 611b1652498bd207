import Hummingbird
import InMemoryLogging
import Logging
import PostgresTestSupport
import ProjectorHTTP
import Prometheus
import ServiceLifecycle
import Testing

/// Each operations route, served on an ephemeral port and asked with a plain HTTP GET.
struct OperationsRouterTests {
    /// `/health` says the process is up, whatever readiness says.
    @Test func healthAnswersOkWhileTheProcessIsUp() async throws {
        try await withApplication(readiness: Readiness(ready: false, reasons: ["database down"])) { client in
            let response = try await client.get("/health")
            #expect(response.status == 200)
            #expect(response.text == "ok\n")
        }
    }

    /// A ready service answers 200 with an empty list of reasons.
    @Test func readyAnswers200WhenReady() async throws {
        try await withApplication(readiness: Readiness(ready: true, reasons: [])) { client in
            let response = try await client.get("/ready")
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "application/json")
            #expect(response.text == #"{"ready":true,"reasons":[]}"#)
        }
    }

    /// A service that is not ready answers 503 and lists why.
    @Test func readyAnswers503WithReasonsWhenNotReady() async throws {
        let readiness = Readiness(ready: false, reasons: ["catching up", "no lock on timeline/v2"])
        try await withApplication(readiness: readiness) { client in
            let response = try await client.get("/ready")
            #expect(response.status == 503)
            #expect(
                response.text == #"{"ready":false,"reasons":["catching up","no lock on timeline/v2"]}"#
            )
        }
    }

    /// `/status` serves the caller's JSON bytes unchanged.
    @Test func statusServesTheCallersJSON() async throws {
        let json = #"{"projections":[{"name":"timeline","lag":0}]}"#
        let status: @Sendable () async throws -> [UInt8] = { Array(json.utf8) }
        try await withApplication(status: status) { client in
            let response = try await client.get("/status")
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "application/json")
            #expect(response.text == json)
        }
    }

    /// A failing status answers 503 with a fixed body and keeps the error's text out of the body and the logs.
    @Test func failingStatusAnswers503WithoutTheErrorText() async throws {
        let logs = InMemoryLogHandler()
        let secret = "NHS number 943 476 5919"
        let status: @Sendable () async throws -> [UInt8] = { throw LeakyError(text: secret) }
        try await withApplication(status: status, logs: logs) { client in
            let response = try await client.get("/status")
            #expect(response.status == 503)
            #expect(response.text == #"{"error":"status unavailable"}"#)
            #expect(!response.text.contains("943"))
        }
        let warnings = logs.entries.filter { $0.level == .warning }
        #expect(warnings.count == 1)
        for entry in logs.entries {
            #expect(!"\(entry.message) \(entry.metadata)".contains("943"))
        }
    }

    /// `/metrics` serves the registry in Prometheus' text format with its versioned Content-Type.
    @Test func metricsServesPrometheusText() async throws {
        let registry = PrometheusCollectorRegistry()
        let descriptor = MetricNameDescriptor(
            metricName: "router_test_requests",
            unitName: "total",
            helpText: "Requests served, by route."
        )
        registry.makeCounter(descriptor: descriptor, labels: [("route", "ready")]).increment(by: Int64(2))
        try await withApplication(registry: registry) { client in
            let response = try await client.get("/metrics")
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
            let samples = try PrometheusText.parse(response.text)
            #expect(samples == [.init(name: "router_test_requests_total", labels: ["route": "ready"], value: 2)])
        }
    }

    /// Any other path answers 404.
    @Test(arguments: ["/", "/healthz", "/metrics/extra", "/status/timeline"])
    func unknownPathsAnswer404(path: String) async throws {
        try await withApplication { client in
            let response = try await client.get(path)
            #expect(response.status == 404)
        }
    }
}

/// An error whose text holds what must never reach a response or a log.
private struct LeakyError: Error, CustomStringConvertible {
    var text: String
    var description: String { text }
}

private func withApplication(
    readiness: Readiness = Readiness(ready: true, reasons: []),
    status: @escaping @Sendable () async throws -> [UInt8] = { Array("{}".utf8) },
    registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
    logs: InMemoryLogHandler = InMemoryLogHandler(),
    _ test: @Sendable (RouteClient) async throws -> Void
) async throws {
    let endpoints = OperationsEndpoints(readiness: { readiness }, status: status)
    var logger = Logger(label: "projector.http.test") { _ in logs }
    logger.logLevel = .trace
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    let application = Application(
        router: OperationsServer.router(endpoints: endpoints, registry: registry),
        configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in
            if let port = channel.localAddress?.port { portContinuation.yield(port) }
        },
        logger: logger
    )
    let group = ServiceGroup(services: [application], logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
    try await withThrowingTaskGroup { tasks in
        tasks.addTask {
            // Ends the port stream too, so a server that fails to bind fails the test instead of hanging it.
            defer { portContinuation.finish() }
            try await group.run()
        }
        var result: Result<Void, any Error> = .failure(HTTPGetError("the server did not start"))
        if let port = await ports.first(where: { _ in true }) {
            do {
                try await test(RouteClient(port: port))
                result = .success(())
            } catch {
                result = .failure(error)
            }
        }
        // Stops the server first, or the task group would wait on it forever.
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        try result.get()
    }
}

/// GETs paths from the application under test.
private struct RouteClient: Sendable {
    let port: Int
    func get(_ path: String) async throws -> HTTPGet.Response { try await HTTPGet.get(path, port: port) }
}
