import EventInput
import Foundation

/// An accepted import line has the envelope `JSONSerialization` reads from it.
enum EventLineOracle {
    static func check(_ bytes: [UInt8]) -> [String] {
        guard let line = try? EventLine(bytes, maxBytes: 1 << 20), !DoubleRange.mayBeExceeded(in: bytes) else {
            return []
        }
        guard let fields = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else {
            return ["an accepted line is not a JSON object to JSONSerialization"]
        }
        var problems: [String] = []
        if fields["stream"] as? String != line.stream { problems.append("stream differs") }
        if fields["type"] as? String != line.type { problems.append("type differs") }
        if (fields["eventId"] as? String)?.lowercased() != line.eventID { problems.append("eventId differs") }
        if !(fields["data"] is [String: Any]) { problems.append("data is not an object") }
        if let metadata = fields["metadata"], !(metadata is [String: Any]) { problems.append("metadata not an object") }
        return problems
    }
}
