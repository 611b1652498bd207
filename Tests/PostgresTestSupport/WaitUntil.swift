import Testing

/// Polls `condition` every 20 ms until it holds, recording an issue if it does not within two minutes.
///
/// An error counts as "not yet": the tables a condition reads may not exist until a runner installs them.
public func waitUntil(_ what: String, _ condition: () async throws -> Bool) async throws {
    let start = ContinuousClock.now
    while (try? await condition()) != true {
        if ContinuousClock.now - start > .seconds(120) {
            Issue.record("timed out waiting for \(what)")
            return
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}
