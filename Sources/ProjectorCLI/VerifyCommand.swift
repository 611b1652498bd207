import ArgumentParser
import Foundation
import Logging
import ProjectionCore
import ProjectionEngine

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Replays the log into a scratch schema and compares it row by row with the live read model.",
        discussion: """
            Both sides are compared at the same log position, in one snapshot, while the live projection keeps \
            running. Prints the tables' differing keys (NHS numbers masked) with each side's last_position; \
            missing = the replay has the row and live does not, unexpected = live only. Exit code 0 when clean, \
            1 when any row differs (drift: a row changed by hand, or a projection whose output changed without \
            a version bump), 130 when cancelled. The scratch schema is dropped in every case.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The projection.")
    var projection: String

    @Option(name: .long, help: "List at most this many differing rows (all are counted).")
    var limit = 50

    @Flag(name: .long, help: "The report as JSON on standard output.")
    var json = false

    @OptionGroup var page: PageOptions

    func validate() throws {
        guard limit >= 0 else { throw ValidationError("--limit cannot be negative") }
    }

    func run() async throws {
        let selected = try AllProjections.select([projection])[0]
        try await global.checkCluster()
        let logger = global.makeLogger()
        var configuration = RunnerConfiguration()
        page.apply(to: &configuration)
        let progress = ProgressReport(label: selected.name, json: false)
        var verification = Verification(
            projection: selected,
            databaseURL: global.databaseURL,
            configuration: configuration,
            logger: logger
        )
        verification.limit = limit
        verification.onProgress = { value in await progress.show(value) }
        let box = ReportBox()
        let finished = try await cancellableOnSignal { [verification] in
            do {
                guard let report = try await verification.run() else { return false }
                await box.set(report)
                return true
            } catch {
                throw CommandFailure("verify of \(selected.name) failed: \(error)")
            }
        }
        await progress.finish()
        guard finished, let report = await box.report else {
            printError("\(selected.name): verify cancelled; the scratch schema was dropped")
            throw ExitCode(130)
        }
        if json {
            printJSON(report)
        } else {
            print(report, limit: limit)
        }
        if !report.isClean { throw ExitCode.failure }
    }

    private func print(_ report: Verification.Report, limit: Int) {
        let total = report.drifted.values.reduce(0, +)
        Swift.print(
            "\(report.projection): compared at log position \(report.position): "
                + (total == 0 ? "no drift" : "\(total) rows differ")
        )
        let rows = report.rows.keys.sorted().map { table in
            [table, String(report.rows[table] ?? 0), String(report.drifted[table] ?? 0)]
        }
        printTable(header: ["TABLE", "ROWS", "DIFFERING"], rows: rows)
        if !report.drift.isEmpty {
            Swift.print("")
            printTable(
                header: ["TABLE", "KIND", "KEY", "LIVE POSITION", "REPLAY POSITION"],
                rows: report.drift.map { d in
                    [
                        d.table, d.kind, d.key, d.livePosition.map(String.init) ?? "-",
                        d.replayPosition.map(String.init) ?? "-",
                    ]
                }
            )
            if total > report.drift.count {
                Swift.print("(first \(report.drift.count) of \(total); --limit shows more)")
            }
        }
        Swift.print("dead letters: \(report.liveDeadLetters) parked live, \(report.replayDeadLetters) in the replay")
    }
}

/// Carries the report out of the cancellable task.
private actor ReportBox {
    var report: Verification.Report?
    func set(_ report: Verification.Report) { self.report = report }
}
