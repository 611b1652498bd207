import EventInput
import Foundation
import Testing

/// The import line's own checks, beside the fuzzers' oracles.
@Suite struct EventLineTests {
    @Test(arguments: [
        ("7c9e6679-7425-40de-944b-e07fc1f90ae7", true),
        ("7C9E6679-7425-40DE-944B-E07FC1F90AE7", true),
        ("7c9e6679742540de944be07fc1f90ae7", false),
        ("7c9e6679-7425-40de-944b-e07fc1f90ae", false),
        ("7c9e6679-7425-40de-944b-e07fc1f90ae70", false),
        ("7c9e6679-7425-40de-944b-e07fc1f90aeg", false),
        ("7c9e6679+7425-40de-944b-e07fc1f90ae7", false),
        ("{7c9e6679-7425-40de-944b-e07fc1f90ae}", false),
        ("", false),
    ])
    func aUUIDIsItsTextFormAsFoundationReadsIt(text: String, isUUID: Bool) {
        #expect(EventLine.isUUID(text) == isUUID)
        #expect((UUID(uuidString: text) != nil) == isUUID, "Foundation disagrees")
    }

    @Test func aStreamMustBeCategoryDashID() throws {
        for stream in ["journal", "-9990001234", ""] {
            let line = #"{"stream": "\#(stream)", "type": "T", "data": {}}"#
            #expect(throws: EventLine.Problem.self) { try EventLine(Array(line.utf8), maxBytes: 1 << 20) }
        }
        let line = #"{"stream": "journal-9990001234", "type": "T", "data": {}}"#
        #expect(try EventLine(Array(line.utf8), maxBytes: 1 << 20).stream == "journal-9990001234")
    }
}
