import EventGenerator
import EventLog
import Postgres
import PostgresTestSupport
import ProjectionEngine
import Testing
import TimelineProjection

/// The read models on a hot-standby replica (scripts/pg-replica): the API's queries, a rebuild's swap,
/// read-your-writes. Serialized: every test starts its own primary and replica on the same two ports.
@Suite(.serialized) struct ReplicaTests {
    static let nhs = PatientJourney.nhs

    /// Each query of `sql/api/` with arguments that find rows in PatientJourney.
    static let apiCalls: [(name: String, binds: [PostgresBind])] = [
        ("timeline_page", [PostgresBind(nhs)] + nulls(5) + [PostgresBind(20)]),
        ("result_detail", [PostgresBind(nhs), PostgresBind("r3")]),
        ("upcoming_appointments", [PostgresBind(nhs), time("2026-01-01T00:00:00Z")] + nulls(2) + [PostgresBind(10)]),
        (
            "consent_check",
            [
                PostgresBind(nhs), PostgresBind("organisation"), PostgresBind("W97001"), PostgresBind("journal"),
                time("2026-01-01T00:00:00Z"),
            ]
        ),
        (
            "shared_journal",
            [PostgresBind(nhs), PostgresBind("organisation"), PostgresBind("W97001"), time("2026-01-01T00:00:00Z")]
                + nulls(2) + [PostgresBind(20)]
        ),
    ]

    @Test(.timeLimit(.minutes(5)))
    func theAPIQueriesAnswerOnTheReplicaAsOnThePrimary() async throws {
        try await ReplicaPair.with { pair in
            let primary = try await Connection.connect(to: pair.primaryURL, applicationName: "projector-tests")
            try await LogWriter(connection: primary).appendMany(PatientJourney.events)
            try await projectEverything(url: pair.primaryURL, on: primary)
            try await primary.execute("CREATE ROLE replica_api LOGIN IN ROLE projector_api")
            try await pair.waitForReplay()
            let api = try await Connection.connect(to: pair.replicaURL + " user=replica_api")
            #expect(try await api.query("SELECT pg_is_in_recovery()").rows[0].decode(Bool.self, at: 0))
            for call in Self.apiCalls {
                let sql = try apiQuery(call.name)
                let onPrimary = try await primary.query(Query(unsafeSQL: sql, binds: call.binds)).rows.map(\.values)
                let onReplica = try await api.query(Query(unsafeSQL: sql, binds: call.binds)).rows.map(\.values)
                #expect(!onReplica.isEmpty, "\(call.name) found nothing on the replica")
                #expect(onReplica == onPrimary, "\(call.name) answers differently on the replica")
            }
            // The API role on the replica is as limited as on the primary.
            await #expect(throws: PostgresError.self) { try await api.query("SELECT count(*) FROM eventlog.events") }
            await api.close()
            await primary.close()
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func aRebuildsSwapReachesReplicaReadersAsOneStep() async throws {
        try await ReplicaPair.with { pair in
            let primary = try await Connection.connect(to: pair.primaryURL, applicationName: "projector-tests")
            _ = try await appendGenerated(GeneratorOptions(patients: 60, seed: 3), on: primary)
            try await runUntilCaughtUp(TimelineProjection(), url: pair.primaryURL)
            let nhs = try await primary.query(
                "SELECT nhs_number FROM timeline.entries GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
            ).rows[0].decode(String.self, at: 0)
            try await primary.execute("CREATE ROLE replica_api LOGIN IN ROLE projector_api")
            try await pair.waitForReplay()
            let sql = try apiQuery("timeline_page")
            let binds = [PostgresBind(nhs)] + nulls(5) + [PostgresBind(20)]
            let api = try await Connection.connect(to: pair.replicaURL + " user=replica_api")
            let expected = try await api.query(Query(unsafeSQL: sql, binds: binds)).rows.map(\.values)
            #expect(expected.count == 20)

            var configuration = RunnerConfiguration()
            configuration.batchSize = 100
            let rebuild = Rebuild(
                projection: TimelineProjection(),
                databaseURL: pair.primaryURL,
                configuration: configuration,
                logger: quietLogger()
            )
            let (answers, errors, tables) = try await withThrowingTaskGroup(
                of: ([[[String?]]], [String], Set<Int64>)?.self
            ) { group in
                group.addTask {
                    var answers: [[[String?]]] = []
                    var errors: [String] = []
                    var tables: Set<Int64> = []
                    while !Task.isCancelled {
                        do {
                            answers.append(try await api.query(Query(unsafeSQL: sql, binds: binds)).rows.map(\.values))
                            tables.insert(
                                try await api.query("SELECT 'timeline.entries'::regclass::oid::int8").rows[0]
                                    .decode(Int64.self, at: 0)
                            )
                        } catch {
                            errors.append("\(error)")
                        }
                    }
                    return (answers, errors, tables)
                }
                group.addTask {
                    guard case .swapped = try await rebuild.run() else {
                        Issue.record("the rebuild did not swap")
                        return nil
                    }
                    // Reads go on until the replica has replayed the swap and the drop of the old generation.
                    try await pair.waitForReplay()
                    try await Task.sleep(for: .milliseconds(200))
                    return nil
                }
                var result: ([[[String?]]], [String], Set<Int64>) = ([], [], [])
                for try await value in group {
                    if let value { result = value } else { group.cancelAll() }
                }
                return result
            }
            #expect(errors.isEmpty, "\(errors.prefix(3))")
            #expect(answers.count > 10)
            #expect(answers.allSatisfy { $0 == expected })
            // The replica's readers read the old generation's table, then the new one's.
            #expect(tables.count == 2)
            await api.close()
            await primary.close()
        }
    }
}

/// `count` untyped NULL arguments.
func nulls(_ count: Int) -> [PostgresBind] {
    Array(repeating: PostgresBind(text: nil, type: 0), count: count)
}

/// A time argument, as text for the server to read.
func time(_ text: String) -> PostgresBind {
    PostgresBind(text: text, type: 0)
}
