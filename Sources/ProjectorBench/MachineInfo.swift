import Foundation
import Postgres

/// What the figures were measured on: cores, memory, PostgreSQL and the settings that matter.
public struct MachineInfo: Sendable, Codable {
    /// Online CPU cores.
    public var cores: Int
    /// Physical memory, in bytes.
    public var memoryBytes: Int
    /// `version()` up to the platform.
    public var postgres: String
    /// Settings that move ingest speed: name → value with unit.
    public var settings: [String: String]

    static let settingNames = [
        "shared_buffers", "work_mem", "maintenance_work_mem", "fsync", "synchronous_commit", "full_page_writes",
        "wal_level", "max_wal_size", "checkpoint_timeout", "wal_compression", "effective_io_concurrency",
    ]

    /// Reads this machine and the server behind `conn`.
    static func read(on conn: Connection) async throws -> MachineInfo {
        let version = try await conn.query("SELECT split_part(version(), ' on ', 1)").rows[0].decode(String.self, at: 0)
        var settings: [String: String] = [:]
        for row in try await conn.query(
            "SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(\(settingNames))"
        ).rows {
            settings[try row.decode(String.self, at: 0)] = try row.decode(String.self, at: 1)
        }
        return MachineInfo(
            cores: ProcessInfo.processInfo.activeProcessorCount,
            memoryBytes: Int(ProcessInfo.processInfo.physicalMemory),
            postgres: version,
            settings: settings
        )
    }
}
