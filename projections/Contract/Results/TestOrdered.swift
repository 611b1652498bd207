/// `TestOrdered`: a clinician orders a laboratory test (stream `laborder-<orderId>`).
public struct TestOrdered: EventPayload {
    /// `TestOrdered`.
    public static let eventType = "TestOrdered"

    /// The order.
    public var orderID: String
    /// The patient.
    public var nhsNumber: NHSNumber
    /// When the test was ordered.
    public var orderedAt: Timestamp
    /// The test ordered.
    public var test: LabTest
    /// Who ordered it.
    public var orderedBy: Organisation

    private enum CodingKeys: String, CodingKey {
        case orderID = "orderId"
        case nhsNumber, orderedAt, test, orderedBy
    }

    /// Decodes and validates the payload.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        orderID = try container.id(.orderID)
        nhsNumber = try container.nhsNumber(.nhsNumber)
        orderedAt = try container.timestamp(.orderedAt)
        test = try container.decode(LabTest.self, forKey: .test)
        orderedBy = try container.decode(Organisation.self, forKey: .orderedBy)
    }
}
