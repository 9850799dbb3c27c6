-- Fees and online payment (#23). A dossier's payment is event-sourced like the dossier: its
-- events (the domain's `PaymentEnvelope`, JSON) and the projection row, with one row per online
-- attempt so the reconciliation worker finds the pending ones. Each agency has its own gateway
-- merchant account and its own receipt book (template symbol and serial, Decree 123/2020 and
-- Circular 78/2021); a receipt's number comes from the book's counter row, taken in the same
-- transaction as the payment becoming paid, so numbers have no gap and no duplicate.
CREATE TABLE payment_gateways (
    agency_id        BLOB PRIMARY KEY REFERENCES agencies (id),
    gateway          TEXT NOT NULL,        -- vnpay
    merchant_code    TEXT NOT NULL,        -- vnp_TmnCode
    hash_secret      TEXT NOT NULL,
    pay_url          TEXT NOT NULL,
    api_url          TEXT NOT NULL,
    return_url       TEXT NOT NULL,
    receipt_template TEXT NOT NULL,        -- ký hiệu mẫu biên lai
    receipt_serial   TEXT NOT NULL,        -- ký hiệu biên lai
    updated_at       TEXT NOT NULL
);

CREATE TABLE payments (
    id           BLOB PRIMARY KEY,
    dossier_id   BLOB NOT NULL CONSTRAINT payments_dossier_key UNIQUE REFERENCES dossiers (id),
    dossier_code TEXT NOT NULL,
    agency_id    BLOB NOT NULL REFERENCES agencies (id),   -- who collects (the intake agency)
    status       TEXT NOT NULL,
    amount_vnd   INTEGER NOT NULL,
    seq          INTEGER NOT NULL,         -- last event: the optimistic-concurrency version
    updated_at   TEXT NOT NULL
);
CREATE INDEX payments_agency_status ON payments (agency_id, status);

CREATE TABLE payment_events (
    payment_id BLOB NOT NULL REFERENCES payments (id),
    seq        INTEGER NOT NULL,
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    data       TEXT NOT NULL,              -- the envelope (JSON)
    PRIMARY KEY (payment_id, seq)
);
CREATE INDEX payment_events_at ON payment_events (at);

CREATE TABLE payment_attempts (
    reference  TEXT PRIMARY KEY,           -- vnp_TxnRef
    payment_id BLOB NOT NULL REFERENCES payments (id),
    gateway    TEXT NOT NULL,
    outcome    TEXT NOT NULL,              -- pending | paid | failed | expired
    amount_vnd INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX payment_attempts_pending ON payment_attempts (outcome, started_at);

CREATE TABLE receipt_counters (
    agency_id BLOB NOT NULL REFERENCES agencies (id),
    template  TEXT NOT NULL,
    serial    TEXT NOT NULL,
    last_no   INTEGER NOT NULL,
    PRIMARY KEY (agency_id, template, serial)
);

CREATE TABLE fee_receipts (
    payment_id BLOB PRIMARY KEY REFERENCES payments (id),
    agency_id  BLOB NOT NULL REFERENCES agencies (id),
    template   TEXT NOT NULL,
    serial     TEXT NOT NULL,
    number     INTEGER NOT NULL,
    issued_at  TEXT NOT NULL,
    CONSTRAINT fee_receipts_number_key UNIQUE (agency_id, template, serial, number)
);
