-- A patient's upcoming appointments, soonest first, keyset-paginated (the patient API).
--
-- $1 nhs_number text            any of the patient's numbers: a merged record is found by either
-- $2 now timestamptz            appointments starting at or after it
-- $3 after_starts_at timestamptz, $4 after_appointment_id text
--                               the last row of the previous page; both NULL for the first page
-- $5 page_size integer
--
-- For each of the patient's numbers, appointments_patient_upcoming, a partial index over booked and
-- rescheduled appointments: an index range scan that stops after $5 rows; then a sort of those few rows.
SELECT page.*
FROM unnest(appointments.patient_numbers($1)) AS patient (nhs_number)
CROSS JOIN LATERAL (
    SELECT appointment_id, state, starts_at, ends_at, clinic_code, clinic_name_en, clinic_name_cy, cy_fallback,
           specialty, organisation_ods, organisation_name, mode, booking_reference, reschedule_count
    FROM appointments.appointments
    WHERE nhs_number = patient.nhs_number
      AND state IN ('booked', 'rescheduled')
      AND starts_at >= $2
      AND ($3::timestamptz IS NULL OR (starts_at, appointment_id) > ($3, $4))
    ORDER BY starts_at, appointment_id
    LIMIT $5
) page
ORDER BY page.starts_at, page.appointment_id
LIMIT $5;
