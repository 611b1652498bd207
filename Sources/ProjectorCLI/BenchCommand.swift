import ArgumentParser
import Foundation
import ProjectionCore
import ProjectorBench

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract:
            "Measures rebuild speed beside PostgreSQL's COPY, live lag and memory; prints a table and a JSON line.",
        discussion: """
            For each --events size, in a fresh database (projector_bench_<N>, dropped afterwards unless --keep): \
            appends N generated events; builds every read model from position zero with a child `projector run \
            --exit-when-caught-up` (timed, and its peak RSS; past its --bulk-install-events it loads them as \
            rebuilds), then each alone (`--only`); runs `projector rebuild` \
            of every read model, together (one pass over the log builds new generations beside the live ones, \
            then each is swapped in); \
            then loads the same final rows with COPY, once into empty copies of the tables with the same indexes, \
            once into bare copies followed by creating the indexes (the physical limit); then rebuilds every read \
            model shared by each --workers count of processes (`rebuild --partitions N` beside N - 1 \
            `build-worker`s), with each process's CPU and the server's (the machine's busy time less the \
            processes', from /proc/stat: run it on a machine that does nothing else). On the first size it \
            then starts `projector run` live, waits until it has projected one event, appends at each --rate for \
            --duration seconds, with synchronous_commit on and off, and reports the lag from each append's commit to its rows being \
            visible (every checkpoint past it). The database user must be allowed to CREATE DATABASE. \
            Prints a table, then the run as one JSON line; with --results, also appends that line to the file it names \
            (scripts/bench appends to Sources/ProjectorBench/results.jsonl).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Log sizes, comma-separated (e.g. 100000,1000000,10000000).")
    var events = "1000000"

    @Option(help: "Events appended per second in the live measurements, comma-separated.")
    var rate = "1000,5000"

    @Option(help: "Seconds of appending during the live measurement.")
    var duration = 30

    @Option(
        help: ArgumentHelp(
            "Processes sharing the rebuilds measured after the single-process one, comma-separated (empty: none).",
            valueName: "n,…"
        )
    )
    var workers = "2,4"

    @Flag(help: "Keep the benchmark databases.")
    var keep = false

    @Option(
        help: ArgumentHelp(
            "Also append the run's JSON line to this file: a regular file, or a new one (never a device, pipe or folder).",
            valueName: "file"
        )
    )
    var results: String?

    @Option(help: ArgumentHelp("The commit being measured, recorded in the JSON line.", valueName: "rev"))
    var commit: String?

    func counts() throws -> [Int] {
        let counts = events.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ValidationError("--events takes positive whole numbers separated by commas")
        }
        return counts.compactMap { $0 }
    }

    func rates() throws -> [Int] {
        let rates = rate.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !rates.isEmpty, rates.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ValidationError("--rate takes positive whole numbers separated by commas")
        }
        return rates.compactMap { $0 }
    }

    func workerCounts() throws -> [Int] {
        let counts = workers.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard counts.allSatisfy({ (2...64).contains($0 ?? 0) }) else {
            throw ValidationError("--workers takes whole numbers from 2 to 64 separated by commas")
        }
        return counts.compactMap { $0 }
    }

    func validate() throws {
        _ = try counts()
        _ = try workerCounts()
        _ = try rates()
        guard duration > 0 else { throw ValidationError("--duration must be positive") }
        if let results {
            do {
                try ResultsFile.check(results)
            } catch {
                throw ValidationError("--results: \(error)")
            }
        }
    }

    func run() async throws {
        var configuration = BenchConfiguration(
            projectorPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
            adminConninfo: global.databaseURL
        )
        configuration.eventCounts = try counts()
        configuration.rates = try rates()
        configuration.workers = try workerCounts()
        configuration.duration = .seconds(duration)
        configuration.keepDatabases = keep
        configuration.commit = commit
        let projections = AllProjections.all.map { BenchProjection(name: $0.name, tables: $0.tables.map(\.name)) }
        let report = try await Benchmark(configuration: configuration, projections: projections) { line in
            printError("bench: \(line)")
        }.run()
        print(BenchTable.render(report))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let line = String(decoding: try encoder.encode(report), as: UTF8.self)
        print(line)
        if let results {
            try ResultsFile.append(line, to: results)
            printError("bench: appended the run to \(results)")
        }
    }
}
