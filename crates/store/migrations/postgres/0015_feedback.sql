-- Citizen feedback (phản ánh, kiến nghị), event-sourced like dossiers: the report's event log
-- with its own hash chain, the projection the queues and the public page read, the photos it
-- holds (each file a `documents` row, its bytes in the document store), and one reaction per
-- account to a published answer.
CREATE TABLE feedback_reports (
    id           UUID PRIMARY KEY,
    code         TEXT NOT NULL CONSTRAINT feedback_reports_code_key UNIQUE,
    agency_id    UUID NOT NULL REFERENCES agencies (id),   -- the unit that holds it now
    status       TEXT NOT NULL,
    category     TEXT NOT NULL,
    subject      TEXT NOT NULL,           -- procedure | dossier | regulation | staff_behaviour | feedback | other
    subject_code TEXT,                    -- the procedure's, dossier's or earlier report's code
    commune      TEXT,
    lat          DOUBLE PRECISION,
    lon          DOUBLE PRECISION,
    title        TEXT NOT NULL,
    search       TEXT NOT NULL,           -- folded code, title and content
    author_id    UUID,                    -- the signed-in author, if any
    submitted_at TIMESTAMPTZ NOT NULL,
    clock_start  TIMESTAMPTZ NOT NULL,    -- submission or the latest transfer
    handle_by    DATE,                    -- the handling deadline (Vietnam date)
    approved_at  TIMESTAMPTZ,
    published_at TIMESTAMPTZ,
    closed_at    TIMESTAMPTZ,
    seq          INTEGER NOT NULL,
    last_hash    TEXT NOT NULL,
    state        TEXT NOT NULL,           -- the folded state (JSON)
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX feedback_reports_agency_status ON feedback_reports (agency_id, status, handle_by);
CREATE INDEX feedback_reports_published ON feedback_reports (published_at);
CREATE INDEX feedback_reports_author ON feedback_reports (author_id);

CREATE TABLE feedback_events (
    report_id  UUID NOT NULL REFERENCES feedback_reports (id),
    seq        INTEGER NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    actor_id   UUID,
    actor_role TEXT NOT NULL,
    kind       TEXT NOT NULL,
    data       TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL,
    PRIMARY KEY (report_id, seq)
);
CREATE INDEX feedback_events_at ON feedback_events (at);

CREATE TABLE feedback_photos (
    report_id  UUID NOT NULL REFERENCES feedback_reports (id),
    seq        INTEGER NOT NULL,          -- the event that attached it
    position   INTEGER NOT NULL,
    sha256     TEXT NOT NULL REFERENCES documents (sha256),
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (report_id, seq, position)
);
CREATE INDEX feedback_photos_sha256 ON feedback_photos (sha256);

CREATE TABLE feedback_reactions (
    report_id  UUID NOT NULL REFERENCES feedback_reports (id),
    account_id UUID NOT NULL,
    liked      BOOLEAN NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (report_id, account_id)
);
