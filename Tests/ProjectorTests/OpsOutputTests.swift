import Dispatch
import Foundation
import Postgres
import PostgresTestSupport
import Testing

/// What ops read: builds in `projector status`, times in `--json` output, the progress bar on a terminal.
@Suite struct OpsOutputTests {
    @Test func statusListsBuildsInProgressWithTheirPositionAndAnETAOrUnknown() async throws {
        try await TestDatabase.withConnection { conn, url in
            let generate = try await ProjectorBinary.run(["generate", "--patients", "5", "--into-log"], database: url)
            #expect(generate.status == 0)
            // Two builds as `rebuild` leaves them mid-way: one moving (100 events in 10 s), one idle for a minute.
            try await conn.execute(
                """
                INSERT INTO projector.builds (schema_name, projection, purpose, version, schema_hash, transaction_id,
                                              global_position, events_seen, started_at, updated_at)
                VALUES ('timeline__rebuild', 'timeline', 'rebuild', 1, 'x', '0', 0, 100,
                        now() - interval '10 s', now()),
                       ('results__verify', 'results', 'verify', 1, 'x', '0', 0, 100,
                        now() - interval '2 min', now() - interval '1 min')
                """
            )
            let logSize = try await conn.query("SELECT count(*) FROM eventlog.events").rows[0].decode(Int.self, at: 0)
            let status = try await ProjectorBinary.run(["status", "--json"], database: url)
            #expect(status.status == 0, "\(status.stderr)")
            let report = try #require(
                try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
            )
            let builds = try #require(report["builds"] as? [[String: Any]])
            #expect(builds.map { $0["schema"] as? String } == ["results__verify", "timeline__rebuild"])
            let rebuild = try #require(builds.last)
            #expect(rebuild["position"] as? String == "0/0")
            let left = try #require(rebuild["eventsLeft"] as? Int)
            #expect(left > 0 && left <= logSize)
            let rate = try #require(rebuild["eventsPerSecond"] as? Double)
            #expect(rate > 9 && rate < 11)
            let eta = try #require(rebuild["etaSeconds"] as? Double)
            #expect(abs(eta - Double(left) / rate) < 0.01)
            // Idle for a minute: its process may be gone, so no ETA is made up for it.
            #expect(builds.first?["etaSeconds"] == nil)

            let table = try await ProjectorBinary.run(["status"], database: url)
            #expect(table.stdout.contains("BUILD") && table.stdout.contains("timeline__rebuild"))
            #expect(table.stdout.contains("unknown"))
        }
    }

    @Test func everyTimeInJSONOutputIsRFC3339() async throws {
        try await TestDatabase.withConnection { conn, url in
            let generate = try await ProjectorBinary.run(
                ["generate", "--patients", "5", "--invalid-fraction", "0.3", "--into-log"],
                database: url
            )
            #expect(generate.status == 0)
            #expect(try await ProjectorBinary.run(["run", "--exit-when-caught-up"], database: url).status == 0)
            try await conn.execute(
                """
                INSERT INTO projector.builds (schema_name, projection, purpose, version, schema_hash)
                VALUES ('timeline__rebuild', 'timeline', 'rebuild', 1, 'x')
                """
            )
            // A transaction holding the watermark, open for over a second, so status names its start.
            let holder = try await Connection.connect(to: url, applicationName: "projector-tests-holder")
            try await holder.execute("BEGIN")
            try await holder.execute("SELECT pg_current_xact_id()")
            try await Task.sleep(for: .milliseconds(1_200))
            var times: [String: String] = [:]
            for command in [["status", "--json"], ["dead-letters", "list", "--json"], ["log", "stats", "--json"]] {
                let output = try await ProjectorBinary.run(command, database: url)
                #expect(output.status == 0, "\(command): \(output.stderr)")
                let json = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8))
                collectTimes(in: json, path: command.joined(separator: " "), into: &times)
            }
            try await holder.execute("ROLLBACK")
            await holder.close()
            for key in ["updatedAt", "transactionStart", "startedAt", "failedAt", "firstRecordedAt", "lastRecordedAt"] {
                #expect(times.keys.contains { $0.hasSuffix("." + key) }, "no \(key) in the JSON output")
            }
            let rfc3339 = try Regex(#"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"#)
            for (key, value) in times {
                #expect(value.wholeMatch(of: rfc3339) != nil, "\(key) is \(value)")
            }
        }
    }

    /// Every string under a key ending in `At` or `Start`, by its path.
    func collectTimes(in json: Any, path: String, into times: inout [String: String]) {
        if let object = json as? [String: Any] {
            for (key, value) in object {
                if let text = value as? String, key.hasSuffix("At") || key.hasSuffix("Start") {
                    times[path + "." + key] = text
                } else {
                    collectTimes(in: value, path: path + "." + key, into: &times)
                }
            }
        } else if let array = json as? [Any] {
            for (index, value) in array.enumerated() {
                collectTimes(in: value, path: path + "[\(index)]", into: &times)
            }
        }
    }
}
