-- The poison-pill breaker tells a death in the event's own code from one while writing what it planned
-- (the architecture article, "The poison-pill breaker").
--
-- A careful replay marks each event in flight before it runs the projection's code on it, and that mark stays
-- until the event's transaction commits. Most of that time is spent on the writes' round trips, so a kill -9
-- landing twice in it (in two successive processes) looked like a poison event and quarantined a good one.
-- Now the replay also records when the projection's code returned for the event (pass_planned): a death
-- before that is a strike (two quarantine, as before); a death after it counts in write_deaths, and only
-- three of those in a row quarantine the event.
ALTER TABLE projector.breakers
    ADD COLUMN pass_planned boolean NOT NULL DEFAULT false,
    ADD COLUMN write_deaths integer NOT NULL DEFAULT 0;
COMMENT ON COLUMN projector.breakers.pass_planned IS
    'During a careful replay: whether the projection''s code returned for the event in flight (it is being written).';
COMMENT ON COLUMN projector.breakers.strikes IS
    'How many processes died running the projection''s code on the one event after pass_* alone; at 2 it is quarantined.';
COMMENT ON COLUMN projector.breakers.write_deaths IS
    'How many processes died writing what the projection planned for the one event after pass_*; at 3 it is quarantined.';
