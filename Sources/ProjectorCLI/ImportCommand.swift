import ArgumentParser
import EventInput
import EventLog
import Foundation
import Postgres

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Appends the events of an NDJSON file to the log.",
        discussion: """
            One event per line: {"stream": "...", "type": "...", "data": {...}, "metadata": {...}, "eventId": "..."} \
            (metadata and eventId optional; without an eventId a random one is given, so such lines are not \
            idempotent). The whole file is checked first, by the rules PostgreSQL's jsonb applies: one JSON \
            value by RFC 8259 in UTF-8 (no byte-order mark, no trailing comma), no string holding \\u0000, every \
            number within numeric's range, and no object naming a key twice. Any bad line is reported with its \
            number and reason and nothing is written. No line may be over --max-event-bytes; a longer one is \
            refused without being held in memory. Then the events are appended in transactions of at most \
            --batch-size events or 16 MiB, in file order; events whose eventId is already in the log are \
            skipped, so importing a file twice is a no-op. If the server refuses a transaction, or the file \
            changed since it was checked (each transaction's lines are compared with what was checked before \
            they are sent), the lines before it stay committed and the error says which; importing the same \
            file again finishes the job.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The NDJSON file.") var file: String

    @Option(help: "Events per transaction.") var batchSize = 5_000

    @Option(help: "How many bad lines to report at most.") var maxErrors = 20

    @OptionGroup var size: EventSizeOption

    /// A transaction's bytes of JSON at most, whatever --batch-size says: memory is bounded by bytes.
    static let maxBatchBytes = 16 << 20

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
    }

    func run() async throws {
        let limit = size.limit
        let (lines, hashes) = try check(limit: limit)
        let source = try ImportSource(
            path: file,
            maxLineBytes: limit,
            batches: ImportBatches(maxEvents: batchSize, maxBytes: Self.maxBatchBytes),
            hashes: hashes
        )
        var committedThrough = 0
        let stored = try await global.withConnection { conn in
            let writer = LogWriter(connection: conn)
            var stored = 0
            // The next batch is read, split and written out as the statement's parameters while the server
            // stores this one, so the client's work, on another core, adds little wall time.
            var next = Task { try source.next() }
            while true {
                let batch: ImportSource.Batch
                do {
                    guard let prepared = try await next.value else { break }
                    batch = prepared
                } catch let changed as ImportSource.Changed {
                    throw CommandFailure(Self.describe(changed, in: file, committedThrough: committedThrough))
                }
                next = Task { try source.next() }
                do {
                    stored += try await writer.append(batch.events)
                } catch {
                    // Let the batch being prepared finish before the source goes away.
                    _ = try? await next.value
                    throw CommandFailure(
                        "\(file): the server refused the events of lines \(committedThrough + 1) to \(batch.lastLine): "
                            + "\(error). Lines 1 to \(committedThrough) are in the log; import the same file "
                            + "again to finish (events with an eventId already in the log are skipped)"
                    )
                }
                committedThrough = batch.lastLine
            }
            return stored
        }
        print("imported \(stored) events from \(lines) lines (\(lines - stored) already in the log)")
    }

    /// What to tell the user when the file changed between the passes, with what is in the log already.
    private static func describe(_ changed: ImportSource.Changed, in file: String, committedThrough: Int) -> String {
        let committed = "lines 1 to \(committedThrough) are in the log"
        return switch changed {
        case .inLines(_, let lastLine):
            "\(file): changed while importing, in lines \(committedThrough + 1) to \(lastLine); \(committed)"
        case .endsSooner:
            "\(file): changed while importing (it ends sooner); \(committed)"
        case .overLimit(let line):
            "\(file):\(line): over the limit (the file changed while importing); \(committed)"
        }
    }

    /// Checks every line of the file; returns how many events it holds and the hash of each batch the import
    /// pass will send (`ImportBatches`), or throws after reporting the bad lines.
    private func check(limit: Int) throws -> (lines: Int, hashes: [Int]) {
        var problems = 0
        var lines = 0
        var reader = try LineReader(path: file, maxLineBytes: limit)
        var batches = ImportBatches(maxEvents: batchSize, maxBytes: Self.maxBatchBytes)
        var hashes: [Int] = []
        while let line = try reader.next() {
            if let bytes = line.bytes, ImportSource.isBlank(bytes) { continue }
            lines += 1
            do {
                try EventLine.checkSize(line.length, maxBytes: limit)
                let bytes = line.bytes ?? []
                _ = try EventLine(bytes, maxBytes: limit)
                if batches.mustCut(before: bytes.count) { hashes.append(batches.cut()) }
                batches.add(bytes)
            } catch {
                problems += 1
                if problems <= maxErrors { printError("\(file):\(line.number): \(error)") }
            }
        }
        if batches.count > 0 { hashes.append(batches.cut()) }
        guard problems == 0 else {
            if problems > maxErrors { printError("… and \(problems - maxErrors) more bad lines") }
            throw CommandFailure("\(problems) of \(lines) lines are not valid events; nothing was imported")
        }
        return (lines, hashes)
    }

}
