/// `AppointmentMissed`: the patient did not attend.
public struct AppointmentMissed: EventPayload {
    /// `AppointmentMissed`.
    public static let eventType = "AppointmentMissed"

    /// The appointment.
    public var appointmentID: String
    /// The patient.
    public var nhsNumber: NHSNumber

    private enum CodingKeys: String, CodingKey {
        case appointmentID = "appointmentId"
        case nhsNumber
    }

    /// Decodes and validates the payload.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        appointmentID = try container.id(.appointmentID)
        nhsNumber = try container.nhsNumber(.nhsNumber)
    }
}
