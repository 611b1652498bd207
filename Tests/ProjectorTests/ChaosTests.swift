import Foundation
import Postgres
import PostgresTestSupport
import Testing

/// `projector run` under attack, on a cluster of the suite's own: each scenario appends events while it
/// kills, locks, restarts or freezes something, and ends with the process alive and ready, events
/// appended after the fault projected, and every read model verifying clean.
///
/// Each scenario has a database of its own on that cluster; the suite is serial because a restart of the
/// server must not land in another scenario.
@Suite(.serialized, .chaosCluster, .timeLimit(.minutes(3)))
struct ChaosTests {
    static func cluster() throws -> ChaosCluster {
        try #require(ChaosCluster.current, "the suite's .chaosCluster trait provides the cluster")
    }

    /// Ends the sessions of every `projector run` of the database at `url`; returns how many it ended.
    static func terminateProjectorSessions(_ url: String) async throws -> Int64 {
        let conn = try await ChaosCluster.connect(url)
        do {
            let ended = try await conn.query(
                """
                SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
                WHERE application_name LIKE 'projector%' AND datname = current_database()
                """
            ).rows[0].decode(Int64.self, at: 0)
            await conn.close()
            return ended
        } catch {
            await conn.close()
            throw error
        }
    }

    @Test func killNineWhileAppendingThenARestartAppliesEveryEventOnce() async throws {
        try await Self.cluster().withDatabase { url in
            try await withProjectors { started in
                try await Chaos.appendRound(url, seed: 1, patients: 60)
                // Small batches, so a kill lands inside a batch's transaction more often than between two.
                var runner = try started.start(url: url, arguments: ["--batch-size", "100"])
                async let appended: Void = Chaos.appendRounds(url, seeds: 10...15)
                var killedWhileBehind = 0
                for round in 0..<2 {
                    // Once it works (its endpoints answer), at a random moment while events keep arriving.
                    let up = await runner.waitFor("/ready", status: 200, timeout: .seconds(30))
                    #expect(up, "round \(round): \(runner.exitDescription)")
                    try await Task.sleep(for: .milliseconds(Int.random(in: 0...300)))
                    await runner.kill9()
                    if let status = await Chaos.status(url), status.projections.contains(where: { $0.eventsBehind > 0 })
                    {
                        killedWhileBehind += 1
                    }
                    runner = try started.start(url: url, arguments: ["--batch-size", "100"])
                }
                try await appended
                #expect(killedWhileBehind > 0, "no kill landed while events waited to be applied: this proved nothing")
                try await Chaos.expectRunningAndCorrect(url, [runner], seed: 99)
            }
        }
    }

    @Test func aTableLockedPastTheLockTimeoutHoldsBackOnlyItsProjectionUntilReleased() async throws {
        try await Self.cluster().withDatabase { url in
            try await withProjectors { started in
                let runner = try await started.startCaughtUp(url: url)
                let holder = try await ChaosCluster.connect(url)
                try await holder.execute("BEGIN")
                try await holder.execute("LOCK TABLE timeline.entries IN SHARE MODE")
                let lockedAt = ContinuousClock.now
                var othersCaughtUp = false
                var timelineBehind: Int64 = 0
                do {
                    try await Chaos.appendRounds(url, seeds: 10...12)
                    // Past the writer's lock_timeout (4 s, no flag changes it), and until the other read
                    // models are level (they must not wait behind timeline), for at most 25 s.
                    while ContinuousClock.now - lockedAt < .seconds(12)
                        || (!othersCaughtUp && ContinuousClock.now - lockedAt < .seconds(25))
                    {
                        if let status = await Chaos.status(url) {
                            othersCaughtUp = status.projections.filter { $0.name != "timeline" }
                                .allSatisfy { $0.eventsBehind == 0 }
                            timelineBehind = status.projections.first { $0.name == "timeline" }?.eventsBehind ?? 0
                        }
                        try await Task.sleep(for: .milliseconds(200))
                    }
                } catch {
                    await holder.close()
                    throw error
                }
                try await holder.execute("ROLLBACK")
                await holder.close()
                #expect(timelineBehind > 0, "the lock did not hold timeline back: this proved nothing")
                #expect(othersCaughtUp, "the other read models waited behind timeline's lock")
                #expect(runner.isRunning, "\(runner.exitDescription)")
                try await Chaos.expectRunningAndCorrect(url, [runner], seed: 99)
            }
        }
    }

    @Test(.bug(id: 12, "run exited 1 within 60 ms of pg_terminate_backend on its sessions"))
    func terminatingEveryProjectorSessionWhileAppendingIsSurvived() async throws {
        try await Self.cluster().withDatabase { url in
            try await withProjectors { started in
                let runner = try await started.startCaughtUp(url: url)
                async let appended: Void = Chaos.appendRounds(url, seeds: 10...15)
                var ended: Int64 = 0
                for _ in 0..<3 {
                    try await Task.sleep(for: .milliseconds(400))
                    ended += try await Self.terminateProjectorSessions(url)
                }
                try await appended
                #expect(ended > 0, "no projector session was found to terminate")
                try #require(
                    await runner.staysAlive(for: .milliseconds(500)),
                    "pg_terminate_backend of its sessions: \(runner.exitDescription)"
                )
                try await Chaos.expectRunningAndCorrect(url, [runner], seed: 99)
                try await runner.expectReconnected()
            }
        }
    }

    @Test(.bug(id: 12, "run exited 1 on pg_ctl restart -m fast and never came back"))
    func aServerRestartWhileAppendingMakesItNotReadyThenReadyAgain() async throws {
        let cluster = try Self.cluster()
        try await cluster.withDatabase { url in
            try await withProjectors { started in
                let runner = try await started.startCaughtUp(url: url)
                async let appended: Void = Chaos.appendRounds(url, seeds: 10...15)
                try await Task.sleep(for: .milliseconds(300))
                let stoppedAt = ContinuousClock.now
                try await cluster.stop()
                let notReady = await runner.waitFor("/ready", status: 503, timeout: .seconds(15))
                let healthy = await runner.get("/health")
                let statesWhileDown = await runner.states()
                let aliveWhileDown = runner.isRunning
                try await cluster.startAgain()
                try await appended
                try #require(aliveWhileDown, "pg_ctl stop -m fast: \(runner.exitDescription)")
                #expect(notReady, "/ready did not answer 503 while the server was down")
                #expect(healthy == 200, "/health answered \(healthy.map(String.init) ?? "nothing") while down")
                #expect(
                    Set(statesWhileDown.values) == ["disconnected"]
                        && statesWhileDown.count == ChaosCluster.readModels.count,
                    "/status while the server was down: \(statesWhileDown)"
                )
                let ready = await runner.waitFor("/ready", status: 200, timeout: .seconds(30))
                #expect(ready, "/ready did not answer 200 again after the restart: \(runner.exitDescription)")
                print("chaos: ready again \(ContinuousClock.now - stoppedAt) after the server was stopped")
                try await Chaos.expectRunningAndCorrect(url, [runner], seed: 99)
                try await runner.expectReconnected()
            }
        }
    }

    @Test(.bug(id: 12, "run started while the server was down exited in 0.04 s"))
    func runStartedWhileTheServerIsDownWaitsForIt() async throws {
        let cluster = try Self.cluster()
        try await cluster.withDatabase { url in
            try await withProjectors { started in
                try await Chaos.appendRound(url, seed: 1, patients: 40)
                try await cluster.stop()
                let runner = try started.start(url: url)
                let waited = await runner.staysAlive(for: .seconds(2))
                let healthy = await runner.waitFor("/health", status: 200, timeout: .seconds(5))
                let notReady = await runner.waitFor("/ready", status: 503, timeout: .seconds(5))
                try await cluster.startAgain()
                try #require(waited, "started while the server was down: \(runner.exitDescription)")
                #expect(healthy, "/health did not answer 200 while the server was down")
                #expect(notReady, "/ready did not answer 503 while the server was down")
                try await Chaos.expectRunningAndCorrect(url, [runner], seed: 99)
            }
        }
    }

    /// The writer's process is healthy and renews its leases, but the server process of its reader session
    /// stops answering (a frozen backend; a network path lost without a reset looks the same): the runner
    /// must count the session as stalled, give its leases up and let the standby write. On this suite's own
    /// cluster: a stopped server process makes every DROP DATABASE of its cluster wait for it.
    @Test(.bug(id: 21, "a hung database backend stalled everything silently: no log line, no failover"))
    func aReaderWhoseServerProcessFreezesHandsTheLeasesToTheStandby() async throws {
        try await Self.cluster().withDatabase { url in
            try await withProjectors { started in
                let first = try await started.startCaughtUp(url: url, applicationName: "projector-a")
                let second = try started.start(url: url, applicationName: "projector-b")
                try #require(
                    await second.waitFor("/ready", status: 200, timeout: .seconds(30)),
                    "the standby is not ready: \(second.exitDescription)"
                )
                let writerName = try #require(try await Chaos.writer(url), "one instance holds every lease")
                let writer = writerName == "projector-a" ? first : second
                let standby = writer === first ? second : first
                // The writer's reader session, idle between page reads (no transaction, no snapshot).
                let conn = try await ChaosCluster.connect(url)
                let pid: Int32
                do {
                    var found: Int32?
                    let asked = ContinuousClock.now
                    while found == nil && ContinuousClock.now - asked < .seconds(10) {
                        found = try await conn.query(
                            """
                            SELECT pid FROM pg_stat_activity
                            WHERE application_name = \(writerName) AND query LIKE 'WITH snap%' AND state = 'idle'
                              AND backend_xid IS NULL AND backend_xmin IS NULL
                            """
                        ).rows.first.map { try $0.decode(Int32.self, at: 0) }
                        if found == nil { try await Task.sleep(for: .milliseconds(50)) }
                    }
                    await conn.close()
                    pid = try #require(found, "the writer's reader session")
                } catch {
                    await conn.close()
                    throw error
                }
                try #require(kill(pid_t(pid), SIGSTOP) == 0, "signal the reader's server process (errno \(errno))")
                let frozenAt = ContinuousClock.now
                do {
                    try await Chaos.appendRounds(url, seeds: 10...11)
                    // Only the standby can project what was appended after the freeze: the deadline (6 s),
                    // the stand-down, the standby's next try (1 s) and the catch-up, with a margin.
                    let tookOver = await Chaos.waitUntilCaughtUp(url, alive: [standby], timeout: .seconds(30))
                    try #require(tookOver, "the standby did not take over within 30 s of the reader's freeze")
                } catch {
                    kill(pid_t(pid), SIGCONT)
                    throw error
                }
                print("chaos: the standby had projected every event \(ContinuousClock.now - frozenAt) after the freeze")
                kill(pid_t(pid), SIGCONT)
                #expect(
                    writer.output.contains("stuck in a statement past its deadline"),
                    "the frozen reader's runner did not say why: \(writer.exitDescription)"
                )
                #expect(writer.isRunning, "\(writer.exitDescription)")
                try await Chaos.expectRunningAndCorrect(url, [first, second], seed: 99)
            }
        }
    }

    @Test(.bug(id: 12, "a writer frozen by SIGSTOP kept its lock and the standby never took over"))
    func aFrozenWriterIsReplacedByTheStandbyAndCommitsNothingWhenItWakes() async throws {
        try await Self.cluster().withDatabase { url in
            try await withProjectors { started in
                let first = try await started.startCaughtUp(
                    url: url,
                    applicationName: "projector-a",
                    arguments: ["--batch-size", "50"]
                )
                let second = try started.start(
                    url: url,
                    applicationName: "projector-b",
                    arguments: ["--batch-size", "50"]
                )
                try #require(
                    await second.waitFor("/ready", status: 200, timeout: .seconds(30)),
                    "the standby is not ready: \(second.exitDescription)"
                )
                let writerName = try await Chaos.writer(url)
                let writer = try #require(
                    [first, second].first { $0.applicationName == writerName },
                    "no one instance holds every projection's lease"
                )
                let standby = writer === first ? second : first
                var standbyStates = await standby.states()
                let asked = ContinuousClock.now
                while Set(standbyStates.values) != ["standing-by"] && ContinuousClock.now - asked < .seconds(5) {
                    try await Task.sleep(for: .milliseconds(100))
                    standbyStates = await standby.states()
                }
                #expect(
                    Set(standbyStates.values) == ["standing-by"]
                        && standbyStates.count == ChaosCluster.readModels.count,
                    "the standby's /status: \(standbyStates)"
                )

                async let appended: Void = Chaos.appendRounds(url, seeds: 10...13)
                try await Task.sleep(for: .milliseconds(300))
                writer.send(SIGSTOP)
                let frozenAt = ContinuousClock.now
                try await appended
                // Only the standby can project what was appended after the freeze.
                let now = ContinuousClock.now
                let bound = now - frozenAt < .seconds(10) ? frozenAt + .seconds(15) : now + .seconds(5)
                let tookOver = await Chaos.waitUntilCaughtUp(url, alive: [standby], timeout: bound - now)
                if !tookOver { writer.send(SIGCONT) }
                try #require(
                    tookOver,
                    "the standby did not take over within 15 s of SIGSTOP on the writer: \(standby.exitDescription)"
                )
                print("chaos: the standby had projected every event \(ContinuousClock.now - frozenAt) after SIGSTOP")
                // Also shows that the metric the last check reads is there.
                #expect(try await standby.eventsApplied() > 0, "the standby's /metrics shows no events applied")

                writer.send(SIGCONT)
                try #require(
                    await writer.waitFor("/ready", status: 200, timeout: .seconds(30)),
                    "the woken writer: \(writer.exitDescription)"
                )
                // Its batch in flight, if any, has been refused or committed by now; from here on it stands by.
                try await Task.sleep(for: .milliseconds(500))
                let appliedWhenWoken = try await writer.eventsApplied()
                try await Chaos.expectRunningAndCorrect(url, [first, second], seed: 99)
                #expect(
                    try await writer.eventsApplied() == appliedWhenWoken,
                    "the woken writer applied events instead of standing by"
                )
            }
        }
    }
}
