/// `AppointmentAttended`: the patient attended.
public struct AppointmentAttended: EventPayload {
    /// `AppointmentAttended`.
    public static let eventType = "AppointmentAttended"

    /// The appointment.
    public var appointmentID: String
    /// The patient.
    public var nhsNumber: NHSNumber
    /// When the patient arrived or was seen.
    public var attendedAt: Timestamp

    private enum CodingKeys: String, CodingKey {
        case appointmentID = "appointmentId"
        case nhsNumber, attendedAt
    }

    /// Decodes and validates the payload.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        appointmentID = try container.id(.appointmentID)
        nhsNumber = try container.nhsNumber(.nhsNumber)
        attendedAt = try container.timestamp(.attendedAt)
    }
}
