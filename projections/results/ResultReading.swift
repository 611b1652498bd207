import ProjectionContract
import ProjectionCore

/// What a recording or an amendment states about a result's value: the value, its unit, the reference
/// range and the interpretation, written alike to `lab_results` and `result_history`.
struct ResultReading {
    /// The value, numeric and as text.
    var value: ResultValue
    /// The unit of `value`, when it has one.
    var unit: String?
    /// The reference range, when the producer sent one.
    var range: ReferenceRange?
    /// How the value reads against the range.
    var interpretation: Interpretation

    /// `value_numeric`, `value_text`, `unit`, `range_low`, `range_high`, `range_text`, `interpretation`, `abnormal`.
    var columns: Columns {
        [
            "value_numeric": ResultReading.numeric(value),
            "value_text": .text(value.text),
            "unit": .text(unit),
            "range_low": ResultReading.decimal(range?.low),
            "range_high": ResultReading.decimal(range?.high),
            "range_text": .text(range?.text),
            "interpretation": .text(interpretation.rawValue),
            "abnormal": .bool(ResultReading.isAbnormal(interpretation)),
        ]
    }

    /// The same columns, all NULL: a version that states no value (entered in error).
    static let noReading: Columns = [
        "value_numeric": .null,
        "value_text": .null,
        "unit": .null,
        "range_low": .null,
        "range_high": .null,
        "range_text": .null,
        "interpretation": .null,
        "abnormal": .null,
    ]

    /// Whether `interpretation` flags the result: nil when it is `unknown` (schema version 1 results).
    static func isAbnormal(_ interpretation: Interpretation) -> Bool? {
        switch interpretation {
        case .normal: false
        case .low, .high, .abnormal, .critical: true
        case .unknown: nil
        }
    }

    /// The value for a `numeric` column: the producer's decimal text when it reads as the same number,
    /// so `0.80` and numbers beyond a `Double`'s precision are stored as sent; NULL for a text value.
    static func numeric(_ value: ResultValue) -> SQLValue {
        guard let number = value.numeric else { return .null }
        // `ResultValue` keeps the text of every numeric value it decodes; the check guards values built
        // some other way, whose text might not be a decimal at all.
        return ResultValue(text: value.text).numeric == number ? .text(value.text) : .double(number)
    }

    /// A bound for a `numeric` column in its shortest decimal form (`12`, not `12.0`); NULL when absent.
    static func decimal(_ number: Double?) -> SQLValue {
        guard let number else { return .null }
        return numeric(ResultValue(number))
    }
}
