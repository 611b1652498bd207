-- Writers own projections through leases (DESIGN.md, decision 8).
--
-- A session advisory lock says only that a writer's session is alive: a frozen process keeps it for ever and
-- its projections stall. A lease is renewed by the writer and lapses when it stops renewing; another instance
-- takes over once it has lapsed, or at once when the holder's session is gone. The takeover's claim gives the
-- checkpoint a new owner token, so the old writer, should it wake, can no longer commit.
ALTER TABLE projector.checkpoints
    ADD COLUMN lease_holder uuid,
    ADD COLUMN lease_backend_pid integer,
    ADD COLUMN lease_expires_at timestamptz;
COMMENT ON COLUMN projector.checkpoints.lease_holder IS 'The projector process that writes this projection, while its lease lasts; null when none.';
COMMENT ON COLUMN projector.checkpoints.lease_backend_pid IS 'The server process of the holder''s session: when it is gone, the lease is free at once.';
COMMENT ON COLUMN projector.checkpoints.lease_expires_at IS 'When the lease lapses unless renewed (the holder renews it every third of its length).';

-- Who paused a projection, so status tells "paused by ops" from "stopped at a dead letter" by a value rather
-- than by the wording of the reason.
ALTER TABLE projector.checkpoints
    ADD COLUMN paused_by text CHECK (paused_by IN ('ops', 'policy'));
UPDATE projector.checkpoints
SET paused_by = CASE WHEN paused_reason LIKE 'stopped at%' THEN 'policy' ELSE 'ops' END
WHERE paused;
COMMENT ON COLUMN projector.checkpoints.paused_by IS 'ops: projector pause; policy: the stop policy paused it at a dead letter; null when not paused.';
