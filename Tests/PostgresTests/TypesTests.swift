import Postgres
import PostgresTestSupport
import Testing

@Suite struct TypesTests {
    @Test func everySupportedTypeRoundTrips() async throws {
        try await TestDatabase.withConnection { conn, _ in
            let text = "Cymraeg: \"ŵ ŷ\" \\ tab\tnewline\n"
            let row = try await conn.query(
                """
                SELECT \(text)::text, \(Int64.max)::bigint, \(Int32(-7))::int, \(true)::bool, \(false)::bool,
                       \(PostgresUUID("5f0c8e4a-1b2c-4d3e-8f90-a1b2c3d4e5f6"))::uuid,
                       \(PostgresTimestamp("2026-03-01T09:30:00+01:00"))::timestamptz,
                       \(PostgresJSON(#"{"en": "Clinic", "cy": "Clinig"}"#))::jsonb,
                       \([Int64(1), -2, 3])::bigint[], \(["a", "b,c", "d\"e", "NULL", ""])::text[],
                       \(2.5)::float8
                """
            ).rows[0]
            #expect(try row.decode(String.self, at: 0) == text)
            #expect(try row.decode(Int64.self, at: 1) == Int64.max)
            #expect(try row.decode(Int32.self, at: 2) == -7)
            #expect(try row.decode(Bool.self, at: 3) == true)
            #expect(try row.decode(Bool.self, at: 4) == false)
            #expect(try row.decode(PostgresUUID.self, at: 5).text == "5f0c8e4a-1b2c-4d3e-8f90-a1b2c3d4e5f6")
            // The connection runs in UTC with ISO dates, so the form is stable.
            #expect(try row.decode(PostgresTimestamp.self, at: 6).text == "2026-03-01 08:30:00+00")
            #expect(try row.decode(PostgresJSON.self, at: 7).text == #"{"cy": "Clinig", "en": "Clinic"}"#)
            #expect(try row.decode([Int64].self, at: 8) == [1, -2, 3])
            #expect(try row.decode([String].self, at: 9) == ["a", "b,c", "d\"e", "NULL", ""])
            #expect(try row.decode(Double.self, at: 10) == 2.5)
        }
    }

    @Test func nullsDecodeAsNilAndBindAsNull() async throws {
        try await TestDatabase.withConnection { conn, _ in
            let missing: String? = nil
            let row = try await conn.query(
                "SELECT \(missing)::text IS NULL, NULL::bigint, ARRAY['x', NULL]::text[]"
            ).rows[0]
            #expect(try row.decode(Bool.self, at: 0))
            #expect(try row.decode(Int64?.self, at: 1) == nil)
            #expect(throws: PostgresError.self) { try row.decode(Int64.self, at: 1) }
            #expect(try PostgresArray.parse(try row.decode(String.self, at: 2)) == ["x", nil])
        }
    }

    @Test func rowsDecodeByColumnName() async throws {
        try await TestDatabase.withConnection { conn, _ in
            let row = try await conn.query("SELECT 42 AS answer, 'x' AS label").rows[0]
            #expect(try row.decode(Int.self, "answer") == 42)
            #expect(try row.decode(String.self, "label") == "x")
        }
    }
}
