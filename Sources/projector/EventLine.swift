import Foundation

/// One NDJSON line of `projector import`: `{"stream", "type", "data", "metadata"?, "eventId"?}`.
///
/// Only the envelope is checked here; payload rules (NHS numbers, timestamps) are the projections' job.
enum EventLine {
    /// Why a line was refused; never quotes the line (it is patient data).
    struct Problem: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    /// Checks the envelope of `line`.
    static func validate(_ line: String) throws(Problem) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed])
        } catch {
            throw Problem(reason: "not valid JSON")
        }
        guard let fields = object as? [String: Any] else { throw Problem(reason: "not a JSON object") }
        guard let stream = fields["stream"] as? String, !stream.isEmpty else {
            throw Problem(reason: "\"stream\" is missing or not a non-empty string")
        }
        guard stream.contains("-"), !stream.hasPrefix("-") else {
            throw Problem(reason: "\"stream\" must look like <category>-<id>")
        }
        guard let type = fields["type"] as? String, !type.isEmpty else {
            throw Problem(reason: "\"type\" is missing or not a non-empty string")
        }
        guard fields["data"] is [String: Any] else { throw Problem(reason: "\"data\" is missing or not a JSON object") }
        if let metadata = fields["metadata"], !(metadata is [String: Any]) {
            throw Problem(reason: "\"metadata\" is not a JSON object")
        }
        if let id = fields["eventId"] {
            guard let text = id as? String, UUID(uuidString: text) != nil else {
                throw Problem(reason: "\"eventId\" is not a UUID")
            }
        }
    }
}

/// Reads a file line by line in large chunks, numbering lines from 1.
struct LineReader: Sequence, IteratorProtocol {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var finished = false
    private var number = 0

    init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CommandFailure("cannot open \(path) for reading")
        }
        self.handle = handle
    }

    mutating func next() -> (number: Int, text: String)? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                var end = newline
                if end > start && buffer[end - 1] == 0x0D { end -= 1 }
                let text = String(decoding: buffer[start..<end], as: UTF8.self)
                start = newline + 1
                number += 1
                return (number, text)
            }
            if finished {
                guard start < buffer.count else { return nil }
                let text = String(decoding: buffer[start...], as: UTF8.self)
                start = buffer.count
                number += 1
                return (number, text)
            }
            buffer.removeFirst(start)
            start = 0
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { finished = true } else { buffer.append(contentsOf: chunk) }
        }
    }
}
