-- A patient's current medications, newest first, keyset-paginated (the patient API's "my medicines").
--
-- $1 nhs_number text          any of the patient's numbers: a merged record is found by either
-- $2 grantee_type text, $3 grantee_id text
--                             who is asking: both NULL for the patient themself; else a grantee, who sees
--                             rows only while a consent with scope medications allows it
-- $4 at timestamptz           usually now()
-- $5 after_prescribed_at timestamptz, $6 after_medication_id text
--                             the last row of the previous page; both NULL for the first page
-- $7 page_size integer
--
-- Per number of the patient, medications_patient_active: an index range scan of active courses in the
-- page's order that stops after $7 rows; then a sort of those pages. The consent check runs once.
SELECT page.*
FROM unnest(medications.patient_numbers($1)) AS patient (nhs_number)
CROSS JOIN LATERAL (
    SELECT m.medication_id, m.name_en, m.name_cy, m.dosage_en, m.dosage_cy, m.cy_fallback, m.quantity_value,
           m.quantity_unit, m.kind, m.repeats_authorised, m.repeats_issued, m.review_date, m.prescribed_at,
           m.prescriber_name, m.last_issued_at, m.last_dispensed_at, m.latest_request_state
    FROM medications.medications m
    WHERE m.nhs_number = patient.nhs_number
      AND m.status = 'active'
      AND ($5::timestamptz IS NULL OR (m.prescribed_at, m.medication_id) < ($5, $6))
    ORDER BY m.prescribed_at DESC, m.medication_id DESC
    LIMIT $7
) page
WHERE $2::text IS NULL OR consent.may_view($1, $2, $3, 'medications', $4)
ORDER BY page.prescribed_at DESC, page.medication_id DESC
LIMIT $7;
