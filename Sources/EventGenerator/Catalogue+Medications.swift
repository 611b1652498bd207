extension Catalogue {
    /// A medicine as prescribers code it (dm+d), with a usual dosage and pack size.
    struct Medicine {
        let code: String
        let name: BilingualText
        let dosage: BilingualText
        let quantity: Int
        let unit: String
    }

    /// Medicines commonly prescribed in primary care; codes are dm+d virtual medicinal products.
    static let medicines = [
        Medicine(
            code: "317896006",
            name: BilingualText(en: "Metformin 500mg tablets", cy: "Tabledi metformin 500mg"),
            dosage: BilingualText(en: "One tablet twice a day with meals", cy: "Un dabled ddwywaith y dydd gyda bwyd"),
            quantity: 56,
            unit: "tablet"
        ),
        Medicine(
            code: "318420003",
            name: BilingualText(en: "Amlodipine 5mg tablets", cy: "Tabledi amlodipin 5mg"),
            dosage: BilingualText(en: "One tablet once a day", cy: "Un dabled unwaith y dydd"),
            quantity: 28,
            unit: "tablet"
        ),
        Medicine(
            code: "320000009",
            name: BilingualText(en: "Salbutamol 100micrograms inhaler", cy: "Anadlydd salbutamol 100microgram"),
            dosage: BilingualText(en: "Two puffs when needed", cy: "Dau bwff pan fo angen"),
            quantity: 1,
            unit: "inhaler"
        ),
        Medicine(
            code: "321208007",
            name: BilingualText(en: "Sertraline 50mg tablets", cy: "Tabledi sertralin 50mg"),
            dosage: BilingualText(en: "One tablet each morning", cy: "Un dabled bob bore"),
            quantity: 28,
            unit: "tablet"
        ),
        Medicine(
            code: "323509004",
            name: BilingualText(en: "Amoxicillin 500mg capsules", cy: "Capsiwlau amocsisilin 500mg"),
            dosage: BilingualText(
                en: "One capsule three times a day for 5 days",
                cy: "Un capsiwl dair gwaith y dydd am 5 diwrnod"
            ),
            quantity: 15,
            unit: "capsule"
        ),
        Medicine(
            code: "376786001",
            name: BilingualText(en: "Levothyroxine 50microgram tablets", cy: "Tabledi lefothirocsin 50microgram"),
            dosage: BilingualText(
                en: "One tablet each morning before breakfast",
                cy: "Un dabled bob bore cyn brecwast"
            ),
            quantity: 28,
            unit: "tablet"
        ),
    ]

    /// Substances patients are allergic to (SNOMED CT), with a reaction.
    static let allergens: [(code: String, name: BilingualText, reaction: BilingualText)] = [
        ("764146007", BilingualText(en: "Penicillin", cy: "Penisilin"), BilingualText(en: "Rash", cy: "Brech")),
        (
            "91935009", BilingualText(en: "Peanut", cy: "Cneuen fwnci"),
            BilingualText(en: "Swelling of the lips", cy: "Chwyddo'r gwefusau")
        ),
        ("387458008", BilingualText(en: "Aspirin", cy: "Asbirin"), BilingualText(en: "Wheezing", cy: "Gwichian")),
        ("111088007", BilingualText(en: "Latex", cy: "Latecs"), BilingualText(en: "Itching", cy: "Cosi")),
    ]

    /// Why a practice turns a repeat request down, as the patient reads it.
    static let rejectionReasons = [
        BilingualText(en: "Please book a medication review first", cy: "Trefnwch adolygiad meddyginiaeth yn gyntaf"),
        BilingualText(en: "Too early to reorder", cy: "Rhy gynnar i archebu eto"),
        BilingualText(en: "Please contact the practice", cy: "Cysylltwch â'r feddygfa"),
    ]

    /// Community pharmacies that dispense prescriptions.
    static let pharmacies = [
        Organisation(odsCode: "FW123", name: "Fferyllfa'r Stryd Fawr"),
        Organisation(odsCode: "FQ456", name: "Boots Cardiff Queen Street"),
        Organisation(odsCode: "FV789", name: "Well Pharmacy Swansea"),
    ]
}
