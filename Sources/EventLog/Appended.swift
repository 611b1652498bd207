import ProjectionCore

/// What `LogWriter.append` committed: the stream's new version and where its events are in the log.
public struct Appended: Sendable, Hashable {
    /// The stream's last `stream_position` after the append.
    public var version: Int64
    /// The log position of the last appended event (of the first append, when this one was a no-op).
    ///
    /// Pass it to `projector.wait_for` to read your own write from a read model, on the primary or a replica.
    public var position: LogPosition

    /// A result from its parts.
    public init(version: Int64, position: LogPosition) {
        self.version = version
        self.position = position
    }
}
