/// `AppointmentCancelled`: the patient or the provider cancels an appointment.
public struct AppointmentCancelled: EventPayload {
    /// `AppointmentCancelled`.
    public static let eventType = "AppointmentCancelled"

    /// The appointment.
    public var appointmentID: String
    /// The patient.
    public var nhsNumber: NHSNumber
    /// The patient or the provider.
    public var cancelledBy: CancelledBy
    /// Why, as free text.
    public var reason: String?

    private enum CodingKeys: String, CodingKey {
        case appointmentID = "appointmentId"
        case nhsNumber, cancelledBy, reason
    }

    /// Decodes and validates the payload.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        appointmentID = try container.id(.appointmentID)
        nhsNumber = try container.nhsNumber(.nhsNumber)
        cancelledBy = try container.enumeration(.cancelledBy)
        reason = try container.textIfPresent(.reason)
    }
}
