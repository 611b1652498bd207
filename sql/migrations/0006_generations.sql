-- Generations, pausing and the failure policy (issue 5).
--
-- A rebuild replays the log into a new schema (a generation) while the live one keeps serving, then
-- swaps the two by renaming schemas. The generation being built keeps its own checkpoint and dead
-- letters here until the swap hands them to projector.checkpoints and projector.dead_letters.

CREATE TABLE projector.builds (
    schema_name text PRIMARY KEY,
    projection text NOT NULL,
    purpose text NOT NULL CHECK (purpose IN ('rebuild', 'as-of', 'verify')),
    version integer NOT NULL,
    schema_hash text NOT NULL,
    until_transaction_id xid8,
    until_position bigint,
    transaction_id xid8 NOT NULL DEFAULT '0',
    global_position bigint NOT NULL DEFAULT 0,
    events_seen bigint NOT NULL DEFAULT 0,
    owner uuid,
    started_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((until_transaction_id IS NULL) = (until_position IS NULL))
);
COMMENT ON TABLE projector.builds IS 'Generations being built from the log: a rebuild before its swap, an as-of copy, a verify scratch.';
COMMENT ON COLUMN projector.builds.schema_name IS 'The schema the generation is built in.';
COMMENT ON COLUMN projector.builds.projection IS 'The projection whose code builds it.';
COMMENT ON COLUMN projector.builds.purpose IS 'rebuild (swapped in when caught up), as-of (kept, stops at a position), verify (compared, then dropped).';
COMMENT ON COLUMN projector.builds.version IS 'Projection.version of the code building it.';
COMMENT ON COLUMN projector.builds.schema_hash IS 'SHA-256 of the schema.sql it was created from.';
COMMENT ON COLUMN projector.builds.until_transaction_id IS 'With until_position: the last log position an as-of build applies; NULL to follow the log.';
COMMENT ON COLUMN projector.builds.until_position IS 'With until_transaction_id: the last log position an as-of build applies.';
COMMENT ON COLUMN projector.builds.transaction_id IS 'With global_position: where the build has read up to.';
COMMENT ON COLUMN projector.builds.global_position IS 'With transaction_id: where the build has read up to.';
COMMENT ON COLUMN projector.builds.events_seen IS 'Events handled by the build so far (applied or dead-lettered).';
COMMENT ON COLUMN projector.builds.owner IS 'Token of the process building it; a write with another token is refused.';
COMMENT ON COLUMN projector.builds.started_at IS 'When the build started.';
COMMENT ON COLUMN projector.builds.updated_at IS 'When the build''s checkpoint last moved.';

CREATE TABLE projector.build_dead_letters (
    schema_name text NOT NULL REFERENCES projector.builds (schema_name) ON DELETE CASCADE,
    transaction_id xid8 NOT NULL,
    global_position bigint NOT NULL,
    event_id uuid NOT NULL,
    event_type text NOT NULL,
    stream_id text NOT NULL,
    category text NOT NULL,
    reason text NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (schema_name, event_id)
);
COMMENT ON TABLE projector.build_dead_letters IS 'Events a generation being built could not apply; the swap moves them to projector.dead_letters.';
COMMENT ON COLUMN projector.build_dead_letters.schema_name IS 'The generation (projector.builds.schema_name).';
COMMENT ON COLUMN projector.build_dead_letters.transaction_id IS 'As in projector.dead_letters.';
COMMENT ON COLUMN projector.build_dead_letters.global_position IS 'As in projector.dead_letters.';
COMMENT ON COLUMN projector.build_dead_letters.event_id IS 'As in projector.dead_letters.';
COMMENT ON COLUMN projector.build_dead_letters.event_type IS 'As in projector.dead_letters.';
COMMENT ON COLUMN projector.build_dead_letters.stream_id IS 'As in projector.dead_letters; patient data, never printed.';
COMMENT ON COLUMN projector.build_dead_letters.category IS 'As in projector.dead_letters.';
COMMENT ON COLUMN projector.build_dead_letters.reason IS 'As in projector.dead_letters.';
COMMENT ON COLUMN projector.build_dead_letters.failed_at IS 'As in projector.dead_letters.';

-- Pausing is a column of the checkpoint, not a message: a batch advances the checkpoint only while it
-- is not paused, so once `projector pause` commits no further batch can.
ALTER TABLE projector.checkpoints
    ADD COLUMN paused boolean NOT NULL DEFAULT false,
    ADD COLUMN paused_reason text,
    ADD COLUMN on_failure text NOT NULL DEFAULT 'park' CHECK (on_failure IN ('park', 'stop'));
COMMENT ON COLUMN projector.checkpoints.paused IS 'Set by projector pause (or a stop on failure): no batch commits until projector resume.';
COMMENT ON COLUMN projector.checkpoints.paused_reason IS 'Why it is paused: by whom, or the dead letter it stopped at.';
COMMENT ON COLUMN projector.checkpoints.on_failure IS 'park: dead-letter a failing event and go on (default); stop: dead-letter it and pause.';
