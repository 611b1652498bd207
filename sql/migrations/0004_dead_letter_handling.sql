-- What ops did about a dead letter: retries and skips are recorded, with who and why.
ALTER TABLE projector.dead_letters
    ADD COLUMN attempts integer NOT NULL DEFAULT 1,
    ADD COLUMN handled_at timestamptz,
    ADD COLUMN handled_by text,
    ADD COLUMN note text;
COMMENT ON COLUMN projector.dead_letters.attempts IS 'How many times the event was tried: 1 when parked, plus one per retry.';
COMMENT ON COLUMN projector.dead_letters.handled_at IS 'When it was retried successfully or skipped; NULL while parked.';
COMMENT ON COLUMN projector.dead_letters.handled_by IS 'Who retried or skipped it (projector dead-letters --by, default the OS user).';
COMMENT ON COLUMN projector.dead_letters.note IS 'Why it was skipped (projector dead-letters skip --reason); written by ops, not patient data.';
