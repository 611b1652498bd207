-- Writers own projections through leases (the architecture article, "Leases and fencing").
--
-- A session advisory lock says only that a writer's session is alive: a frozen process keeps it for ever and
-- its projections stall. A lease is renewed by the writer and lapses when it stops renewing; another instance
-- takes over once it has lapsed, or at once when the holder's session is gone. The takeover's claim gives the
-- checkpoint a new owner token, so the old writer, should it wake, can no longer commit.
--
-- A table of its own, not columns of projector.checkpoints: every batch holds its checkpoint row's lock until
-- it commits, and a renewal must never wait behind a batch (nor take part in a deadlock with one).
CREATE TABLE projector.leases (
    projection text PRIMARY KEY REFERENCES projector.projections (name) ON DELETE CASCADE,
    holder uuid NOT NULL,
    backend_pid integer NOT NULL,
    expires_at timestamptz NOT NULL
);
COMMENT ON TABLE projector.leases IS 'Which projector process writes each projection, until when; no row when none does.';
COMMENT ON COLUMN projector.leases.projection IS 'The projection.';
COMMENT ON COLUMN projector.leases.holder IS 'The projector process that writes it (an id it draws at start).';
COMMENT ON COLUMN projector.leases.backend_pid IS 'The server process of the holder''s session: when it is gone, the lease is free at once.';
COMMENT ON COLUMN projector.leases.expires_at IS 'When the lease lapses unless renewed (the holder renews it every third of its length).';
GRANT SELECT, INSERT, UPDATE, DELETE ON projector.leases TO projector_writer;

-- Who paused a projection, so status tells "paused by ops" from "stopped at a dead letter" by a value rather
-- than by the wording of the reason.
ALTER TABLE projector.checkpoints
    ADD COLUMN paused_by text CHECK (paused_by IN ('ops', 'policy'));
UPDATE projector.checkpoints
SET paused_by = CASE WHEN paused_reason LIKE 'stopped at%' THEN 'policy' ELSE 'ops' END
WHERE paused;
COMMENT ON COLUMN projector.checkpoints.paused_by IS 'ops: projector pause; policy: the stop policy paused it at a dead letter; null when not paused.';
