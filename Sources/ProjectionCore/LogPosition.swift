/// A place in the event log: the appending transaction's `xid8`, then the event's `global_position`.
///
/// Readers order by this pair and only see transactions below the snapshot's xmin, so an event whose
/// position was taken by a transaction still in flight is never skipped (the architecture article, "The log
/// and its watermark").
public struct LogPosition: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The `xid8` of the transaction that appended the event.
    public var transactionID: UInt64
    /// The event's `global_position`.
    public var globalPosition: Int64

    /// Creates a position from its two parts.
    public init(transactionID: UInt64, globalPosition: Int64) {
        self.transactionID = transactionID
        self.globalPosition = globalPosition
    }

    /// Before the first event: a projection that has never run starts here.
    public static let start = LogPosition(transactionID: 0, globalPosition: 0)

    public static func < (lhs: LogPosition, rhs: LogPosition) -> Bool {
        (lhs.transactionID, lhs.globalPosition) < (rhs.transactionID, rhs.globalPosition)
    }

    /// `xid/position`, the form used in logs and status output.
    public var description: String { "\(transactionID)/\(globalPosition)" }
}
