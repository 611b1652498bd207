-- eventlog.append_many_statement sorts and numbers a batch by its keys alone.
--
-- 0001's statement sorted whole events, payloads included, three times: to drop duplicate ids
-- (DISTINCT ON), to number each stream's events (row_number), and to insert them in the batch's order.
-- Only the stream, the id and the place in the batch decide anything, so the duplicates and the stream
-- positions are now worked out from those keys, and the payloads are joined to them by their place in the
-- batch for the insert. The events stored, their stream positions and their order in the log are the
-- same. Measured in psql on 321,969 generated events in 5,000-event calls, a transaction each (PostgreSQL
-- 15, 2 cores, alternating): 5.98 and 6.09 s before, 5.23 and 4.92 s after; the log's digest identical.
--
-- No SET clause: append_many sets plan_cache_mode around the call (0017).
CREATE OR REPLACE FUNCTION eventlog.append_many_statement(
    p_streams text[], p_event_ids uuid[], p_types text[], p_data jsonb[], p_metadata jsonb[]
) RETURNS integer LANGUAGE plpgsql
AS $$
DECLARE
    stored integer;
BEGIN
    WITH keys AS (
        SELECT k.stream_id, k.event_id, k.ord
        FROM unnest(p_streams, p_event_ids) WITH ORDINALITY AS k(stream_id, event_id, ord)
    ), fresh AS (
        -- An id already in the log, or earlier in the batch, is skipped: appends are idempotent.
        SELECT DISTINCT ON (k.event_id) k.stream_id, k.ord
        FROM keys k
        WHERE NOT EXISTS (SELECT 1 FROM eventlog.events e WHERE e.event_id = k.event_id)
        ORDER BY k.event_id, k.ord
    ), counts AS (
        SELECT stream_id, count(*) AS n FROM fresh GROUP BY stream_id
    ), bumped AS (
        -- Locks each stream row, in stream order so concurrent appends cannot deadlock.
        INSERT INTO eventlog.streams AS s (stream_id, version)
        SELECT stream_id, n - 1 FROM counts ORDER BY stream_id
        ON CONFLICT (stream_id) DO UPDATE SET version = s.version + excluded.version + 1
        RETURNING s.stream_id, s.version
    ), positioned AS (
        SELECT f.ord, f.stream_id,
               b.version - c.n + row_number() OVER (PARTITION BY f.stream_id ORDER BY f.ord) AS stream_position
        FROM fresh f
        JOIN bumped b USING (stream_id)
        JOIN counts c USING (stream_id)
    ), appended AS (
        INSERT INTO eventlog.events (stream_id, stream_position, event_id, event_type, data, metadata)
        SELECT p.stream_id, p.stream_position, v.event_id, v.event_type, v.data, v.metadata
        FROM positioned p
        JOIN unnest(p_event_ids, p_types, p_data, p_metadata) WITH ORDINALITY
            AS v(event_id, event_type, data, metadata, ord) USING (ord)
        ORDER BY p.ord
        RETURNING 1
    )
    SELECT count(*) INTO stored FROM appended;
    RETURN stored;
END $$;
