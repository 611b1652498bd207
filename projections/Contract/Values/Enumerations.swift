/// A closed vocabulary of the event contract, carried as its JSON string.
///
/// The vocabularies are small and alike, so they share this file.
public protocol ContractEnumeration: RawRepresentable<String>, CaseIterable, Hashable, Sendable {
    /// The values a producer may send; defaults to every case.
    static var acceptedFromProducers: [Self] { get }
}

extension ContractEnumeration {
    /// Every case.
    public static var acceptedFromProducers: [Self] { Array(allCases) }

    /// The case for `text`, or a violation listing the accepted values (the rule, not the value).
    init(validating text: String) throws(ContractViolation) {
        guard let value = Self(rawValue: text), Self.acceptedFromProducers.contains(value) else {
            let accepted = Self.acceptedFromProducers.map(\.rawValue).joined(separator: ", ")
            throw ContractViolation("must be one of \(accepted)")
        }
        self = value
    }
}

/// A language of the app: `en` (English) or `cy` (Welsh).
public enum Language: String, ContractEnumeration {
    /// English.
    case en
    /// Welsh (Cymraeg).
    case cy
}

/// How an appointment takes place.
public enum AppointmentMode: String, ContractEnumeration {
    /// At the clinic.
    case inPerson = "in-person"
    /// By video call.
    case video
    /// By telephone.
    case telephone
}

/// Who cancelled an appointment.
public enum CancelledBy: String, ContractEnumeration {
    /// The patient cancelled.
    case patient
    /// The hospital, clinic or practice cancelled.
    case provider
}

/// How the laboratory reads a result against its reference range.
public enum Interpretation: String, ContractEnumeration {
    /// Within the reference range.
    case normal
    /// Below the reference range.
    case low
    /// Above the reference range.
    case high
    /// Outside what is expected, for results without a numeric range.
    case abnormal
    /// Needs urgent clinical attention.
    case critical
    /// Not sent by producers: what a schema version 1 result, which had no interpretation, is upcast to.
    case unknown

    /// Every case but `unknown`.
    public static var acceptedFromProducers: [Interpretation] { [.normal, .low, .high, .abnormal, .critical] }
}

/// Whether a recorded result may still change.
public enum ResultStatus: String, ContractEnumeration {
    /// May still change.
    case preliminary
    /// Complete; only an amendment changes it.
    case final
}

/// Why a consent is granted.
public enum ConsentPurpose: String, ContractEnumeration {
    /// The patient's own care.
    case directCare = "direct-care"
    /// Research.
    case research
}

/// What kind of party a consent is granted to.
public enum GranteeType: String, ContractEnumeration {
    /// An organisation, by ODS code.
    case organisation
    /// Everyone holding a role.
    case role
    /// One named person.
    case person
}

/// A part of the record a consent opens.
public enum ConsentScope: String, ContractEnumeration {
    /// The timeline.
    case timeline
    /// Test results.
    case results
    /// Appointments.
    case appointments
    /// The patient's journal.
    case journal
    /// Medications, repeat prescriptions and allergies.
    case medications
}

/// Whether a medication is a one-off course or repeated on request (`MedicationPrescribed.kind`).
public enum MedicationKind: String, ContractEnumeration {
    /// A one-off course.
    case acute
    /// Issued again on each approved repeat request, up to the repeats authorised.
    case `repeat`
}

/// Where a repeat prescription was requested (`RepeatPrescriptionRequested.channel`).
public enum RequestChannel: String, ContractEnumeration {
    /// In the app, by the patient.
    case app
    /// By the patient's pharmacy.
    case pharmacy
    /// At or by the GP practice.
    case practice
}

/// How severe an allergic reaction is (`AllergyRecorded.severity`).
public enum AllergySeverity: String, ContractEnumeration {
    /// Mild.
    case mild
    /// Moderate.
    case moderate
    /// Severe.
    case severe
}
