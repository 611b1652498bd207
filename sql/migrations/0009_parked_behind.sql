-- Per-stream ordering of dead letters (the architecture article, "Parking").
--
-- Once an event of a stream fails for a projection (its payload breaks the contract, or its schema
-- version is unknown), the projection parks every later event of that stream behind it instead of
-- applying it: a dead letter with category 'parked-behind' whose behind_id names the first one. Retrying
-- or skipping the first releases them in log order, so an old event never overwrites newer values.
-- An event whose precondition is missing (category 'missing-precondition') changed nothing and is
-- usually waiting for a later event of its own stream (a cancellation appended before its booking): it
-- parks nothing. Dead letters stored before this migration are each their own first and park nothing
-- (parks_stream false): their streams' later events were applied already, so parking the next ones
-- behind them would protect nothing and only stop those streams.

ALTER TABLE projector.dead_letters
    ADD COLUMN behind_id bigint REFERENCES projector.dead_letters (id),
    ADD COLUMN parks_stream boolean NOT NULL DEFAULT false;
ALTER TABLE projector.dead_letters ALTER COLUMN parks_stream SET DEFAULT true;
COMMENT ON COLUMN projector.dead_letters.parks_stream IS
    'false for letters stored before per-stream parking (migration 0009): they park nothing. Whether a '
    'letter parks its stream''s later events also depends on its category (not missing-precondition).';
COMMENT ON COLUMN projector.dead_letters.behind_id IS
    'For category parked-behind: the id of the dead letter of the same stream this event waits behind (the '
    'first of the stream''s failed events); NULL for a letter that failed on its own. Kept once released.';
COMMENT ON COLUMN projector.dead_letters.category IS
    'What ops must do: invalid-payload, unsupported-schema-version, missing-precondition; parked-behind (the '
    'event waits behind an earlier dead letter of its stream, behind_id, and is released when that one is '
    'retried or skipped).';
COMMENT ON COLUMN projector.dead_letters.status IS
    'parked (waiting for ops, or behind another letter), retried (applied by a retry, or released behind '
    'one), skipped.';
-- The streams a projection has parked, looked up by the batches that meet them; and a first's followers.
CREATE INDEX dead_letters_parked_streams ON projector.dead_letters (projection, stream_id) WHERE status = 'parked';
CREATE INDEX dead_letters_behind ON projector.dead_letters (behind_id) WHERE behind_id IS NOT NULL;

-- A generation being built parks the same way; the swap carries the links over to projector.dead_letters.
ALTER TABLE projector.build_dead_letters
    ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    ADD COLUMN behind_id bigint REFERENCES projector.build_dead_letters (id);
COMMENT ON COLUMN projector.build_dead_letters.id IS 'Identifies the letter within the build, for behind_id.';
COMMENT ON COLUMN projector.build_dead_letters.behind_id IS
    'As in projector.dead_letters: the id of the letter of this build the event waits behind.';
COMMENT ON COLUMN projector.build_dead_letters.category IS
    'As in projector.dead_letters, parked-behind included.';
CREATE INDEX build_dead_letters_parked_streams ON projector.build_dead_letters (schema_name, stream_id);
CREATE INDEX build_dead_letters_behind ON projector.build_dead_letters (behind_id) WHERE behind_id IS NOT NULL;
-- 0003 granted the writer the sequences of its time; the new identity's is granted here.
DO $$
BEGIN
    EXECUTE format(
        'GRANT USAGE ON SEQUENCE %s TO projector_writer',
        pg_get_serial_sequence('projector.build_dead_letters', 'id')
    );
END
$$;
