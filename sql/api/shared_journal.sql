-- The journal entries a grantee may see for a patient, newest first, keyset-paginated: only entries
-- the patient shares with the care team, and only while a consent with scope journal allows it.
--
-- $1 nhs_number text                        any of the patient's numbers: a merged record is found by either
-- $2 grantee_type text, $3 grantee_id text   who is asking
-- $4 at timestamptz                         usually now()
-- $5 after_occurred_at timestamptz, $6 after_entry_id text
--                                           the last row of the previous page; both NULL for the first page
-- $7 page_size integer
--
-- The consent check runs once per query (a consent under any of the patient's numbers counts); the entries
-- come from entries_patient_kind_newest, $7 at most per number, then a sort of those few rows.
SELECT page.*
FROM unnest(timeline.patient_numbers($1)) AS patient (nhs_number)
CROSS JOIN LATERAL (
    SELECT e.entry_id, e.occurred_at, e.title_en, e.title_cy, e.summary_en, e.summary_cy, e.detail_id
    FROM timeline.entries e
    WHERE e.nhs_number = patient.nhs_number
      AND e.kind = 'journal'
      AND e.visible_to_patient
      AND e.shared_with_care_team
      AND ($5::timestamptz IS NULL OR (e.occurred_at, e.entry_id) < ($5, $6))
    ORDER BY e.occurred_at DESC, e.entry_id DESC
    LIMIT $7
) page
WHERE consent.may_view($1, $2, $3, 'journal', $4)
ORDER BY page.occurred_at DESC, page.entry_id DESC
LIMIT $7;
