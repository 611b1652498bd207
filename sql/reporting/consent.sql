-- Pseudonymised consents and their changes for analysts. Run by the projector after it installs the consent read model.
DROP VIEW IF EXISTS reporting.consents;
CREATE VIEW reporting.consents AS
SELECT reporting.pseudonym(coalesce(m_c.retained_nhs_number, c.nhs_number), k.key) AS patient_pseudonym,
       c.grantee_type, c.scopes, c.purpose, c.status, c.granted_at, c.expires_at, c.withdrawn_at
FROM consent.consents c
LEFT JOIN consent.merged_numbers m_c ON m_c.nhs_number = c.nhs_number
CROSS JOIN projector.reporting_key k;

COMMENT ON VIEW reporting.consents IS
    'One row per consent (consent.consents), pseudonymised: no NHS number, consent or grantee id, or reasons.';
COMMENT ON COLUMN reporting.consents.patient_pseudonym IS
    'HMAC-SHA-256 of the patient''s NHS number (the retained one, for merged records) under this deployment''s secret key, hex: stable, not reversible without the key.';
COMMENT ON COLUMN reporting.consents.grantee_type IS 'Who was granted access: organisation, role or person.';
COMMENT ON COLUMN reporting.consents.scopes IS 'What they may see: any of timeline, results, appointments, journal, medications.';
COMMENT ON COLUMN reporting.consents.purpose IS 'direct-care or research.';
COMMENT ON COLUMN reporting.consents.status IS 'granted or withdrawn; a granted consent past expires_at is expired.';
COMMENT ON COLUMN reporting.consents.granted_at IS 'When it was granted.';
COMMENT ON COLUMN reporting.consents.expires_at IS 'When it expires; NULL for no end.';
COMMENT ON COLUMN reporting.consents.withdrawn_at IS 'When it was withdrawn; NULL if not.';
GRANT SELECT ON reporting.consents TO projector_analyst;

DROP VIEW IF EXISTS reporting.consent_changes;
CREATE VIEW reporting.consent_changes AS
SELECT reporting.pseudonym(coalesce(m_h.retained_nhs_number, h.nhs_number), k.key) AS patient_pseudonym,
       h.change, h.changed_at, h.grantee_type, h.scopes, h.purpose
FROM consent.consent_history h
LEFT JOIN consent.merged_numbers m_h ON m_h.nhs_number = h.nhs_number
CROSS JOIN projector.reporting_key k;

COMMENT ON VIEW reporting.consent_changes IS
    'Every grant and withdrawal (consent.consent_history), pseudonymised: no NHS number, ids or reasons.';
COMMENT ON COLUMN reporting.consent_changes.patient_pseudonym IS
    'HMAC-SHA-256 of the patient''s NHS number (the retained one, for merged records) under this deployment''s secret key, hex: stable, not reversible without the key.';
COMMENT ON COLUMN reporting.consent_changes.change IS 'granted or withdrawn.';
COMMENT ON COLUMN reporting.consent_changes.changed_at IS 'When it was granted or withdrawn.';
COMMENT ON COLUMN reporting.consent_changes.grantee_type IS 'organisation, role or person (of the consent, for withdrawals too when known).';
COMMENT ON COLUMN reporting.consent_changes.scopes IS 'The consent''s scopes, when known.';
COMMENT ON COLUMN reporting.consent_changes.purpose IS 'direct-care or research, when known.';
GRANT SELECT ON reporting.consent_changes TO projector_analyst;
