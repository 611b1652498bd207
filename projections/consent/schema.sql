-- Patients' consents to share parts of their record (projection "consent", version 1).
-- Unqualified names: the engine runs this file with search_path set to the projection's schema.

CREATE TABLE consents (
    consent_id        text        PRIMARY KEY,
    nhs_number        text        NOT NULL,
    grantee_type      text        NOT NULL
        CHECK (grantee_type IN ('organisation', 'role', 'person')),
    grantee_id        text        NOT NULL,
    scopes            text[]      NOT NULL
        CHECK (cardinality(scopes) > 0
            AND scopes <@ ARRAY['timeline', 'results', 'appointments', 'journal', 'medications']::text[]),
    purpose           text        NOT NULL
        CHECK (purpose IN ('direct-care', 'research')),
    granted_at        timestamptz NOT NULL,
    expires_at        timestamptz,
    withdrawn_at      timestamptz,
    withdrawal_reason text,
    status            text        NOT NULL
        CHECK (status IN ('granted', 'withdrawn')),
    source_system     text,
    last_position     bigint      NOT NULL
);

-- A patient's consents for one grantee: what may_view reads.
CREATE INDEX consents_patient_grantee
    ON consents (nhs_number, grantee_type, grantee_id);

CREATE TABLE consent_history (
    consent_id      text        NOT NULL,
    global_position bigint      NOT NULL,
    nhs_number      text        NOT NULL,
    change          text        NOT NULL
        CHECK (change IN ('granted', 'withdrawn')),
    changed_at      timestamptz NOT NULL,
    grantee_type    text
        CHECK (grantee_type IN ('organisation', 'role', 'person')),
    grantee_id      text,
    scopes          text[]
        CHECK (scopes <@ ARRAY['timeline', 'results', 'appointments', 'journal', 'medications']::text[]),
    purpose         text
        CHECK (purpose IN ('direct-care', 'research')),
    expires_at      timestamptz,
    reason          text,
    last_position   bigint      NOT NULL,
    PRIMARY KEY (consent_id, global_position)
);

-- SQL-standard body: PostgreSQL binds `consents` when the function is created, to the table of this
-- generation's schema, so after a rebuild renames schemas each generation's function keeps reading
-- its own table, whatever the caller's search_path.
--
-- Both purposes count. The question is what the patient has opened to this grantee, and a research
-- consent opens those scopes as surely as a direct-care one; the question names no purpose, and a
-- caller that must act under one purpose (a research extract) filters consents.purpose itself.
--
-- Merged records are one patient: a consent given under any of the patient's numbers counts, asked by
-- any of them (patient_numbers). Grants do not combine into a wider one: the answer is yes when at
-- least one grant, on its own, covers the grantee, the scope and the instant; a withdrawal ends only the
-- consent it names, so a grant under the other number still holds until it is withdrawn too.
CREATE FUNCTION may_view(
    p_nhs_number   text,
    p_grantee_type text,
    p_grantee_id   text,
    p_scope        text,
    p_at           timestamptz
) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT EXISTS (
        SELECT 1
        FROM consents
        WHERE consents.nhs_number = ANY (patient_numbers(p_nhs_number))
          AND consents.grantee_type = p_grantee_type
          AND consents.grantee_id = p_grantee_id
          AND p_scope = ANY (consents.scopes)
          AND consents.granted_at <= p_at
          AND (consents.expires_at IS NULL OR p_at < consents.expires_at)
          AND (consents.withdrawn_at IS NULL OR p_at < consents.withdrawn_at)
    );
END;

-- Expiry is not a status (no event marks it), so "current" is decided at query time.
CREATE VIEW current_consents AS
    SELECT consent_id, nhs_number, grantee_type, grantee_id, scopes, purpose, granted_at, expires_at,
           withdrawn_at, withdrawal_reason, status, source_system, last_position
    FROM consents
    WHERE granted_at <= now()
      AND (expires_at IS NULL OR now() < expires_at)
      AND (withdrawn_at IS NULL OR now() < withdrawn_at);

COMMENT ON TABLE consents IS
    'One row per consent a patient has given: who may see which parts of their record, for what purpose, '
    'from when until when, and whether it was withdrawn. A withdrawn consent stays, with its withdrawal. '
    'Every value is derived from the event log alone; consent_history has each change.';

COMMENT ON COLUMN consents.consent_id IS
    'Primary key: the consent service''s consentId.';
COMMENT ON COLUMN consents.nhs_number IS
    'The patient''s NHS number: 10 digits, no spaces, Modulus 11 checked. Identifies a person: pseudonymise before analysis.';
COMMENT ON COLUMN consents.grantee_type IS
    'What kind of party may see: organisation (by ODS code), role (everyone holding it) or person.';
COMMENT ON COLUMN consents.grantee_id IS
    'The grantee within grantee_type: an ODS code, a role code or a professional''s id. A person''s id identifies them.';
COMMENT ON COLUMN consents.scopes IS
    'The parts of the record opened, each once, in the order the consent service sent them: '
    'any of timeline, results, appointments, journal, medications (medications and allergies). Test membership with ''results'' = ANY (scopes).';
COMMENT ON COLUMN consents.purpose IS
    'Why the consent was given: direct-care or research.';
COMMENT ON COLUMN consents.granted_at IS
    'When the consent takes effect (grantedAt), which may differ from when it was recorded.';
COMMENT ON COLUMN consents.expires_at IS
    'When the consent lapses (expiresAt), exclusive; null when it runs until withdrawn. Status does not change at '
    'expiry: compare with the time of interest, as may_view and current_consents do.';
COMMENT ON COLUMN consents.withdrawn_at IS
    'When the withdrawal takes effect (withdrawnAt), exclusive; null while not withdrawn.';
COMMENT ON COLUMN consents.withdrawal_reason IS
    'The patient''s reason for withdrawing, as free text; null when none was given or not withdrawn. May hold personal data.';
COMMENT ON COLUMN consents.status IS
    'granted, or withdrawn once a withdrawal is recorded (even one that takes effect later). Expiry is not a '
    'status: a granted consent may have lapsed (see expires_at).';
COMMENT ON COLUMN consents.source_system IS
    'metadata.sourceSystem of the event that granted the consent (a system name or ODS code); null when not sent.';
COMMENT ON COLUMN consents.last_position IS
    'global_position in eventlog.events of the last event that changed this row (lineage).';

COMMENT ON TABLE consent_history IS
    'Every grant and withdrawal of every consent, oldest first by global_position; rows are never changed. '
    'A withdrawal row names only the consent, the time and the reason: join to the consent''s granted rows '
    'for the rest.';

COMMENT ON COLUMN consent_history.consent_id IS
    'The consent changed (consents.consent_id); first part of the primary key.';
COMMENT ON COLUMN consent_history.global_position IS
    'global_position in eventlog.events of the event that made the change; second part of the primary key, '
    'and the order of a consent''s changes.';
COMMENT ON COLUMN consent_history.nhs_number IS
    'The patient''s NHS number, as sent with the change. Identifies a person: pseudonymise before analysis.';
COMMENT ON COLUMN consent_history.change IS
    'What happened: granted or withdrawn.';
COMMENT ON COLUMN consent_history.changed_at IS
    'When the change takes effect: grantedAt for a grant, withdrawnAt for a withdrawal.';
COMMENT ON COLUMN consent_history.grantee_type IS
    'For a grant, the grantee''s kind: organisation, role or person. Null for a withdrawal.';
COMMENT ON COLUMN consent_history.grantee_id IS
    'For a grant, the grantee within grantee_type. Null for a withdrawal.';
COMMENT ON COLUMN consent_history.scopes IS
    'For a grant, the parts of the record opened, in the order sent. Null for a withdrawal.';
COMMENT ON COLUMN consent_history.purpose IS
    'For a grant, direct-care or research. Null for a withdrawal.';
COMMENT ON COLUMN consent_history.expires_at IS
    'For a grant, when it lapses (null: until withdrawn). Null for a withdrawal.';
COMMENT ON COLUMN consent_history.reason IS
    'For a withdrawal, the patient''s reason as free text (may hold personal data); null for a grant or when none was given.';
COMMENT ON COLUMN consent_history.last_position IS
    'global_position in eventlog.events of the event that wrote this row; equals global_position (lineage).';

COMMENT ON FUNCTION may_view(text, text, text, text, timestamptz) IS
    'May this grantee see this scope of this patient''s record at p_at? True when some consent of the patient '
    'for that grantee (grantee_type and grantee_id) includes the scope and is in force at p_at: granted_at <= p_at, '
    'p_at before expires_at and before withdrawn_at when they are set. Direct-care and research consents both '
    'count; filter consents.purpose to ask about one purpose. False when any argument is null. Reads the '
    'consents of its own generation, whatever the search_path.';

COMMENT ON VIEW current_consents IS
    'Consents in force now, by the same rule as may_view: granted_at reached, expires_at and withdrawn_at '
    '(if any) still ahead. Columns as in consents.';
COMMENT ON COLUMN current_consents.consent_id IS 'As consents.consent_id.';
COMMENT ON COLUMN current_consents.nhs_number IS
    'As consents.nhs_number. Identifies a person: pseudonymise before analysis.';
COMMENT ON COLUMN current_consents.grantee_type IS 'As consents.grantee_type.';
COMMENT ON COLUMN current_consents.grantee_id IS 'As consents.grantee_id.';
COMMENT ON COLUMN current_consents.scopes IS 'As consents.scopes.';
COMMENT ON COLUMN current_consents.purpose IS 'As consents.purpose.';
COMMENT ON COLUMN current_consents.granted_at IS 'As consents.granted_at.';
COMMENT ON COLUMN current_consents.expires_at IS 'As consents.expires_at.';
COMMENT ON COLUMN current_consents.withdrawn_at IS 'As consents.withdrawn_at: always null here.';
COMMENT ON COLUMN current_consents.withdrawal_reason IS 'As consents.withdrawal_reason: always null here.';
COMMENT ON COLUMN current_consents.status IS 'As consents.status: always granted here.';
COMMENT ON COLUMN current_consents.source_system IS 'As consents.source_system.';
COMMENT ON COLUMN current_consents.last_position IS 'As consents.last_position.';
