-- Documents (số hóa, Decree 45/2020, Circular 01/2023): each file once, named by the hex
-- SHA-256 of its bytes (the bytes live in the document store: <data_dir>/documents or an
-- S3-compatible bucket, under sha256/ab/cdef…), and which dossier holds which file for which
-- component, written in the transaction of the dossier event that attached it (`seq`). The
-- events are the record; these rows are what look-ups by person and downloads read.
CREATE TABLE documents (
    sha256     TEXT PRIMARY KEY,
    media_type TEXT NOT NULL,              -- application/pdf | image/jpeg | image/png
    size       BIGINT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE dossier_documents (
    dossier_id  BLOB NOT NULL REFERENCES dossiers (id),
    seq         INTEGER NOT NULL,          -- the event that attached it
    component   TEXT NOT NULL,             -- the component's name; for a result, its kind
    sha256      TEXT NOT NULL REFERENCES documents (sha256),
    source      TEXT NOT NULL,             -- scanned | uploaded | reused | result
    reused_from TEXT,                      -- reused: the code of the dossier it was taken from
    result_code TEXT,                      -- result: the number of the electronic result
    owner_id    BLOB,                      -- the citizen account that lodged the dossier online
    created_at  TEXT NOT NULL,
    PRIMARY KEY (dossier_id, seq)
);
CREATE INDEX dossier_documents_sha256 ON dossier_documents (sha256);
CREATE INDEX dossier_documents_owner ON dossier_documents (owner_id) WHERE owner_id IS NOT NULL;
