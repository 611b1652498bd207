-- What the API and analyst roles can no longer do, and NULLs the read-your-writes calls refuse.

-- A NULL position used to answer true (the row comparison is NULL, read as "passed"), and a NULL xid
-- "no projection named timeline". Each NULL is now its own clear error.
CREATE OR REPLACE FUNCTION projector.checkpoint_passed(p_projection text, p_transaction_id xid8, p_global_position bigint)
RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    passed boolean;
BEGIN
    IF p_projection IS NULL OR p_transaction_id IS NULL OR p_global_position IS NULL THEN
        RAISE EXCEPTION 'projection, transaction_id and global_position must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    SELECT (c.transaction_id, c.global_position) >= (p_transaction_id, p_global_position) INTO passed
    FROM projector.checkpoints c
    WHERE c.projection = p_projection;
    IF passed IS NULL THEN
        RAISE EXCEPTION 'no projection named %', p_projection USING ERRCODE = 'undefined_object';
    END IF;
    RETURN passed;
END $$;

-- A NULL timeout made the deadline NULL, so the loop never ended and its backend outlived the client.
-- Now a NULL is refused, and the wait is bounded whatever the caller asks: at most one hour.
CREATE OR REPLACE PROCEDURE projector.wait_for(
    projection text, transaction_id xid8, global_position bigint, timeout interval,
    INOUT reached boolean DEFAULT NULL
) LANGUAGE plpgsql AS $$
DECLARE
    deadline timestamptz;
    pause double precision := 0.001;
BEGIN
    IF timeout IS NULL THEN
        RAISE EXCEPTION 'timeout must not be NULL (give an interval, e.g. ''2 seconds'')'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    deadline := clock_timestamp() + least(greatest(timeout, interval '0'), interval '1 hour');
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
    'projection''s checkpoint has passed the position, false when the timeout (at most 1 hour) expired first. '
    'Commits between polls, so it holds a snapshot for at most 50 ms at a time; not callable inside a transaction '
    'block. A NULL argument is an error.';

-- Temporary tables: every role could create them (PostgreSQL grants TEMPORARY to PUBLIC), so the API and
-- analyst roles could stage data and use memory and disk the operators never planned for. Only the
-- writer, granted TEMPORARY by name in 0003, keeps the privilege.
DO $$
BEGIN
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
END
$$;

-- Generations replaced by `projector rebuild --keep-old` stayed readable by the API: their rows are out
-- of date, and a withdrawn consent or a result entered in error may still show there. The swap now takes
-- the API's and analysts' access away from the schema it retires; this does it for those kept already.
DO $$
DECLARE
    s text;
BEGIN
    FOR s IN SELECT nspname FROM pg_namespace WHERE nspname LIKE '%\_\_retired\_%' LOOP
        EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM projector_api, projector_analyst', s);
        EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA %I FROM projector_api, projector_analyst', s);
        EXECUTE format('REVOKE ALL ON SCHEMA %I FROM projector_api, projector_analyst', s);
    END LOOP;
END
$$;
