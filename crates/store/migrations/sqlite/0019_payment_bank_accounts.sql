-- Bank transfer by VietQR (#23): the account each agency collects fees on (NAPAS bank BIN,
-- account number and holder), shown as a VietQR with the amount due and the dossier code, and
-- matched against the bank's statement.
CREATE TABLE payment_bank_accounts (
    agency_id    BLOB PRIMARY KEY REFERENCES agencies (id),
    bank_bin     TEXT NOT NULL,
    account      TEXT NOT NULL,
    account_name TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
