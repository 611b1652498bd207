import Foundation
import Postgres
import PostgresTestSupport
import Testing

/// Options and settings an operator or an attacker can get wrong: a clear refusal, never a trap, a
/// replaced device, or a secret in the log.
@Suite struct HostileInputTests {
    @Test(.bug(id: 21, "run --poll-interval inf or 1e400 trapped"))
    func intervalsOutOfRangeAreUsageErrors() async throws {
        for value in ["inf", "1e400", "nan", "0", "-1", "3601"] {
            for option in ["--poll-interval", "--sample-interval"] {
                let result = try await ProjectorBinary.run(["run", "\(option)=\(value)"])
                #expect(result.status == 64, "\(option) \(value): \(result.stderr)")
                #expect(result.stderr.contains("\(option) must be"), "\(option) \(value): \(result.stderr)")
            }
        }
    }

    @Test func anEventSizeLimitOutOfRangeIsAUsageError() async throws {
        for value in ["0", "-1", "9223372036854775807", "\((1 << 30) + 1)"] {
            let result = try await ProjectorBinary.run(["import", "--max-event-bytes=\(value)", "/nonexistent"])
            #expect(result.status == 64, "\(value): \(result.stderr)")
            #expect(result.stderr.contains("--max-event-bytes (or PROJECTOR_MAX_EVENT_BYTES) must be 1 to"))
        }
    }

    @Test(.bug(id: 21, "generate --output replaced a device file (/dev/null) with a regular file"))
    func generateWritesOnlyToANewPathOrARegularFile() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("output-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let link = folder.appendingPathComponent("link").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: fifo)
        for path in [fifo, link, folder.path] {
            let result = try await ProjectorBinary.run(["generate", "--patients", "1", "--output", path])
            #expect(result.status == 1, "\(path): \(result.stderr)")
            #expect(result.stderr.contains("is not a regular file"), "\(path): \(result.stderr)")
        }
        let type = try FileManager.default.attributesOfItem(atPath: fifo)[.type] as? FileAttributeType
        #expect(type != nil && type != .typeRegular, "the FIFO is left as it was")

        let file = folder.appendingPathComponent("events.ndjson").path
        try Data("old content that is longer than nothing\n".utf8).write(to: URL(fileURLWithPath: file))
        for _ in 0..<2 {
            let written = try await ProjectorBinary.run(["generate", "--patients", "2", "--output", file])
            #expect(written.status == 0, "\(written.stderr)")
        }
        let printed = try await ProjectorBinary.run(["generate", "--patients", "2"])
        #expect(try String(contentsOfFile: file, encoding: .utf8) == printed.stdout, "a regular file is replaced whole")
    }

    @Test(.bug(id: 21, "run logged its configuration, database password included, at debug and trace"))
    func noLogLevelPrintsTheDatabasePassword() async throws {
        try await TestDatabase.withFreshDatabase { url in
            // Trust authentication ignores the password, so the URL still connects.
            let withPassword = url + " password='CANARY-pw-9f3'"
            for level in ["trace", "debug"] {
                let result = try await ProjectorBinary.run(
                    ["run", "--exit-when-caught-up", "--only", "timeline", "--log-level", level],
                    database: withPassword
                )
                #expect(result.status == 0, "\(result.stderr)")
                #expect(result.stderr.contains("ProjectionRunner(timeline)"), "the debug lines were logged")
                #expect(!result.stderr.contains("CANARY-pw-9f3") && !result.stdout.contains("CANARY-pw-9f3"))
            }
        }
    }

    @Test(
        .bug(
            id: 21,
            "event types and pause reasons were printed raw: a newline forged a line, ANSI escapes reached the terminal"
        )
    )
    func controlCharactersFromTheDatabaseArePrintedEscaped() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let forged = "Evil\nprojector: FORGED LINE\u{1B}[31m\u{202E}"
            let append = try await ProjectorBinary.run(
                ["append", "--stream", "note-1", "--type", forged, "--data", "{}"],
                database: url
            )
            #expect(append.status == 0, "\(append.stderr)")
            let stats = try await ProjectorBinary.run(["log", "stats"], database: url)
            #expect(stats.status == 0, "\(stats.stderr)")
            #expect(stats.stdout.contains(#"Evil\u{A}projector: FORGED LINE\u{1B}[31m\u{202E}"#), "\(stats.stdout)")
            #expect(!stats.stdout.contains("\u{1B}") && !stats.stdout.contains("\nprojector: FORGED"))

            #expect(try await ProjectorBinary.run(["migrate"], database: url).status == 0)
            #expect(
                try await ProjectorBinary.run(["run", "--exit-when-caught-up", "--only", "timeline"], database: url)
                    .status == 0
            )
            let pause = try await ProjectorBinary.run(["pause", "timeline", "--reason", forged], database: url)
            #expect(pause.status == 0, "\(pause.stderr)")
            let status = try await ProjectorBinary.run(["status"], database: url)
            #expect(
                status.stdout.contains(#"timeline is paused: Evil\u{A}projector: FORGED LINE\u{1B}[31m"#),
                "\(status.stdout)"
            )
            #expect(!status.stdout.contains("\u{1B}") && !status.stdout.contains("\nprojector: FORGED"))
        }
    }

    @Test(
        .bug(
            id: 21,
            "run --http-port on a taken port claimed every checkpoint, then failed with 'projection failed: bind…'"
        )
    )
    func aTakenHTTPPortFailsTheRunBeforeItClaimsAnything() async throws {
        try await TestDatabase.withConnection { conn, url in
            let (listener, port) = try Self.listeningSocket()
            defer { close(listener) }
            let result = try await ProjectorBinary.run(["run", "--http-port", "\(port)"], database: url)
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stderr.contains("cannot serve the HTTP endpoints on 127.0.0.1:\(port)"), "\(result.stderr)")
            #expect(result.stderr.contains("no projection was claimed"))
            let claimed = try await conn.query(
                "SELECT (SELECT count(*) FROM projector.leases) + (SELECT count(*) FROM projector.checkpoints WHERE owner IS NOT NULL)"
            ).rows[0]
            #expect(try claimed.decode(Int.self, at: 0) == 0)
        }
    }

    /// A TCP socket listening on 127.0.0.1 at a port the kernel picked, and that port.
    static func listeningSocket() throws -> (Int32, Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(descriptor, address, length) == 0 && listen(descriptor, 8) == 0
                    && getsockname(descriptor, address, &length) == 0
            }
        }
        guard descriptor >= 0, bound else { throw POSIXError(.EADDRINUSE) }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }
}
