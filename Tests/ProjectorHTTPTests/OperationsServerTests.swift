import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
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

            let response: TestClient.Response
            do {
                response = try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                    try await client.get("/health")
                }
            } catch {
                // Stops the server first, or the task group would wait on it forever.
                await group.triggerGracefulShutdown()
                throw error
            }
            #expect(response.status == .ok)
            #expect(response.body.map { String(buffer: $0) } == "ok\n")

            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}
