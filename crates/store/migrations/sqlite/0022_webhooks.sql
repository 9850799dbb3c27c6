-- Webhooks for other systems (the province's operations centre, a document-management system).
-- A dossier event is written to the outbox as an `integration.webhook` message in the event's
-- transaction; the integration worker fans it out into one delivery per matching subscription
-- (in one transaction with marking the message sent), then delivers each with back-off. A
-- delivery keeps the event's id (the `webhook-id`) across its attempts.
CREATE TABLE webhook_subscriptions (
    id          BLOB PRIMARY KEY,
    name        TEXT NOT NULL,
    url         TEXT NOT NULL,
    event_types TEXT NOT NULL,             -- JSON array; empty: every type
    agencies    TEXT NOT NULL,             -- JSON array of agency codes; empty: all
    procedures  TEXT NOT NULL,             -- JSON array of procedure codes; empty: all
    secrets     TEXT NOT NULL,             -- JSON array, newest first (rotation keeps the old)
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              BLOB PRIMARY KEY,
    subscription_id BLOB NOT NULL REFERENCES webhook_subscriptions (id),
    event_id        TEXT NOT NULL,         -- the CloudEvent's id and the `webhook-id`
    event_type      TEXT NOT NULL,
    subject         TEXT,                  -- the dossier's code
    body            TEXT NOT NULL,         -- the CloudEvent (JSON)
    status          TEXT NOT NULL DEFAULT 'pending',  -- pending | delivered | failed
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    leased_until    TEXT,
    last_status     INTEGER,               -- the HTTP status of the last attempt
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    delivered_at    TEXT,
    failed_at       TEXT,
    CONSTRAINT webhook_deliveries_once UNIQUE (subscription_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_listing ON webhook_deliveries (subscription_id, created_at);
CREATE INDEX outbox_integration_due ON outbox (next_attempt_at)
    WHERE status = 'pending' AND kind LIKE 'integration.%';
