-- A page of a patient's timeline, newest first, keyset-paginated (the patient API's main query).
--
-- $1 nhs_number text    any of the patient's numbers: a merged record is found by either (merged_numbers)
-- $2 kind text          one of appointment, test-order, result, journal, registration, medication,
--                       repeat-request, prescription, allergy; NULL for all kinds
-- $3 from timestamptz   entries at or after it; NULL for no lower bound
-- $4 to timestamptz     entries before it; NULL for no upper bound
-- $5 after_occurred_at timestamptz, $6 after_entry_id text
--                       the last row of the previous page (the cursor); both NULL for the first page
-- $7 page_size integer
--
-- For each of the patient's numbers (one, unless records were merged), an index range scan of
-- entries_patient_newest, or entries_patient_kind_newest when $2 is given, in the requested order that
-- stops after $7 rows, whatever the history's length; then a sort of those few rows (at most $7 per number).
SELECT page.entry_id, page.kind, page.occurred_at, page.status, page.title_en, page.title_cy, page.summary_en,
       page.summary_cy, page.cy_fallback, page.detail_kind, page.detail_id, page.detail_location
FROM unnest(timeline.patient_numbers($1)) AS patient (nhs_number)
CROSS JOIN LATERAL (
    SELECT entry_id, kind, occurred_at, status, title_en, title_cy, summary_en, summary_cy, cy_fallback,
           detail_kind, detail_id, detail_location
    FROM timeline.entries
    WHERE nhs_number = patient.nhs_number
      AND visible_to_patient
      AND ($2::text IS NULL OR kind = $2)
      AND ($3::timestamptz IS NULL OR occurred_at >= $3)
      AND ($4::timestamptz IS NULL OR occurred_at < $4)
      AND ($5::timestamptz IS NULL OR (occurred_at, entry_id) < ($5, $6))
    ORDER BY occurred_at DESC, entry_id DESC
    LIMIT $7
) page
ORDER BY page.occurred_at DESC, page.entry_id DESC
LIMIT $7;
