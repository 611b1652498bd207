import ServiceLifecycle

/// Runs a service once a gate opens, or never when the group stops first.
///
/// `projector run` gates its runner on the HTTP endpoints being bound: if the port is taken, the server
/// fails, the group stops, and the runner has claimed nothing.
struct StartsAfter: Service, CustomStringConvertible {
    private let service: any Service
    private let gate: AsyncStream<Void>

    /// `service`, started when `gate` yields its first element.
    init(_ service: any Service, gate: AsyncStream<Void>) {
        self.service = service
        self.gate = gate
    }

    func run() async throws {
        var opened = false
        for await _ in gate.cancelOnGracefulShutdown() {
            opened = true
            break
        }
        guard opened else { return }
        try await service.run()
    }

    var description: String { "\(service) once the HTTP endpoints are bound" }
}
