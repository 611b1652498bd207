import ProjectorHTTP
import Testing

/// Which projections `/ready` reports as stalled: work waiting, and a checkpoint that stays put.
struct ProgressWatchTests {
    let start = ContinuousClock.now

    @Test func aCheckpointThatStaysPutWhileWorkWaitsIsStalledOnceTheLimitPasses() {
        var watch = ProgressWatch()
        watch.observe("timeline", checkpoint: "7/100", hasWork: true, at: start)
        watch.observe("timeline", checkpoint: "7/100", hasWork: true, at: start + .seconds(30))
        #expect(watch.stalled(longerThan: .seconds(60), at: start + .seconds(59)).isEmpty)
        let stalled = watch.stalled(longerThan: .seconds(60), at: start + .seconds(61))
        #expect(stalled.map(\.projection) == ["timeline"])
        #expect(stalled.first?.for == .seconds(61))
    }

    @Test func progressOrNoWorkOrForgettingClearsIt() {
        var watch = ProgressWatch()
        for name in ["moved", "idle", "paused"] {
            watch.observe(name, checkpoint: "1/1", hasWork: true, at: start)
        }
        watch.observe("moved", checkpoint: "1/2", hasWork: true, at: start + .seconds(50))
        watch.observe("idle", checkpoint: "1/1", hasWork: false, at: start + .seconds(50))
        watch.forget("paused")
        #expect(watch.stalled(longerThan: .seconds(60), at: start + .seconds(100)).isEmpty)
        #expect(watch.stalled(longerThan: .seconds(60), at: start + .seconds(111)).map(\.projection) == ["moved"])
    }
}
