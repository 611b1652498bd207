-- Pseudonymised timeline entries for analysts. Run by the projector after it installs the timeline read model.
DROP VIEW IF EXISTS reporting.timeline_entries;
CREATE VIEW reporting.timeline_entries AS
SELECT reporting.pseudonym(coalesce(m_e.retained_nhs_number, e.nhs_number), k.key) AS patient_pseudonym,
       e.kind, e.occurred_at, e.status, e.visible_to_patient, e.source_system
FROM timeline.entries e
LEFT JOIN timeline.merged_numbers m_e ON m_e.nhs_number = e.nhs_number
CROSS JOIN projector.reporting_key k;

COMMENT ON VIEW reporting.timeline_entries IS
    'One row per timeline entry (timeline.entries), pseudonymised: no NHS number, ids, titles, summaries or journal text.';
COMMENT ON COLUMN reporting.timeline_entries.patient_pseudonym IS
    'HMAC-SHA-256 of the patient''s NHS number (the retained one, for merged records) under this deployment''s secret key, hex: stable, not reversible without the key.';
COMMENT ON COLUMN reporting.timeline_entries.kind IS 'appointment, test-order, result, journal or registration.';
COMMENT ON COLUMN reporting.timeline_entries.occurred_at IS 'Where the entry sits on the timeline.';
COMMENT ON COLUMN reporting.timeline_entries.status IS 'The entry''s latest state (see timeline.entries.status).';
COMMENT ON COLUMN reporting.timeline_entries.visible_to_patient IS 'False for entries hidden from the patient (results entered in error).';
COMMENT ON COLUMN reporting.timeline_entries.source_system IS 'The producing system (ODS code or system name).';
GRANT SELECT ON reporting.timeline_entries TO projector_analyst;
