import Logging

/// The metadata keys the engine logs with, declared once.
///
/// - Important: never log a stream id, a payload or a bound value; positions, event ids and types only.
extension Logger.Metadata {
    static func projection(_ name: String) -> Logger.Metadata { ["projection.name": "\(name)"] }
}

enum LogKey {
    static let projection = "projection.name"
    static let version = "projection.version"
    static let position = "event.position"
    static let eventID = "event.id"
    static let eventType = "event.type"
    static let batchEvents = "batch.events"
    static let checkpoint = "checkpoint.position"
    static let sqlState = "db.sqlstate"
    static let category = "deadletter.category"
}
