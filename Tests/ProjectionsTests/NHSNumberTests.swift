import ProjectionContract
import Testing

/// The NHS number rule of the event contract: 10 digits and a Modulus 11 check digit.
@Suite("NHS number")
struct NHSNumberTests {
    @Test(arguments: ["9434765919", "4010232137", "9876543210", "9434765870"])
    func acceptsNumbersWithAValidModulus11CheckDigit(_ text: String) {
        #expect(NHSNumber(text)?.digits == text)
    }

    @Test(arguments: ["9434765918", "1234567890"])
    func rejectsAWrongCheckDigit(_ text: String) {
        #expect(NHSNumber(text) == nil)
    }

    @Test func acceptsACheckDigitOfZeroWhenElevenMinusTheRemainderIsEleven() {
        // 100000006: weighted sum 22, 22 mod 11 = 0, so 11 - 0 = 11 becomes 0.
        #expect(NHSNumber("1000000060") != nil)
        #expect(NHSNumber("1000000061") == nil)
    }

    @Test func rejectsEveryNumberWhoseCheckDigitWouldBeTen() {
        // 100000001: weighted sum 12, 11 - 1 = 10, which no digit can hold.
        for last in 0...9 {
            #expect(NHSNumber("100000001\(last)") == nil)
        }
    }

    @Test(arguments: ["943 476 5919", "943476591", "94347659190", "943476591X", "", "９４３４７６５９１９"])
    func rejectsAnythingButTenASCIIDigits(_ text: String) {
        #expect(NHSNumber(text) == nil)
    }

    @Test func neverPrintsItsDigits() {
        let number = NHSNumber("9434765919")!
        #expect(!"\(number)".contains("9434765919"))
        #expect(!String(describing: number).contains("9434765919"))
        #expect(!String(reflecting: number).contains("9434765919"))
    }
}
