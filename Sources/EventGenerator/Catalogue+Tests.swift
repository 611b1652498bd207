extension Catalogue {
    /// LOINC's code system URI.
    static let loinc = "http://loinc.org"
    /// SNOMED CT's code system URI.
    static let snomed = "http://snomed.info/sct"

    /// Common laboratory tests with Welsh names, units and UK-style reference ranges.
    static let tests: [LabTest] = [
        numeric(
            "59261-8",
            "HbA1c",
            "HbA1c",
            unit: "mmol/mol",
            decimals: 0,
            low: 20,
            high: 41,
            criticalHigh: 130,
            sample: 25...110
        ),
        numeric(
            "2823-3",
            "Serum potassium",
            "Potasiwm serwm",
            unit: "mmol/L",
            decimals: 1,
            low: 35,
            high: 53,
            criticalLow: 25,
            criticalHigh: 65,
            sample: 22...72
        ),
        numeric(
            "2951-2",
            "Serum sodium",
            "Sodiwm serwm",
            unit: "mmol/L",
            decimals: 0,
            low: 133,
            high: 146,
            criticalLow: 120,
            criticalHigh: 160,
            sample: 115...165
        ),
        LabTest(
            code: "26604007",
            system: snomed,
            name: BilingualText(en: "Full blood count", cy: "Cyfrif gwaed llawn"),
            unit: nil,
            decimals: 0,
            low: nil,
            high: nil,
            criticalLow: nil,
            criticalHigh: nil,
            rangeText: nil,
            sampleRange: 0...0,
            reportedAboveAsText: nil,
            textResults: [
                TextResult(text: "No abnormality detected", interpretation: .normal),
                TextResult(text: "Mild normocytic anaemia, see report", interpretation: .abnormal),
                TextResult(text: "Raised white cell count, see report", interpretation: .abnormal),
            ]
        ),
        numeric(
            "62238-1",
            "Estimated glomerular filtration rate",
            "Cyfradd hidlo glomerwlaidd amcangyfrifedig",
            unit: "mL/min/1.73m2",
            decimals: 0,
            low: 60,
            criticalLow: 15,
            sample: 8...120,
            reportedAbove: 90
        ),
        numeric(
            "2093-3",
            "Total cholesterol",
            "Colesterol cyfan",
            unit: "mmol/L",
            decimals: 1,
            high: 50,
            sample: 28...85
        ),
        numeric(
            "3016-3",
            "Thyroid stimulating hormone",
            "Hormon ysgogi'r thyroid",
            unit: "mU/L",
            decimals: 2,
            low: 27,
            high: 420,
            sample: 1...1_200
        ),
        numeric(
            "718-7",
            "Haemoglobin",
            "Haemoglobin",
            unit: "g/L",
            decimals: 0,
            low: 120,
            high: 170,
            criticalLow: 70,
            sample: 60...185
        ),
        numeric(
            "1988-5",
            "C-reactive protein",
            "Protein C-adweithiol",
            unit: "mg/L",
            decimals: 0,
            high: 5,
            rangeText: "<5 mg/L",
            sample: 0...180
        ),
        numeric(
            "2132-9",
            "Serum vitamin B12",
            "Fitamin B12 serwm",
            unit: "ng/L",
            decimals: 0,
            low: 197,
            high: 771,
            sample: 80...1_200
        ),
    ]

    /// Why a result was amended.
    static let amendmentReasons = [
        "Transcription error corrected", "Sample re-analysed", "Units corrected", "Reference range updated",
    ]

    /// Why a result was entered in error.
    static let enteredInErrorReasons = [
        "Result recorded against the wrong patient", "Sample mislabelled", "Duplicate result",
    ]

    /// What older producers put in `value` when there is no number to give.
    static let unparseableLegacyValues = ["see report", "sample haemolysed", "insufficient sample"]

    private static func numeric(
        _ code: String,
        _ english: String,
        _ welsh: String,
        unit: String,
        decimals: Int,
        low: Int? = nil,
        high: Int? = nil,
        criticalLow: Int? = nil,
        criticalHigh: Int? = nil,
        rangeText: String? = nil,
        sample: ClosedRange<Int>,
        reportedAbove: Int? = nil
    ) -> LabTest {
        LabTest(
            code: code,
            system: loinc,
            name: BilingualText(en: english, cy: welsh),
            unit: unit,
            decimals: decimals,
            low: low,
            high: high,
            criticalLow: criticalLow,
            criticalHigh: criticalHigh,
            rangeText: rangeText,
            sampleRange: sample,
            reportedAboveAsText: reportedAbove,
            textResults: []
        )
    }
}
