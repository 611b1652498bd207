import Foundation
import Postgres
import PostgresTestSupport
import ReadModels
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A worker of a shared rebuild (`rebuild --partitions`, `build-worker`) killed or frozen in the middle of
/// a partition: another worker resumes the partition once its lease lapses, and the rebuild builds exactly
/// what one process builds.
@Suite struct SharedBuildFaultTests {
    @Test func aWorkerKilledMidPartitionIsResumedByAnotherAndNothingIsLostOrDoubled() async throws {
        try await withWorkerInAPartition { worker in
            kill(worker.processIdentifier, SIGKILL)
        }
    }

    @Test func aFrozenWorkersPartitionIsTakenOverWhenItsLeaseLapsesAndTheWokenWorkerCommitsNothing() async throws {
        try await withWorkerInAPartition { worker in
            kill(worker.processIdentifier, SIGSTOP)
        } afterRebuild: { worker in
            // Woken after the rebuild swapped in what the others built: its claim's token is gone.
            kill(worker.processIdentifier, SIGCONT)
            try await waitUntil("the woken worker to leave") { !worker.isRunning }
        }
    }

    /// Builds every read model live, then rebuilds them shared in 8 partitions by the rebuild's process and
    /// one `build-worker`, calls `fault` once the worker has committed part of a partition, and checks that
    /// the rebuild's process claimed that partition after it and that every table is as before.
    func withWorkerInAPartition(
        _ fault: (Process) async throws -> Void,
        afterRebuild: (Process) async throws -> Void = { _ in }
    ) async throws {
        try await TestDatabase.withConnection { conn, url in
            let generated = try await ProjectorBinary.run(
                ["generate", "--patients", "300", "--into-log"],
                database: url
            )
            #expect(generated.status == 0, "\(generated.stderr)")
            #expect(try await ProjectorBinary.run(["run", "--exit-when-caught-up"], database: url).status == 0)
            let single = try await readModelDigest(schemas: ReadModels.names, on: conn)

            // Small pages, so a partition takes many transactions.
            let pages = ["--batch-size", "20"]
            let worker = try ProjectorBinary.start(["build-worker", "--wait", "60"] + pages, database: url)
            defer { if worker.isRunning { kill(worker.processIdentifier, SIGKILL) } }
            let (rebuild, output) = try ProjectorBinary.startCollecting(
                ["rebuild", "--all", "--partitions", "8", "--log-level", "info"] + pages,
                database: url
            )
            defer { if rebuild.isRunning { kill(rebuild.processIdentifier, SIGKILL) } }
            var partition: Int?
            try await waitUntil("the worker to commit part of a partition") {
                partition = try await conn.query(
                    """
                    SELECT l.partition FROM projector.partition_leases l
                    JOIN projector.build_partitions p ON p.run = l.run AND p.partition = l.partition
                    WHERE l.worker LIKE '%:' || \(String(worker.processIdentifier)) AND NOT p.done AND p.events_seen > 0
                    LIMIT 1
                    """
                ).rows.first?.decode(Int.self, at: 0)
                return partition != nil
            }
            let held = try #require(partition)
            try await fault(worker)
            try await waitUntil("the rebuild to end") { !rebuild.isRunning }
            if rebuild.isRunning { kill(rebuild.processIdentifier, SIGKILL) }
            let ended = try await output.value
            #expect(ended.status == 0, "the rebuild failed: \(ended.stderr.suffix(2_000))")
            let resumed = ended.stderr.split(separator: "\n").contains { line in
                line.contains("partition claimed") && line.contains("partition=\(held) of 8")
            }
            #expect(resumed, "the rebuild's process never claimed partition \(held) after the worker")
            try await afterRebuild(worker)
            #expect(try await readModelDigest(schemas: ReadModels.names, on: conn) == single)
            let left = try await conn.query("SELECT count(*) FROM projector.partitioned_runs").rows[0]
            #expect(try left.decode(Int.self, at: 0) == 0)
        }
    }
}
