import EventLog
import Postgres
import ProjectionCore

/// Where a projection stands, as `projector status` and `/status` report it.
public enum ProjectionState: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// An instance holds its lease and writes it.
    case running
    /// Another instance writes it; this one takes over if that one's lease lapses (`/status` only).
    case standingBy = "standing-by"
    /// Ops paused it (`projector pause`); nothing commits until `projector resume`.
    case paused
    /// The stop policy paused it at a dead letter; nothing commits until ops deal with it and resume.
    case stoppedAtDeadLetter = "stopped-at-dead-letter"
    /// Installed, but no instance writes it.
    case stopped
    /// Its tables are not installed.
    case notInstalled = "not-installed"
    /// The process serving `/status` cannot reach the database; the rest is its last sample (`/status` only).
    case disconnected

    public var description: String { rawValue }
}

/// What `projector status` reports for one projection.
public struct ProjectionStatus: Sendable, Codable {
    /// The projection's name.
    public var name: String
    /// The version of the running code.
    public var version: Int
    /// Where it stands.
    public var state: ProjectionState
    /// Whether an instance holds the projection's lease (paused or not).
    public var writerActive: Bool
    /// Why it is paused (who paused it, or the dead letter it stopped at); nil unless paused.
    public var pausedReason: String?
    /// What it does when an event fails: `park` (go on) or `stop` (pause).
    public var onFailure: String
    /// The checkpoint, as `xid/position`.
    public var checkpoint: String
    /// The checkpoint's global position.
    public var checkpointPosition: Int64
    /// Events handled (applied or dead-lettered) since the tables were created.
    public var eventsSeen: Int64
    /// Events of the projection's types committed after the checkpoint.
    public var eventsBehind: Int64
    /// Seconds between the oldest unapplied event's recording and now; 0 when caught up.
    public var secondsBehind: Double
    /// Dead letters waiting for ops.
    public var deadLetters: Int64
    /// When the checkpoint last moved, RFC 3339 in UTC.
    public var updatedAt: String?
    /// Of `deadLetters`, those parked behind an earlier dead letter of their stream (released by its retry or skip).
    public var deadLettersParkedBehind: Int64 = 0
    /// Of `deadLetters`, events that killed the projector twice on their own (`crashed-projector`), which the
    /// poison-pill breaker quarantined.
    public var deadLettersCrashedProjector: Int64 = 0
}

/// The transaction holding every reader's watermark back, if one is open.
public struct WatermarkHolder: Sendable, Codable {
    /// The backend's process id.
    public var pid: Int32
    /// Its `application_name`.
    public var applicationName: String
    /// When its transaction started, RFC 3339 in UTC.
    public var transactionStart: String
    /// How long it has been open, in seconds.
    public var seconds: Double
}

extension ProjectionStatus {
    /// Whether it paused itself at a failing event (policy `stop`), rather than being paused by ops.
    public var isStoppedAtDeadLetter: Bool { state == .stoppedAtDeadLetter }

    /// Whether nothing commits until ops resume it.
    public var isPaused: Bool { state == .paused || state == .stoppedAtDeadLetter }
}

/// Reads the status of projections and of the log's watermark.
public enum StatusReader {
    /// The status of each of `projections`.
    public static func status(of projections: [any Projection], on conn: Connection) async throws -> [ProjectionStatus]
    {
        var result: [ProjectionStatus] = []
        for projection in projections {
            result.append(try await status(of: projection, on: conn))
        }
        return result
    }

    static func status(of projection: any Projection, on conn: Connection) async throws -> ProjectionStatus {
        let name = projection.name
        let types = projection.eventTypes.sorted()
        let rows = try await conn.query(
            """
            SELECT c.transaction_id::text, c.global_position, c.events_seen,
                   to_char(c.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                   EXISTS (SELECT 1 FROM projector.leases l
                           WHERE l.projection = c.projection AND l.expires_at > clock_timestamp()
                             AND EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = l.backend_pid)),
                   (SELECT count(*) FROM eventlog.events e
                    WHERE (e.transaction_id, e.global_position) > (c.transaction_id, c.global_position)
                      AND e.event_type = ANY(\(types))),
                   (SELECT coalesce(extract(epoch FROM now() - min(e.recorded_at)), 0)::float8 FROM eventlog.events e
                    WHERE (e.transaction_id, e.global_position) > (c.transaction_id, c.global_position)
                      AND e.event_type = ANY(\(types))),
                   (SELECT count(*) FROM projector.dead_letters d WHERE d.projection = c.projection AND d.status = 'parked'),
                   c.paused, c.paused_reason, c.on_failure, c.paused_by,
                   (SELECT count(*) FROM projector.dead_letters d
                    WHERE d.projection = c.projection AND d.status = 'parked' AND d.behind_id IS NOT NULL),
                   (SELECT count(*) FROM projector.dead_letters d
                    WHERE d.projection = c.projection AND d.status = 'parked' AND d.category = 'crashed-projector')
            FROM projector.checkpoints c WHERE c.projection = \(name)
            """
        ).rows
        guard let row = rows.first else {
            return ProjectionStatus(
                name: name,
                version: projection.version,
                state: .notInstalled,
                writerActive: false,
                pausedReason: nil,
                onFailure: FailurePolicy.park.rawValue,
                checkpoint: "-",
                checkpointPosition: 0,
                eventsSeen: 0,
                eventsBehind: try await conn.query(
                    "SELECT count(*) FROM eventlog.events WHERE event_type = ANY(\(types))"
                ).rows[0].decode(Int64.self, at: 0),
                secondsBehind: 0,
                deadLetters: 0,
                updatedAt: nil
            )
        }
        let position = try row.logPosition()
        let paused = try row.decode(Bool.self, at: 8)
        let leased = try row.decode(Bool.self, at: 4)
        let state: ProjectionState =
            switch (paused, try row.decode(String?.self, at: 11)) {
            case (true, "policy"): .stoppedAtDeadLetter
            case (true, _): .paused
            case (false, _): leased ? .running : .stopped
            }
        return ProjectionStatus(
            name: name,
            version: projection.version,
            state: state,
            writerActive: leased,
            pausedReason: try row.decode(String?.self, at: 9),
            onFailure: try row.decode(String.self, at: 10),
            checkpoint: position.description,
            checkpointPosition: position.globalPosition,
            eventsSeen: try row.decode(Int64.self, at: 2),
            eventsBehind: try row.decode(Int64.self, at: 5),
            secondsBehind: try row.decode(Double.self, at: 6),
            deadLetters: try row.decode(Int64.self, at: 7),
            updatedAt: try row.decode(String?.self, at: 3),
            deadLettersParkedBehind: try row.decode(Int64.self, at: 12),
            deadLettersCrashedProjector: try row.decode(Int64.self, at: 13)
        )
    }

    /// The oldest open transaction that has written (and so holds the snapshot xmin), if any.
    public static func watermarkHolder(on conn: Connection) async throws -> WatermarkHolder? {
        let rows = try await conn.query(
            """
            SELECT pid, application_name, to_char(xact_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                   extract(epoch FROM now() - xact_start)::float8
            FROM pg_stat_activity
            WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()
            ORDER BY age(backend_xid) DESC
            LIMIT 1
            """
        ).rows
        guard let row = rows.first else { return nil }
        return WatermarkHolder(
            pid: try row.decode(Int32.self, at: 0),
            applicationName: try row.decode(String.self, at: 1),
            transactionStart: try row.decode(String.self, at: 2),
            seconds: try row.decode(Double.self, at: 3)
        )
    }
}
