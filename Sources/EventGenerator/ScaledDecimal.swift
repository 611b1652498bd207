/// A decimal number held as an integer and a count of decimals, so it always prints the same way.
///
/// `ScaledDecimal(scaled: 54, decimals: 1)` is 5.4. Binary doubles would print platform- and
/// release-dependent digits; laboratory values have a fixed number of decimals anyway.
struct ScaledDecimal: Comparable {
    /// The value times 10^`decimals`.
    var scaled: Int
    /// How many digits follow the decimal point; 0 prints an integer.
    var decimals: Int

    /// Creates a decimal from its scaled integer and its number of decimals.
    init(scaled: Int, decimals: Int) {
        self.scaled = scaled
        self.decimals = decimals
    }

    /// Compares two decimals of the same scale.
    static func < (lhs: ScaledDecimal, rhs: ScaledDecimal) -> Bool {
        lhs.scaled < rhs.scaled
    }

    /// The number as JSON and as people write it: `5.4`, `-0.25`, `42`.
    var text: String {
        var bytes: [UInt8] = []
        append(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the number's text to a byte buffer.
    func append(to bytes: inout [UInt8]) {
        let magnitude = scaled.magnitude
        if scaled < 0 { bytes.append(UInt8(ascii: "-")) }
        // At least one digit before the point and `decimals` after it.
        var digitCount = 1
        var power: UInt = 10
        while power <= magnitude || digitCount <= decimals {
            digitCount += 1
            power &*= 10
        }
        var divisor = power / 10
        for position in stride(from: digitCount, to: 0, by: -1) {
            if position == decimals { bytes.append(UInt8(ascii: ".")) }
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude / divisor % 10))
            divisor /= 10
        }
    }
}
