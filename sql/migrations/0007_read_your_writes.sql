-- Read-your-writes (issue 13): an append tells where it committed; the API waits, on the primary or a
-- replica, until a projection's checkpoint has passed that position.
--
-- A position is the pair (transaction_id, global_position), the order readers walk (0001). A checkpoint
-- has passed a position when it is at or after it in that order; the runner also moves it past the
-- watermark (the snapshot's xmin) when no event of its types follows, so a position in another
-- projection's events is passed too.

-- eventlog.append, plus where its events are: the last of them in log order. When every event was in the
-- log already (a re-append, a no-op), the position where they were stored first.
CREATE FUNCTION eventlog.append_with_position(
    p_stream text, p_expected bigint, p_event_ids uuid[], p_types text[], p_data jsonb[], p_metadata jsonb[],
    OUT version bigint, OUT transaction_id xid8, OUT global_position bigint
) LANGUAGE plpgsql AS $$
BEGIN
    version := eventlog.append(p_stream, p_expected, p_event_ids, p_types, p_data, p_metadata);
    -- A new statement, so it sees the rows the append just inserted.
    SELECT e.transaction_id, e.global_position INTO transaction_id, global_position
    FROM eventlog.events e
    WHERE e.event_id = ANY(p_event_ids)
    ORDER BY e.transaction_id DESC, e.global_position DESC
    LIMIT 1;
END $$;
COMMENT ON FUNCTION eventlog.append_with_position IS
    'eventlog.append, returning also the log position (transaction_id, global_position) of the last of the '
    'events, for projector.wait_for.';

-- Whether a projection's checkpoint has passed a position. SECURITY DEFINER so the API role can ask
-- without reading projector.checkpoints; it answers only this one boolean.
CREATE FUNCTION projector.checkpoint_passed(p_projection text, p_transaction_id xid8, p_global_position bigint)
RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    passed boolean;
BEGIN
    SELECT (c.transaction_id, c.global_position) >= (p_transaction_id, p_global_position) INTO passed
    FROM projector.checkpoints c
    WHERE c.projection = p_projection;
    IF passed IS NULL THEN
        RAISE EXCEPTION 'no projection named %', p_projection USING ERRCODE = 'undefined_object';
    END IF;
    RETURN passed;
END $$;
COMMENT ON FUNCTION projector.checkpoint_passed(text, xid8, bigint) IS
    'True when the projection''s checkpoint is at or after the log position (transaction_id, global_position).';

-- Waits until the projection's checkpoint has passed the position (reached = true) or the timeout has
-- expired (reached = false). A procedure, called with CALL outside a transaction block, so that it can
-- COMMIT between polls: it then holds a snapshot only while one poll or one pause (at most 50 ms) runs,
-- never for the whole wait. A function would keep its calling statement's snapshot (and backend_xmin)
-- for the whole wait: on the primary that holds back vacuum, on a hot standby it can stall the replay
-- of the very checkpoint it waits for, or be cancelled by a recovery conflict. sql/README.md, "Read-your-writes".
CREATE PROCEDURE projector.wait_for(
    projection text, transaction_id xid8, global_position bigint, timeout interval,
    INOUT reached boolean DEFAULT NULL
) LANGUAGE plpgsql AS $$
DECLARE
    deadline timestamptz := clock_timestamp() + timeout;
    pause double precision := 0.001;
BEGIN
    LOOP
        reached := projector.checkpoint_passed(projection, transaction_id, global_position);
        EXIT WHEN reached OR clock_timestamp() >= deadline;
        COMMIT;
        PERFORM pg_sleep(least(pause, extract(epoch FROM deadline - clock_timestamp())));
        COMMIT;
        pause := least(pause * 2, 0.05);
    END LOOP;
END $$;
COMMENT ON PROCEDURE projector.wait_for(text, xid8, bigint, interval, boolean) IS
    'CALL projector.wait_for(projection, transaction_id, global_position, timeout, NULL): reached is true once the '
    'projection''s checkpoint has passed the position, false when the timeout expired first. Commits between '
    'polls, so it holds a snapshot for at most 50 ms at a time; not callable inside a transaction block.';

REVOKE ALL ON FUNCTION projector.checkpoint_passed(text, xid8, bigint) FROM PUBLIC;
REVOKE ALL ON PROCEDURE projector.wait_for(text, xid8, bigint, interval, boolean) FROM PUBLIC;
-- USAGE on the schema lets the API name these two; its tables stay unreadable (no SELECT on them).
GRANT USAGE ON SCHEMA projector TO projector_api;
GRANT EXECUTE ON FUNCTION projector.checkpoint_passed(text, xid8, bigint) TO projector_api, projector_writer;
GRANT EXECUTE ON PROCEDURE projector.wait_for(text, xid8, bigint, interval, boolean) TO projector_api, projector_writer;
