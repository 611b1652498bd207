-- Who may touch generations other than the live ones.
--
-- projector_writer builds generations (rebuilds, as-of copies, verify scratches) and every command it
-- runs checks their checkpoints against the cluster's transaction ids, but 0006 created their tables
-- after 0003 had granted the writer the projector schema's tables: grant them now.
GRANT SELECT, INSERT, UPDATE, DELETE ON projector.builds, projector.build_dead_letters TO projector_writer;

-- As-of audit copies and verify scratches are not the patient API's to read. They used to be granted to
-- projector_api like the live read models; generations other than a rebuild are now created readable by
-- projector_writer only. This revokes what existing ones were given.
DO $$
DECLARE
    s text;
BEGIN
    FOR s IN
        SELECT b.schema_name FROM projector.builds b
        JOIN pg_namespace n ON n.nspname = b.schema_name
        WHERE b.purpose <> 'rebuild'
    LOOP
        EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM projector_api', s);
        EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA %I FROM projector_api', s);
        EXECUTE format('REVOKE ALL ON SCHEMA %I FROM projector_api', s);
    END LOOP;
END
$$;
