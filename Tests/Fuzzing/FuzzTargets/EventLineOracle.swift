import EventInput
import Foundation

/// An accepted import line has the envelope `JSONDecoder` reads from it.
enum EventLineOracle {
    static func check(_ bytes: [UInt8]) -> [String] {
        guard let line = try? EventLine(bytes, maxBytes: 1 << 20), !DoubleRange.mayBeExceeded(in: bytes) else {
            return []
        }
        guard let fields = try? JSONDecoder().decode([String: ReferenceValue].self, from: Data(bytes)) else {
            return ["an accepted line is not a JSON object to JSONDecoder"]
        }
        var problems: [String] = []
        if fields["stream"]?.string != line.stream { problems.append("stream differs") }
        if fields["type"]?.string != line.type { problems.append("type differs") }
        if fields["eventId"]?.string?.lowercased() != line.eventID { problems.append("eventId differs") }
        if let id = line.eventID, UUID(uuidString: id) == nil { problems.append("eventId is no UUID to Foundation") }
        if fields["data"]?.isObject != true { problems.append("data is not an object") }
        if let metadata = fields["metadata"], !metadata.isObject { problems.append("metadata is not an object") }
        return problems
    }
}
