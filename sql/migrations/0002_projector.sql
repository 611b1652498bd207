-- The projector's own state: registered projections, checkpoints and dead letters.
COMMENT ON SCHEMA projector IS 'The projector''s own bookkeeping: projections, checkpoints, dead letters, migrations.';

CREATE TABLE projector.projections (
    name text PRIMARY KEY,
    version integer NOT NULL,
    schema_hash text NOT NULL,
    schema_name text NOT NULL,
    installed_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE projector.projections IS 'Each installed read model: the code version and DDL hash its tables were built with.';
COMMENT ON COLUMN projector.projections.name IS 'The projection''s name (timeline, results …).';
COMMENT ON COLUMN projector.projections.version IS 'Projection.version when the tables were created.';
COMMENT ON COLUMN projector.projections.schema_hash IS 'SHA-256 of schema.sql when the tables were created; a change needs a rebuild.';
COMMENT ON COLUMN projector.projections.schema_name IS 'The schema holding the tables readers use.';
COMMENT ON COLUMN projector.projections.installed_at IS 'When the tables were created.';

CREATE TABLE projector.checkpoints (
    projection text PRIMARY KEY REFERENCES projector.projections (name) ON DELETE CASCADE,
    transaction_id xid8 NOT NULL DEFAULT '0',
    global_position bigint NOT NULL DEFAULT 0,
    owner uuid,
    events_seen bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE projector.checkpoints IS 'Where each projection has read up to, written in the same transaction as its rows (exactly-once).';
COMMENT ON COLUMN projector.checkpoints.transaction_id IS 'With global_position: the log position after which reading resumes.';
COMMENT ON COLUMN projector.checkpoints.global_position IS 'With transaction_id: the log position after which reading resumes.';
COMMENT ON COLUMN projector.checkpoints.owner IS 'Token of the instance allowed to advance the checkpoint; a write with another token is refused.';
COMMENT ON COLUMN projector.checkpoints.events_seen IS 'Events handled since the tables were created (applied or dead-lettered).';
COMMENT ON COLUMN projector.checkpoints.updated_at IS 'When the checkpoint last moved.';

CREATE TABLE projector.dead_letters (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    projection text NOT NULL,
    transaction_id xid8 NOT NULL,
    global_position bigint NOT NULL,
    event_id uuid NOT NULL,
    event_type text NOT NULL,
    stream_id text NOT NULL,
    category text NOT NULL,
    reason text NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT now(),
    status text NOT NULL DEFAULT 'parked' CHECK (status IN ('parked', 'retried', 'skipped')),
    UNIQUE (projection, event_id)
);
CREATE INDEX dead_letters_by_projection ON projector.dead_letters (projection, status, global_position);
COMMENT ON TABLE projector.dead_letters IS 'Events a projection could not apply, with the rule that failed; nothing is dropped silently.';
COMMENT ON COLUMN projector.dead_letters.projection IS 'The projection that failed.';
COMMENT ON COLUMN projector.dead_letters.transaction_id IS 'The event''s log position (xid8 part).';
COMMENT ON COLUMN projector.dead_letters.global_position IS 'The event''s global_position.';
COMMENT ON COLUMN projector.dead_letters.event_id IS 'The event''s id.';
COMMENT ON COLUMN projector.dead_letters.event_type IS 'The event''s type.';
COMMENT ON COLUMN projector.dead_letters.stream_id IS 'The event''s stream; patient data, never printed by the CLI.';
COMMENT ON COLUMN projector.dead_letters.category IS 'What ops must do: invalid-payload, unsupported-schema-version, missing-precondition.';
COMMENT ON COLUMN projector.dead_letters.reason IS 'The rule that failed and the field it concerns, never the value.';
COMMENT ON COLUMN projector.dead_letters.failed_at IS 'When the projection failed on the event.';
COMMENT ON COLUMN projector.dead_letters.status IS 'parked (waiting for ops), retried, skipped.';
