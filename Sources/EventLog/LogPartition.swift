import Foundation
import Postgres

/// One partition of the patients of a shared rebuild (migration 0019): a reader given one returns only the
/// events of its patients.
///
/// An event's partition is its stream's entry in `projector.partition_streams` when the run's plan placed
/// the stream (merged patients' streams, streams naming several patients), else the hash of the patient the
/// event names (`projector.patient_key`, `projector.partition_of`). So every event of a stream, and every
/// stream of a patient and of the patients merged with it, is read by the same partition.
public struct LogPartition: Sendable, Hashable {
    /// The shared rebuild whose plan places the streams.
    public var run: UUID
    /// This partition, 0 up to `count - 1`.
    public var index: Int
    /// How many partitions the patients are split into.
    public var count: Int

    /// The run's id as a bind value.
    public var runID: PostgresUUID { PostgresUUID(run) }

    /// Partition `index` of `count` of `run`.
    public init(run: UUID, index: Int, count: Int) {
        precondition(count > 0 && (0..<count).contains(index), "a partition is one of its run's")
        self.run = run
        self.index = index
        self.count = count
    }
}
