import Foundation
import Postgres
import PostgresTestSupport
import Testing

/// What ops do to a running `projector run`, through the CLI and its HTTP endpoints, as a user would.
@Suite struct OperationsCommandTests {
    /// GETs `path` from the running projector; nil while it is not listening yet.
    func get(_ path: String, port: Int) async -> (status: UInt, body: String)? {
        guard let response = try? await HTTPGet.get(path, port: port) else { return nil }
        return (UInt(response.status), response.text)
    }

    /// The timeline's lag gauge from /metrics, which must parse as Prometheus text.
    func lagEvents(port: Int) async throws -> Double? {
        guard let metrics = await get("/metrics", port: port) else { return nil }
        let samples = try PrometheusText.parse(metrics.body)
        return samples.first { $0.name == "projector_lag_events" && $0.labels["projection"] == "timeline" }?.value
    }

    /// A gauge of the timeline from /metrics.
    func timelineGauge(_ name: String, port: Int) async throws -> Double? {
        guard let metrics = await get("/metrics", port: port) else { return nil }
        return try PrometheusText.parse(metrics.body).first {
            $0.name == name && $0.labels["projection"] == "timeline"
        }?
        .value
    }

    /// A gauge of every projection from one read of /metrics (one status sample), by projection.
    func gauges(_ name: String, port: Int) async throws -> [String: Double] {
        guard let metrics = await get("/metrics", port: port) else { return [:] }
        var values: [String: Double] = [:]
        for sample in try PrometheusText.parse(metrics.body) where sample.name == name {
            if let projection = sample.labels["projection"] { values[projection] = sample.value }
        }
        return values
    }

    /// The builds in the last status sample, as /status reports them.
    func builds(port: Int) async -> [[String: Any]] {
        guard let status = await get("/status", port: port),
            let report = try? JSONSerialization.jsonObject(with: Data(status.body.utf8)) as? [String: Any]
        else { return [] }
        return report["builds"] as? [[String: Any]] ?? []
    }

    func entries(on conn: Connection) async throws -> Int64 {
        try await conn.query("SELECT count(*) FROM timeline.entries").rows[0].decode(Int64.self, at: 0)
    }

    @Test func pauseResumeResetAndTheLagGaugeOnARunningProjector() async throws {
        try await TestDatabase.withConnection { conn, url in
            #expect(
                try await ProjectorBinary.run(["generate", "--patients", "15", "--into-log"], database: url).status == 0
            )
            let port = TestPorts.http()
            // The results read model runs beside the timeline as a witness: what it applies, the runner has read.
            let run = try ProjectorBinary.start(
                [
                    "run", "--only", "timeline", "--only", "results", "--poll-interval", "0.2", "--http-port",
                    "\(port)", "--sample-interval", "0.2",
                ],
                database: url
            )
            defer { run.terminate() }
            try await waitUntil("the projector to catch up") {
                try await gauges("projector_lag_events", port: port) == ["timeline": 0, "results": 0]
            }
            #expect(await get("/health", port: port)?.status == 200)
            #expect(await get("/ready", port: port)?.status == 200)
            let caughtUp = try await entries(on: conn)
            #expect(caughtUp > 0)

            let pause = try await ProjectorBinary.run(["pause", "timeline", "--reason", "test"], database: url)
            #expect(pause.status == 0, "\(pause.stderr)")
            let more = try await ProjectorBinary.run(
                ["generate", "--patients", "5", "--seed", "2", "--into-log"],
                database: url
            )
            #expect(more.status == 0)
            // One sample in which the timeline is behind (the new events are in the log) and the witness is not
            // (the runner read them and applied them for it): the timeline applied none of them.
            try await waitUntil("the witness to apply the new events the timeline lags behind") {
                let lag = try await gauges("projector_lag_events", port: port)
                return (lag["timeline"] ?? 0) > 0 && lag["results"] == 0
            }
            #expect(try await entries(on: conn) == caughtUp)
            let status = try #require(await get("/status", port: port))
            let report = try JSONSerialization.jsonObject(with: Data(status.body.utf8)) as? [String: Any]
            let timeline = (report?["projections"] as? [[String: Any]])?.first { $0["name"] as? String == "timeline" }
            #expect(timeline?["state"] as? String == "paused" && timeline?["pausedReason"] as? String == "test")

            #expect(try await ProjectorBinary.run(["resume", "timeline"], database: url).status == 0)
            try await waitUntil("the lag gauge to fall back") {
                try await gauges("projector_lag_events", port: port) == ["timeline": 0, "results": 0]
            }
            let resumed = try await entries(on: conn)
            #expect(resumed > caughtUp)

            let unconfirmed = try await ProjectorBinary.run(["reset", "timeline"], database: url)
            #expect(unconfirmed.status != 0 && unconfirmed.stderr.contains("--confirm"))
            #expect(try await entries(on: conn) == resumed)
            let reset = try await ProjectorBinary.run(["reset", "timeline", "--confirm"], database: url)
            #expect(reset.status == 0, "\(reset.stderr)")
            try await waitUntil("the replay from zero") {
                let seen = try await conn.query(
                    "SELECT events_seen FROM projector.checkpoints WHERE projection = 'timeline'"
                ).rows[0].decode(Int64.self, at: 0)
                return try await lagEvents(port: port) == 0 && seen > 0
            }
            #expect(try await entries(on: conn) == resumed)
            run.terminate()
            await ProjectorBinary.waitForExit(run)
        }
    }

    @Test(.bug(id: 21, "/ready stayed 200 while every batch of every projection failed"))
    func readyTurnsUnreadyWhileAProjectionWithWorkCannotProgressAndReadyAgainAfter() async throws {
        try await TestDatabase.withConnection { conn, url in
            #expect(
                try await ProjectorBinary.run(["generate", "--patients", "5", "--into-log"], database: url).status == 0
            )
            let port = TestPorts.http()
            let run = try ProjectorBinary.start(
                [
                    "run", "--only", "timeline", "--poll-interval", "0.2", "--http-port", "\(port)",
                    "--sample-interval", "0.2", "--ready-stall-seconds", "2",
                ],
                database: url
            )
            defer { run.terminate() }
            try await waitUntil("the projector to catch up") { try await lagEvents(port: port) == 0 }
            #expect(await get("/ready", port: port)?.status == 200)

            // Writers wait on this lock (and time out, and retry); readers, the status among them, do not.
            let holder = try await Connection.connect(to: url, applicationName: "projector-tests-lock")
            try await holder.execute("BEGIN")
            try await holder.execute("LOCK TABLE timeline.entries IN SHARE MODE")
            let more = try await ProjectorBinary.run(
                ["generate", "--patients", "3", "--seed", "7", "--into-log"],
                database: url
            )
            #expect(more.status == 0)
            try await waitUntil("/ready to report the stalled projection") {
                guard let ready = await get("/ready", port: port), ready.status == 503 else { return false }
                return ready.body.contains("projection timeline has had events to apply and no progress for")
            }
            try await holder.execute("COMMIT")
            await holder.close()
            try await waitUntil("the projection to catch up and /ready to recover") {
                let ready = await get("/ready", port: port)
                return try await lagEvents(port: port) == 0 && ready?.status == 200
            }
            run.terminate()
            await ProjectorBinary.waitForExit(run)
        }
    }

    /// `ProjectorNoWriter` stays quiet while a projection is rebuilt before it runs: no lease is held then, and
    /// `projector_rebuilding` says why. A build row stands for a rebuild here, moving or stalled.
    @Test func theRebuildingGaugeFollowsABuildThatMovesAndDropsWhenItStalls() async throws {
        try await TestDatabase.withConnection { conn, url in
            #expect(
                try await ProjectorBinary.run(["generate", "--patients", "5", "--into-log"], database: url).status == 0
            )
            let port = TestPorts.http()
            let run = try ProjectorBinary.start(
                ["run", "--only", "timeline", "--http-port", "\(port)", "--sample-interval", "0.2"],
                database: url
            )
            defer { run.terminate() }
            try await waitUntil("the projector to catch up") { try await lagEvents(port: port) == 0 }
            #expect(try await timelineGauge("projector_rebuilding", port: port) == 0)
            #expect(try await timelineGauge("projector_writer_active", port: port) == 1)

            try await conn.execute(
                """
                INSERT INTO projector.builds (schema_name, projection, purpose, version, schema_hash)
                VALUES ('timeline__rebuild', 'timeline', 'rebuild', 1, 'test')
                """
            )
            try await waitUntil("a moving build to count") {
                try await timelineGauge("projector_rebuilding", port: port) == 1
            }
            try await conn.execute(
                "UPDATE projector.builds SET updated_at = now() - interval '31 seconds' WHERE projection = 'timeline'"
            )
            try await waitUntil("a stalled one not to") {
                try await timelineGauge("projector_rebuilding", port: port) == 0
            }
            // An as-of copy or a verify scratch replaces nothing. The gauge is set from the same status sample that
            // /status then shows: once /status has the moving verify build, the gauge has been set from it.
            try await conn.execute(
                "UPDATE projector.builds SET updated_at = now(), purpose = 'verify' WHERE projection = 'timeline'"
            )
            try await waitUntil("a status sample of the moving verify build") {
                await builds(port: port).contains {
                    $0["purpose"] as? String == "verify" && $0["moving"] as? Bool == true
                }
            }
            #expect(try await timelineGauge("projector_rebuilding", port: port) == 0)
            try await conn.execute("DELETE FROM projector.builds")
            run.terminate()
            await ProjectorBinary.waitForExit(run)
        }
    }

    @Test(.bug(id: 12, "/status read the database per request and queued to 7-9 s under load"))
    func statusIsServedFromTheLastSampleWithoutWaitingForTheDatabase() async throws {
        try await TestDatabase.withConnection { conn, url in
            let port = TestPorts.http()
            let run = try ProjectorBinary.start(
                ["run", "--only", "timeline", "--http-port", "\(port)", "--sample-interval", "3600"],
                database: url
            )
            defer { run.terminate() }
            try await waitUntil("the first status sample") { await get("/status", port: port)?.status == 200 }
            // Every status read blocks behind this lock; requests answered meanwhile never read the database.
            try await conn.execute("BEGIN")
            try await conn.execute("LOCK TABLE projector.checkpoints IN ACCESS EXCLUSIVE MODE")
            let answered = await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    do { try await Task.sleep(for: .seconds(60)) } catch { return false }
                    // Requests stuck behind the lock hold the group open until it is released.
                    _ = try? await conn.execute("ROLLBACK")
                    return false
                }
                group.addTask {
                    await withTaskGroup(of: UInt?.self) { requests in
                        for _ in 0..<100 { requests.addTask { await get("/status", port: port)?.status } }
                        return await requests.reduce(true) { $0 && $1 == 200 }
                    }
                }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
            try await conn.execute("ROLLBACK")
            // Every request answered while the lock was still held: none waited for the database (with the bug,
            // each read it and queued behind the lock until the ROLLBACK). How fast they answer is the
            // benchmark's business, not this test's: alone it takes 0.3 s; beside the whole suite on 2 cores it
            // took 13.8 s once, and a time bound failed for that, not for the bug.
            #expect(answered, "100 concurrent /status requests did not all answer 200 while the tables were locked")
            run.terminate()
            await ProjectorBinary.waitForExit(run)
        }
    }

    @Test func rebuildReportsProgressAsJSONAndVerifyExitsNonZeroOnDrift() async throws {
        try await TestDatabase.withFreshDatabase { url in
            #expect(
                try await ProjectorBinary.run(["generate", "--patients", "15", "--into-log"], database: url).status == 0
            )
            #expect(try await ProjectorBinary.run(["run", "--exit-when-caught-up"], database: url).status == 0)

            let rebuild = try await ProjectorBinary.run(
                ["rebuild", "timeline", "--json", "--batch-size", "50"],
                database: url
            )
            #expect(rebuild.status == 0, "\(rebuild.stderr)")
            let lines = rebuild.stdout.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            #expect(lines.first?["event"] as? String == "progress")
            #expect(lines.last?["event"] as? String == "swapped")

            // Several side by side: each swapped in on its own, each equal to a replay.
            let several = try await ProjectorBinary.run(
                ["rebuild", "results", "appointments", "--json", "--batch-size", "50"],
                database: url
            )
            #expect(several.status == 0, "\(several.stderr)")
            let swapped = several.stdout.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }.filter { $0["event"] as? String == "swapped" }.compactMap { $0["projection"] as? String }
            #expect(swapped.sorted() == ["appointments", "results"])
            for name in ["results", "appointments"] {
                let verified = try await ProjectorBinary.run(["verify", name], database: url)
                #expect(verified.status == 0 && verified.stdout.contains("no drift"), "\(verified.stdout)")
            }
            #expect(try await ProjectorBinary.run(["rebuild"], database: url).status != 0)
            #expect(try await ProjectorBinary.run(["rebuild", "--all", "timeline"], database: url).status != 0)

            let clean = try await ProjectorBinary.run(["verify", "timeline"], database: url)
            #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
            #expect(clean.stdout.contains("no drift"))
            let conn = try await Connection.connect(to: url)
            try await conn.execute(
                "UPDATE timeline.entries SET title_en = 'tampered' WHERE entry_id = (SELECT min(entry_id) FROM timeline.entries WHERE kind = 'appointment')"
            )
            await conn.close()
            let drifted = try await ProjectorBinary.run(["verify", "timeline"], database: url)
            #expect(drifted.status == 1)
            #expect(drifted.stdout.contains("1 rows differ") && drifted.stdout.contains("differs"))

            let audit = try await ProjectorBinary.run(
                ["rebuild", "results", "--as-of", "100", "--into", "audit_results"],
                database: url
            )
            #expect(audit.status == 0, "\(audit.stderr)")
            let noInto = try await ProjectorBinary.run(["rebuild", "results", "--as-of", "100"], database: url)
            #expect(noInto.status != 0 && noInto.stderr.contains("--into"))
        }
    }
}
