-- The catalog's comments name the project's own event contract (the ProjectionContract documentation,
-- projections/Contract/ProjectionContract.docc), as 0001 now does, for databases migrated before.
COMMENT ON SCHEMA eventlog IS 'The append-only event log the projector reads; its contract with producers is the event contract (ProjectionContract documentation).';
COMMENT ON COLUMN eventlog.events.event_type IS 'One of the event types of the event contract; unknown types are stored and ignored by projections.';
COMMENT ON COLUMN eventlog.events.data IS 'The payload, a JSON object (the event contract).';
