-- The poison-pill breaker (the architecture article, "The poison-pill breaker").
--
-- A trap in a projection, or the kernel's out-of-memory kill, ends the process at once: nothing in it can
-- catch that, so what it was doing is kept here, in the database, where the next process (this one restarted
-- by its supervisor, or a standby that took over) finds it. A process that ends cleanly clears `holder`; one
-- that finds another process's holder there knows that process died while applying events after the
-- checkpoint, and replays them more carefully, down to one event per transaction. An event that kills the
-- process twice on its own is quarantined: every generation of the same code dead-letters it
-- (`crashed-projector`) instead of running it again.
CREATE TABLE projector.breakers (
    consumer text PRIMARY KEY,
    holder uuid,
    death_transaction_id xid8,
    death_global_position bigint,
    deaths integer NOT NULL DEFAULT 0,
    pass_transaction_id xid8,
    pass_global_position bigint,
    pass_limit integer,
    pass_until_transaction_id xid8,
    pass_until_global_position bigint,
    strikes integer NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE projector.breakers IS
    'What each consumer of the log (a live projection, a build) was doing, so that a process that dies in it is known to the next.';
COMMENT ON COLUMN projector.breakers.consumer IS 'A live projection''s name, or a build''s schema.';
COMMENT ON COLUMN projector.breakers.holder IS 'The process applying its events now (an id it draws at start); null once it ended cleanly.';
COMMENT ON COLUMN projector.breakers.death_global_position IS
    'The checkpoint at which the last processes that held it died (with death_transaction_id); deaths counts them.';
COMMENT ON COLUMN projector.breakers.pass_global_position IS
    'During a careful replay: the position after which the page in flight starts (with pass_transaction_id), '
    'pass_limit its most events, and pass_until_* where the replay ends. Null otherwise.';
COMMENT ON COLUMN projector.breakers.strikes IS
    'How many processes died applying the one event after pass_* on its own; at 2 it is quarantined.';
GRANT SELECT, INSERT, UPDATE, DELETE ON projector.breakers TO projector_writer;

CREATE TABLE projector.quarantined_events (
    projection text NOT NULL,
    version integer NOT NULL,
    event_id uuid NOT NULL,
    transaction_id xid8 NOT NULL,
    global_position bigint NOT NULL,
    consumer text NOT NULL,
    quarantined_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (projection, version, event_id)
);
COMMENT ON TABLE projector.quarantined_events IS
    'Events that killed a projection''s code twice on their own: that code dead-letters them (crashed-projector) '
    'in every generation, live, build or verification; a new version of the projection tries them again.';
COMMENT ON COLUMN projector.quarantined_events.consumer IS 'The live projection or build that found it.';
GRANT SELECT, INSERT, UPDATE, DELETE ON projector.quarantined_events TO projector_writer;
