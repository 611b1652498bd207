-- A patient's repeat prescription requests still in progress (requested, or approved and not yet issued),
-- newest first, keyset-paginated: "where is my prescription?".
--
-- $1 nhs_number text          any of the patient's numbers: a merged record is found by either
-- $2 grantee_type text, $3 grantee_id text
--                             both NULL for the patient themself; else a grantee, who sees rows only while a
--                             consent with scope medications allows it
-- $4 at timestamptz           usually now()
-- $5 after_requested_at timestamptz, $6 after_request_id text
--                             the last row of the previous page; both NULL for the first page
-- $7 page_size integer
--
-- Per number of the patient, repeat_requests_patient_open (a partial index over requested and approved
-- requests) in the page's order, stopping after $7 rows; the medicine's name by medications' primary key.
-- Tables are named in the order the read model declares them (medications first): the order a rebuild's drop
-- locks them in, so that the two never deadlock.
SELECT page.*
FROM unnest(medications.patient_numbers($1)) AS patient (nhs_number)
CROSS JOIN LATERAL (
    SELECT r.request_id, r.state, r.channel, r.requested_at, r.approved_at, r.approved_by_name,
           m.medication_id, m.name_en, m.name_cy, m.cy_fallback
    FROM medications.medications m
    JOIN medications.repeat_requests r ON r.medication_id = m.medication_id
    WHERE r.nhs_number = patient.nhs_number
      AND r.state IN ('requested', 'approved')
      AND ($5::timestamptz IS NULL OR (r.requested_at, r.request_id) < ($5, $6))
    ORDER BY r.requested_at DESC, r.request_id DESC
    LIMIT $7
) page
WHERE $2::text IS NULL OR consent.may_view($1, $2, $3, 'medications', $4)
ORDER BY page.requested_at DESC, page.request_id DESC
LIMIT $7;
