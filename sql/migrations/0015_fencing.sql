-- The sessions of each projector process, so that an instance taking over a lapsed lease can end the old
-- holder's sessions (the architecture article, "Leases and fencing").
--
-- A frozen writer's transaction keeps its row locks until its session ends. The server ends it by itself only
-- while the session is idle in a transaction (idle_in_transaction_session_timeout); a writer frozen while
-- sending a statement leaves its session active, reading from the client, and nothing ends it: the standby
-- that took the lease over then waits on those locks until the frozen process wakes. The standby ends the
-- old holder's sessions with pg_terminate_backend, found here.
CREATE TABLE projector.sessions (
    backend_pid integer PRIMARY KEY,
    backend_start timestamptz NOT NULL,
    holder uuid NOT NULL
);
COMMENT ON TABLE projector.sessions IS
    'The server processes of each projector process''s sessions; rows of sessions that ended are removed as new ones register.';
COMMENT ON COLUMN projector.sessions.backend_pid IS 'The session''s server process (pg_stat_activity.pid).';
COMMENT ON COLUMN projector.sessions.backend_start IS 'When it started: with the pid, tells it from a later process given the same pid.';
COMMENT ON COLUMN projector.sessions.holder IS 'The projector process it belongs to (the id it holds leases under).';
GRANT SELECT, INSERT, UPDATE, DELETE ON projector.sessions TO projector_writer;
