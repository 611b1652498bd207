import Foundation

/// The human-readable form of a `BenchReport`.
public enum BenchTable {
    /// Several lines: when and what was run, the machine, one row per log size, the live lag.
    public static func render(_ report: BenchReport) -> String {
        let m = report.machine
        var lines = [
            "run: \(report.date)" + (report.commit.map { ", commit \($0)" } ?? ""),
            "machine: \(m.cores) cores, \(m.memoryBytes / (1 << 30)) GiB; \(m.postgres)",
            "settings: "
                + m.settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "),
            "",
            row([
                "events", "append s", "run s", "events/s", "rows", "COPY s", "ours/COPY", "bare+index s",
                "ours/bare", "peak RSS MB",
            ]),
        ]
        for r in report.rebuilds {
            lines.append(
                row([
                    "\(r.events)", fixed(r.appendSeconds, 1), fixed(r.rebuildSeconds, 1),
                    fixed(r.rebuildEventsPerSecond, 0), "\(r.rows)", fixed(r.copySeconds, 2),
                    fixed(r.ratioToCopy, 2), fixed(r.bareCopyAndIndexSeconds, 2), fixed(r.ratioToBareCopy, 2),
                    fixed(Double(r.peakRSSBytes) / 1_048_576, 1),
                ])
            )
            lines.append(
                "  projector rebuild of every read model, one pass over the log: \(fixed(r.opsRebuildSeconds, 1)) s; "
                    + "ours/COPY \(fixed(r.opsRatioToCopy, 2)), ours/bare \(fixed(r.opsRatioToBareCopy, 2)); "
                    + "peak RSS \(fixed(Double(r.opsRebuildPeakRSSBytes) / 1_048_576, 1)) MB"
            )
            let single = r.opsRebuildCPUSeconds + (r.opsRebuildServerCPUSeconds ?? 0)
            lines.append(
                "    CPU: projector \(fixed(r.opsRebuildCPUSeconds, 1)) s, server "
                    + (r.opsRebuildServerCPUSeconds.map { "\(fixed($0, 1)) s" } ?? "unknown")
            )
            for s in r.sharedRebuilds {
                let total = s.workerCPUSeconds.reduce(0, +) + (s.serverCPUSeconds ?? 0)
                lines.append(
                    "  shared by \(s.workers) processes (rebuild --partitions \(s.workers)): \(fixed(s.seconds, 1)) s; "
                        + "ours/COPY \(fixed(s.ratioToCopy, 2)); CPU per process "
                        + s.workerCPUSeconds.map { fixed($0, 1) }.joined(separator: ", ") + " s, server "
                        + (s.serverCPUSeconds.map { "\(fixed($0, 1)) s" } ?? "unknown")
                        + (r.opsRebuildServerCPUSeconds != nil && s.serverCPUSeconds != nil
                            ? "; total CPU \(fixed(total / single, 2)) of one process's" : "")
                )
            }
            for (name, seconds) in r.rebuildSecondsAlone.sorted(by: { $0.key < $1.key }) {
                lines.append("  \(name) alone (projector run --only): \(fixed(seconds, 1)) s")
            }
        }
        if let i = report.imported {
            lines.append(
                "import: \(i.events) events (\(i.fileBytes / 1_048_576) MB of NDJSON) in \(fixed(i.importSeconds, 1)) s; "
                    + "COPY of the same events into eventlog.events' copy \(fixed(i.copySeconds, 1)) s; "
                    + "ours/COPY \(fixed(i.ratioToCopy, 2)); peak RSS \(fixed(Double(i.importPeakRSSBytes) / 1_048_576, 1)) MB"
            )
        }
        lines.append("")
        for l in report.live {
            lines.append(
                "live: \(l.rate) events/s for \(fixed(l.seconds, 0)) s, synchronous_commit "
                    + "\(l.synchronousCommit ? "on" : "off") (\(l.appends) appends, \(l.events) events): "
                    + "lag p50 \(fixed(l.p50Milliseconds, 1)) ms, p99 \(fixed(l.p99Milliseconds, 1)) ms, "
                    + "max \(fixed(l.maxMilliseconds, 1)) ms; peak RSS \(fixed(Double(l.peakRSSBytes) / 1_048_576, 1)) MB"
            )
        }
        return lines.joined(separator: "\n")
    }

    private static func row(_ cells: [String]) -> String {
        cells.map { $0.padding(toLength: max(12, $0.count), withPad: " ", startingAt: 0) }.joined(separator: " ")
    }

    private static func fixed(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }
}
