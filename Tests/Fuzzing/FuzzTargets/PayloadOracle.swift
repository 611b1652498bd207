import ProjectionContract
import ProjectionCore

/// The tape decoder, payloads' fast path, answers only where `JSONDecoder` decodes the same payload.
///
/// The first byte picks the payload type, the second its schema version; the rest is the document.
public enum PayloadOracle {
    static func check(_ bytes: [UInt8]) -> [String] {
        guard bytes.count >= 2 else { return [] }
        let types = EventCatalogue.payloadTypes
        let type = types[Int(bytes[0]) % types.count]
        let versions = type.supportedSchemaVersions
        let version = versions.lowerBound + Int(bytes[1]) % versions.count
        return disagreements(type, Array(bytes[2...]), schemaVersion: version)
    }

    /// Where decoding `data` as `type` by the tape and by `JSONDecoder` disagree; empty when they agree.
    public static func disagreements<Payload: EventPayload>(
        _ type: Payload.Type,
        _ data: [UInt8],
        schemaVersion: Int
    ) -> [String] {
        let fast = PayloadDecoding.tape(type, data, schemaVersion: schemaVersion)
        // What is not JSON by RFC 8259 never reaches JSONDecoder (it traps on some of it): the tape must refuse it.
        guard PayloadDecoding.isJSON(data) else {
            return fast == nil ? [] : ["\(Payload.eventType) v\(schemaVersion): the tape decoded what is not JSON"]
        }
        switch Result(catching: { () throws(ProjectionFailure) in
            try PayloadDecoding.foundation(type, data, schemaVersion: schemaVersion)
        }) {
        case .success(let reference):
            if let fast, dumped(fast) != dumped(reference) {
                return ["\(Payload.eventType) v\(schemaVersion): the tape decoded another payload than JSONDecoder"]
            }
        case .failure:
            // The one difference by design: an unknown field nested past JSONDecoder's depth is ignored.
            if fast != nil && !PayloadDecoding.nestsDeeperThanJSONDecoderReads(data) {
                return ["\(Payload.eventType) v\(schemaVersion): the tape decoded what JSONDecoder rejects"]
            }
        }
        return []
    }

    /// Every stored property, recursively: payloads are not `Equatable`, and need not be for this.
    public static func dumped(_ value: Any) -> String {
        var out = ""
        dump(value, to: &out)
        return out
    }
}
