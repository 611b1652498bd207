/// `AppointmentBooked`: an appointment is made for a patient (stream `appointment-<appointmentId>`).
public struct AppointmentBooked: EventPayload {
    /// `AppointmentBooked`.
    public static let eventType = "AppointmentBooked"

    /// The appointment.
    public var appointmentID: String
    /// The patient.
    public var nhsNumber: NHSNumber
    /// When the appointment starts.
    public var startsAt: Timestamp
    /// When the appointment ends, when known.
    public var endsAt: Timestamp?
    /// The clinic, with its name in English and Welsh.
    public var clinic: Clinic
    /// The specialty, as the producer names it (not translated).
    public var specialty: String
    /// The organisation that runs the clinic.
    public var organisation: Organisation
    /// In person, by video or by telephone.
    public var mode: AppointmentMode
    /// The e-Referral Service Unique Booking Reference Number: 12 digits.
    public var bookingReference: String?

    private enum CodingKeys: String, CodingKey {
        case appointmentID = "appointmentId"
        case nhsNumber, startsAt, endsAt, clinic, specialty, organisation, mode, bookingReference
    }

    /// Decodes and validates the payload.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        appointmentID = try container.id(.appointmentID)
        nhsNumber = try container.nhsNumber(.nhsNumber)
        startsAt = try container.timestamp(.startsAt)
        endsAt = try container.timestampIfPresent(.endsAt)
        clinic = try container.decode(Clinic.self, forKey: .clinic)
        specialty = try container.text(.specialty)
        organisation = try container.decode(Organisation.self, forKey: .organisation)
        mode = try container.enumeration(.mode)
        bookingReference = try container.decodeIfPresent(String.self, forKey: .bookingReference)
        if let bookingReference, !AppointmentBooked.isUBRN(bookingReference) {
            throw ContractViolation("must be 12 digits", at: container.codingPath, CodingKeys.bookingReference)
        }
    }

    /// Whether `text` is exactly 12 ASCII digits, the form of an e-RS booking reference.
    static func isUBRN(_ text: String) -> Bool {
        text.utf8.count == 12 && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}
