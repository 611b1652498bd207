import EventGenerator
import EventLog
import Foundation
import Postgres
import PostgresTestSupport
import ProjectionCore
import ReadModels
import Synchronization
import Testing

@testable import ProjectionEngine

/// A rebuild shared by several workers (`rebuild --partitions`) builds exactly what one process builds.
@Suite struct SharedBuildTests {
    /// Patients with merged records (the generator merges some), and some invalid events to dead-letter.
    static let log = GeneratorOptions(patients: 120, seed: 7, invalidFraction: 0.03)

    @Test func everyTableAndDeadLetterIsTheSameForOneTwoFourAndEightWorkers() async throws {
        try await TestDatabase.withConnection { conn, url in
            _ = try await appendGenerated(Self.log, on: conn)
            try await projectEverything(url: url, on: conn)
            let merges = try await count(
                "SELECT count(*) FROM eventlog.events WHERE event_type = 'PatientRecordsMerged'",
                on: conn
            )
            #expect(merges > 0, "the log has no merged patients to keep together")
            // Built by one process, row by row, as events arrived.
            let single = try await readModelDigest(schemas: ReadModels.names, on: conn)
            for workers in [1, 2, 4, 8] {
                let extraClaims = try await Self.sharedRebuild(partitions: 8, workers: workers, url: url)
                #expect(
                    try await readModelDigest(schemas: ReadModels.names, on: conn) == single,
                    "\(workers) workers built other rows"
                )
                if workers > 1 { #expect(extraClaims > 0, "\(workers) workers: the other workers claimed nothing") }
                let left = try await count("SELECT count(*) FROM projector.partitioned_runs", on: conn)
                #expect(left == 0, "a completed shared build left its run behind")
            }
        }
    }

    @Test func eachPartitionReadsWholeStreamsAndWholeMergedPatientsAndTogetherTheWholeLog() async throws {
        try await TestDatabase.withConnection { conn, _ in
            let appended = try await appendGenerated(Self.log, on: conn)
            let partitions = 4
            // The target is the cluster's watermark: another test's open transaction may hold it below this
            // log's end for a moment. Plan again until it covers every event appended here.
            let last = try await conn.query(
                "SELECT transaction_id::text, global_position FROM eventlog.events ORDER BY transaction_id DESC, global_position DESC LIMIT 1"
            ).rows[0].logPosition()
            var plan = try await PartitionPlan.create(for: [], partitions: partitions, on: conn)
            try await waitUntil("a plan whose target covers the log") {
                if plan.target >= last { return true }
                plan = try await PartitionPlan.create(for: [], partitions: partitions, on: conn)
                return plan.target >= last
            }
            let (run, target) = (plan.run, plan.target)
            var partitionOfStream: [String: Int] = [:]
            var seen = Set<String>()
            for index in 0..<partitions {
                var position = LogPosition.start
                while true {
                    let page = try await LogReader(connection: conn).read(
                        after: position,
                        limit: 500,
                        until: target,
                        partition: LogPartition(run: run, index: index, count: partitions)
                    )
                    for event in page.events {
                        #expect(seen.insert(event.eventID).inserted, "an event was read by two partitions")
                        let earlier = partitionOfStream.updateValue(index, forKey: event.streamID)
                        #expect(earlier == nil || earlier == index, "a stream was split between partitions")
                    }
                    position = page.end
                    if page.isCaughtUp { break }
                }
            }
            #expect(seen.count == appended)
            let counts = Dictionary(grouping: partitionOfStream.values, by: { $0 }).mapValues(\.count)
            #expect(counts.count == partitions, "some partition is empty: \(counts)")
            // Both numbers of every merge, and every stream naming either, are in one partition.
            let pairs = try await conn.query(
                """
                SELECT data ->> 'retainedNhsNumber', data ->> 'supersededNhsNumber' FROM eventlog.events
                WHERE event_type = 'PatientRecordsMerged'
                """
            ).rows.map { (try $0.decode(String.self, at: 0), try $0.decode(String.self, at: 1)) }
            #expect(!pairs.isEmpty)
            for (retained, superseded) in pairs {
                let streams = try await conn.query(
                    """
                    SELECT DISTINCT stream_id FROM eventlog.events
                    WHERE projector.patient_key(stream_id, data) = ANY(\([retained, superseded]))
                    """
                ).rows.map { try $0.decode(String.self, at: 0) }
                let placed = Set(streams.compactMap { partitionOfStream[$0] })
                #expect(
                    streams.count > 1 && placed.count == 1,
                    "a merged patient's streams are in \(placed.count) partitions"
                )
            }
        }
    }

    /// Rebuilds every read model in `partitions` shared by `workers` workers (this rebuild's process and
    /// `workers - 1` more); returns how many partitions the others claimed.
    static func sharedRebuild(partitions: Int, workers: Int, url: String) async throws -> Int {
        var settings = RunnerConfiguration()
        settings.batchSize = 200
        settings.standbyRetryInterval = .milliseconds(50)
        let configuration = settings
        let rebuilds = ReadModels.all.map { projection in
            var rebuild = Rebuild(
                projection: projection,
                databaseURL: url,
                configuration: configuration,
                logger: quietLogger()
            )
            rebuild.partitions = partitions
            return rebuild
        }
        return try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 1..<workers {
                group.addTask {
                    var worker = PartitionWorker(
                        projections: ReadModels.all,
                        databaseURL: url,
                        configuration: configuration,
                        logger: quietLogger()
                    )
                    worker.waitForWork = .seconds(30)
                    return try await worker.run().claims
                }
            }
            for (name, outcome) in await Rebuild.runAll(rebuilds) {
                guard case .success(.swapped) = outcome else {
                    Issue.record("\(name) was not swapped in: \(outcome)")
                    continue
                }
            }
            var claims = 0
            for try await claimed in group { claims += claimed }
            return claims
        }
    }
}
