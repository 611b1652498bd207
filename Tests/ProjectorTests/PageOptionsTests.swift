import Foundation
import PostgresTestSupport
import Testing

/// `--batch-size` and `--page-mib` (run, rebuild, verify) and `--statement-deadline` (run): refused out of
/// range with a usage error, and what they set is what the runner does.
@Suite struct PageOptionsTests {
    @Test func pageAndDeadlineOptionsOutOfRangeAreUsageErrors() async throws {
        let cases: [([String], String)] = [
            (["--page-mib=0"], "--page-mib must be 1 to 1024"),
            (["--page-mib=1025"], "--page-mib must be 1 to 1024"),
            (["--page-mib=-1"], "--page-mib must be 1 to 1024"),
            (["--page-mib=9223372036854775807"], "--page-mib must be 1 to 1024"),
            (["--batch-size=0"], "--batch-size must be positive"),
        ]
        for command in [["run"], ["rebuild", "--all"], ["verify", "timeline"]] {
            for (options, message) in cases {
                let result = try await ProjectorBinary.run(command + options)
                #expect(result.status == 64, "\(command) \(options): \(result.stderr)")
                #expect(result.stderr.contains(message), "\(command) \(options): \(result.stderr)")
            }
        }
        for value in ["4.9", "3601", "inf", "nan", "1e400", "-6"] {
            let result = try await ProjectorBinary.run(["run", "--statement-deadline=\(value)"])
            #expect(result.status == 64, "\(value): \(result.stderr)")
            #expect(result.stderr.contains("--statement-deadline must be 5 to 3600 seconds"), "\(result.stderr)")
        }
    }

    @Test func aRunnerWritesPagesOfAtMostBatchSizeEvents() async throws {
        try await TestDatabase.withFreshDatabase { url in
            #expect(
                try await ProjectorBinary.run(["generate", "--patients", "5", "--into-log"], database: url).status == 0
            )
            let run = try await ProjectorBinary.run(
                [
                    "run", "--exit-when-caught-up", "--log-level", "debug", "--batch-size", "3", "--page-mib", "1",
                    "--statement-deadline", "30",
                ],
                database: url
            )
            #expect(run.status == 0, "\(run.stderr)")
            let sizes = run.stderr.split(separator: "\n").filter { $0.contains("page written") }.compactMap { line in
                line.split(separator: " ").first { $0.hasPrefix("batch.events=") }.flatMap { Int($0.dropFirst(13)) }
            }
            // Pages were written, and none held more than three events.
            #expect(sizes.count > 10)
            #expect(sizes.allSatisfy { $0 <= 3 }, "\(sizes)")
            #expect(sizes.contains(3))
            let verify = try await ProjectorBinary.run(["verify", "timeline", "--page-mib", "1"], database: url)
            #expect(verify.status == 0, "\(verify.stderr)")
        }
    }
}
