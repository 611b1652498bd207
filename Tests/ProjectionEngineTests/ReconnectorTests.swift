import Testing

@testable import ProjectionEngine

/// The waits between tries to reach the database again.
@Suite struct ReconnectorTests {
    @Test func theWaitDoublesPerFailureUpToTheCapAndLiesInTheUpperHalf() {
        let (initial, cap) = (Duration.milliseconds(250), Duration.seconds(15))
        for failures in 1...40 {
            var full = initial
            for _ in 1..<min(failures, 30) where full < cap { full = full * 2 }
            full = min(full, cap)
            for _ in 0..<20 {
                let delay = Reconnector.delay(after: failures, initial: initial, max: cap)
                #expect(delay >= full / 2 && delay <= full, "failure \(failures): \(delay)")
            }
        }
        // Spread: instances that lost the same server do not all try again at the same instant.
        let delays = Set((0..<50).map { _ in Reconnector.delay(after: 5, initial: initial, max: cap) })
        #expect(delays.count > 10)
    }
}
