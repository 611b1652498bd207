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

    @Test(.bug(id: 21, "Foundation's JSON check passed what jsonb refuses; the server log then quoted the payload"))
    func whatJsonbWouldRefuseIsRefusedWithItsLineNumberBeforeAnythingIsSent() async throws {
        try await TestDatabase.withConnection { conn, url in
            let envelope = #"{"stream": "journal-1", "type": "JournalEntryAdded", "data": "#
            var bytes = Array((Self.good + "\n").utf8)
            bytes += Array((envelope + #"{"entryId": "a",}}"# + "\n").utf8)  // 2: a trailing comma
            bytes += [0xEF, 0xBB, 0xBF] + Array((Self.good + "\n").utf8)  // 3: a byte-order mark
            bytes += Array((envelope + #"{"nhsNumber": "1", "nhsNumber": "2"}}"# + "\n").utf8)  // 4: a key twice
            bytes += Array((envelope + #"{"value": 1e131072}}"# + "\n").utf8)  // 5: over numeric's range
            bytes += Array((envelope + #"{"value": 1e-16384}}"# + "\n").utf8)  // 6: over numeric's scale
            bytes += Array((envelope + "{} /* comment */}\n").utf8)  // 7: a comment
            bytes += Array(#"{"a": 1}"#.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] } + [0x0A]  // 8: UTF-16
            bytes += Array((envelope + #"{"ok": 1e131071, "tiny": 1e-16383}}"# + "\n").utf8)  // 9: at the limits
            let path = try file(bytes)
            defer { try? FileManager.default.removeItem(at: path) }
            let result = try await ProjectorBinary.run(["import", path.path], database: url)
            #expect(result.status == 1)
            #expect(result.stderr.contains(":2: not valid JSON"), "\(result.stderr)")
            #expect(result.stderr.contains(":3: not valid JSON: it starts with a byte-order mark"), "\(result.stderr)")
            #expect(result.stderr.contains(":4: an object names a key twice"), "\(result.stderr)")
            #expect(result.stderr.contains(":5: a number (at byte"), "\(result.stderr)")
            #expect(result.stderr.contains(":6: a number (at byte"), "\(result.stderr)")
            #expect(result.stderr.contains(":7: not valid JSON"), "\(result.stderr)")
            #expect(result.stderr.contains(":8: not valid JSON"), "\(result.stderr)")
            #expect(!result.stderr.contains(":9:"), "\(result.stderr)")
            #expect(!result.stderr.contains("nhsNumber") && !result.stderr.contains("entryId"), "no payload is quoted")
            #expect(result.stderr.contains("7 of 9 lines are not valid events; nothing was imported"))
            #expect(try await eventCount(conn) == 0)
        }
    }

    @Test(.bug(id: 21, "with --batch-size 5, ten of twelve events stayed committed although the help said none would"))
    func aBatchTheServerRefusesSaysPreciselyWhatWasCommitted() async throws {
        try await TestDatabase.withConnection { conn, url in
            // A rule of this database only, which the file's checks cannot know: the server refuses the third batch.
            try await conn.execute("ALTER TABLE eventlog.events ADD CHECK (event_type <> 'Refused')")
            let lines = (1...12).map { index in
                let type = index == 11 ? "Refused" : "JournalEntryAdded"
                let id = String(format: "00000000-0000-4000-8000-%012d", index)
                return #"{"stream": "journal-1", "type": "\#(type)", "data": {}, "eventId": "\#(id)"}"#
            }
            let path = try file(Array(lines.joined(separator: "\n").utf8))
            defer { try? FileManager.default.removeItem(at: path) }
            let result = try await ProjectorBinary.run(["import", "--batch-size", "5", path.path], database: url)
            #expect(result.status == 1)
            #expect(result.stderr.contains("the server refused the events of lines 11 to 12"), "\(result.stderr)")
            #expect(result.stderr.contains("Lines 1 to 10 are in the log"), "\(result.stderr)")
            #expect(try await eventCount(conn) == 10)
        }
    }

    @Test(.bug(id: 21, "append rewrote numbers through a Double: 1e-400 became 0, big values lost digits"))
    func appendStoresNumbersAsImportDoes() async throws {
        try await TestDatabase.withConnection { conn, url in
            let data = #"{"big": 12345678901234567890123, "tiny": 1e-400, "whole": 3.0}"#
            let json = #"{"stream": "journal-1", "type": "X", "data": \#(data)}"#
            let viaJSON = try await ProjectorBinary.run(["append", "--json", json], database: url)
            #expect(viaJSON.status == 0, "\(viaJSON.stderr)")
            let viaData = try await ProjectorBinary.run(
                ["append", "--stream", "journal-1", "--type", "X", "--data", data],
                database: url
            )
            #expect(viaData.status == 0, "\(viaData.stderr)")
            let path = try file(Array(json.utf8))
            defer { try? FileManager.default.removeItem(at: path) }
            #expect(try await ProjectorBinary.run(["import", path.path], database: url).status == 0)
            let rows = try await conn.query(
                Query(unsafeSQL: "SELECT data = '\(data)'::jsonb FROM eventlog.events ORDER BY global_position")
            ).rows
            #expect(try rows.map { try $0.decode(Bool.self, at: 0) } == [true, true, true])
        }
    }

    @Test(.bug(id: 21, "append stored invalid UTF-8 in an argument as U+FFFD"))
    func appendRefusesAnArgumentThatIsNotUTF8() async throws {
        try await TestDatabase.withConnection { conn, url in
            let result = try await Shell.run(
                #"DATABASE_URL="$2" "$1" append --stream journal-1 --type X --data "$(printf '{"t": "caf\xe9"}')""#,
                ProjectorBinary.path,
                url
            )
            #expect(result.status == 64, "\(result.stderr)")
            #expect(result.stderr.contains("is not valid UTF-8"), "\(result.stderr)")
            #expect(try await eventCount(conn) == 0)
        }
    }

    /// The import pass sends only the lines the check pass parsed: a file changed in between (here the last
    /// line, to another entry of the same length) stops the import before the batch that changed, and says so.
    @Test func aFileChangedWhileImportingStopsBeforeTheChangedBatch() async throws {
        try await TestDatabase.withConnection { conn, url in
            // The import pass blocks at the first batch, having read the next one ahead (the second line) and the
            // line after it, to see that batch end (the third). The third and fourth lines are 1.5 MB each, so the
            // last lies past the 1 MiB chunks the reader holds by then.
            let lines = (1...5).map { n in
                let text = n == 3 || n == 4 ? String(repeating: "a", count: 1_500_000) : "e"
                return
                    #"{"stream": "journal-1", "type": "JournalEntryAdded", "data": {"entryId": "\#(text)"}, "eventId": "\#(Self.id(n))"}"#
            }
            let path = try file(Array((lines.joined(separator: "\n") + "\n").utf8))
            defer { try? FileManager.default.removeItem(at: path) }
            // The log locked, so the import pass waits at its first batch, the check pass being done.
            try await conn.execute("BEGIN")
            try await conn.execute("LOCK TABLE eventlog.events IN SHARE ROW EXCLUSIVE MODE")
            let (process, output) = try ProjectorBinary.startCollecting(
                ["import", path.path, "--batch-size", "1"],
                database: url
            )
            try await Connection.connect(to: url).closing { watcher in
                try await waitUntil("the import pass to wait for the log") {
                    try await !watcher.query(
                        """
                        SELECT 1 FROM pg_locks
                        WHERE NOT granted AND relation = 'eventlog.events'::regclass AND pid <> pg_backend_pid()
                        """
                    ).rows.isEmpty
                }
            }
            let handle = try FileHandle(forUpdating: path)
            try handle.seek(toOffset: UInt64(lines.dropLast().reduce(0) { $0 + $1.utf8.count + 1 }))
            try handle.write(contentsOf: Data(lines[4].replacingOccurrences(of: #""e"}"#, with: #""f"}"#).utf8))
            try handle.close()
            try await conn.execute("ROLLBACK")
            let ended = try await output.value
            #expect(process.terminationStatus == 1, "\(ended.stderr)")
            #expect(ended.stderr.contains("changed while importing, in lines 5 to 5"), "\(ended.stderr)")
            #expect(try await eventCount(conn) == 4)
        }
    }

    /// A UUID for line `n`.
    static func id(_ n: Int) -> String { String(format: "00000000-0000-4000-8000-%012d", n) }
}
