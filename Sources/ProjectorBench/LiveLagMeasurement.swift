import EventGenerator
import EventLog
import Foundation
import Postgres
import ProjectionCore
import Synchronization

/// The figures of the live measurement: lag from an append's commit to its rows being visible.
public struct LiveLagFigures: Sendable, Codable {
    /// Events appended per second.
    public var rate: Int
    /// Whether the live runner committed with `synchronous_commit` on.
    public var synchronousCommit: Bool
    /// Seconds of appending.
    public var seconds: Double
    /// Appends (transactions) measured.
    public var appends: Int
    /// Events appended.
    public var events: Int
    /// Lag percentiles and maximum, in milliseconds.
    public var p50Milliseconds: Double
    /// The 99th percentile.
    public var p99Milliseconds: Double
    /// The maximum.
    public var maxMilliseconds: Double
    /// Peak resident memory of the live `projector run`, in bytes.
    public var peakRSSBytes: Int
}

/// Appends at a fixed rate while a child `projector run` follows the log, and times each append from
/// its commit to the moment every projection's checkpoint (committed with its rows) has passed it.
struct LiveLagMeasurement {
    let configuration: BenchConfiguration
    /// Events appended per second.
    let rate: Int
    /// The live runner's `--synchronous-commit`.
    let synchronousCommit: Bool
    /// The generator's seed; each run needs its own, or its appends are skipped as already in the log.
    let seed: UInt64
    let progress: @Sendable (String) -> Void

    func run(database: String) async throws -> LiveLagFigures {
        let child = try ChildProcess.spawn(
            configuration.projectorPath,
            ["run", "--log-level", "warning", "--synchronous-commit", synchronousCommit ? "on" : "off"],
            environment: ["DATABASE_URL": database]
        )
        do {
            let figures = try await measure(database: database)
            child.signal(SIGTERM)
            let exit = await child.wait()
            guard exit.status == 0 else { throw BenchError("live projector run exited with status \(exit.status)") }
            var result = figures
            result.peakRSSBytes = exit.peakRSSBytes
            return result
        } catch {
            child.signal(SIGKILL)
            _ = await child.wait()
            throw error
        }
    }

    private func measure(database: String) async throws -> LiveLagFigures {
        try await Connection.withConnection(to: database, applicationName: "projector-bench-watch") { watcher in
            try await Connection.withConnection(to: database, applicationName: "projector-bench-append") { appender in
                try await measure(watcher: watcher, appender: appender)
            }
        }
    }

    private func measure(watcher: Connection, appender: Connection) async throws -> LiveLagFigures {
        // Fresh ids (a seed of its own) so nothing collides with the events already in the log.
        var events = EventGenerator(GeneratorOptions(patients: Int.max / 64, seed: seed)).makeIterator()
        let writer = LogWriter(connection: appender)
        // The checkpoints stand at the log's end before the child has even started: one event appended and
        // seen is what says that the runner follows the log, so that its start-up is not timed as lag.
        progress("waiting for the live runner to follow the log")
        if let first = events.next() { _ = try await writer.appendMany([first.appendable]) }
        try await waitUntilVisible(try await maxPosition(appender), watcher: watcher, timeout: .seconds(600))

        progress(
            "appending \(rate) events/s for \(configuration.duration), synchronous_commit \(synchronousCommit ? "on" : "off")"
        )
        let record = Record()
        let start = ContinuousClock.now
        var sent = 0
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Poll every projection's checkpoint; each sample says "everything up to here is visible".
                while !record.done.load(ordering: .acquiring) {
                    let position = try await minCheckpoint(watcher)
                    let now = ContinuousClock.now
                    record.visible.withLock { $0.append((now, position)) }
                    try await Task.sleep(for: .milliseconds(1))
                }
            }
            while ContinuousClock.now - start < configuration.duration {
                let due = Int((ContinuousClock.now - start).seconds * Double(rate)) - sent
                if due > 0 {
                    var batch: [NewEvent] = []
                    for _ in 0..<due {
                        guard let event = events.next() else { break }
                        batch.append(event.appendable)
                    }
                    // An event whose id is in the log already is skipped: the lag of nothing is no measurement.
                    guard try await writer.appendMany(batch) == batch.count else {
                        throw BenchError("the live measurement's events are in the log already (seed \(seed))")
                    }
                    let committed = ContinuousClock.now
                    let position = try await maxPosition(appender)
                    record.appends.withLock { $0.append((committed, position)) }
                    sent += batch.count
                }
                try await Task.sleep(for: .milliseconds(5))
            }
            try await waitUntilVisible(try await maxPosition(appender), watcher: watcher, timeout: .seconds(60))
            record.done.store(true, ordering: .releasing)
            try await group.waitForAll()
        }

        let samples = record.visible.withLock { $0 }
        let lags = record.appends.withLock { $0 }.map { append -> Double in
            let seen =
                samples.first { $0.position >= append.position && $0.seen >= append.committed }?.seen
                ?? append.committed
            return (seen - append.committed).seconds * 1000
        }.sorted()
        func percentile(_ p: Double) -> Double {
            lags.isEmpty ? 0 : lags[min(lags.count - 1, Int((p * Double(lags.count)).rounded(.up)) - 1)]
        }
        return LiveLagFigures(
            rate: rate,
            synchronousCommit: synchronousCommit,
            seconds: configuration.duration.seconds,
            appends: lags.count,
            events: sent,
            p50Milliseconds: percentile(0.50),
            p99Milliseconds: percentile(0.99),
            maxMilliseconds: lags.last ?? 0,
            peakRSSBytes: 0
        )
    }

    /// What the appender and the watcher record, shared between their tasks.
    private final class Record: Sendable {
        /// Each append: when it committed and its last event's position.
        let appends = Mutex<[(committed: ContinuousClock.Instant, position: LogPosition)]>([])
        /// Each sample of the least advanced checkpoint, and when it was seen.
        let visible = Mutex<[(seen: ContinuousClock.Instant, position: LogPosition)]>([])
        /// Set when the watcher may stop.
        let done = Atomic<Bool>(false)
    }

    /// The position of the last event appended (the benchmark is the only appender).
    private func maxPosition(_ conn: Connection) async throws -> LogPosition {
        try await position(
            conn,
            "SELECT transaction_id::text, global_position FROM eventlog.events ORDER BY global_position DESC LIMIT 1"
        )
    }

    /// The least advanced checkpoint. Compared as (transaction, position) pairs: a checkpoint taken at
    /// the watermark carries a global position past events still held back by an open transaction.
    private func minCheckpoint(_ conn: Connection) async throws -> LogPosition {
        try await position(
            conn,
            """
            SELECT c.transaction_id::text, c.global_position FROM projector.checkpoints c
            ORDER BY c.transaction_id, c.global_position LIMIT 1
            """
        )
    }

    private func position(_ conn: Connection, _ sql: Query) async throws -> LogPosition {
        guard let row = try await conn.query(sql).rows.first else { return .start }
        return try row.logPosition()
    }

    private func waitUntilVisible(_ position: LogPosition, watcher: Connection, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await minCheckpoint(watcher) < position {
            guard ContinuousClock.now < deadline else {
                throw BenchError("the live runner did not catch up in \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

extension GeneratedEvent {
    /// The event as the log's writer takes it.
    var appendable: NewEvent {
        NewEvent(stream: stream, type: type, eventID: eventID, data: data, metadata: metadata)
    }
}
