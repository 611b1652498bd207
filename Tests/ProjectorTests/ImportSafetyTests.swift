import Foundation
import Postgres
import PostgresTestSupport
import Testing

/// `projector import` and `append` on input PostgreSQL would mangle or reject: refused up front, with line numbers.
@Suite struct ImportSafetyTests {
    static let good =
        #"{"stream": "journal-1", "type": "JournalEntryAdded", "data": {"entryId": "e"}, "eventId": "00000000-0000-4000-8000-000000000001"}"#

    /// Writes `bytes` to a temporary file and returns its path.
    func file(_ bytes: [UInt8]) throws -> URL {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("import-\(UUID()).ndjson")
        try Data(bytes).write(to: file)
        return file
    }

    func eventCount(_ conn: Connection) async throws -> Int {
        try await conn.query("SELECT count(*) FROM eventlog.events").rows[0].decode(Int.self, at: 0)
    }

    @Test(.bug(id: 12, "import of a directory died with SIGILL"))
    func importingADirectoryIsOneClearLine() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let result = try await ProjectorBinary.run(["import", NSTemporaryDirectory()], database: url)
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stderr.contains("is a directory"))
            let missing = try await ProjectorBinary.run(["import", "/nonexistent/\(UUID()).ndjson"], database: url)
            #expect(missing.status == 1 && missing.stderr.contains("no such file"))
        }
    }

    @Test(.bug(id: 12, "invalid UTF-8 was stored as U+FFFD without a word"))
    func invalidUTF8IsRefusedWithItsLineNumber() async throws {
        try await TestDatabase.withConnection { conn, url in
            var bytes = Array((Self.good + "\n").utf8)
            bytes += Array(#"{"stream": "journal-1", "type": "JournalEntryAdded", "data": {"text": "caf"#.utf8)
            bytes += [0xE9]  // Latin-1 é, not UTF-8
            bytes += Array(#""}}"#.utf8) + [0x0A]
            let path = try file(bytes)
            defer { try? FileManager.default.removeItem(at: path) }
            let result = try await ProjectorBinary.run(["import", path.path], database: url)
            #expect(result.status == 1)
            #expect(result.stderr.contains(":2: not valid UTF-8"), "\(result.stderr)")
            #expect(result.stderr.contains("nothing was imported"))
            #expect(try await eventCount(conn) == 0)
        }
    }

    @Test(.bug(id: 12, "one \\u0000 failed a whole import with no line number"))
    func aNULEscapeIsRefusedWithItsLineNumberBeforeAnythingIsSent() async throws {
        try await TestDatabase.withConnection { conn, url in
            let lines = [
                Self.good,
                #"{"stream": "journal-1", "type": "JournalEntryAdded", "data": {"entryId": "f", "text": "a\\u0000 is fine"}}"#,
                #"{"stream": "journal-1", "type": "JournalEntryAdded", "data": {"entryId": "g", "text": "a\u0000b"}}"#,
                #"{"stream": "journal-1", "type": "JournalEntryAdded", "data": {"entryId": "h"}, "metadata": {"k\u0000": 1}}"#,
            ]
            let path = try file(Array(lines.joined(separator: "\n").utf8))
            defer { try? FileManager.default.removeItem(at: path) }
            let result = try await ProjectorBinary.run(["import", path.path], database: url)
            #expect(result.status == 1)
            #expect(!result.stderr.contains(":2:"), "an escaped backslash before u0000 is plain text: \(result.stderr)")
            #expect(result.stderr.contains(#":3: a string holds \u0000"#), "\(result.stderr)")
            #expect(result.stderr.contains(#":4: a string holds \u0000"#), "\(result.stderr)")
            #expect(try await eventCount(conn) == 0)

            let append = try await ProjectorBinary.run(
                ["append", "--stream", "journal-1", "--type", "JournalEntryAdded", "--data", #"{"text": "\u0000"}"#],
                database: url
            )
            #expect(append.status == 64)
            #expect(append.stderr.contains(#"--data: a string holds \u0000"#), "\(append.stderr)")
            #expect(try await eventCount(conn) == 0)
        }
    }

    @Test(.bug(id: 12, "a 50 MB event was accepted and took the runner from 74 MB to 310 MB"))
    func eventsOverTheSizeLimitAreRefused() async throws {
        try await TestDatabase.withConnection { conn, url in
            let big =
                #"{"stream": "journal-1", "type": "JournalEntryAdded", "data": {"text": ""#
                + String(repeating: "x", count: 5 << 20) + #""}}"#
            let path = try file(Array((Self.good + "\n" + big + "\n").utf8))
            defer { try? FileManager.default.removeItem(at: path) }
            let result = try await ProjectorBinary.run(["import", path.path], database: url)
            #expect(result.status == 1)
            #expect(result.stderr.contains(":2: the event is 524"), "\(result.stderr)")
            #expect(result.stderr.contains("over the limit of 4194304 (--max-event-bytes)"))
            #expect(try await eventCount(conn) == 0)

            let small = try await ProjectorBinary.run(["import", "--max-event-bytes", "100", path.path], database: url)
            #expect(small.stderr.contains(":1: the event is") && small.stderr.contains(":2: the event is"))
            let raised = try await ProjectorBinary.run(
                ["import", "--max-event-bytes", "\(6 << 20)", path.path],
                database: url
            )
            #expect(raised.status == 0, "\(raised.stderr)")
            #expect(try await eventCount(conn) == 2)

            let append = try await ProjectorBinary.run(
                [
                    "append", "--stream", "journal-1", "--type", "JournalEntryAdded", "--max-event-bytes", "64",
                    "--data", #"{"text": "\#(String(repeating: "y", count: 100))"}"#,
                ],
                database: url
            )
            #expect(append.status == 64)
            #expect(append.stderr.contains("over the limit of 64"), "\(append.stderr)")
            #expect(try await eventCount(conn) == 2)
        }
    }
}
