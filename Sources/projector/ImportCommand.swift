import ArgumentParser
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
            idempotent). The whole file is checked first: any bad line is reported with its number and reason \
            and nothing is written. Events whose eventId is already in the log are skipped, so importing a \
            file twice is a no-op. Each batch is appended in one transaction. Lines must be UTF-8, no string may \
            hold \\u0000 (PostgreSQL's jsonb cannot store it), and no event may be over --max-event-bytes.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The NDJSON file.") var file: String

    @Option(help: "Events per transaction.") var batchSize = 5_000

    @Option(help: "How many bad lines to report at most.") var maxErrors = 20

    @OptionGroup var size: EventSizeOption

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
    }

    func run() async throws {
        var problems = 0
        var lines = 0
        var reader = try LineReader(path: file)
        while let line = try reader.next() {
            let text = String(validating: line.bytes, as: UTF8.self)
            if let text, text.allSatisfy(\.isWhitespace) { continue }
            lines += 1
            do {
                guard let text else { throw EventLine.Problem(reason: "not valid UTF-8") }
                try EventLine.validate(text, maxBytes: size.limit)
            } catch {
                problems += 1
                if problems <= maxErrors { printError("\(file):\(line.number): \(error)") }
            }
        }
        guard problems == 0 else {
            if problems > maxErrors { printError("… and \(problems - maxErrors) more bad lines") }
            throw CommandFailure("\(problems) of \(lines) lines are not valid events; nothing was imported")
        }
        reader = try LineReader(path: file)
        let stored = try await global.withConnection { conn in
            let writer = LogWriter(connection: conn)
            var batch: [String] = []
            var stored = 0
            while let line = try reader.next() {
                // Every line was checked above: the file changed meanwhile when one is not UTF-8 now.
                guard let text = String(validating: line.bytes, as: UTF8.self) else {
                    throw CommandFailure("\(file):\(line.number): not valid UTF-8 (the file changed while importing)")
                }
                guard !text.allSatisfy(\.isWhitespace) else { continue }
                batch.append(text)
                if batch.count == batchSize {
                    stored += try await writer.appendRecords(jsonLines: batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            return stored + (try await writer.appendRecords(jsonLines: batch))
        }
        print("imported \(stored) events from \(lines) lines (\(lines - stored) already in the log)")
    }
}
