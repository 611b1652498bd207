import ArgumentParser
import EventGenerator
import EventLog
import Foundation
import Glibc
import Postgres

struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generates deterministic synthetic patients and their events (the event contract).",
        discussion: """
            The same --patients, --seed and --invalid-fraction always give byte-identical output with the same \
            event ids, so importing it twice is a no-op. Writes NDJSON to standard output (or --output), or \
            appends straight to the log with --into-log.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "How many patients.") var patients = 100
    @Option(help: "The random seed.") var seed: UInt64 = 1
    @Option(help: "The fraction of events made invalid on purpose (dead-letter demos), 0 to 1.") var invalidFraction =
        0.0
    @Flag(help: "Append to the log instead of printing NDJSON.") var intoLog = false
    @Option(help: "Write NDJSON to this file instead of standard output: a new path, or a regular file (replaced).")
    var output: String?
    @Option(help: "Events per transaction with --into-log.") var batchSize = 5_000

    func validate() throws {
        guard patients >= 0 else { throw ValidationError("--patients must not be negative") }
        guard (0...1).contains(invalidFraction) else {
            throw ValidationError("--invalid-fraction must be between 0 and 1")
        }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        if intoLog && output != nil { throw ValidationError("--into-log and --output exclude each other") }
    }

    func run() async throws {
        let generator = EventGenerator(
            GeneratorOptions(patients: patients, seed: seed, invalidFraction: invalidFraction)
        )
        if intoLog {
            let events = generator.lazy.map {
                NewEvent(stream: $0.stream, type: $0.type, eventID: $0.eventID, data: $0.data, metadata: $0.metadata)
            }
            let (generated, stored) = try await global.withConnection { conn in
                try await LogWriter(connection: conn).appendMany(events, batchSize: batchSize)
            }
            print(
                "generated \(generated) events for \(patients) patients; \(stored) appended (\(generated - stored) already in the log)"
            )
            return
        }
        let sink: FileHandle
        if let output {
            sink = try Self.openRegularFile(output)
        } else {
            sink = FileHandle.standardOutput
        }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        for event in generator {
            buffer.append(contentsOf: event.ndjsonLine.utf8)
            buffer.append(0x0A)
            if buffer.count >= 1 << 20 {
                sink.write(Data(buffer))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        sink.write(Data(buffer))
        if output != nil { try sink.close() }
    }

    /// `path` opened for writing from its start: created when missing, emptied when a regular file, and
    /// refused when it is anything else (a device, a pipe, a directory), which is never replaced.
    ///
    /// Foundation's `createFile` writes a temporary file and renames it over the path: run as root with
    /// `--output /dev/null`, it once left a regular file where the device had been.
    static func openRegularFile(_ path: String) throws -> FileHandle {
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        if FileManager.default.fileExists(atPath: target) {
            let type = (try? FileManager.default.attributesOfItem(atPath: target))?[.type] as? FileAttributeType
            guard type == .typeRegular else {
                throw CommandFailure("--output \(path) is not a regular file; give a new path or a regular file")
            }
        }
        // Opened in place (never a temporary file renamed over the path), created only when missing.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NONBLOCK, 0o644)
        guard descriptor >= 0 else {
            throw CommandFailure("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }
}
