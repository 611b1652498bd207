import ProjectionContract
import ProjectionCore

/// The metadata scanner answers only where `JSONDecoder` gives the same answer.
public enum MetadataOracle {
    static func check(_ bytes: [UInt8]) -> [String] { disagreements(bytes) }

    /// Where the scanner and `JSONDecoder` disagree about `bytes`; empty when they agree.
    public static func disagreements(_ bytes: [UInt8], defaultSchemaVersion: Int = 1) -> [String] {
        let scanned = MetadataDecoding.scanned(bytes, defaultSchemaVersion: defaultSchemaVersion)
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
