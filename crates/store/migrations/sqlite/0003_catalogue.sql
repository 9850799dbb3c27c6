-- The procedure catalogue (CSDL TTHC): current record, versions, lifecycle changes, the
-- agencies that apply each procedure with their internal workflow.
CREATE TABLE procedures (
    code           TEXT PRIMARY KEY,          -- e.g. 1.001193
    name           TEXT NOT NULL,
    field          TEXT NOT NULL,             -- lĩnh vực
    levels         TEXT NOT NULL,             -- ' province commune ' (space-delimited keys)
    online_level   TEXT NOT NULL,             -- full_process | partial | none
    body           TEXT NOT NULL,             -- competent / issuing body
    status         TEXT NOT NULL,             -- draft | published | abolished
    version        INTEGER NOT NULL,          -- the latest version
    abolished_on   TEXT,
    content_hash   TEXT NOT NULL,             -- of the latest version's record
    search_name    TEXT NOT NULL,             -- folded code and name (Rust: text::search_fold)
    search_body    TEXT NOT NULL,             -- folded field, bodies, results
    updated_at     TEXT NOT NULL
);
CREATE INDEX procedures_field ON procedures (field);

CREATE TABLE procedure_versions (
    code           TEXT NOT NULL REFERENCES procedures (code),
    version        INTEGER NOT NULL,
    effective_from TEXT NOT NULL,
    record         TEXT NOT NULL,             -- JSON of the full record
    created_at     TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    PRIMARY KEY (code, version)
);

-- One row per lifecycle change, for the monthly statistics.
CREATE TABLE procedure_changes (
    id        BLOB PRIMARY KEY,
    code      TEXT NOT NULL REFERENCES procedures (code),
    kind      TEXT NOT NULL,                  -- published | amended | abolished
    on_date   TEXT NOT NULL,
    month     TEXT NOT NULL,                  -- YYYY-MM of on_date
    field     TEXT NOT NULL,
    body      TEXT NOT NULL,
    version   INTEGER NOT NULL
);
CREATE INDEX procedure_changes_month ON procedure_changes (month);

CREATE TABLE procedure_agencies (
    code      TEXT NOT NULL REFERENCES procedures (code),
    agency_id BLOB NOT NULL REFERENCES agencies (id),
    workflow  TEXT NOT NULL,                  -- JSON of the internal workflow
    PRIMARY KEY (code, agency_id)
);
CREATE INDEX procedure_agencies_agency ON procedure_agencies (agency_id);

-- Full-text index over the folded text (diacritics already removed in Rust).
CREATE VIRTUAL TABLE procedure_fts USING fts5(code UNINDEXED, name, body, tokenize = 'unicode61 remove_diacritics 0', prefix = '1 2 3 4');
