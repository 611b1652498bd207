import ProjectionContract
import ProjectionCore

/// Test orders: one row per order, and the test columns orders and results share.
extension ResultsProjection {
    /// The order, inserted or overwritten whole.
    func changes(for ordering: Decoded<TestOrdered>, at position: Int64) -> [RowChange] {
        let order = ordering.payload
        var columns = ResultsProjection.testColumns(order.test)
        columns.merge(
            [
                "nhs_number": .text(order.nhsNumber.digits),
                "ordered_at": .text(order.orderedAt.text),
                "ordered_by_ods": .text(order.orderedBy.odsCode),
                "ordered_by_name": .text(order.orderedBy.name),
                "source_system": .text(ordering.metadata.sourceSystem),
                "last_position": .int(position),
            ]
        ) { $1 }
        return [.upsert(ResultsProjection.orders, key: [.text(order.orderID)], columns)]
    }

    /// `test_code`, `test_system`, `test_name_en`, `test_name_cy` and `cy_fallback`, true when the
    /// producer sent no Welsh name and `test_name_cy` holds the English one.
    static func testColumns(_ test: LabTest) -> Columns {
        [
            "test_code": .text(test.code),
            "test_system": .text(test.system),
            "test_name_en": .text(test.name.en),
            "test_name_cy": .text(test.name.cy),
            "cy_fallback": .bool(test.name.cyIsFallback),
        ]
    }
}
