-- Notices about feedback reports go through the same outbox as those about dossiers: a
-- message belongs to a dossier or to a report. SQLite cannot drop a NOT NULL: the table is
-- rebuilt (nothing refers to it).
CREATE TABLE outbox_new (
    id              BLOB PRIMARY KEY,
    dossier_id      BLOB REFERENCES dossiers (id),
    feedback_id     BLOB REFERENCES feedback_reports (id),
    kind            TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    sent_at         TEXT,
    last_error      TEXT,
    status          TEXT NOT NULL DEFAULT 'pending',
    failed_at       TEXT,
    leased_until    TEXT,
    CONSTRAINT outbox_owner CHECK ((dossier_id IS NULL) <> (feedback_id IS NULL))
);
INSERT INTO outbox_new (id, dossier_id, kind, payload, created_at, attempts, next_attempt_at,
                        sent_at, last_error, status, failed_at, leased_until)
SELECT id, dossier_id, kind, payload, created_at, attempts, next_attempt_at,
       sent_at, last_error, status, failed_at, leased_until FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_listing ON outbox (status, created_at);
