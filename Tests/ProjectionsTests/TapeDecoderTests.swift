import EventGenerator
import FuzzTargets
import ProjectionContract
import ProjectionCore
import Testing

/// The tape decoder, the fast path of payload decoding, never disagrees with `JSONDecoder`: where it
/// answers, the payload is the same; where `JSONDecoder` rejects a document, it does not answer.
@Suite struct TapeDecoderTests {
    static func payloadType(of eventType: String) -> (any EventPayload.Type)? {
        EventCatalogue.payloadType(of: eventType)
    }

    /// Whether the tape answered; records a failure if it disagrees with `JSONDecoder` (the fuzzer's oracle).
    @discardableResult
    static func expectAgreement<Payload: EventPayload>(
        _ type: Payload.Type,
        _ data: [UInt8],
        schemaVersion: Int = Payload.currentSchemaVersion,
        _ comment: Comment? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Bool {
        let problems = PayloadOracle.disagreements(type, data, schemaVersion: schemaVersion)
        #expect(problems.isEmpty, "\(problems) \(comment.map { "\($0)" } ?? "")", sourceLocation: sourceLocation)
        return PayloadDecoding.tape(type, data, schemaVersion: schemaVersion) != nil
    }

    @Test func theGeneratorsPayloadsDecodeAsJSONDecoderDecodesThem() throws {
        var decoded = 0
        var rejected = 0
        for event in EventGenerator(GeneratorOptions(patients: 60, seed: 5, invalidFraction: 0.1)) {
            let type = try #require(Self.payloadType(of: event.type), "no payload type for \(event.type)")
            let version = MetadataDecoding.scanned(Array(event.metadata.utf8), defaultSchemaVersion: 1)?.schemaVersion
            let data = Array(event.data.utf8)
            let reference = try? PayloadDecoding.foundation(type, data, schemaVersion: version ?? 1)
            let answered = Self.expectAgreement(type, data, schemaVersion: version ?? type.currentSchemaVersion)
            // Every valid document the producers write goes the fast way, or the fast path is not used.
            #expect(answered == (reference != nil), "\(event.type)")
            if reference == nil { rejected += 1 } else { decoded += 1 }
        }
        #expect(decoded > 500)
        #expect(rejected > 10, "the generator's invalid events reach both decoders")
    }

    /// Broken copies of real payloads: a byte dropped, changed or inserted, a piece repeated. Whatever
    /// the tape still answers for must be what `JSONDecoder` answers.
    @Test func damagedDocumentsAreDecodedAlikeOrLeftToJSONDecoder() throws {
        var random = SplitMix(seed: 42)
        let alphabet = Array(#"{}[]",:\ 0123456789.eE+-untrfalse"#.utf8) + [0x01, 0x00, 0xC3, 0xA2, 0xED, 0xFF, 0x7F]
        var answered = 0
        var refused = 0
        var events = 0
        for event in EventGenerator(GeneratorOptions(patients: 8, seed: 9)) {
            events += 1
            let type = try #require(Self.payloadType(of: event.type))
            let original = Array(event.data.utf8)
            for _ in 0..<40 {
                var data = original
                let at = Int(random.next() % UInt64(data.count))
                switch random.next() % 4 {
                case 0: data.remove(at: at)
                case 1: data[at] = alphabet[Int(random.next() % UInt64(alphabet.count))]
                case 2: data.insert(alphabet[Int(random.next() % UInt64(alphabet.count))], at: at)
                default:
                    let end = min(data.count, at + 1 + Int(random.next() % 12))
                    data.insert(contentsOf: data[at..<end], at: at)
                }
                if Self.expectAgreement(type, data, schemaVersion: type.currentSchemaVersion) {
                    answered += 1
                } else {
                    refused += 1
                }
            }
        }
        #expect(events > 50)
        #expect(answered > 100 && refused > 100, "answered \(answered), refused \(refused)")
    }

    @Test func numbersAreReadAsJSONDecoderReadsThem() {
        for value in [
            "5.4", "-0", "0", "1E2", "1e-2", "123456789.123456789", "2.2250738585072011e-308", "1.7976931348623157e308",
            "1e400", "-1e400", "0.1e-400", "5e-324", "4.9e-324", "0.0000", "00", "1.", ".5", "-", "+1", "1e", "0x10",
            "\"5.4\"", "\"see report\"", "true", "null", "[]", "{}",
        ] {
            let data =
                #"{"resultId":"r-1","nhsNumber":"9434765919","test":{"code":"GLU","system":"urn:x","#
                + #""name":{"en":"Glucose"}},"value":\#(value),"interpretation":"normal","status":"final","#
                + #""collectedAt":"2026-02-02T08:15:00Z","resultedAt":"2026-02-02T15:40:00Z","#
                + #""performer":{"odsCode":"7A4BV","name":"Lab"},"reportLocation":"https://x/1"}"#
            Self.expectAgreement(TestResultRecorded.self, Array(data.utf8), "value \(value)")
        }
        // The everyday case is answered by the tape, or this test compares JSONDecoder with itself.
        let plain =
            #"{"resultId":"r-1","nhsNumber":"9434765919","test":{"code":"GLU","system":"urn:x","#
            + #""name":{"en":"Glucose","cy":"Glwcos"}},"value":5.4,"interpretation":"normal","status":"final","#
            + #""collectedAt":"2026-02-02T08:15:00Z","resultedAt":"2026-02-02T15:40:00Z","#
            + #""performer":{"odsCode":"7A4BV","name":"Lab"},"reportLocation":"https://x/1"}"#
        #expect(Self.expectAgreement(TestResultRecorded.self, Array(plain.utf8)))
    }

    @Test func stringsAreReadAsJSONDecoderReadsThem() {
        func journal(_ text: [UInt8]) -> [UInt8] {
            Array(#"{"entryId":"e-1","nhsNumber":"9434765919","writtenAt":"2026-02-05T21:00:00+00:00","text":""#.utf8)
                + text + Array(#"","language":"cy","mood":4,"sharedWithCareTeam":false}"#.utf8)
        }
        for text in [#"Ysbyty Gwynedd ŵŷâ"#, #"a\"b\\c\/d\b\f\n\r\t"#, #"\u00e2\u0175"#, #"\ud83d\ude00 😀"#] {
            #expect(Self.expectAgreement(JournalEntryAdded.self, journal(Array(text.utf8))), "text \(text)")
        }
        for text in [#"\u0000"#, #"\ud800"#, #"\udc00"#, #"\ud800\u0041"#, #"\x41"#, #"\u12"#, "tab\there", "\u{7F}"] {
            Self.expectAgreement(JournalEntryAdded.self, journal(Array(text.utf8)), "text \(text)")
        }
        let invalidUTF8: [[UInt8]] = [[0xC3], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xFF]]
        for bytes in invalidUTF8 {
            #expect(!Self.expectAgreement(JournalEntryAdded.self, journal(bytes)))
        }
    }

    @Test func documentsTheTapeDoesNotReadAreLeftToJSONDecoder() {
        let withdrawn = #"{"consentId":"c-1","nhsNumber":"9434765919","withdrawnAt":"2026-02-02T08:15:00Z""#
        // JSONDecoder accepts a trailing comma; the tape leaves it to it, and the answer is JSONDecoder's.
        #expect(!Self.expectAgreement(ConsentWithdrawn.self, Array((withdrawn + ",}").utf8)))
        #expect(Self.expectAgreement(ConsentWithdrawn.self, Array((withdrawn + "}").utf8)))
        #expect(Self.expectAgreement(ConsentWithdrawn.self, Array((" \n" + withdrawn + "}\t").utf8)))
        // Deep nesting in an unread field does not crash the tape, and is ignored like any unknown field
        // (JSONDecoder refuses past 512 levels; jsonb stores it, so the event is valid).
        let deep = String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000)
        #expect(Self.expectAgreement(ConsentWithdrawn.self, Array((withdrawn + #","x":\#(deep)}"#).utf8)))
        let shallow = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(Self.expectAgreement(ConsentWithdrawn.self, Array((withdrawn + #","x":\#(shallow)}"#).utf8)))
        // A repeated field: both take the first.
        #expect(Self.expectAgreement(ConsentWithdrawn.self, Array((withdrawn + #","consentId":"c-2"}"#).utf8)))
        for broken in [withdrawn, withdrawn + "}}", withdrawn + "} x", "[" + withdrawn + "}]", "", "null", "{"] {
            #expect(!Self.expectAgreement(ConsentWithdrawn.self, Array(broken.utf8)), "\(broken.count) bytes")
        }
    }
}

/// A small seeded generator, so the damaged documents are the same on every run.
struct SplitMix {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
