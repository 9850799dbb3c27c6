-- Work queues over millions of dossiers: whether a dossier is still open (not refused,
-- stopped, returned or withdrawn) and who holds its current step, derived from the projection
-- so no writer can forget them, and indexed in the order the queues read them.
ALTER TABLE dossiers ADD COLUMN active BOOLEAN
    GENERATED ALWAYS AS (status NOT IN ('refused', 'stopped', 'returned', 'withdrawn')) STORED;
ALTER TABLE dossiers ADD COLUMN assignee TEXT
    GENERATED ALWAYS AS (state::json -> 'active_step' ->> 'assignee') STORED;
-- The search text is in the index so a text filter reads the index, not the rows.
CREATE INDEX dossiers_queue ON dossiers (agency_id, active, appointment, code, search);
CREATE INDEX dossiers_assignee ON dossiers (assignee, active, appointment) WHERE assignee IS NOT NULL;
