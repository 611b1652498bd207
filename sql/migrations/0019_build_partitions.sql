-- Builds shared by several workers (the architecture article, "Partitioned builds").
--
-- A rebuild started with `--partitions N` fixes a target position (the log's end then), splits the patients
-- into N partitions and lets any number of projector processes, on any machines, claim a partition each
-- through a lease, as live ownership works. Each partition keeps its own checkpoint per build, so a killed
-- worker's partition is resumed by another from where it stopped. When every partition has reached the
-- target, the process that started the rebuild moves the build's own checkpoint there and goes on alone:
-- the rest of the log, the secondary indexes, ANALYZE and the swap, once.

-- The NHS number a `patient-`, `consent-` or `journal-` stream is named after; null for other streams (they
-- are named by their own ids, and their events name the patient in the payload).
CREATE FUNCTION projector.stream_patient(stream_id text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN split_part(stream_id, '-', 1) IN ('patient', 'consent', 'journal')
                THEN substr(stream_id, strpos(stream_id, '-') + 1) END
$$;
COMMENT ON FUNCTION projector.stream_patient(text) IS
    'The NHS number a patient-, consent- or journal- stream is named after; null for other streams.';

-- The patient an event belongs to, as far as the event alone says: its stream's patient, else the payload's
-- `nhsNumber`, else (malformed) the stream itself. Functions, so that the plan and the partition filter read
-- one rule (the planner inlines them).
CREATE FUNCTION projector.patient_key(stream_id text, data jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT coalesce(projector.stream_patient(stream_id), data ->> 'nhsNumber', stream_id) $$;
COMMENT ON FUNCTION projector.patient_key(text, jsonb) IS
    'The patient an event names on its own: its stream''s NHS number (patient-, consent-, journal-), else data.nhsNumber, else the stream.';

-- Which of `partitions` partitions a key hashes to, 0 up to partitions - 1.
CREATE FUNCTION projector.partition_of(key text, partitions integer) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT ((hashtext(key)::bigint % partitions + partitions) % partitions)::integer $$;
COMMENT ON FUNCTION projector.partition_of(text, integer) IS 'The partition (0 to partitions - 1) a patient key hashes to.';

CREATE TABLE projector.partitioned_runs (
    run uuid PRIMARY KEY,
    partitions integer NOT NULL CHECK (partitions BETWEEN 2 AND 1024),
    target_transaction_id xid8 NOT NULL,
    target_position bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE projector.partitioned_runs IS 'Rebuilds shared by several workers: how they are split and up to where.';
COMMENT ON COLUMN projector.partitioned_runs.partitions IS 'How many partitions of the patients.';
COMMENT ON COLUMN projector.partitioned_runs.target_position IS
    'With target_transaction_id: the log position every partition is built up to; the rest is built once, after.';

-- Per partition: who works on it, until when (a lease), and whether it is done.
CREATE TABLE projector.partition_leases (
    run uuid NOT NULL REFERENCES projector.partitioned_runs ON DELETE CASCADE,
    partition integer NOT NULL,
    holder uuid,
    worker text,
    expires_at timestamptz,
    claims integer NOT NULL DEFAULT 0,
    done boolean NOT NULL DEFAULT false,
    PRIMARY KEY (run, partition)
);
COMMENT ON TABLE projector.partition_leases IS 'Which worker holds each partition of a shared rebuild, until when.';
COMMENT ON COLUMN projector.partition_leases.holder IS 'The worker process (an id it draws at start); null before the first claim.';
COMMENT ON COLUMN projector.partition_leases.worker IS 'The worker''s host and process id, for status.';
COMMENT ON COLUMN projector.partition_leases.expires_at IS 'When the lease lapses unless renewed; another worker may then take the partition over.';
COMMENT ON COLUMN projector.partition_leases.claims IS 'How many times the partition was claimed: more than one means a worker died or froze in it.';
COMMENT ON COLUMN projector.partition_leases.done IS 'Every build of the run has applied the partition up to the target.';

-- Per partition and build: the checkpoint inside the build, advanced by compare-and-set on `owner` as
-- projector.builds is, so a worker whose partition was taken over can no longer commit.
CREATE TABLE projector.build_partitions (
    schema_name text NOT NULL REFERENCES projector.builds (schema_name) ON DELETE CASCADE,
    partition integer NOT NULL,
    run uuid NOT NULL REFERENCES projector.partitioned_runs ON DELETE CASCADE,
    transaction_id xid8 NOT NULL DEFAULT '0',
    global_position bigint NOT NULL DEFAULT 0,
    events_seen bigint NOT NULL DEFAULT 0,
    owner uuid,
    done boolean NOT NULL DEFAULT false,
    bulk boolean NOT NULL DEFAULT true,
    failure text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (schema_name, partition)
);
CREATE INDEX build_partitions_run ON projector.build_partitions (run, partition);
COMMENT ON TABLE projector.build_partitions IS 'Each partition''s checkpoint inside each build of a shared rebuild.';
COMMENT ON COLUMN projector.build_partitions.owner IS 'The token of the claim that may advance it (see projector.builds.owner).';
COMMENT ON COLUMN projector.build_partitions.done IS 'Applied up to the run''s target.';
COMMENT ON COLUMN projector.build_partitions.bulk IS
    'Whether a fresh partition''s rows may go in by COPY (no other partition writes its keys); false once one did.';
COMMENT ON COLUMN projector.build_partitions.failure IS 'Why the partition failed, when it did: the rebuild fails with it.';

-- The streams whose events do not all hash to one patient's partition: streams of merged patients (placed
-- with their group), and streams naming several patients. Every other stream's partition is computed from
-- its events alone.
CREATE TABLE projector.partition_streams (
    run uuid NOT NULL REFERENCES projector.partitioned_runs ON DELETE CASCADE,
    stream_id text NOT NULL,
    partition integer NOT NULL
);
-- Every event a worker reads looks its stream up here: a hash index answers in about half the time of the
-- b-tree on (run, stream_id) (1M events, PostgreSQL 15). The plan writes each stream of a run once. No other
-- index: the lookup must never take one on `run` alone (a new run's rows have no statistics, and that plan
-- read every row of the run for each event); a run's rows are deleted once, by a scan.
CREATE INDEX partition_streams_stream ON projector.partition_streams USING hash (stream_id);
COMMENT ON TABLE projector.partition_streams IS
    'Streams placed by a shared rebuild''s plan rather than by their events'' patient: merged patients'' and mixed streams.';

GRANT SELECT, INSERT, UPDATE, DELETE ON projector.partitioned_runs, projector.partition_leases,
    projector.build_partitions, projector.partition_streams TO projector_writer;
