-- The start of the open pause of a dossier waiting for the applicant's supplement during
-- processing (NULL otherwise): the clock is stopped, so a paused dossier is judged at that
-- instant, not now (legal-rules.md §1.4). `appointment` holds the current appointment
-- extended by the closed pauses (the effective appointment), written by every command.
-- After upgrading, run `motcua stats rebuild`: it computes the counters' open levels
-- (open_overdue, open_index_late) of the dossiers already stored from their event logs.
ALTER TABLE dossiers ADD COLUMN paused_at TEXT;
UPDATE dossiers SET paused_at = (
    SELECT MAX(e.at) FROM dossier_events e
    WHERE e.dossier_id = dossiers.id AND e.kind = 'supplement_requested'
) WHERE status = 'awaiting_supplement';
-- The register and the desk read an agency's dossiers by the day they were received.
CREATE INDEX dossiers_intake_received ON dossiers (intake_agency_id, received_at);
