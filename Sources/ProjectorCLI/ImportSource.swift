import EventInput
import EventLog
import Foundation

/// `import`'s second pass over the file: its lines, already checked, as the batches of events to send, each
/// compared with the hash the check pass recorded for it (`ImportBatches`).
///
/// The lines are split into their fields here, so the server parses only each payload, once, into `jsonb`;
/// handing it whole lines made it parse every line and copy its `data` and `metadata` out again (about a
/// fifth of its time, measured). `import` prepares the next batch while the server stores the last, one task
/// at a time: hence a class, used by one task after another, never by two at once.
final class ImportSource: @unchecked Sendable {
    /// The events of lines `firstLine` to `lastLine` (blank lines skipped), ready to append.
    struct Batch: Sendable {
        var events: AppendBatch
        var firstLine: Int
        var lastLine: Int
    }

    /// The file is not what the check pass read.
    enum Changed: Error {
        /// Lines `firstLine` to `lastLine` differ from the batch checked.
        case inLines(firstLine: Int, lastLine: Int)
        /// It ends sooner than it did.
        case endsSooner
        /// A line is over the limit now.
        case overLimit(line: Int)
    }

    private var reader: LineReader
    private var batches: ImportBatches
    private let hashes: [Int]
    private let maxBytes: Int
    private var sent = 0
    /// A line read but not yet in a batch: the first of the next one.
    private var carried: (number: Int, bytes: ArraySlice<UInt8>)?
    private var finished = false

    /// The file at `path`, cut as `batches` cuts it, whose batches hashed to `hashes` when checked.
    init(path: String, maxLineBytes: Int, batches: ImportBatches, hashes: [Int]) throws {
        reader = try LineReader(path: path, maxLineBytes: maxLineBytes)
        self.batches = batches
        self.hashes = hashes
        maxBytes = maxLineBytes
    }

    /// The next batch, or nil after the last.
    ///
    /// - Throws: `Changed` when the file differs from what was checked; nothing of that batch is returned.
    func next() throws -> Batch? {
        if finished && carried == nil {
            guard sent == hashes.count else { throw Changed.endsSooner }
            return nil
        }
        var events: [NewEvent] = []
        var firstLine = 0
        var lastLine = 0
        while true {
            let line: (number: Int, bytes: ArraySlice<UInt8>)
            if let kept = carried {
                line = kept
                carried = nil
            } else if let read = try reader.next() {
                guard let bytes = read.bytes else { throw Changed.overLimit(line: read.number) }
                if Self.isBlank(bytes) { continue }
                line = (read.number, bytes)
            } else {
                finished = true
                break
            }
            if batches.mustCut(before: line.bytes.count) {
                carried = line
                break
            }
            batches.add(line.bytes)
            if firstLine == 0 { firstLine = line.number }
            lastLine = line.number
            // Checked in the first pass: a line that fails now changed since (the hash below says so too).
            guard let event = try? EventLine(line.bytes, maxBytes: maxBytes) else {
                throw Changed.inLines(firstLine: firstLine, lastLine: lastLine)
            }
            events.append(
                NewEvent(
                    stream: event.stream,
                    type: event.type,
                    eventID: event.eventID ?? UUID().uuidString.lowercased(),
                    data: event.data,
                    metadata: event.metadata
                )
            )
        }
        guard !events.isEmpty else {
            guard sent == hashes.count else { throw Changed.endsSooner }
            return nil
        }
        guard sent < hashes.count, batches.cut() == hashes[sent] else {
            throw Changed.inLines(firstLine: firstLine, lastLine: lastLine)
        }
        sent += 1
        return Batch(events: AppendBatch(events), firstLine: firstLine, lastLine: lastLine)
    }

    /// Spaces, tabs and carriage returns only: a blank line, skipped.
    static func isBlank(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }
}
