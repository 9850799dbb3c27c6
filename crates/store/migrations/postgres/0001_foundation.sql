-- Foundation: administrative units, agencies, accounts, sessions (PostgreSQL).
CREATE TABLE admin_units (
    id            TEXT PRIMARY KEY,          -- era:level:code, e.g. 2025:commune:00004
    era           TEXT NOT NULL,
    level         TEXT NOT NULL,
    code          TEXT NOT NULL,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    parent_code   TEXT,
    province_code TEXT NOT NULL,
    valid_from    DATE,
    valid_to      DATE,
    name_ascii    TEXT NOT NULL,             -- ' ' || fold_ascii(name), for word-prefix LIKE
    name_key      TEXT NOT NULL,             -- ' ' || tone_key(name)
    lat           DOUBLE PRECISION,
    lon           DOUBLE PRECISION
);
CREATE INDEX admin_units_era_parent ON admin_units (era, parent_code);
CREATE INDEX admin_units_code ON admin_units (code);

CREATE TABLE unit_lineage (
    old_code          TEXT NOT NULL,
    old_district_code TEXT NOT NULL,
    old_province_code TEXT NOT NULL,
    partly            BOOLEAN NOT NULL,
    new_code          TEXT NOT NULL,
    new_province_code TEXT NOT NULL,
    PRIMARY KEY (old_code, new_code)
);
CREATE INDEX unit_lineage_new ON unit_lineage (new_code);

CREATE TABLE agencies (
    id            UUID PRIMARY KEY,
    code          TEXT NOT NULL CONSTRAINT agencies_code_key UNIQUE,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    parent_id     UUID REFERENCES agencies (id),
    unit_id       TEXT REFERENCES admin_units (id),
    province_code TEXT,
    name_ascii    TEXT NOT NULL,
    name_key      TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX agencies_parent ON agencies (parent_id);
CREATE INDEX agencies_province ON agencies (province_code, kind);

CREATE TABLE users (
    id            UUID PRIMARY KEY,
    username      TEXT NOT NULL CONSTRAINT users_username_key UNIQUE,
    full_name     TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE user_roles (
    user_id   UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role      TEXT NOT NULL,
    agency_id UUID REFERENCES agencies (id)
);
CREATE INDEX user_roles_user ON user_roles (user_id);
CREATE INDEX user_roles_agency ON user_roles (agency_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,             -- hex sha256 of the secret the client holds
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,                -- browser | api
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
