import Foundation
import ProjectionCore

#if canImport(Glibc)
import Glibc
#endif

/// One shared rebuild of every read model: `projector rebuild --partitions N` and N - 1 `projector build-worker`s.
public struct SharedRebuildFigures: Sendable, Codable {
    /// Processes sharing the build, the rebuild's own included; also its partitions.
    public var workers: Int
    /// Seconds from the start of the processes to the rebuild's exit (its swaps included).
    public var seconds: Double
    /// `copySeconds / seconds`.
    public var ratioToCopy: Double
    /// CPU seconds of each process, the rebuild's first.
    public var workerCPUSeconds: [Double]
    /// The machine's busy CPU seconds meanwhile, less the processes': the server's, on a machine that runs
    /// nothing else. Nil where /proc/stat cannot be read.
    public var serverCPUSeconds: Double?
}

/// The CPU the machine has spent, from /proc/stat.
enum MachineCPU {
    /// Busy seconds of all cores since boot (user, nice, system, irq, softirq); nil where unreadable.
    static func busySeconds() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") })
        else { return nil }
        let ticks = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard ticks.count >= 7 else { return nil }
        let hertz = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6]) / hertz
    }
}

extension RebuildMeasurement {
    /// Times `projector rebuild --partitions workers` of every read model beside `workers - 1` build workers.
    func sharedRebuild(workers: Int, database: String, copySeconds: Double) async throws -> SharedRebuildFigures {
        let environment = ["DATABASE_URL": database]
        let quiet = ["--log-level", "warning"]
        let busyBefore = MachineCPU.busySeconds()
        let start = ContinuousClock.now
        var helpers: [ChildProcess] = []
        for _ in 1..<workers {
            helpers.append(
                try ChildProcess.spawn(
                    configuration.projectorPath,
                    ["build-worker", "--wait", "600"] + quiet,
                    environment: environment,
                    discardingOutput: true
                )
            )
        }
        let rebuild = try ChildProcess.spawn(
            configuration.projectorPath,
            ["rebuild", "--json", "--partitions", String(workers)] + projections.map(\.name) + quiet,
            environment: environment,
            discardingOutput: true
        )
        let ended = await rebuild.wait()
        let seconds = (ContinuousClock.now - start).seconds
        // A worker that never saw the run (the others took every partition before it looked) would wait out
        // its --wait: once the rebuild has swapped, none has anything left to do.
        for helper in helpers { helper.signal(SIGTERM) }
        var exits = [ended]
        for helper in helpers { exits.append(await helper.wait()) }
        let busyAfter = MachineCPU.busySeconds()
        // 130: stopped by that signal, as `build-worker` exits when interrupted.
        guard ended.status == 0, exits.dropFirst().allSatisfy({ $0.status == 0 || $0.status == 130 }) else {
            throw BenchError("a shared rebuild's process exited with status \(exits.map(\.status))")
        }
        let cpu = exits.map(\.cpuSeconds)
        return SharedRebuildFigures(
            workers: workers,
            seconds: seconds,
            ratioToCopy: copySeconds / seconds,
            workerCPUSeconds: cpu,
            serverCPUSeconds: busyBefore.flatMap { before in busyAfter.map { $0 - before - cpu.reduce(0, +) } }
        )
    }
}
