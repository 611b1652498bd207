import ProjectionContract
import ProjectionCore

/// The metadata scanner answers only where `JSONDecoder` gives the same answer.
public enum MetadataOracle {
    static func check(_ bytes: [UInt8]) -> [String] { disagreements(bytes) }

    /// Where the scanner and `JSONDecoder` disagree about `bytes`; empty when they agree.
    public static func disagreements(_ bytes: [UInt8], defaultSchemaVersion: Int = 1) -> [String] {
        let scanned = MetadataDecoding.scanned(bytes, defaultSchemaVersion: defaultSchemaVersion)
        // What is not JSON by RFC 8259 never reaches JSONDecoder (it traps on some of it): nor may the scanner read it.
        guard PayloadDecoding.isJSON(bytes) else {
            return scanned == nil ? [] : ["the scanner read a document that is not JSON"]
        }
        switch Result(catching: { () throws(ProjectionFailure) in
            try MetadataDecoding.decoded(bytes, defaultSchemaVersion: defaultSchemaVersion)
        }) {
        case .success(let decoded):
            if let scanned, scanned != decoded { return ["the scanner read other metadata than JSONDecoder"] }
        case .failure:
            if scanned != nil { return ["the scanner read metadata that JSONDecoder rejects"] }
        }
        return []
    }
}
