-- Fees and online payment (#23). A dossier's payment is event-sourced like the dossier: its
-- events (the domain's `PaymentEnvelope`, JSON) and the projection row, with one row per online
-- attempt so the reconciliation worker finds the pending ones. Each agency has its own gateway
-- merchant account and its own receipt book (template symbol and serial, Decree 123/2020 and
-- Circular 78/2021); a receipt's number comes from the book's counter row, taken in the same
-- transaction as the payment becoming paid, so numbers have no gap and no duplicate.
CREATE TABLE payment_gateways (
    agency_id        UUID PRIMARY KEY REFERENCES agencies (id),
    gateway          TEXT NOT NULL,        -- vnpay
    merchant_code    TEXT NOT NULL,        -- vnp_TmnCode
    hash_secret      TEXT NOT NULL,
    pay_url          TEXT NOT NULL,
    api_url          TEXT NOT NULL,
    return_url       TEXT NOT NULL,
    receipt_template TEXT NOT NULL,        -- ký hiệu mẫu biên lai
    receipt_serial   TEXT NOT NULL,        -- ký hiệu biên lai
    updated_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE payments (
    id           UUID PRIMARY KEY,
    dossier_id   UUID NOT NULL CONSTRAINT payments_dossier_key UNIQUE REFERENCES dossiers (id),
    dossier_code TEXT NOT NULL,
    agency_id    UUID NOT NULL REFERENCES agencies (id),   -- who collects (the intake agency)
    status       TEXT NOT NULL,
    amount_vnd   BIGINT NOT NULL,
    seq          INTEGER NOT NULL,         -- last event: the optimistic-concurrency version
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX payments_agency_status ON payments (agency_id, status);

CREATE TABLE payment_events (
    payment_id UUID NOT NULL REFERENCES payments (id),
    seq        INTEGER NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    kind       TEXT NOT NULL,
    data       TEXT NOT NULL,              -- the envelope (JSON)
    PRIMARY KEY (payment_id, seq)
);
CREATE INDEX payment_events_at ON payment_events (at);

CREATE TABLE payment_attempts (
    reference  TEXT PRIMARY KEY,           -- vnp_TxnRef
    payment_id UUID NOT NULL REFERENCES payments (id),
    gateway    TEXT NOT NULL,
    outcome    TEXT NOT NULL,              -- pending | paid | failed | expired
    amount_vnd BIGINT NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX payment_attempts_pending ON payment_attempts (outcome, started_at);

CREATE TABLE receipt_counters (
    agency_id UUID NOT NULL REFERENCES agencies (id),
    template  TEXT NOT NULL,
    serial    TEXT NOT NULL,
    last_no   BIGINT NOT NULL,
    PRIMARY KEY (agency_id, template, serial)
);

CREATE TABLE fee_receipts (
    payment_id UUID PRIMARY KEY REFERENCES payments (id),
    agency_id  UUID NOT NULL REFERENCES agencies (id),
    template   TEXT NOT NULL,
    serial     TEXT NOT NULL,
    number     BIGINT NOT NULL,
    issued_at  TIMESTAMPTZ NOT NULL,
    CONSTRAINT fee_receipts_number_key UNIQUE (agency_id, template, serial, number)
);
