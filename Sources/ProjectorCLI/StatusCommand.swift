import ArgumentParser
import EventLog
import Foundation
import Postgres
import ProjectionCore
import ProjectionEngine

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Shows each projection's checkpoint, lag, state and dead letters.",
        discussion: """
            STATE is running when an instance holds the projection's writer lock. BEHIND counts committed \
            events of the projection's types after its checkpoint; SECONDS is the age of the oldest of them. \
            DEAD LETTERS counts the parked ones, and says how many of them wait behind an earlier dead letter \
            of their stream (category parked-behind). \
            A transaction left open anywhere in the cluster holds every reader back: it is named when open \
            for more than a second. Builds in progress (rebuilds before their swap, as-of copies, verifies) are \
            listed with their position, events left and an ETA from their rate so far (unknown without a rate, \
            or when a build has not moved for 30 s). A shared rebuild (rebuild --partitions) also lists each \
            partition: the worker holding it, when its lease lapses unless renewed, how many times it was \
            claimed (more than once: a worker died or froze in it), and whether it is done. \
            In --json every time is RFC 3339, in UTC.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Print one JSON object instead of a table.")
    var json = false

    func run() async throws {
        let report = try await global.withConnection { conn in
            do {
                return try await StatusReport.read(AllProjections.all, on: conn)
            } catch {
                throw CommandFailure("cannot read the status: \(error)")
            }
        }
        let statuses = report.projections
        let holder = report.watermarkHeldBy
        if json {
            printJSON(report)
            return
        }
        let header = [
            "PROJECTION", "VERSION", "STATE", "CHECKPOINT", "EVENTS SEEN", "BEHIND", "SECONDS", "DEAD LETTERS",
        ]
        let rows = statuses.map { s in
            [
                s.name, String(s.version), s.state.rawValue, s.checkpoint, String(s.eventsSeen), String(s.eventsBehind),
                String(format: "%.1f", s.secondsBehind),
                Self.deadLetters(s),
            ]
        }
        printTable(header: header, rows: rows)
        for s in statuses {
            if let reason = s.pausedReason { print("\(s.name) is paused: \(TerminalText.escaped(reason))") }
            if s.deadLettersCrashedProjector > 0 {
                print(
                    "\(s.name): \(s.deadLettersCrashedProjector) event(s) killed the projector and are quarantined (projector dead-letters list)"
                )
            }
            if s.onFailure != FailurePolicy.park.rawValue {
                print("\(s.name) stops at its first failing event (policy stop)")
            }
        }
        if !report.builds.isEmpty {
            print("")
            printTable(
                header: ["BUILD", "PROJECTION", "PURPOSE", "POSITION", "EVENTS SEEN", "LEFT", "EVENTS/S", "ETA"],
                rows: report.builds.map { b in
                    [
                        b.schema, b.projection, b.purpose, b.position, String(b.eventsSeen), String(b.eventsLeft),
                        b.eventsPerSecond.map { String(format: "%.0f", $0) } ?? "-",
                        b.etaSeconds.map { String(format: "%.0f s", $0) } ?? "unknown",
                    ]
                }
            )
            print("")
        }
        if !report.partitions.isEmpty {
            printTable(
                header: ["PARTITION", "BUILDS", "WORKER", "LEASE", "CLAIMS", "EVENTS SEEN", "STATE"],
                rows: report.partitions.map { p in
                    [
                        "\(p.partition) of \(p.partitions)", String(p.builds.count), p.worker ?? "-",
                        p.leaseSeconds.map { $0 < 0 ? "lapsed" : String(format: "%.0f s", $0) } ?? "-",
                        String(p.claims), String(p.eventsSeen),
                        p.failure != nil ? "failed" : p.done ? "done" : p.worker == nil ? "waiting" : "building",
                    ]
                }
            )
            print("")
        }
        print("log: \(report.logEvents) events, last position \(report.logMaxPosition)")
        if let holder {
            print(
                "watermark held back by pid \(holder.pid) (\(holder.applicationName)), transaction open "
                    + String(format: "%.0f s", holder.seconds) + " since \(holder.transactionStart)"
            )
        }
    }

    /// The dead-letter column: the count, and how many of them wait behind another or crashed the projector.
    static func deadLetters(_ s: ProjectionStatus) -> String {
        var kinds: [String] = []
        if s.deadLettersParkedBehind > 0 { kinds.append("\(s.deadLettersParkedBehind) parked behind") }
        if s.deadLettersCrashedProjector > 0 { kinds.append("\(s.deadLettersCrashedProjector) crashed the projector") }
        return kinds.isEmpty ? String(s.deadLetters) : "\(s.deadLetters) (\(kinds.joined(separator: ", ")))"
    }
}

/// Prints left-aligned columns separated by two spaces.
func printTable(header: [String], rows: [[String]]) {
    let rows = rows.map { $0.map(TerminalText.escaped) }
    let widths = header.indices.map { i in ([header[i]] + rows.map { $0[i] }).map(\.count).max() ?? 0 }
    for row in [header] + rows {
        let cells = row.indices.map { i in row[i].padding(toLength: widths[i], withPad: " ", startingAt: 0) }
        print(cells.joined(separator: "  ").trimmingCharacters(in: .whitespaces))
    }
}

/// What `projector status --json` and `/status` print.
struct StatusReport: Codable, Sendable {
    var projections: [ProjectionStatus]
    var builds: [BuildStatus]
    /// The partitions of shared rebuilds in progress.
    var partitions: [PartitionStatus]
    var logEvents: Int64
    var logMaxPosition: Int64
    var watermarkHeldBy: WatermarkHolder?

    /// How `--json` and `/status` write it.
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// The status of `projections` and of the log, read on `conn`.
    static func read(_ projections: [any Projection], on conn: Connection) async throws -> StatusReport {
        let statuses = try await StatusReader.status(of: projections, on: conn)
        let totals = try await conn.query("SELECT count(*), coalesce(max(global_position), 0) FROM eventlog.events")
            .rows[0]
        let holder = try await StatusReader.watermarkHolder(on: conn).flatMap { $0.seconds >= 1 ? $0 : nil }
        return StatusReport(
            projections: statuses,
            builds: try await StatusReader.builds(of: projections, on: conn),
            partitions: try await StatusReader.partitions(on: conn),
            logEvents: try totals.decode(Int64.self, at: 0),
            logMaxPosition: try totals.decode(Int64.self, at: 1),
            watermarkHeldBy: holder
        )
    }

}
