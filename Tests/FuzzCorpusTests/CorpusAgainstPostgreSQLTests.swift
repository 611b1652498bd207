import FuzzTargets
import Postgres
import PostgresTestSupport
import ProjectionContract
import Testing

/// The corpus held to PostgreSQL itself, which no in-process oracle can stand in for: every document
/// `StorableJSON` accepts, `jsonb` accepts; every document `jsonb` refuses, `StorableJSON` refuses too;
/// and every timestamp and date the contract accepts, `timestamptz` and `date` accept.
@Suite struct CorpusAgainstPostgreSQLTests {
    /// The JSON documents of the corpus: whole inputs, and payloads without their two selector bytes.
    static func documents() throws -> [(name: String, bytes: [UInt8])] {
        var documents: [(name: String, bytes: [UInt8])] = []
        for target in [FuzzTarget.json, .eventLine, .metadata] {
            documents += try Corpus.inputs(of: target).map { ("\(target.rawValue)/\($0.name)", $0.bytes) }
        }
        documents += try Corpus.inputs(of: .payload).map { ("payload/\($0.name)", Array($0.bytes.dropFirst(2))) }
        return documents
    }

    /// Whether PostgreSQL accepts `bytes`, sent as bytes (they need not be UTF-8), as a value of `type`.
    static func accepts(_ bytes: [UInt8], as type: String, _ conn: Connection) async -> Bool {
        let hex = bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }
        let query = Query(
            unsafeSQL: "SELECT convert_from(decode($1, 'hex'), 'UTF8')::\(type) IS NOT NULL",
            binds: [PostgresBind(text: hex.joined(), type: 0)]
        )
        return (try? await conn.query(query)) != nil
    }

    @Test func storableJSONAcceptsNothingThatJsonbRefuses() async throws {
        try await TestDatabase.withConnection { conn, _ in
            var accepted = 0
            var refusedByBoth = 0
            for document in try Self.documents() {
                let ours = Result { () throws(StorableJSON.Problem) in try StorableJSON(document.bytes) }
                // A raw NUL cannot be sent as text; no JSON text holds one, and StorableJSON refuses it.
                guard !document.bytes.contains(0) else {
                    #expect(throws: StorableJSON.Problem.self, "\(document.name)") { try ours.get() }
                    continue
                }
                let jsonb = await Self.accepts(document.bytes, as: "jsonb", conn)
                switch ours {
                case .success:
                    #expect(jsonb, "StorableJSON accepted what jsonb refuses: \(document.name)")
                    accepted += 1
                case .failure(let problem) where jsonb:
                    // Refused by the rules jsonb does not have, and only by those.
                    let ownRule =
                        problem.reason.contains("names a key twice") || problem.reason.contains("nested deeper")
                    #expect(ownRule, "refused what jsonb stores (\(problem.reason)): \(document.name)")
                case .failure:
                    refusedByBoth += 1
                }
            }
            #expect(accepted > 50 && refusedByBoth > 10)
        }
    }

    @Test func timestampsAndDatesTheContractAcceptsArePostgreSQLs() async throws {
        try await TestDatabase.withConnection { conn, _ in
            var checked = 0
            for input in try Corpus.inputs(of: .values) {
                guard let text = String(validating: input.bytes, as: UTF8.self), !input.bytes.contains(0) else {
                    continue
                }
                if Timestamp(text) != nil {
                    #expect(await Self.accepts(input.bytes, as: "timestamptz", conn), "\(input.name)")
                    checked += 1
                }
                if CalendarDate(text) != nil {
                    #expect(await Self.accepts(input.bytes, as: "date", conn), "\(input.name)")
                    checked += 1
                }
            }
            #expect(checked >= 3)
        }
    }
}
