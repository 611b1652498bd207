-- A patient's allergies as the patient sees them (active and resolved; never one entered in error),
-- newest first, keyset-paginated.
--
-- $1 nhs_number text          any of the patient's numbers: a merged record is found by either
-- $2 grantee_type text, $3 grantee_id text
--                             both NULL for the patient themself; else a grantee, who sees rows only while a
--                             consent with scope medications allows it
-- $4 at timestamptz           usually now()
-- $5 after_recorded_at timestamptz, $6 after_allergy_id text
--                             the last row of the previous page; both NULL for the first page
-- $7 page_size integer
--
-- Per number of the patient, allergies_patient_visible in the page's order, stopping after $7 rows.
SELECT page.*
FROM unnest(medications.patient_numbers($1)) AS patient (nhs_number)
CROSS JOIN LATERAL (
    SELECT a.allergy_id, a.substance_name_en, a.substance_name_cy, a.reaction_en, a.reaction_cy, a.cy_fallback,
           a.severity, a.status, a.recorded_at, a.recorded_by_name, a.resolved_at
    FROM medications.allergies a
    WHERE a.nhs_number = patient.nhs_number
      AND a.visible_to_patient
      AND ($5::timestamptz IS NULL OR (a.recorded_at, a.allergy_id) < ($5, $6))
    ORDER BY a.recorded_at DESC, a.allergy_id DESC
    LIMIT $7
) page
WHERE $2::text IS NULL OR consent.may_view($1, $2, $3, 'medications', $4)
ORDER BY page.recorded_at DESC, page.allergy_id DESC
LIMIT $7;
