-- Pseudonymised appointments for analysts. Run by the projector after it installs the appointments read model.
DROP VIEW IF EXISTS reporting.appointments;
CREATE VIEW reporting.appointments AS
SELECT reporting.pseudonym(coalesce(m_a.retained_nhs_number, a.nhs_number), k.key) AS patient_pseudonym,
       a.state, a.starts_at, a.ends_at, a.clinic_code, a.clinic_name_en, a.clinic_name_cy, a.specialty,
       a.organisation_ods, a.organisation_name, a.mode, a.booked_at, a.rescheduled_at, a.reschedule_count,
       a.cancelled_at, a.cancelled_by, a.attended_at, a.missed_at
FROM appointments.appointments a
LEFT JOIN appointments.merged_numbers m_a ON m_a.nhs_number = a.nhs_number
CROSS JOIN projector.reporting_key k;

COMMENT ON VIEW reporting.appointments IS
    'One row per appointment (appointments.appointments) in its current state, pseudonymised: no NHS number, '
    'appointment id, booking reference or reasons.';
COMMENT ON COLUMN reporting.appointments.patient_pseudonym IS
    'HMAC-SHA-256 of the patient''s NHS number (the retained one, for merged records) under this deployment''s secret key, hex: stable, not reversible without the key.';
COMMENT ON COLUMN reporting.appointments.state IS 'booked, rescheduled, cancelled, attended or missed (did not attend).';
COMMENT ON COLUMN reporting.appointments.starts_at IS 'The current start time.';
COMMENT ON COLUMN reporting.appointments.ends_at IS 'The current end time, when known.';
COMMENT ON COLUMN reporting.appointments.clinic_code IS 'The clinic''s code.';
COMMENT ON COLUMN reporting.appointments.clinic_name_en IS 'The clinic''s name in English.';
COMMENT ON COLUMN reporting.appointments.clinic_name_cy IS 'The clinic''s name in Welsh (English when the producer sent none).';
COMMENT ON COLUMN reporting.appointments.specialty IS 'The specialty, as sent by the producer.';
COMMENT ON COLUMN reporting.appointments.organisation_ods IS 'ODS code of the providing organisation.';
COMMENT ON COLUMN reporting.appointments.organisation_name IS 'Name of the providing organisation.';
COMMENT ON COLUMN reporting.appointments.mode IS 'in-person, video or telephone.';
COMMENT ON COLUMN reporting.appointments.booked_at IS 'When it was booked.';
COMMENT ON COLUMN reporting.appointments.rescheduled_at IS 'When it was last rescheduled; NULL if never.';
COMMENT ON COLUMN reporting.appointments.reschedule_count IS 'How many times it was rescheduled.';
COMMENT ON COLUMN reporting.appointments.cancelled_at IS 'When it was cancelled; NULL if not.';
COMMENT ON COLUMN reporting.appointments.cancelled_by IS 'patient or provider, when cancelled.';
COMMENT ON COLUMN reporting.appointments.attended_at IS 'When the patient arrived, when attended.';
COMMENT ON COLUMN reporting.appointments.missed_at IS 'When it was recorded as missed (did not attend).';
GRANT SELECT ON reporting.appointments TO projector_analyst;
