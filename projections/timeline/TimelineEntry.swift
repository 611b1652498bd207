import ProjectionContract
import ProjectionCore

/// One row of `entries` as a creating event writes it: every column, so a replay gives the same row.
struct TimelineEntry {
    /// What the entry is about: the `kind` column.
    enum Kind: String {
        /// An appointment, at its current start time.
        case appointment
        /// A laboratory test order, at the time it was ordered.
        case testOrder = "test-order"
        /// A laboratory result, at the time it was produced.
        case result
        /// A patient's journal entry, at the time it was written.
        case journal
        /// The patient's registration with the app.
        case registration
        /// A course of medicine, at the time it was prescribed.
        case medication
        /// A repeat prescription request, at the time it was made.
        case repeatRequest = "repeat-request"
        /// A prescription, at the time it was issued.
        case prescription
        /// An allergy, at the time it was recorded.
        case allergy

        /// The prefix of `entry_id`; ids are unique only within their kind (the event contract).
        var keyPrefix: String {
            switch self {
            case .appointment: "appointment"
            case .testOrder: "order"
            case .result: "result"
            case .journal: "journal"
            case .registration: "registration"
            case .medication: "medication"
            case .repeatRequest: "request"
            case .prescription: "prescription"
            case .allergy: "allergy"
            }
        }
    }

    /// The `entries` row key of the `kind` entry for `id`: `appointment:<id>`, `order:<id>` …
    static func key(_ kind: Kind, _ id: String) -> [SQLValue] {
        [.text(kind.keyPrefix + ":" + id)]
    }

    /// `kind`, and the first part of `entry_id`.
    var kind: Kind
    /// The producer's id of the appointment, order, result or journal entry (the NHS number for a
    /// registration): the second part of `entry_id`.
    var id: String
    /// `nhs_number`.
    var nhsNumber: NHSNumber
    /// `occurred_at`: where the entry sits on the timeline.
    var occurredAt: Timestamp
    /// `status`: the entry's latest state; nil for journal entries.
    var status: String?
    /// `title_en` and `title_cy`.
    var title: BilingualText
    /// `summary_en` and `summary_cy`.
    var summary: BilingualText
    /// `detail_kind` and `detail_id`: the read model and row "show more" follows.
    var detail: (kind: String, id: String)?
    /// `detail_location`: the full report's URI, for results.
    var detailLocation: String? = nil
    /// `source_system`: `metadata.sourceSystem` of the creating event.
    var sourceSystem: String?
    /// `visible_to_patient`; true when an entry is created.
    var visibleToPatient = true
    /// `shared_with_care_team`, for journal entries.
    var sharedWithCareTeam: Bool? = nil
    /// `last_position`: the creating event's `global_position`.
    var lastPosition: Int64

    /// The primary key.
    var key: [SQLValue] { TimelineEntry.key(kind, id) }

    /// Every non-key column; `cy_fallback` is true when the title or the summary fell back to English.
    var columns: Columns {
        [
            "nhs_number": .text(nhsNumber.digits),
            "kind": .text(kind.rawValue),
            "occurred_at": .text(occurredAt.text),
            "status": .text(status),
            "title_en": .text(title.en),
            "title_cy": .text(title.cy),
            "summary_en": .text(summary.en),
            "summary_cy": .text(summary.cy),
            "cy_fallback": .bool(title.cyIsFallback || summary.cyIsFallback),
            "detail_kind": .text(detail?.kind),
            "detail_id": .text(detail?.id),
            "detail_location": .text(detailLocation),
            "source_system": .text(sourceSystem),
            "visible_to_patient": .bool(visibleToPatient),
            "shared_with_care_team": .bool(sharedWithCareTeam),
            "last_position": .int(lastPosition),
        ]
    }
}
