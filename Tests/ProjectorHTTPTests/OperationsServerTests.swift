import Logging
import PostgresTestSupport
import ProjectorHTTP
import Prometheus
import ServiceLifecycle
import Testing

/// The server on a real socket, started and stopped the way `projector run` does.
struct OperationsServerTests {
    /// On port 0 the server reports the port it bound, answers over TCP, and returns on graceful shutdown.
    @Test(.timeLimit(.minutes(1)))
    func servesHealthOnAnEphemeralPortAndStopsOnGracefulShutdown() async throws {
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let logger = Logger(label: "projector.http.test") { _ in SwiftLogNoOpLogHandler() }
        let server = OperationsServer(
            host: "127.0.0.1",
            port: 0,
            endpoints: OperationsEndpoints(readiness: { Readiness(ready: true, reasons: []) }, status: { [] }),
            registry: PrometheusCollectorRegistry(),
            logger: logger,
            onListening: { port in portContinuation.yield(port) }
        )
        let group = ServiceGroup(services: [server], logger: logger)

        try await withThrowingTaskGroup { tasks in
            tasks.addTask {
                // Ends the port stream too, so a server that fails to bind fails the test instead of hanging it.
                defer { portContinuation.finish() }
                try await group.run()
            }
            let port = try #require(await ports.first { _ in true })
            #expect(port > 0)

            let response: HTTPGet.Response
            do {
                response = try await HTTPGet.get("/health", port: port)
            } catch {
                // Stops the server first, or the task group would wait on it forever.
                await group.triggerGracefulShutdown()
                throw error
            }
            #expect(response.status == 200)
            #expect(response.text == "ok\n")

            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}

/// The endpoints under a flood of requests that never finish.
struct OperationsServerFloodTests {
    /// More half-sent requests than the server serves at once: each is closed once it has been idle for the
    /// timeout, so `/ready` is answered, and none is kept for ever.
    @Test(
        .timeLimit(.minutes(1)),
        .bug(id: 21, "1,000 half-sent requests stayed open past 90 s; idle ones exhausted the file descriptors")
    )
    func halfSentRequestsAreClosedAndReadyIsStillAnswered() async throws {
        var limits = OperationsServer.Limits()
        limits.idleTimeout = .seconds(1)
        limits.maxConnections = 8
        let endpoints = OperationsEndpoints(readiness: { Readiness(ready: true, reasons: []) }, status: { [] })
        try await withServer(endpoints: endpoints, registry: PrometheusCollectorRegistry(), limits: limits) { port in
            let flood = try (0..<24).map { _ in try HalfSentRequest(port: port) }
            let ready = try await HTTPGet.get("/ready", port: port)
            #expect(ready.status == 200)
            for request in flood {
                #expect(await request.closedByServer(), "a half-sent request was kept open")
            }
        }
    }
}

/// Runs an `OperationsServer` on an ephemeral port for `body`, then shuts it down gracefully.
func withServer<T: Sendable>(
    endpoints: OperationsEndpoints,
    registry: PrometheusCollectorRegistry,
    limits: OperationsServer.Limits = OperationsServer.Limits(),
    _ body: @Sendable (_ port: Int) async throws -> T
) async throws -> T {
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    let logger = Logger(label: "projector.http.test") { _ in SwiftLogNoOpLogHandler() }
    let server = OperationsServer(
        host: "127.0.0.1",
        port: 0,
        endpoints: endpoints,
        registry: registry,
        logger: logger,
        limits: limits,
        onListening: { port in portContinuation.yield(port) }
    )
    let group = ServiceGroup(services: [server], logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask {
            defer { portContinuation.finish() }
            try await group.run()
        }
        var result: Result<T, any Error> = .failure(HTTPGetError("the server did not start"))
        if let port = await ports.first(where: { _ in true }) {
            do { result = .success(try await body(port)) } catch { result = .failure(error) }
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return try result.get()
    }
}
