import ProjectionContract
import ProjectionCore

/// The patient's journal: one entry per journal entry, removed when the patient deletes it.
extension TimelineProjection {
    /// Summaries are cut to this many characters, an ellipsis included.
    static let journalSummaryLength = 200

    /// The entry, summarised by the start of its text in the language the patient wrote in.
    ///
    /// The patient's own words are not translated: an entry written in English shows English in
    /// Welsh too and is marked `cy_fallback`.
    func changes(for writing: Decoded<JournalEntryAdded>, at position: Int64) -> [RowChange] {
        let journal = writing.payload
        let excerpt = TimelineProjection.excerpt(journal.text, limit: TimelineProjection.journalSummaryLength)
        var summary = BilingualText(en: excerpt, cy: excerpt)
        summary.cyIsFallback = journal.language == .en
        let entry = TimelineEntry(
            kind: .journal,
            id: journal.entryID,
            nhsNumber: journal.nhsNumber,
            occurredAt: journal.writtenAt,
            status: nil,
            title: TimelineText.journalTitle,
            summary: summary,
            detail: ("journal", journal.entryID),
            sourceSystem: writing.metadata.sourceSystem,
            sharedWithCareTeam: journal.sharedWithCareTeam,
            lastPosition: position
        )
        return [upsert(entry)]
    }

    /// The entry's sharing with the care team.
    func changes(for sharing: Decoded<JournalEntrySharingChanged>, at position: Int64) -> [RowChange] {
        [
            update(
                TimelineEntry.key(.journal, sharing.payload.entryID),
                ["shared_with_care_team": .bool(sharing.payload.sharedWithCareTeam)],
                at: position
            )
        ]
    }

    /// The entry is removed: a patient's deletion is honoured, not flagged.
    func changes(for deletion: Decoded<JournalEntryDeleted>, at position: Int64) -> [RowChange] {
        [.delete(TimelineProjection.table, key: TimelineEntry.key(.journal, deletion.payload.entryID))]
    }

    /// `text` on one line (whitespace runs become one space), cut at a word boundary to at most
    /// `limit` characters with a trailing `…` when it was longer.
    static func excerpt(_ text: String, limit: Int) -> String {
        var line = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            let isWhitespace =
                scalar.isASCII
                ? scalar == " " || (0x09...0x0D).contains(scalar.value)
                : scalar.properties.isWhitespace
            if isWhitespace {
                pendingSpace = !line.isEmpty
                continue
            }
            if pendingSpace {
                line.append(" ")
                pendingSpace = false
            }
            line.append(scalar)
        }
        let oneLine = String(line)
        guard oneLine.count > limit else { return oneLine }
        var cut = oneLine.prefix(limit - 1)
        // Prefer a word boundary, unless that would drop more than a fifth of the excerpt.
        if let space = cut.lastIndex(of: " "), cut.distance(from: cut.startIndex, to: space) >= limit * 4 / 5 {
            cut = cut[..<space]
        }
        return String(cut) + "…"
    }
}
