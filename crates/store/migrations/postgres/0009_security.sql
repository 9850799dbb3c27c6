-- Security (issue 15). Idempotency keys are stored scoped to the caller and the endpoint (the
-- service builds the key) with a digest of the request body: the same key with another body is
-- refused. Personal data reads (Decree 13/2023/NĐ-CP): every staff read of a dossier's personal
-- data, written in the request that read it.
ALTER TABLE idempotency_keys ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';

-- Citizens' online submissions per account and hour (the submission limit): only those events.
CREATE INDEX dossier_events_citizen_submissions ON dossier_events (actor_id, at)
    WHERE kind = 'submitted' AND actor_role = 'citizen';

CREATE TABLE personal_data_reads (
    id            UUID PRIMARY KEY,
    at            TIMESTAMPTZ NOT NULL,
    user_id       UUID NOT NULL,
    username      TEXT NOT NULL,
    dossier_id    UUID NOT NULL REFERENCES dossiers (id),
    dossier_code  TEXT NOT NULL,
    applicant_key TEXT NOT NULL,           -- the SHA-256 of the applicant's ID number
    what          TEXT NOT NULL,           -- dossier | document | form | reuse_lookup
    reason        TEXT NOT NULL DEFAULT '', -- reuse_lookup: why the officer looked the person up
    ip            TEXT NOT NULL,
    user_agent    TEXT NOT NULL
);
CREATE INDEX personal_data_reads_applicant ON personal_data_reads (applicant_key, at);
