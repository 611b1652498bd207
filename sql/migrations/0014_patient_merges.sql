-- Patient merges (`PatientRecordsMerged`, the event contract): every event a reader returns carries the
-- merge events of the log before it, so a projection can tell that a later event naming a superseded NHS
-- number is about the retained patient. A reader asks for the merges past the ones it already holds with
-- every page; this index makes that a probe of a few entries, however long the log.
CREATE INDEX events_patient_merges ON eventlog.events (transaction_id, global_position)
    WHERE event_type = 'PatientRecordsMerged';
