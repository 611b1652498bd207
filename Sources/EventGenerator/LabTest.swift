/// How a laboratory flags a result (the event contract's `interpretation`).
enum Interpretation: String {
    /// Within the reference range.
    case normal
    /// Below the reference range.
    case low
    /// Above the reference range.
    case high
    /// Outside normal for a result without a numeric range (a text result).
    case abnormal
    /// Beyond a critical limit, needing urgent action.
    case critical
}

/// A result's value: a number, or a text that a laboratory reports as such (`">90"`, a film comment).
enum LabValue {
    /// A numeric value with the test's number of decimals.
    case number(ScaledDecimal)
    /// A text value with the flag the laboratory gave it.
    case text(String, Interpretation)
}

/// A text result a test can report, and its flag.
struct TextResult {
    /// The reported text.
    let text: String
    /// The flag it carries.
    let interpretation: Interpretation
}

/// A laboratory test: its code, name, unit, reference and critical limits, and how its values are spread.
///
/// Limits and values are ``ScaledDecimal`` scaled integers with ``decimals`` decimals.
struct LabTest {
    /// The test code, e.g. LOINC `2823-3`.
    let code: String
    /// The code system URI, e.g. `http://loinc.org`.
    let system: String
    /// The test's name in English and Welsh.
    let name: BilingualText
    /// The unit, absent for text-valued tests.
    let unit: String?
    /// How many decimals values and limits have.
    let decimals: Int
    /// The reference range's lower limit.
    let low: Int?
    /// The reference range's upper limit.
    let high: Int?
    /// Values below this are critical.
    let criticalLow: Int?
    /// Values above this are critical.
    let criticalHigh: Int?
    /// The reference range as the laboratory prints it, when it prints one.
    let rangeText: String?
    /// The spread of sampled values.
    let sampleRange: ClosedRange<Int>
    /// Values above this are reported as the text `>limit` (eGFR's `>90`).
    let reportedAboveAsText: Int?
    /// For text-valued tests, the possible results, the first being the normal one; empty for numeric tests.
    let textResults: [TextResult]

    /// Whether results carry a `referenceRange`.
    var hasReferenceRange: Bool {
        low != nil || high != nil || rangeText != nil
    }

    /// A plausible value: mostly inside the reference range, sometimes anywhere in the sample range.
    func sample(using random: inout RandomSource) -> LabValue {
        if !textResults.isEmpty {
            let result = random.chance(0.75) ? textResults[0] : random.pick(textResults)
            return .text(result.text, result.interpretation)
        }
        var range = sampleRange
        if random.chance(0.7) {
            range = max(low ?? range.lowerBound, range.lowerBound)...min(high ?? range.upperBound, range.upperBound)
        }
        let scaled = random.int(in: range)
        if let limit = reportedAboveAsText, scaled > limit {
            return .text(">" + ScaledDecimal(scaled: limit, decimals: decimals).text, .normal)
        }
        return .number(ScaledDecimal(scaled: scaled, decimals: decimals))
    }

    /// The flag consistent with a value and this test's limits.
    func interpretation(of value: LabValue) -> Interpretation {
        switch value {
        case .text(_, let interpretation):
            return interpretation
        case .number(let number):
            let scaled = number.scaled
            if let criticalLow, scaled < criticalLow { return .critical }
            if let criticalHigh, scaled > criticalHigh { return .critical }
            if let low, scaled < low { return .low }
            if let high, scaled > high { return .high }
            return .normal
        }
    }

    /// The value as schemaVersion 1 producers send it: number and unit in one string (`"5.4 mmol/L"`).
    func legacyText(of value: LabValue) -> String {
        let text: String
        switch value {
        case .number(let number): text = number.text
        case .text(let reported, _): text = reported
        }
        guard let unit else { return text }
        return text + " " + unit
    }

    /// Writes `"referenceRange":{low?, high?, text?}`.
    func writeReferenceRange(to writer: inout JSONWriter) {
        writer.key("referenceRange")
        writer.beginObject()
        if let low { writer.field("low", ScaledDecimal(scaled: low, decimals: decimals)) }
        if let high { writer.field("high", ScaledDecimal(scaled: high, decimals: decimals)) }
        if let rangeText { writer.field("text", rangeText) }
        writer.endObject()
    }
}
