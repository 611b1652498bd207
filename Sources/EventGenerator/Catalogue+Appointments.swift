/// An outpatient clinic: its code, bilingual name, specialty and usual slot lengths.
struct Clinic {
    /// The clinic code the hospital system uses.
    let code: String
    /// The clinic's name in English and Welsh.
    let name: BilingualText
    /// The specialty, as the hospital system names it.
    let specialty: String
    /// Appointment lengths it books, in minutes.
    let slotMinutes: [Int]
}

extension Catalogue {
    /// Outpatient clinics with their Welsh names.
    static let clinics: [Clinic] = [
        clinic("CARD-OP", "Cardiology Outpatients", "Cleifion Allanol Cardioleg", "Cardiology", [15, 30]),
        clinic("DIAB", "Diabetes Clinic", "Clinig Diabetes", "Diabetic Medicine", [20, 30]),
        clinic("RESP", "Respiratory Clinic", "Clinig Anadlol", "Respiratory Medicine", [20, 30]),
        clinic("FRAC", "Fracture Clinic", "Clinig Torasgwrn", "Trauma and Orthopaedics", [15]),
        clinic("OPHTH", "Eye Clinic", "Clinig Llygaid", "Ophthalmology", [15, 20]),
        clinic("DERM-OP", "Dermatology Outpatients", "Cleifion Allanol Dermatoleg", "Dermatology", [15]),
        clinic("ANC", "Antenatal Clinic", "Clinig Cynenedigol", "Obstetrics", [30, 45]),
        clinic("PHYSIO", "Physiotherapy", "Ffisiotherapi", "Physiotherapy", [30, 45, 60]),
        clinic("MEM", "Memory Clinic", "Clinig y Cof", "Old Age Psychiatry", [45, 60]),
        clinic("ENT", "Ear, Nose and Throat Clinic", "Clinig Clust, Trwyn a Gwddf", "ENT", [15, 20]),
    ]

    /// Why an appointment moved.
    static let rescheduleReasons = [
        "Patient request", "Clinician on leave", "Clinic capacity", "Equipment unavailable",
    ]

    /// Why a patient cancelled.
    static let patientCancellationReasons = [
        "Patient unable to attend", "Symptoms resolved", "Treated elsewhere", "Transport unavailable",
    ]

    /// Why a provider cancelled.
    static let providerCancellationReasons = [
        "Clinic cancelled due to staff sickness", "Clinician unavailable", "Referral no longer appropriate",
    ]

    private static func clinic(
        _ code: String,
        _ english: String,
        _ welsh: String,
        _ specialty: String,
        _ slotMinutes: [Int]
    ) -> Clinic {
        Clinic(code: code, name: BilingualText(en: english, cy: welsh), specialty: specialty, slotMinutes: slotMinutes)
    }
}
