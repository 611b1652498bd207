-- Pseudonymised medications, repeat requests and allergies for analysts. Run by the projector after it installs
-- the medications read model. Each view names its tables in the order the read model declares them, the order a
-- rebuild's drop locks them in, so that a report and a rebuild never deadlock.
DROP VIEW IF EXISTS reporting.medications;
CREATE VIEW reporting.medications AS
SELECT reporting.pseudonym(coalesce(mn.retained_nhs_number, m.nhs_number), k.key) AS patient_pseudonym,
       m.code, m.code_system, m.name_en, m.kind, m.repeats_authorised, m.repeats_issued, m.status,
       m.prescribed_at, m.prescriber_ods, m.last_issued_at, m.last_dispensed_at, m.stopped_at
FROM medications.medications m
LEFT JOIN medications.merged_numbers mn ON mn.nhs_number = m.nhs_number
CROSS JOIN projector.reporting_key k;

COMMENT ON VIEW reporting.medications IS
    'One row per medication course (medications.medications), pseudonymised: no NHS number, ids, dosage or reasons.';
COMMENT ON COLUMN reporting.medications.patient_pseudonym IS
    'HMAC-SHA-256 of the patient''s NHS number (the retained one, for merged records) under this deployment''s secret key, hex: stable, not reversible without the key.';
COMMENT ON COLUMN reporting.medications.code IS 'The medicine''s code (dm+d or SNOMED CT).';
COMMENT ON COLUMN reporting.medications.code_system IS 'The code system of code.';
COMMENT ON COLUMN reporting.medications.name_en IS 'The medicine''s name in English.';
COMMENT ON COLUMN reporting.medications.kind IS 'acute or repeat.';
COMMENT ON COLUMN reporting.medications.repeats_authorised IS 'How many issues a repeat allows.';
COMMENT ON COLUMN reporting.medications.repeats_issued IS 'How many prescriptions were issued for it.';
COMMENT ON COLUMN reporting.medications.status IS 'active or stopped.';
COMMENT ON COLUMN reporting.medications.prescribed_at IS 'When it was prescribed.';
COMMENT ON COLUMN reporting.medications.prescriber_ods IS 'The prescriber''s ODS code.';
COMMENT ON COLUMN reporting.medications.last_issued_at IS 'When a prescription for it was last issued.';
COMMENT ON COLUMN reporting.medications.last_dispensed_at IS 'When a prescription for it was last dispensed.';
COMMENT ON COLUMN reporting.medications.stopped_at IS 'When it was stopped.';
GRANT SELECT ON reporting.medications TO projector_analyst;

DROP VIEW IF EXISTS reporting.repeat_requests;
CREATE VIEW reporting.repeat_requests AS
SELECT reporting.pseudonym(coalesce(mn.retained_nhs_number, r.nhs_number), k.key) AS patient_pseudonym,
       m.code AS medication_code, m.name_en AS medication_name_en, r.channel, r.state,
       r.requested_at, r.approved_at, r.approved_by_ods, r.rejected_at, r.issued_at,
       p.nominated_pharmacy_ods, p.dispensed_at, p.dispenser_ods
FROM medications.medications m
JOIN medications.repeat_requests r ON r.medication_id = m.medication_id
LEFT JOIN medications.prescriptions p ON p.prescription_id = r.prescription_id
LEFT JOIN medications.merged_numbers mn ON mn.nhs_number = r.nhs_number
CROSS JOIN projector.reporting_key k;

COMMENT ON VIEW reporting.repeat_requests IS
    'One row per repeat prescription request (medications.repeat_requests) with the time of each step to '
    'dispensing, pseudonymised: no NHS number, ids or reasons.';
COMMENT ON COLUMN reporting.repeat_requests.patient_pseudonym IS
    'HMAC-SHA-256 of the patient''s NHS number (the retained one, for merged records) under this deployment''s secret key, hex: stable, not reversible without the key.';
COMMENT ON COLUMN reporting.repeat_requests.medication_code IS 'The medicine''s code.';
COMMENT ON COLUMN reporting.repeat_requests.medication_name_en IS 'The medicine''s name in English.';
COMMENT ON COLUMN reporting.repeat_requests.channel IS 'Where it was asked for: app, pharmacy or practice.';
COMMENT ON COLUMN reporting.repeat_requests.state IS 'requested, approved, rejected or issued (dispensing: dispensed_at).';
COMMENT ON COLUMN reporting.repeat_requests.requested_at IS 'When it was asked for.';
COMMENT ON COLUMN reporting.repeat_requests.approved_at IS 'When it was approved.';
COMMENT ON COLUMN reporting.repeat_requests.approved_by_ods IS 'The ODS code of the practice that decided it.';
COMMENT ON COLUMN reporting.repeat_requests.rejected_at IS 'When it was rejected.';
COMMENT ON COLUMN reporting.repeat_requests.issued_at IS 'When its prescription was issued.';
COMMENT ON COLUMN reporting.repeat_requests.nominated_pharmacy_ods IS 'The ODS code of the nominated pharmacy, when any.';
COMMENT ON COLUMN reporting.repeat_requests.dispensed_at IS 'When its prescription was dispensed.';
COMMENT ON COLUMN reporting.repeat_requests.dispenser_ods IS 'The ODS code of the pharmacy that dispensed it.';
GRANT SELECT ON reporting.repeat_requests TO projector_analyst;

DROP VIEW IF EXISTS reporting.allergies;
CREATE VIEW reporting.allergies AS
SELECT reporting.pseudonym(coalesce(mn.retained_nhs_number, a.nhs_number), k.key) AS patient_pseudonym,
       a.substance_code, a.substance_system, a.substance_name_en, a.severity, a.status, a.recorded_at,
       a.recorded_by_ods, a.resolved_at
FROM medications.allergies a
LEFT JOIN medications.merged_numbers mn ON mn.nhs_number = a.nhs_number
CROSS JOIN projector.reporting_key k;

COMMENT ON VIEW reporting.allergies IS
    'One row per allergy (medications.allergies), pseudonymised: no NHS number, ids, reactions or reasons; '
    'those entered in error stay, with status entered-in-error.';
COMMENT ON COLUMN reporting.allergies.patient_pseudonym IS
    'HMAC-SHA-256 of the patient''s NHS number (the retained one, for merged records) under this deployment''s secret key, hex: stable, not reversible without the key.';
COMMENT ON COLUMN reporting.allergies.substance_code IS 'The substance''s code (SNOMED CT or dm+d).';
COMMENT ON COLUMN reporting.allergies.substance_system IS 'The code system of substance_code.';
COMMENT ON COLUMN reporting.allergies.substance_name_en IS 'The substance''s name in English.';
COMMENT ON COLUMN reporting.allergies.severity IS 'mild, moderate or severe.';
COMMENT ON COLUMN reporting.allergies.status IS 'active, resolved or entered-in-error.';
COMMENT ON COLUMN reporting.allergies.recorded_at IS 'When it was recorded.';
COMMENT ON COLUMN reporting.allergies.recorded_by_ods IS 'The ODS code of who recorded it.';
COMMENT ON COLUMN reporting.allergies.resolved_at IS 'When it was resolved.';
GRANT SELECT ON reporting.allergies TO projector_analyst;
