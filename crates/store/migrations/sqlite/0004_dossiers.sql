-- Dossiers (hồ sơ), event-sourced: the append-only event log with a hash chain per dossier,
-- the projection the queues read, the per-agency daily code sequence, the outbox of notices,
-- the statistics counters, and the idempotency keys of creation requests.
CREATE TABLE dossiers (
    id               BLOB PRIMARY KEY,
    code             TEXT NOT NULL CONSTRAINT dossiers_code_key UNIQUE,
    agency_id        BLOB NOT NULL REFERENCES agencies (id),   -- where it is now
    intake_agency_id BLOB NOT NULL REFERENCES agencies (id),   -- where it was received
    province_code    TEXT,
    procedure_code   TEXT NOT NULL REFERENCES procedures (code),
    procedure_version INTEGER NOT NULL,
    channel          TEXT NOT NULL,
    status           TEXT NOT NULL,
    applicant_name   TEXT NOT NULL,
    applicant_key    TEXT NOT NULL,            -- hex SHA-256 of the ID number, for look-ups
    search           TEXT NOT NULL,            -- folded code, name, procedure
    submitted_at     TEXT NOT NULL,
    received_at      TEXT,
    appointment      TEXT,
    finished_at      TEXT,
    returned_at      TEXT,
    seq              INTEGER NOT NULL,         -- last event: the optimistic-concurrency version
    last_hash        TEXT NOT NULL,
    state            TEXT NOT NULL,              -- the full folded state (JSON)
    updated_at       TEXT NOT NULL
);
CREATE INDEX dossiers_agency_status ON dossiers (agency_id, status, appointment);
CREATE INDEX dossiers_applicant ON dossiers (applicant_key);

CREATE TABLE dossier_events (
    dossier_id BLOB NOT NULL REFERENCES dossiers (id),
    seq        INTEGER NOT NULL,
    at         TEXT NOT NULL,
    actor_id   BLOB,
    actor_role TEXT NOT NULL,
    kind       TEXT NOT NULL,
    data       TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL,
    PRIMARY KEY (dossier_id, seq)
);

-- The last sequence number given out per agency and receipt day (YYMMDD, Vietnam time).
CREATE TABLE dossier_sequences (
    agency_code TEXT NOT NULL,
    day         TEXT NOT NULL,
    last        INTEGER NOT NULL,
    PRIMARY KEY (agency_code, day)
);

CREATE TABLE outbox (
    id              BLOB PRIMARY KEY,
    dossier_id      BLOB NOT NULL REFERENCES dossiers (id),
    kind            TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    sent_at         TEXT,
    last_error      TEXT
);
CREATE INDEX outbox_pending ON outbox (sent_at, next_attempt_at);

-- Counters kept in each dossier's own transaction: agency × procedure × day (Vietnam) × metric.
CREATE TABLE stat_daily (
    agency_id      BLOB NOT NULL,
    procedure_code TEXT NOT NULL,
    day            TEXT NOT NULL,
    metric         TEXT NOT NULL,
    value          BIGINT NOT NULL,
    PRIMARY KEY (agency_id, procedure_code, day, metric)
);

CREATE TABLE idempotency_keys (
    key        TEXT PRIMARY KEY,
    user_id    BLOB,
    dossier_id BLOB NOT NULL REFERENCES dossiers (id),
    created_at TEXT NOT NULL
);
