import ArgumentParser
import EventGenerator
import EventLog
import Foundation
import Postgres

struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generates deterministic synthetic patients and their events (events.md).",
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
    @Option(help: "Write NDJSON to this file instead of standard output.") var output: String?
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
            guard FileManager.default.createFile(atPath: output, contents: nil),
                let handle = FileHandle(forWritingAtPath: output)
            else {
                throw CommandFailure("cannot write \(output)")
            }
            sink = handle
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
}
