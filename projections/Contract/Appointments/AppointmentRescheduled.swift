/// `AppointmentRescheduled`: an appointment moves to a new time.
public struct AppointmentRescheduled: EventPayload {
    /// `AppointmentRescheduled`.
    public static let eventType = "AppointmentRescheduled"

    /// The appointment.
    public var appointmentID: String
    /// The patient.
    public var nhsNumber: NHSNumber
    /// The new start.
    public var startsAt: Timestamp
    /// The new end, when known.
    public var endsAt: Timestamp?
    /// Why it moved, as free text.
    public var reason: String?

    private enum CodingKeys: String, CodingKey {
        case appointmentID = "appointmentId"
        case nhsNumber, startsAt, endsAt, reason
    }

    /// Decodes and validates the payload.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        appointmentID = try container.id(.appointmentID)
        nhsNumber = try container.nhsNumber(.nhsNumber)
        startsAt = try container.timestamp(.startsAt)
        endsAt = try container.timestampIfPresent(.endsAt)
        reason = try container.textIfPresent(.reason)
    }
}
