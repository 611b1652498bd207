import Foundation
import Postgres
import PostgresTestSupport
import Testing

@Suite struct CLITests {
    @Test func helpListsEverySubcommandAndTheDatabaseSettings() async throws {
        let help = try await ProjectorBinary.run(["--help"])
        #expect(help.status == 0)
        for word in ["migrate", "run", "status", "append", "import", "generate", "log", "DATABASE_URL", "PGHOST"] {
            #expect(help.stdout.contains(word), "--help lacks \(word)")
        }
        let runHelp = try await ProjectorBinary.run(["run", "--help"])
        #expect(runHelp.stdout.contains("--exit-when-caught-up"))
        #expect(runHelp.stdout.contains("--database"))
    }

    @Test func badInputIsAUsageErrorWithAClearMessage() async throws {
        let result = try await ProjectorBinary.run(["generate", "--patients=-3"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--patients must not be negative"))
        let unknown = try await ProjectorBinary.run(["frobnicate"])
        #expect(unknown.status == 64)
    }

    @Test func anUnreachableDatabaseIsOneClearLineWithoutThePassword() async throws {
        let result = try await ProjectorBinary.run(
            ["migrate"],
            database: "postgres://u:hunter2-secret@127.0.0.1:1/x?connect_timeout=2"
        )
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot connect to PostgreSQL"))
        #expect(!result.stderr.contains("hunter2-secret"))
    }

    @Test(.bug(id: 12, "a malformed URL was printed whole, password included"))
    func aConnectionStringIsNeverPrintedWhateverFails() async throws {
        let urls = [
            "postgres://u:SECRET-hunter3@[::1/db",
            "postgres://u:SECRET-hunter3%zz@127.0.0.1/db",
            "postgres://u:SECRET-hunter3@127.0.0.1:1/db?connect_timeout=2&sslmode=bogus",
            "postgres://u:SECRET-hunter3@127.0.0.1:99999/db",
            "host=127.0.0.1 port=1 password=SECRET-hunter3 connect_timeout=2 nosuchkey=1",
            "host=127.0.0.1 port=1 password='SECRET-hunter3 connect_timeout=2",
        ]
        for url in urls {
            for command in [["status"], ["rebuild", "timeline"], ["verify", "timeline"], ["run"]] {
                let result = try await ProjectorBinary.run(command, database: url)
                #expect(result.status == 1, "\(command) \(url): \(result.stderr)")
                #expect(!result.stderr.contains("SECRET-hunter3"), "\(command): \(result.stderr)")
                #expect(!result.stdout.contains("SECRET-hunter3"))
            }
        }
    }

    @Test func generateIsByteIdenticalForTheSameSeed() async throws {
        let a = try await ProjectorBinary.run(["generate", "--patients", "25", "--seed", "42"])
        let b = try await ProjectorBinary.run(["generate", "--patients", "25", "--seed", "42"])
        let c = try await ProjectorBinary.run(["generate", "--patients", "25", "--seed", "43"])
        #expect(a.status == 0)
        #expect(!a.stdout.isEmpty)
        #expect(a.stdout == b.stdout)
        #expect(a.stdout != c.stdout)
    }

    @Test func importReportsBadLinesWithNumbersAndWritesNothing() async throws {
        try await TestDatabase.withConnection { conn, url in
            let good =
                #"{"stream": "journal-1", "type": "JournalEntryAdded", "data": {"entryId": "e"}, "eventId": "00000000-0000-4000-8000-000000000001"}"#
            let lines = [
                good,
                "{not json",
                #"{"type": "X", "data": {}}"#,
                #"{"stream": "journal-1", "type": "X", "data": [1]}"#,
                #"{"stream": "journal-1", "data": {}}"#,
            ]
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("import-\(UUID()).ndjson")
            try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            let result = try await ProjectorBinary.run(["import", file.path], database: url)
            #expect(result.status == 1)
            #expect(result.stderr.contains(":2: not valid JSON"))
            #expect(result.stderr.contains(":3: \"stream\" is missing"))
            #expect(result.stderr.contains(":4: \"data\" is missing or not a JSON object"))
            #expect(result.stderr.contains(":5: \"type\" is missing"))
            #expect(result.stderr.contains("nothing was imported"))
            #expect(try await conn.query("SELECT count(*) FROM eventlog.events").rows[0].decode(Int.self, at: 0) == 0)
        }
    }

    @Test func importingTheSameFileTwiceIsANoOp() async throws {
        try await TestDatabase.withConnection { conn, url in
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("gen-\(UUID()).ndjson")
            defer { try? FileManager.default.removeItem(at: file) }
            #expect(try await ProjectorBinary.run(["generate", "--patients", "10", "--output", file.path]).status == 0)
            let first = try await ProjectorBinary.run(["import", file.path], database: url)
            #expect(first.status == 0, "\(first.stderr)")
            let count = try await conn.query("SELECT count(*) FROM eventlog.events").rows[0].decode(Int.self, at: 0)
            #expect(count > 100)
            let second = try await ProjectorBinary.run(["import", file.path], database: url)
            #expect(second.stdout.contains("imported 0 events"))
            #expect(
                try await conn.query("SELECT count(*) FROM eventlog.events").rows[0].decode(Int.self, at: 0) == count
            )
        }
    }

    @Test func appendAtAStaleVersionExitsWithThree() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let args = [
                "append", "--stream", "consent-9434765919", "--type", "ConsentGranted", "--data", "{}",
                "--expected-version", "no-stream",
            ]
            #expect(try await ProjectorBinary.run(args, database: url).status == 0)
            let conflict = try await ProjectorBinary.run(args, database: url)
            #expect(conflict.status == 3)
            #expect(
                conflict.stderr.contains("wrong expected version for a consent stream: expected no stream, actual 0")
            )
            #expect(!conflict.stderr.contains("9434765919"))
        }
    }

    @Test func statusJSONReportsTheCaughtUpTimeline() async throws {
        try await TestDatabase.withFreshDatabase { url in
            #expect(
                try await ProjectorBinary.run(["generate", "--patients", "15", "--into-log"], database: url).status == 0
            )
            let run = try await ProjectorBinary.run(["run", "--exit-when-caught-up"], database: url)
            #expect(run.status == 0, "\(run.stderr)")
            let status = try await ProjectorBinary.run(["status", "--json"], database: url)
            #expect(status.status == 0)
            let report = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
            let timeline = (report?["projections"] as? [[String: Any]])?.first { $0["name"] as? String == "timeline" }
            #expect(timeline?["eventsBehind"] as? Int == 0)
            #expect(timeline?["state"] as? String == "stopped")
            #expect((timeline?["eventsSeen"] as? Int ?? 0) > 0)
            #expect(timeline?["deadLetters"] as? Int == 0)
        }
    }
}

@Suite struct GracefulStopTests {
    @Test(arguments: [SIGTERM, SIGINT])
    func aLiveRunnerStopsCleanlyOnSignal(signal: Int32) async throws {
        try await TestDatabase.withConnection { conn, url in
            #expect(
                try await ProjectorBinary.run(["generate", "--patients", "5", "--into-log"], database: url).status == 0
            )
            let process = try ProjectorBinary.start(["run"], database: url)
            // Live once the checkpoint has reached the end of the log.
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                let live = try await conn.query(
                    """
                    SELECT c.global_position = (SELECT max(global_position) FROM eventlog.events)
                    FROM projector.checkpoints c WHERE c.owner IS NOT NULL
                    """
                ).rows.first?.decode(Bool.self, at: 0)
                if live == true { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(process.isRunning)
            let sent = ContinuousClock.now
            kill(process.processIdentifier, signal)
            while process.isRunning && ContinuousClock.now - sent < .seconds(10) {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(!process.isRunning, "still running 10 s after the signal")
            if process.isRunning { process.terminate() }
            await ProjectorBinary.waitForExit(process)
            #expect(process.terminationReason == .exit)
            #expect(process.terminationStatus == 0)
        }
    }
}

@Suite struct BenchCommandTests {
    /// Figures are not asserted (speed lives in the benchmark, not in tests): only that it measures and reports.
    @Test func benchPrintsATableAndOneJSONLine() async throws {
        let result = try await ProjectorBinary.run(
            ["bench", "--events", "1500", "--duration", "2", "--rate", "200", "--workers", "2"],
            database: try TestDatabase.serverURL()
        )
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("machine: ") })
        let json = try #require(lines.last)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let rebuild = try #require((report["rebuilds"] as? [[String: Any]])?.first)
        #expect(rebuild["events"] as? Int == 1500)
        #expect((rebuild["rows"] as? Int ?? 0) > 0)
        #expect((rebuild["peakRSSBytes"] as? Int ?? 0) > 0)
        #expect((rebuild["opsRebuildSeconds"] as? Double ?? 0) > 0)
        #expect((rebuild["bareCopyAndIndexSeconds"] as? Double ?? 0) > 0)
        // The same rebuild shared by two processes, with each one's CPU.
        let shared = try #require((rebuild["sharedRebuilds"] as? [[String: Any]])?.first)
        #expect(shared["workers"] as? Int == 2)
        #expect((shared["workerCPUSeconds"] as? [Double])?.count == 2)
        #expect(lines.contains { $0.contains("shared by 2 processes (rebuild --partitions 2)") })
        // One live measurement per rate, each with synchronous_commit on and then off.
        let live = try #require(report["live"] as? [[String: Any]])
        #expect(live.map { $0["synchronousCommit"] as? Bool } == [true, false])
        #expect(live.allSatisfy { ($0["appends"] as? Int ?? 0) > 0 })
        // The import of the same events, beside COPY of them.
        let imported = try #require(report["imported"] as? [String: Any])
        #expect(imported["events"] as? Int == 1500)
        #expect((imported["copySeconds"] as? Double ?? 0) > 0 && (imported["importPeakRSSBytes"] as? Int ?? 0) > 0)
        #expect(lines.contains { $0.hasPrefix("import: 1500 events") })
        #expect(!result.stderr.contains("NOTICE"))
    }
}
