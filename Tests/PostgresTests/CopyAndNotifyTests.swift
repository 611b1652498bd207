import Postgres
import PostgresTestSupport
import Synchronization
import Testing

@Suite struct CopyAndNotifyTests {
    @Test func copyStoresAHundredThousandRows() async throws {
        try await TestDatabase.withConnection { conn, _ in
            try await conn.execute("CREATE TABLE t (id bigint, label text, note text)")
            let stored = try await conn.copyFrom("COPY t (id, label, note) FROM STDIN") { writer in
                for i in 0..<100_000 {
                    try writer.write([String(i), "row\t\(i)\nwith \\ escapes", i % 10 == 0 ? nil : "n"])
                }
            }
            #expect(stored == 100_000)
            let row = try await conn.query(
                "SELECT count(*), count(note), max(id), (SELECT label FROM t WHERE id = 7) FROM t"
            ).rows[0]
            #expect(try row.decode(Int.self, at: 0) == 100_000)
            #expect(try row.decode(Int.self, at: 1) == 90_000)
            #expect(try row.decode(Int.self, at: 2) == 99_999)
            #expect(try row.decode(String.self, at: 3) == "row\t7\nwith \\ escapes")
        }
    }

    struct Boom: Error {}

    @Test func aThrowingCopyBodyStoresNothing() async throws {
        try await TestDatabase.withConnection { conn, _ in
            try await conn.execute("CREATE TABLE t (id bigint)")
            await #expect(throws: Boom.self) {
                try await conn.copyFrom("COPY t (id) FROM STDIN") { writer in
                    try writer.write(["1"])
                    throw Boom()
                }
            }
            #expect(try await conn.query("SELECT count(*) FROM t").rows[0].decode(Int.self, at: 0) == 0)
            // The connection is usable afterwards.
            #expect(try await conn.query("SELECT 1").rows.count == 1)
        }
    }

    @Test func aNotificationIsReceived() async throws {
        try await TestDatabase.withConnection { conn, url in
            try await conn.listen("wake_up")
            #expect(try await conn.nextNotification(timeout: .milliseconds(50)) == nil)
            let sender = try await Connection.connect(to: url)
            try await sender.notify("wake_up", payload: "42")
            let received = try await conn.nextNotification(timeout: .seconds(5))
            #expect(received?.channel == "wake_up")
            #expect(received?.payload == "42")
            #expect(received?.senderPID == (await sender.backendPID))
            await sender.close()
        }
    }
}

@Suite struct CopyOutTests {
    @Test func copyOutThenInReproducesTheRows() async throws {
        try await TestDatabase.withConnection { conn, _ in
            try await conn.executeScript(
                """
                CREATE TABLE source (id bigint PRIMARY KEY, label text, tags text[]);
                INSERT INTO source SELECT g, 'row ' || g || E'\\twith\\ttabs', ARRAY['a', NULL] FROM generate_series(1, 20000) g;
                CREATE TABLE target (LIKE source INCLUDING ALL);
                """
            )
            let bytes = Mutex<[UInt8]>([])
            let sent = try await conn.copyTo("COPY source TO STDOUT") { chunk in
                bytes.withLock { $0.append(contentsOf: chunk) }
            }
            #expect(sent == 20_000)
            let data = bytes.withLock { $0 }
            let stored = try await conn.copyFrom("COPY target FROM STDIN") { writer in
                try data.withUnsafeBytes { try writer.writeRaw($0) }
            }
            #expect(stored == 20_000)
            let differing = try await conn.query(
                "SELECT count(*) FROM (SELECT * FROM source EXCEPT SELECT * FROM target) d"
            ).rows[0].decode(Int.self, at: 0)
            #expect(differing == 0)
        }
    }
}
