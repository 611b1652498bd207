import EventGenerator
import Foundation
import FuzzTargets
import ProjectionContract
import ProjectionCore
import Testing

/// The metadata scanner reads the documents every event carries, and never disagrees with `JSONDecoder`:
/// where it answers, the answer is the same; where `JSONDecoder` rejects a document, it does not answer.
@Suite struct MetadataScannerTests {
    /// `scanned` agrees with `decoded` whenever it answers, and leaves every rejected document alone
    /// (the fuzzer's oracle).
    func expectAgreement(_ json: String, _ comment: Comment? = nil) {
        let problems = MetadataOracle.disagreements(Array(json.utf8), defaultSchemaVersion: 3)
        #expect(problems.isEmpty, "\(problems) \(comment.map { "\($0)" } ?? "")")
    }

    @Test func theGeneratorsMetadataIsScannedAsJSONDecoderReadsIt() {
        var count = 0
        for event in EventGenerator(GeneratorOptions(patients: 50, seed: 11)) {
            // As the producer wrote it, and as PostgreSQL's jsonb prints it back (", " and ": ").
            let jsonb = event.metadata.replacingOccurrences(of: "\",\"", with: "\", \"")
                .replacingOccurrences(of: "\":", with: "\": ").replacingOccurrences(of: ",\"", with: ", \"")
            for json in [event.metadata, jsonb] {
                let bytes = Array(json.utf8)
                let scanned = MetadataDecoding.scanned(bytes, defaultSchemaVersion: 1)
                #expect(scanned != nil, "the scanner leaves the everyday document to JSONDecoder")
                #expect(scanned == (try? MetadataDecoding.decoded(bytes, defaultSchemaVersion: 1)))
            }
            count += 1
        }
        #expect(count > 100)
    }

    @Test func plainDocumentsAreScanned() throws {
        let json = """
             { "schemaVersion" : 2 ,"occurredAt":"2026-03-01T09:30:00+01:00", "sourceSystem": "W12345",
            "correlationId": "c-1", "causationId": null, "unknown": "x", "other": 17, "more": null }\t
            """
        let scanned = try #require(MetadataDecoding.scanned(Array(json.utf8), defaultSchemaVersion: 1))
        #expect(scanned.schemaVersion == 2)
        #expect(scanned.occurredAt?.text == "2026-03-01T09:30:00+01:00")
        #expect(scanned.sourceSystem == "W12345")
        #expect(scanned.correlationID == "c-1")
        #expect(scanned.causationID == nil)
        expectAgreement(json)
        #expect(MetadataDecoding.scanned(Array("{}".utf8), defaultSchemaVersion: 4)?.schemaVersion == 4)
        #expect(MetadataDecoding.scanned(Array("{\"sourceSystem\": \"  \"}".utf8), defaultSchemaVersion: 1) != nil)
        expectAgreement(#"{"sourceSystem": "  ", "schemaVersion": null, "occurredAt": null}"#)
        expectAgreement(#"{"sourceSystem": "Ysbyty Gwynedd ŵŷ"}"#)
        // A repeated unknown field is ignored, by JSONDecoder as by the scanner.
        let repeated = #"{"extra": "a", "extra": 2, "sourceSystem": "W1"}"#
        #expect(MetadataDecoding.scanned(Array(repeated.utf8), defaultSchemaVersion: 1)?.sourceSystem == "W1")
        expectAgreement(repeated)
    }

    @Test func whatTheScannerDoesNotReadIsLeftToJSONDecoder() {
        let leftAlone = [
            #"{"sourceSystem": "a\"b"}"#,  // an escape
            #"{"sourceSystem": "a\u0000b"}"#,  // NUL, escaped
            #"{"sour\u0063eSystem": "x"}"#,  // an escape in a key
            #"{"schemaVersion": 1.0}"#,  // a fraction
            #"{"schemaVersion": 1e0}"#,  // an exponent
            #"{"schemaVersion": -1}"#,  // a sign
            #"{"schemaVersion": 01}"#,  // a leading zero: not JSON
            #"{"schemaVersion": 1234567890123456}"#,  // over the contract's 15 digits
            #"{"schemaVersion": "1"}"#,  // a string
            #"{"sourceSystem": 5}"#,  // a number for a string
            #"{"occurredAt": 5}"#,
            #"{"occurredAt": "2026-03-01T09:30:00"}"#,  // no offset: a violation
            #"{"occurredAt": "yesterday"}"#,
            #"{"sourceSystem": "a", "sourceSystem": "b"}"#,  // a field twice
            #"{"extra": {"nested": 1}}"#,  // a nested value
            #"{"extra": [1]}"#,
            #"{"extra": true}"#,
            #"{"schemaVersion": 1} x"#,  // trailing text
            #"{"schemaVersion": 1,}"#,  // a trailing comma
            #"{"schemaVersion" 1}"#,  // no colon
            #"{"schemaVersion": 1"#,  // unterminated
            #"{"sourceSystem": "unterminated}"#,
            #"[]"#,
            #""#,
            "{\"sourceSystem\": \"tab\tinside\"}",  // a raw control character: not JSON
            "{\"sourceSystem\": \"nul\u{0}inside\"}",  // a raw NUL
        ]
        for json in leftAlone {
            #expect(MetadataDecoding.scanned(Array(json.utf8), defaultSchemaVersion: 1) == nil, "\(json)")
            expectAgreement(json, "\(json)")
        }
        // Invalid UTF-8 inside a string.
        let invalid: [UInt8] = Array(#"{"sourceSystem": ""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect(MetadataDecoding.scanned(invalid, defaultSchemaVersion: 1) == nil)
    }

    /// A producer's number above `Int64.max` once trapped the scanner (an overflow while adding up digits),
    /// which stopped every read model at every start. Any length of digits is now left to `JSONDecoder`.
    @Test(.bug(id: 21, "metadata number above Int64.max traps the scanner"))
    func numbersOfAnyLengthNeverTrapTheScanner() throws {
        let huge = [
            #"{"traceSampleRate":9999999999999999999}"#,
            #"{"traceSampleRate": 99999999999999999999999999999, "sourceSystem": "W1"}"#,
            #"{"schemaVersion": 9999999999999999999}"#,
            #"{"schemaVersion": 9223372036854775808}"#,
            "{\"x\": \(String(repeating: "9", count: 400))}",
        ]
        for json in huge {
            #expect(MetadataDecoding.scanned(Array(json.utf8), defaultSchemaVersion: 1) == nil, "\(json)")
            expectAgreement(json, "\(json)")
        }
        // The unknown field is ignored: the event's metadata is read, with the type's default version.
        let decoded = try MetadataDecoding.decoded(Array(huge[1].utf8), defaultSchemaVersion: 2)
        #expect(decoded.schemaVersion == 2)
        #expect(decoded.sourceSystem == "W1")
    }
}
