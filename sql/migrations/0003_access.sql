-- Who may read what: three group roles, the pseudonym key, and the schema analysts read.
--
-- The roles are NOLOGIN groups; a deployment creates its own login users and grants them one, e.g.
--   CREATE ROLE projector_svc LOGIN PASSWORD '…' IN ROLE projector_writer;
-- Roles belong to the whole cluster, so creating them tolerates another database having done it.

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['projector_writer', 'projector_api', 'projector_analyst'] LOOP
        BEGIN
            EXECUTE format('CREATE ROLE %I NOLOGIN', r);
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;  -- made by an earlier migration of this or another database
        END;
    END LOOP;
END
$$;

COMMENT ON ROLE projector_writer IS
    'The projector service (projector run, rebuild): reads the event log, owns the read models and its bookkeeping.';
COMMENT ON ROLE projector_api IS
    'The patient API: reads the read models (timeline, results, appointments, consent), never the event log.';
COMMENT ON ROLE projector_analyst IS
    'Analysts: read the reporting schema only, where patients appear as pseudonyms and no names or free text.';

-- The writer creates the read models' schemas (and their next generations) in this database.
DO $$
BEGIN
    EXECUTE format('GRANT CONNECT, CREATE, TEMPORARY ON DATABASE %I TO projector_writer', current_database());
END
$$;
GRANT USAGE ON SCHEMA eventlog TO projector_writer;
GRANT SELECT ON ALL TABLES IN SCHEMA eventlog TO projector_writer;
GRANT USAGE, CREATE ON SCHEMA projector TO projector_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA projector TO projector_writer;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA projector TO projector_writer;

-- HMAC-SHA-256 for pseudonyms. pgcrypto is a trusted extension: a database owner may create it.
CREATE EXTENSION IF NOT EXISTS pgcrypto;

CREATE TABLE projector.pseudonym_key (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    key bytea NOT NULL CHECK (length(key) >= 32),
    set_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE projector.pseudonym_key IS
    'The secret key of reporting pseudonyms (HMAC-SHA-256 of the NHS number). Set by `projector pseudonym-key set` '
    'from configuration, never from the repository. Changing it changes every pseudonym. Analysts cannot read it.';
COMMENT ON COLUMN projector.pseudonym_key.singleton IS 'Always true: the table holds at most one key.';
COMMENT ON COLUMN projector.pseudonym_key.key IS 'The key, at least 32 bytes.';
COMMENT ON COLUMN projector.pseudonym_key.set_at IS 'When the key was set.';
REVOKE ALL ON projector.pseudonym_key FROM projector_writer;
GRANT SELECT ON projector.pseudonym_key TO projector_writer;

CREATE SCHEMA reporting;
COMMENT ON SCHEMA reporting IS
    'Pseudonymised views of the read models for analysts: a stable patient_pseudonym instead of the NHS number, '
    'no names, no free text. Recreated whenever a read model is installed or rebuilt.';
GRANT USAGE ON SCHEMA reporting TO projector_analyst;

-- Fails loudly instead of letting reports run with NULL pseudonyms.
CREATE FUNCTION reporting.key_or_error(key bytea) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF key IS NULL THEN
        RAISE EXCEPTION 'no pseudonym key is configured'
            USING HINT = 'an operator sets one with: projector pseudonym-key set --from-env VARIABLE';
    END IF;
    RETURN key;
END
$$;
COMMENT ON FUNCTION reporting.key_or_error(bytea) IS
    'Returns its argument, or raises when no pseudonym key is configured (used by the reporting views).';

-- Read access to one read model's schema, called whenever the projector installs a schema.
CREATE FUNCTION projector.grant_read_model(schema_name text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO projector_api', schema_name);
    EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO projector_api', schema_name);
    EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA %I TO projector_api', schema_name);
    EXECUTE format('GRANT ALL ON SCHEMA %I TO projector_writer', schema_name);
    EXECUTE format('GRANT ALL ON ALL TABLES IN SCHEMA %I TO projector_writer', schema_name);
END
$$;
COMMENT ON FUNCTION projector.grant_read_model(text) IS
    'Grants projector_api read access and projector_writer full access to a read model''s schema.';

-- The writer (re)creates the reporting views whenever it installs or rebuilds a read model.
GRANT USAGE, CREATE ON SCHEMA reporting TO projector_writer;
